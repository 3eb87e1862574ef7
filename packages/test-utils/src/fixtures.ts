/**
 * Revives a fixture written by a `gen_*.py` script: numpy's non-finite values are written as the
 * strings "NaN", "Infinity" and "-Infinity" (JSON has no literal for them).
 */
export function loadFixture<T>(json: unknown): T {
  return revive(json) as T;
}

function revive(value: unknown): unknown {
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = revive(v);
    return out;
  }
  return value;
}
