import { finiteArray, finiteNumber, oneOf, optionsObject } from './internal/validate.js';

/** Interpolation between order statistics, with numpy's names. */
export type QuantileMethod = 'linear' | 'lower' | 'higher' | 'nearest' | 'midpoint';

const METHODS: readonly QuantileMethod[] = ['linear', 'lower', 'higher', 'nearest', 'midpoint'];

/** @internal quantile of an already sorted, validated array. */
export function sortedQuantile(sorted: ArrayLike<number>, p: number, method: QuantileMethod = 'linear'): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  const frac = h - lo;
  switch (method) {
    case 'lower':
      return a;
    case 'higher':
      return frac > 0 ? b : a;
    case 'nearest':
      // numpy rounds half to even on the index
      return frac > 0.5 || (frac === 0.5 && lo % 2 === 1) ? b : a;
    case 'midpoint':
      return frac > 0 ? (a + b) / 2 : a;
    default:
      return frac === 0 ? a : a + (b - a) * frac;
  }
}

/**
 * The p-quantile of a sample, interpolating between order statistics as numpy's `np.quantile`
 * (`method: 'linear'` is R's type 7, the default of both).
 *
 * @param x - the sample, at least one finite number (not modified)
 * @param p - the probability, in [0, 1]
 * @param options - `method`: 'linear' (default), 'lower', 'higher', 'nearest' or 'midpoint'
 * @returns the p-quantile
 * @throws TypeError for a non-numeric `x` or `p`; RangeError for an empty `x`, a non-finite entry, `p` outside [0, 1]
 *   or an unknown method
 * @example
 * ```ts
 * import { quantile } from '@prep/stats';
 * quantile([1, 2, 3, 4], 0.5);                      // 2.5
 * quantile([1, 2, 3, 4], 0.5, { method: 'lower' }); // 2
 * ```
 */
export function quantile(x: ArrayLike<number>, p: number, options?: { method?: QuantileMethod }): number {
  const opts = optionsObject<{ method: QuantileMethod }>(options, 'quantile');
  const method = oneOf(opts.method ?? 'linear', METHODS, 'quantile', 'method');
  const prob = finiteNumber(p, 'quantile', 'p', { min: 0, max: 1 });
  const values = finiteArray(x, 'quantile', 'x');
  values.sort();
  return sortedQuantile(values, prob, method);
}

/**
 * The median: {@link quantile} at 0.5.
 *
 * @param x - the sample, at least one finite number
 * @returns the middle value, or the mean of the two middle values
 * @throws as {@link quantile}, naming `median`
 * @example
 * ```ts
 * import { median } from '@prep/stats';
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(x: ArrayLike<number>): number {
  const values = finiteArray(x, 'median', 'x');
  values.sort();
  return sortedQuantile(values, 0.5);
}
