import { noncentralTCdf, studentTQuantileUpper } from './internal/distributions.js';
import { alternativeOption, finiteNumber, oneOf, openUnitOption, optionsObject } from './internal/validate.js';
import type { Alternative } from './t-test.js';

/** The t-test design: one sample, paired differences, or two independent groups of equal size. */
export type TTestDesign = 'one-sample' | 'paired' | 'two-sample';

/** Options of {@link tTestPower}. */
export interface TTestPowerOptions {
  /** Cohen's d (two-sample) or d_z (one-sample, paired); signed for one-sided alternatives, as R's pwr. */
  effectSize: number;
  /** Sample size: pairs or observations, or the size of each group for 'two-sample'; fractional, n ≥ 2 (as R's pwr). */
  n: number;
  /** Significance level, in (0, 1). Default 0.05. */
  alpha?: number;
  /** 'two-sided' (default), 'less' or 'greater'. */
  alternative?: Alternative;
  /** 'one-sample', 'paired' or 'two-sample'. */
  design: TTestDesign;
}

/** Options of {@link sampleSize}. */
export interface SampleSizeOptions {
  /** The effect size to detect, > 0: d or d_z in the direction of the alternative (for 'less' it means −effectSize). */
  effectSize: number;
  /** The power to reach, in (alpha, 1) — (alpha/2, 1) would be unreachable for 'two-sided' below alpha. */
  power: number;
  /** Significance level, in (0, 1). Default 0.05. */
  alpha?: number;
  /** 'two-sided' (default), 'less' or 'greater'. */
  alternative?: Alternative;
  /** 'one-sample', 'paired' or 'two-sample'. */
  design: TTestDesign;
}

const DESIGNS: readonly TTestDesign[] = ['one-sample', 'paired', 'two-sample'];

/** @internal power of the t-test, exactly R pwr.t.test's formula (noncentral t). */
export function powerOf(effectSize: number, n: number, alpha: number, alternative: Alternative, design: TTestDesign): number {
  const groups = design === 'two-sample' ? 2 : 1;
  const df = (n - 1) * groups;
  const ncp = Math.sqrt(n / groups) * (alternative === 'two-sided' ? Math.abs(effectSize) : effectSize);
  if (alternative === 'greater') return noncentralTCdf(studentTQuantileUpper(alpha, df), df, ncp, false);
  if (alternative === 'less') return noncentralTCdf(-studentTQuantileUpper(alpha, df), df, ncp, true);
  const critical = studentTQuantileUpper(alpha / 2, df);
  return noncentralTCdf(critical, df, ncp, false) + noncentralTCdf(-critical, df, ncp, true);
}

function designOption(value: unknown, fn: string): TTestDesign {
  if (value === undefined) {
    throw new TypeError(`${fn}: 'options.design' must be one of 'one-sample', 'paired', 'two-sample'; got undefined`);
  }
  return oneOf(value, DESIGNS, fn, 'options.design');
}

/**
 * Power of a t-test: the probability of p < alpha when the true standardized effect is `effectSize`,
 * from the noncentral t distribution, exactly as R's `pwr::pwr.t.test(d, n, sig.level, type, alternative)$power`.
 * For 'two-sample', `n` is the size of each group (df = 2(n − 1), noncentrality d·√(n/2)); for
 * 'one-sample' and 'paired', df = n − 1 and noncentrality d·√n. 'two-sided' uses |d| and counts
 * rejections in both tails.
 *
 * @param options - `{ effectSize, n, alpha?, alternative?, design }`; see {@link TTestPowerOptions}
 * @returns the power, in [0, 1]
 * @throws TypeError for a missing or non-numeric option; RangeError for n < 2, alpha outside (0, 1),
 *   a non-finite effect size or unknown design/alternative
 * @example
 * ```ts
 * import { tTestPower } from '@prep/stats';
 * // five seeds per method, a medium effect: the experiment will usually miss it
 * tTestPower({ effectSize: 0.5, n: 5, design: 'two-sample' });  // ≈ 0.108
 * tTestPower({ effectSize: 0.5, n: 64, design: 'two-sample' }); // ≈ 0.80
 * ```
 */
