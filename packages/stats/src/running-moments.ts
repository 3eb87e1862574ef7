import { finiteNumber } from './internal/validate.js';

/**
 * Streaming mean and variance by Welford's update: push one value at a time (a metric per training
 * step, a score per seed) without keeping the values. Stable for ordinary data; for data with a huge
 * common offset (1e9 + 1e-3 noise) it keeps about 5 significant digits of the variance, where the batch
 * {@link variance} keeps about 12.
 *
 * @example
 * ```ts
 * import { RunningMoments } from '@prep/stats';
 * const m = new RunningMoments();
 * for (const loss of [2.31, 2.12, 2.05]) m.push(loss);
 * m.count;      // 3
 * m.mean;       // 2.16
 * m.variance(); // sample variance (ddof 1)
 * ```
 */
export class RunningMoments {
  #count = 0;
  #mean = 0;
  #m2 = 0;

  /** Number of values pushed. */
  get count(): number {
    return this.#count;
  }

  /** Mean of the values pushed so far (NaN before the first). */
  get mean(): number {
    return this.#count === 0 ? NaN : this.#mean;
  }

  /**
   * Adds one value.
   * @param value - a finite number
   * @throws TypeError / RangeError for a non-number or non-finite value (nothing is added)
   */
  push(value: number): void {
    finiteNumber(value, 'RunningMoments.push', 'value');
    this.#count += 1;
    const delta = value - this.#mean;
    this.#mean += delta / this.#count;
    this.#m2 += delta * (value - this.#mean);
  }

  /**
   * Variance of the values pushed so far.
   * @param ddof - delta degrees of freedom, default 1
   * @returns m2 / (count − ddof), or NaN when count ≤ ddof
   */
  variance(ddof = 1): number {
    finiteNumber(ddof, 'RunningMoments.variance', 'ddof', { min: 0, integer: true });
    return this.#count > ddof ? this.#m2 / (this.#count - ddof) : NaN;
  }
}
