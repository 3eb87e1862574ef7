/** Number formatting shared by the demos' tables and chart summaries. */

/** A share as a percentage: 0.1234 → '12.3%'. */
export function percent(share: number, digits = 1): string {
  return Number.isFinite(share) ? `${(100 * share).toFixed(digits)}%` : '–';
}

/** A number with a fixed number of decimals, '–' when not finite. */
export function fixed(value: number | null | undefined, digits = 2): string {
  return value !== null && value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** Bytes in binary units: 1536 → '1.5 KiB'. */
export function bytes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = value;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/** A p-value the way papers print it. */
export function pValue(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p < 1e-4) return p.toExponential(1);
  return p < 0.001 ? p.toFixed(4) : p.toFixed(3);
}

/** A signed number: +0.40, −0.12. */
export function signed(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return '–';
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
}
