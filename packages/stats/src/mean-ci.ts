import { finiteArray, openUnitOption, optionsObject } from './internal/validate.js';
import { tTestFromMoments } from './t-test.js';
import { sumSquaredDeviations } from './variance.js';

/** A point estimate with the ends of its confidence interval. */
export interface ConfidenceInterval {
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * Two-sided t-based confidence interval for the mean: mean ± t_{1−(1−c)/2, n−1} · s / √n (R's
 * `t.test(x)$conf.int`, scipy's `ttest_1samp(x, 0).confidence_interval()`). Report it next to every mean
 * over seeds: "71.1 ± 0.3 (95% CI)" says how far the next five seeds may move it.
 *
 * @param x - the sample, at least 2 finite numbers
 * @param options - `confidence`, in (0, 1), default 0.95
 * @returns `{ estimate, lower, upper }`; lower = upper = mean when the sample is constant
 * @throws TypeError for non-numeric input; RangeError for fewer than 2 values, NaN/±Infinity or a confidence outside (0, 1)
 * @example
 * ```ts
 * import { meanCI } from '@prep/stats';
 * meanCI([92.1, 91.8, 92.3, 91.9, 92.0]); // ≈ { estimate: 92.02, lower: 91.78, upper: 92.26 }
 * ```
 */
export function meanCI(x: ArrayLike<number>, options?: { confidence?: number }): ConfidenceInterval {
  const fn = 'meanCI';
  const opts = optionsObject<{ confidence: number }>(options, fn);
  const confidence = openUnitOption(opts.confidence, 0.95, fn, 'options.confidence');
  const values = finiteArray(x, fn, 'x', 2);
  const n = values.length;
  const { mean, m2 } = sumSquaredDeviations(values);
  const { ci } = tTestFromMoments(mean, 0, Math.sqrt(m2 / (n - 1) / n), n - 1, 'two-sided', confidence);
  return { estimate: mean, lower: ci[0], upper: ci[1] };
}
