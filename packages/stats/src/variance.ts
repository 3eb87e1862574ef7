import { finiteArray, finiteNumber, optionsObject } from './internal/validate.js';
import { meanOf } from './mean.js';

/** Options of {@link variance} and {@link standardDeviation}. */
export interface VarianceOptions {
  /** Delta degrees of freedom: the divisor is n − ddof. Default 1 (the sample variance, as R's `var`). */
  ddof?: number;
}

/**
 * @internal Sum of squared deviations by the corrected two-pass algorithm (Björck; Chan, Golub & LeVeque):
 * Σ(x − m)² − (Σ(x − m))²/n with an accurate mean m. The correction removes the first-order effect of
 * the mean's rounding, so 1e9 + 1e-3 noise keeps about 12 digits (Welford's update keeps about 5 there).
 */
export function sumSquaredDeviations(values: ArrayLike<number>): { mean: number; m2: number } {
  const m = meanOf(values);
  let sumSq = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const d = (values[i] as number) - m;
    sumSq += d * d;
    sum += d;
  }
  return { mean: m, m2: Math.max(0, sumSq - (sum * sum) / values.length) };
}

/**
 * Variance of a sample, by the corrected two-pass algorithm: no cancellation for data with a large common
 * offset (1e9 + noise keeps its noise, where the textbook Σx² − n·x̄² formula returns garbage). For data
 * that arrives one value at a time use {@link RunningMoments} (Welford's update).
 *
 * @param x - the sample, at least `ddof + 1` finite numbers
 * @param options - `ddof` (default 1: divide by n − 1, as R's `var`; pass 0 for numpy's default population variance)
 * @returns Σ(xᵢ − x̄)² / (n − ddof)
 * @throws TypeError when `x` is not an array-like of numbers; RangeError when it has ≤ ddof elements,
 *   holds NaN/±Infinity, or `ddof` is not a non-negative integer
 * @example
 * ```ts
 * import { variance } from '@prep/stats';
 * variance([1, 2, 3, 4]);              // 1.6666…
 * variance([1, 2, 3, 4], { ddof: 0 }); // 1.25
 * ```
 */
export function variance(x: ArrayLike<number>, options?: VarianceOptions): number {
  const opts = optionsObject<VarianceOptions>(options, 'variance');
  const ddof = finiteNumber(opts.ddof ?? 1, 'variance', 'ddof', { min: 0, integer: true });
  const values = finiteArray(x, 'variance', 'x', ddof + 1);
  return sumSquaredDeviations(values).m2 / (values.length - ddof);
}

/**
 * Standard deviation: the square root of {@link variance}.
 *
 * @param x - the sample, at least `ddof + 1` finite numbers
 * @param options - `ddof` (default 1)
 * @returns √variance(x)
 * @throws as {@link variance}, naming `standardDeviation`
 * @example
 * ```ts
 * import { standardDeviation } from '@prep/stats';
 * standardDeviation([2, 4, 4, 4, 5, 5, 7, 9], { ddof: 0 }); // 2
 * ```
 */
export function standardDeviation(x: ArrayLike<number>, options?: VarianceOptions): number {
  const opts = optionsObject<VarianceOptions>(options, 'standardDeviation');
  const ddof = finiteNumber(opts.ddof ?? 1, 'standardDeviation', 'ddof', { min: 0, integer: true });
  const values = finiteArray(x, 'standardDeviation', 'x', ddof + 1);
  return Math.sqrt(sumSquaredDeviations(values).m2 / (values.length - ddof));
}
