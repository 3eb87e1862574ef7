/** A fraction as a percentage with `digits` decimals: 0.1234 → '12.3%'. */
export function pct(x: number, digits = 1): string {
  return `${(100 * x).toFixed(digits)}%`;
}

/** A number with `digits` significant digits, without exponent for ordinary sizes. */
export function sig(x: number, digits = 3): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const magnitude = Math.floor(Math.log10(Math.abs(x)));
  if (magnitude >= 12 || magnitude <= -5) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 12 });
}

/** Bytes in decimal units: 4e10 → '40 GB'. */
export function bytes(x: number, digits = 3): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = x;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${sig(v, digits)} ${units[i]}`;
}
