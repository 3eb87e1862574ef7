/** Plot data in the shape ChartView takes, and small helpers to build it. */

/** One line or point set of a chart. */
export interface Series {
  label: string;
  data: { x: number; y: number }[];
}

/** Zips two columns into chart points, dropping pairs where either value is not finite. */
export function zipPoints(xs: readonly number[], ys: readonly number[]): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (Number.isFinite(x) && Number.isFinite(y)) out.push({ x, y });
  }
  return out;
}

/** Maps items to chart points, dropping the ones whose x or y is not a finite number. */
export function pointsOf<T>(items: readonly T[], x: (item: T, i: number) => number | null, y: (item: T, i: number) => number | null): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  items.forEach((item, i) => {
    const px = x(item, i);
    const py = y(item, i);
    if (px !== null && py !== null && Number.isFinite(px) && Number.isFinite(py)) out.push({ x: px, y: py });
  });
  return out;
}
