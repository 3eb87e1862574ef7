import { logBeta } from './internal/special.js';

const LN_SQRT_PI = 0.5723649429247001; // log √π
import { finiteArray, oneOf, optionsObject, pairedArrays } from './internal/validate.js';
import { twoSampleMoments } from './t-test.js';
import { sumSquaredDeviations } from './variance.js';

/** Options of {@link hedgesG}. */
export interface HedgesGOptions {
  /**
   * 'approximate' (default): Hedges' J ≈ 1 − 3 / (4(nx + ny) − 9), the textbook form.
   * 'exact': J = Γ(df/2) / (√(df/2) · Γ((df − 1)/2)) with df = nx + ny − 2 (Hedges 1981).
   */
  correction?: 'approximate' | 'exact';
}

function pooledSd(xs: Float64Array, ys: Float64Array): { difference: number; sd: number } {
  const { difference, m2x, m2y } = twoSampleMoments(xs, ys);
  return { difference, sd: Math.sqrt((m2x + m2y) / (xs.length + ys.length - 2)) };
}

function twoSamples(x: unknown, y: unknown, fn: string): [Float64Array, Float64Array] {
  const xs = finiteArray(x, fn, 'x', 1);
  const ys = finiteArray(y, fn, 'y', 1);
  if (xs.length + ys.length < 3) {
    throw new RangeError(`${fn}: 'y' must bring the two samples to at least 3 values together; got ${xs.length} + ${ys.length}`);
  }
  return [xs, ys];
}

/**
 * Cohen's d for two independent samples: (mean(x) − mean(y)) / s_pooled, with the pooled standard
 * deviation s_pooled = √(((nx − 1)s²x + (ny − 1)s²y) / (nx + ny − 2)). Rules of thumb: 0.2 small,
 * 0.5 medium, 0.8 large. Biased upward in small samples; see {@link hedgesG}.
 *
 * @param x - the first sample, at least 1 finite number
 * @param y - the second sample, at least 1 finite number; together at least 3 values
 * @returns d; ±Infinity or NaN when both samples are constant (s_pooled = 0)
 * @throws TypeError for non-numeric input; RangeError for too few values or NaN/±Infinity entries
 * @example
 * ```ts
 * import { cohensD } from '@prep/stats';
 * cohensD([5, 6, 7], [3, 4, 5]); // 2
 * ```
 */
export function cohensD(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const [xs, ys] = twoSamples(x, y, 'cohensD');
  const { difference, sd } = pooledSd(xs, ys);
  return difference / sd;
}

/** @internal Hedges' small-sample correction factor J for df degrees of freedom. */
export function hedgesCorrection(df: number, correction: 'approximate' | 'exact'): number {
  if (correction === 'approximate') return 1 - 3 / (4 * df - 1);
  // Γ(df/2) / Γ((df − 1)/2) = Γ(½) / B((df − 1)/2, ½): the log-beta form does not cancel at large df.
  return Math.exp(LN_SQRT_PI - logBeta((df - 1) / 2, 0.5)) / Math.sqrt(df / 2);
}

/**
 * Hedges' g: Cohen's d times the small-sample bias correction J, so that its expectation is the
 * population effect size. By default J = 1 − 3 / (4(nx + ny) − 9), the usual approximation (within
 * 0.3% of the exact factor for nx + ny ≥ 6, 0.04% for nx + ny ≥ 12); `correction: 'exact'` uses the gamma-function form.
 *
 * @param x - the first sample, at least 1 finite number
 * @param y - the second sample, at least 1 finite number; nx + ny ≥ 3 (≥ 4 for 'exact', whose factor needs df ≥ 2)
 * @param options - `correction`: 'approximate' (default) or 'exact'
 * @returns g = J · d
 * @throws TypeError for non-numeric input; RangeError for too few values (nx + ny ≥ 3, ≥ 4 for 'exact'),
 *   NaN/±Infinity entries or an unknown correction
 * @example
 * ```ts
 * import { hedgesG } from '@prep/stats';
 * hedgesG([5, 6, 7], [3, 4, 5]);                          // 1.6 (d = 2, J = 0.8)
 * hedgesG([5, 6, 7], [3, 4, 5], { correction: 'exact' }); // ≈ 1.5958
 * ```
 */
export function hedgesG(x: ArrayLike<number>, y: ArrayLike<number>, options?: HedgesGOptions): number {
  const fn = 'hedgesG';
  const opts = optionsObject<HedgesGOptions>(options, fn);
  const correction = opts.correction === undefined ? 'approximate' : oneOf(opts.correction, ['approximate', 'exact'] as const, fn, 'options.correction');
  const [xs, ys] = twoSamples(x, y, fn);
  const df = xs.length + ys.length - 2;
  if (correction === 'exact' && df < 2) {
    throw new RangeError(`${fn}: 'y' must bring the two samples to at least 4 values for the exact correction; got ${xs.length} + ${ys.length}`);
  }
  const { difference, sd } = pooledSd(xs, ys);
  return hedgesCorrection(df, correction) * (difference / sd);
}

/**
 * Cohen's d_z for paired samples: mean(x − y) / sd(x − y), the effect size that a paired t-test tests
 * (t = d_z · √n) and the one {@link tTestPower} and {@link sampleSize} take for `design: 'paired'`.
 *
 * @param x - the first sample, at least 2 finite numbers
 * @param y - the second sample, the same length
 * @returns d_z; ±Infinity or NaN when the differences are constant
 * @throws TypeError for non-numeric input; RangeError for fewer than 2 pairs, NaN/±Infinity or mismatched lengths (naming `y`)
 * @example
 * ```ts
 * import { cohensDz } from '@prep/stats';
 * cohensDz([71.2, 70.8, 71.5, 70.9, 71.1], [70.9, 70.6, 71.0, 70.8, 70.7]); // ≈ 1.90
 * ```
 */
export function cohensDz(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const [xs, ys] = pairedArrays(x, y, 'cohensDz', 2);
  const d = new Float64Array(xs.length);
  for (let i = 0; i < d.length; i++) d[i] = (xs[i] as number) - (ys[i] as number);
  const { mean, m2 } = sumSquaredDeviations(d);
  return mean / Math.sqrt(m2 / (d.length - 1));
}
