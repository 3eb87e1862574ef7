import { studentTCdf, studentTQuantileUpper, studentTSf } from './internal/distributions.js';
import { alternativeOption, finiteArray, finiteNumber, openUnitOption, optionsObject, pairedArrays } from './internal/validate.js';
import { meanOf } from './mean.js';
import { sumSquaredDeviations } from './variance.js';

/** The alternative hypothesis: the true value differs from, is less than, or is greater than the null. */
export type Alternative = 'two-sided' | 'less' | 'greater';

/** The result of every t-test in this package (the shape of R's `htest` and scipy's `TtestResult`). */
export interface TTestResult {
  /** The t statistic: estimate (minus the null value) over its standard error. NaN or ±Infinity when the standard error is 0. */
  statistic: number;
  /** Degrees of freedom (not rounded for Welch). */
  df: number;
  /** The p-value for the chosen alternative, computed from the tail (never as 1 − cdf), so 1e-50 stays 1e-50. */
  pValue: number;
  /** The estimated quantity: mean(x) (one-sample), mean(x − y) (paired), mean(x) − mean(y) (two-sample). */
  estimate: number;
  /** Confidence interval for `estimate`; one-sided alternatives give a one-sided interval with an infinite end. */
  ci: [number, number];
}

/** Options of the two-sample and paired t-tests. */
export interface TTestOptions {
  /** 'two-sided' (default), 'less' or 'greater': the direction of the alternative for `estimate`. */
  alternative?: Alternative;
  /** Confidence level of `ci`, in (0, 1). Default 0.95. */
  confidence?: number;
}

/** Options of {@link tTestOneSample}. */
export interface OneSampleTTestOptions extends TTestOptions {
  /** The mean under the null hypothesis. Default 0. */
  mu?: number;
}

/**
 * @internal Moments of two samples about a common shift c = x[0]: x − c and y − c are exact for data with a
 * large common offset (Sterbenz), so mean(x) − mean(y) keeps the noise's digits, where two separately
 * rounded means near 1e9 would each be off by up to 6e-8.
 */
export function twoSampleMoments(xs: Float64Array, ys: Float64Array): { difference: number; m2x: number; m2y: number } {
  const shift = xs[0] as number;
  const a = sumSquaredDeviations(xs.map((v) => v - shift));
  const b = sumSquaredDeviations(ys.map((v) => v - shift));
  return { difference: a.mean - b.mean, m2x: a.m2, m2y: b.m2 };
}

/** @internal p-value and interval of a t statistic, shared by all four tests (and the experiment report). */
export function tTestFromMoments(
  estimate: number,
  nullValue: number,
  standardError: number,
  df: number,
  alternative: Alternative,
  confidence: number,
): TTestResult {
  const statistic = (estimate - nullValue) / standardError;
  let pValue: number;
  if (Number.isNaN(statistic)) pValue = NaN;
  else if (alternative === 'less') pValue = studentTCdf(statistic, df);
  else if (alternative === 'greater') pValue = studentTSf(statistic, df);
  else pValue = Math.min(1, 2 * studentTCdf(-Math.abs(statistic), df));
  let ci: [number, number];
  if (alternative === 'two-sided') {
    const half = standardError === 0 ? 0 : studentTQuantileUpper((1 - confidence) / 2, df) * standardError;
    ci = [estimate - half, estimate + half];
  } else {
    const half = standardError === 0 ? 0 : studentTQuantileUpper(1 - confidence, df) * standardError;
    ci = alternative === 'less' ? [-Infinity, estimate + half] : [estimate - half, Infinity];
  }
  return { statistic, df, pValue, estimate, ci };
}

function commonOptions(options: unknown, fn: string): { alternative: Alternative; confidence: number } {
  const opts = optionsObject<TTestOptions>(options, fn);
  return {
    alternative: alternativeOption(opts.alternative, fn),
    confidence: openUnitOption(opts.confidence, 0.95, fn, 'options.confidence'),
  };
}

