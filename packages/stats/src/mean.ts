import { finiteArray } from './internal/validate.js';

/**
 * Arithmetic mean, from a compensated (Neumaier) sum, so that data with a large common offset such as
 * 1e9 + small noise keeps its noise: the result is within an ulp or two of the exact mean.
 *
 * @param x - the sample, at least one finite number
 * @returns the mean of `x`
 * @throws TypeError when `x` is not an array-like of numbers; RangeError when it is empty or holds NaN/±Infinity
 * @example
 * ```ts
 * import { mean } from '@prep/stats';
 * mean([71.2, 70.8, 71.5, 70.9, 71.1]); // ≈ 71.1
 * ```
 */
export function mean(x: ArrayLike<number>): number {
  const values = finiteArray(x, 'mean', 'x');
  return meanOf(values);
}

/** @internal Neumaier-compensated sum of a validated array. */
export function sumOf(values: ArrayLike<number>): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const t = sum + v;
    compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + compensation;
}

/** @internal mean of a validated array. */
export function meanOf(values: ArrayLike<number>): number {
  return sumOf(values) / values.length;
}
