/** Parsing of pasted per-seed scores (demos 6 and 10). */

/** Numbers in free text: separated by commas, spaces, semicolons, tabs or new lines. */
export function parseScores(text: string, what: string): number[] {
  const tokens = text.split(/[\s,;]+/).filter((t) => t.length > 0);
  const values = tokens.map((t) => Number(t));
  const bad = tokens.find((t, i) => !Number.isFinite(values[i]));
  if (bad !== undefined) throw new RangeError(`${what}: '${bad}' is not a number`);
  return values;
}

/**
 * One method per line, `name: score, score, …` (a line without a colon is refused). Blank lines and lines
 * starting with `#` are skipped.
 */
export function parseMethods(text: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new RangeError(`line ${i + 1}: expected 'name: score, score, …'; got '${line}'`);
    const name = line.slice(0, colon).trim();
    if (name in out) throw new RangeError(`line ${i + 1}: method '${name}' appears twice`);
    out[name] = parseScores(line.slice(colon + 1), `line ${i + 1} (${name})`);
  }
  return out;
}