/**
 * One-sample t-test of H0: mean(x) = mu, with a t-based confidence interval for the mean (scipy's
 * `ttest_1samp`, R's `t.test(x, mu = mu)`).
 *
 * @param x - the sample, at least 2 finite numbers
 * @param options - `mu` (default 0), `alternative` (default 'two-sided'), `confidence` (default 0.95)
 * @returns statistic, df = n − 1, pValue, estimate = mean(x), ci for the mean
 * @throws TypeError for a non-numeric `x` or wrong option kinds; RangeError for fewer than 2 values,
 *   NaN/±Infinity entries, `confidence` outside (0, 1) or an unknown alternative. Zero variance is legal:
 *   the statistic is ±Infinity (p = 0) or NaN (mean equal to mu) and the interval collapses to the mean.
 * @example
 * ```ts
 * import { tTestOneSample } from '@prep/stats';
 * const gains = [0.4, 0.1, 0.6, 0.3, 0.5]; // per-seed improvement over a baseline
 * const r = tTestOneSample(gains);
 * r.pValue; // ≈ 0.0115
 * r.ci;     // ≈ [0.14, 0.62]
 * ```
 */
export function tTestOneSample(x: ArrayLike<number>, options?: OneSampleTTestOptions): TTestResult {
  const fn = 'tTestOneSample';
  const { alternative, confidence } = commonOptions(options, fn);
  const mu = options?.mu;
  const nullMean = mu === undefined ? 0 : finiteNumber(mu, fn, 'options.mu');
  const values = finiteArray(x, fn, 'x', 2);
  return oneSampleFromValues(values, nullMean, alternative, confidence);
}

function oneSampleFromValues(values: Float64Array, nullMean: number, alternative: Alternative, confidence: number): TTestResult {
  const n = values.length;
  // Work with x − mu: exact for data near mu, so a 1e9 offset does not eat the statistic's digits.
  const { mean, m2 } = sumSquaredDeviations(nullMean === 0 ? values : values.map((v) => v - nullMean));
  const standardError = Math.sqrt(m2 / (n - 1) / n);
  const r = tTestFromMoments(mean, 0, standardError, n - 1, alternative, confidence);
  if (nullMean === 0) return r;
  return { ...r, estimate: meanOf(values), ci: [r.ci[0] + nullMean, r.ci[1] + nullMean] };
}

/**
 * Paired t-test: the one-sample test on the differences x − y (scipy's `ttest_rel`, R's
 * `t.test(x, y, paired = TRUE)`). Use it when seed i of both methods shares data order, initialization or
 * split, so that the per-seed noise cancels.
 *
 * @param x - the first sample (e.g. the new method's score per seed), at least 2 finite numbers
 * @param y - the second sample, the same length as `x`
 * @param options - `alternative` (for mean(x − y) against 0), `confidence`
 * @returns statistic, df = n − 1, pValue, estimate = mean(x − y), ci for the mean difference
 * @throws TypeError / RangeError as {@link tTestOneSample}, and a RangeError naming `y` when the lengths differ
 * @example
 * ```ts
 * import { tTestPaired } from '@prep/stats';
 * const ours = [71.2, 70.8, 71.5, 70.9, 71.1];
 * const base = [70.9, 70.6, 71.0, 70.8, 70.7];
 * tTestPaired(ours, base).pValue; // ≈ 0.013
 * ```
 */
export function tTestPaired(x: ArrayLike<number>, y: ArrayLike<number>, options?: TTestOptions): TTestResult {
  const fn = 'tTestPaired';
  const { alternative, confidence } = commonOptions(options, fn);
  const [xs, ys] = pairedArrays(x, y, fn, 2);
  const d = new Float64Array(xs.length);
  for (let i = 0; i < d.length; i++) d[i] = (xs[i] as number) - (ys[i] as number);
  return oneSampleFromValues(d, 0, alternative, confidence);
}