export function tTestPower(options: TTestPowerOptions): number {
  const fn = 'tTestPower';
  if (options === undefined) throw new TypeError(`${fn}: 'options' must be an object; got undefined`);
  const opts = optionsObject<TTestPowerOptions>(options, fn);
  const design = designOption(opts.design, fn);
  const effectSize = finiteNumber(opts.effectSize, fn, 'options.effectSize');
  const n = finiteNumber(opts.n, fn, 'options.n', { min: 2 });
  const alpha = openUnitOption(opts.alpha, 0.05, fn, 'options.alpha');
  const alternative = alternativeOption(opts.alternative, fn);
  return powerOf(effectSize, n, alpha, alternative, design);
}

/**
 * The sample size that gives a t-test the requested power: the fractional n (not rounded; round up to
 * plan) solving power(n) = `power`, as R's `pwr::pwr.t.test(d, power, sig.level, type, alternative)$n`,
 * but solved to ~1e-10 instead of uniroot's default tolerance of 1e-4. For 'two-sample' n is per group.
 * The effect size is taken in the direction of the alternative (for 'less', the effect −effectSize).
 *
 * @param options - `{ effectSize, power, alpha?, alternative?, design }`; see {@link SampleSizeOptions}
 * @returns n ≥ 2, fractional; 2 when even n = 2 reaches the power
 * @throws TypeError for a missing or non-numeric option; RangeError for effectSize ≤ 0, power outside
 *   (alpha, 1) (('alpha', 1) for one-sided tests), alpha outside (0, 1), or a power that needs n > 10⁹
 * @example
 * ```ts
 * import { sampleSize } from '@prep/stats';
 * sampleSize({ effectSize: 0.5, power: 0.8, design: 'two-sample' }); // ≈ 63.77 per group
 * sampleSize({ effectSize: 0.5, power: 0.8, design: 'paired' });     // ≈ 33.37 pairs
 * ```
 */
export function sampleSize(options: SampleSizeOptions): number {
  const fn = 'sampleSize';
  if (options === undefined) throw new TypeError(`${fn}: 'options' must be an object; got undefined`);
  const opts = optionsObject<SampleSizeOptions>(options, fn);
  const design = designOption(opts.design, fn);
  const effectSize = finiteNumber(opts.effectSize, fn, 'options.effectSize', { min: 0, minExclusive: true });
  const alpha = openUnitOption(opts.alpha, 0.05, fn, 'options.alpha');
  const power = finiteNumber(opts.power, fn, 'options.power', { min: alpha, max: 1, minExclusive: true, maxExclusive: true });
  const alternative = alternativeOption(opts.alternative, fn);
  const signed = alternative === 'less' ? -effectSize : effectSize;
  const gap = (n: number): number => powerOf(signed, n, alpha, alternative, design) - power;
  let lo = 2;
  if (gap(lo) >= 0) return lo;
  let hi = 4;
  while (gap(hi) < 0) {
    lo = hi;
    hi *= 2;
    if (hi > 1e9) throw new RangeError(`${fn}: 'options.power' of ${power} needs more than 10⁹ observations at effect size ${effectSize}`);
  }
  // Bisection to a bracket of 1e-9 relative width, then one secant step inside it.
  let fLo = gap(lo);
  let fHi = gap(hi);
  while (hi - lo > 1e-9 * hi) {
    const mid = (lo + hi) / 2;
    const fMid = gap(mid);
    if (fMid < 0) {
      lo = mid;
      fLo = fMid;
    } else {
      hi = mid;
      fHi = fMid;
    }
  }
  return fHi === fLo ? hi : lo - (fLo * (hi - lo)) / (fHi - fLo);
}