/**
 * Welch's two-sample t-test (unequal variances, Welch–Satterthwaite degrees of freedom, not rounded):
 * scipy's `ttest_ind(x, y, equal_var=False)`, R's default `t.test(x, y)`. The safe default for
 * independent samples.
 *
 * @param x - the first sample, at least 2 finite numbers
 * @param y - the second sample, at least 2 finite numbers (any length)
 * @param options - `alternative` (for mean(x) − mean(y) against 0), `confidence`
 * @returns statistic, fractional df, pValue, estimate = mean(x) − mean(y), ci for the difference
 * @throws TypeError / RangeError as {@link tTestOneSample}, naming `x` or `y`. When both variances are 0
 *   the statistic is ±Infinity or NaN and df is NaN (as scipy).
 * @example
 * ```ts
 * import { tTestWelch } from '@prep/stats';
 * const r = tTestWelch([19.1, 20.3, 21.0, 19.8], [17.2, 18.9, 16.5, 18.1, 17.7]);
 * r.df;     // ≈ 6.88 (Welch–Satterthwaite, not rounded)
 * r.pValue; // ≈ 0.0044
 * ```
 */
export function tTestWelch(x: ArrayLike<number>, y: ArrayLike<number>, options?: TTestOptions): TTestResult {
  const fn = 'tTestWelch';
  const { alternative, confidence } = commonOptions(options, fn);
  const xs = finiteArray(x, fn, 'x', 2);
  const ys = finiteArray(y, fn, 'y', 2);
  const { difference, m2x, m2y } = twoSampleMoments(xs, ys);
  const vx = m2x / (xs.length - 1) / xs.length;
  const vy = m2y / (ys.length - 1) / ys.length;
  const standardError = Math.sqrt(vx + vy);
  const df = ((vx + vy) * (vx + vy)) / ((vx * vx) / (xs.length - 1) + (vy * vy) / (ys.length - 1));
  return tTestFromMoments(difference, 0, standardError, df, alternative, confidence);
}

/**
 * Student's two-sample t-test with the pooled variance (equal variances assumed): scipy's
 * `ttest_ind(x, y)`, R's `t.test(x, y, var.equal = TRUE)`. Prefer {@link tTestWelch} unless the equal
 * variances are known.
 *
 * @param x - the first sample, at least 1 finite number
 * @param y - the second sample, at least 1 finite number; together at least 3 values
 * @param options - `alternative` (for mean(x) − mean(y) against 0), `confidence`
 * @returns statistic, df = nx + ny − 2, pValue, estimate = mean(x) − mean(y), ci for the difference
 * @throws TypeError / RangeError as {@link tTestOneSample}, naming `x` or `y`
 * @example
 * ```ts
 * import { tTestStudent } from '@prep/stats';
 * tTestStudent([19.1, 20.3, 21.0, 19.8], [17.2, 18.9, 16.5, 18.1, 17.7]).df; // 7
 * ```
 */
export function tTestStudent(x: ArrayLike<number>, y: ArrayLike<number>, options?: TTestOptions): TTestResult {
  const fn = 'tTestStudent';
  const { alternative, confidence } = commonOptions(options, fn);
  const xs = finiteArray(x, fn, 'x', 1);
  const ys = finiteArray(y, fn, 'y', 1);
  if (xs.length + ys.length < 3) {
    throw new RangeError(`${fn}: 'y' must bring the two samples to at least 3 values together; got ${xs.length} + ${ys.length}`);
  }
  const { difference, m2x, m2y } = twoSampleMoments(xs, ys);
  const df = xs.length + ys.length - 2;
  const pooled = (m2x + m2y) / df;
  const standardError = Math.sqrt(pooled * (1 / xs.length + 1 / ys.length));
  return tTestFromMoments(difference, 0, standardError, df, alternative, confidence);
}
