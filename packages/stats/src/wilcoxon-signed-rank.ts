import { normalCdf, normalSf } from './internal/distributions.js';
import { signedRankCdf, signedRankPmf, signedRankSf } from './internal/signed-rank-distribution.js';
import { alternativeOption, booleanOption, finiteArray, oneOf, optionsObject, pairedArrays } from './internal/validate.js';
import type { Alternative } from './t-test.js';

/** How zero differences are treated (scipy's `zero_method`). */
export type ZeroMethod = 'wilcox' | 'pratt' | 'zsplit';

/** Options of {@link wilcoxonSignedRank}. */
export interface WilcoxonOptions {
  /** 'two-sided' (default), 'less' or 'greater': the direction for the location of x − y. */
  alternative?: Alternative;
  /**
   * 'wilcox' (default) drops zero differences; 'pratt' ranks them with the rest, then drops their ranks
   * (and adjusts the normal approximation, Cureton 1967); 'zsplit' ranks them and splits their ranks
   * equally between R+ and R−.
   */
  zeroMethod?: ZeroMethod;
  /** Continuity correction of ½ toward the mean in the normal approximation. Default false (as scipy). */
  correction?: boolean;
  /**
   * 'exact' (the null distribution by dynamic programming), 'approx' (normal, with tie correction) or
   * 'auto' (default): exact when n ≤ 50 and there are no ties and no zeros, otherwise approx.
   */
  method?: 'auto' | 'exact' | 'approx';
}

/** Result of {@link wilcoxonSignedRank}. */
export interface WilcoxonResult {
  /** min(R+, R−) for 'two-sided'; R+ (the rank sum of the positive differences) for one-sided alternatives. */
  statistic: number;
  /** The p-value. */
  pValue: number;
  /** The method actually used. */
  method: 'exact' | 'approx';
  /** The normal deviate (after the continuity correction); −|z| for 'two-sided', as scipy. Only for 'approx'. */
  z?: number;
}

const ZERO_METHODS: readonly ZeroMethod[] = ['wilcox', 'pratt', 'zsplit'];
const METHODS = ['auto', 'exact', 'approx'] as const;

/**
 * Wilcoxon signed-rank test of H0: the differences x − y (or x alone) are symmetric about 0. The
 * nonparametric companion of the paired t-test: it needs no normality, only symmetry, and with 5 seeds
 * its smallest possible two-sided p-value is 2/2⁵ = 0.0625, so it can never reach 0.05 there.
 *
 * Semantics follow scipy.stats.wilcoxon (1.17): `statistic`, `zeroMethod`, `correction` and the exact
 * p-value's rounding of non-integral statistics (gh-19872) are the same. One documented difference:
 * `method: 'auto'` with ties or zeros uses the normal approximation at every n (scipy switches to a
 * permutation test for n ≤ 13), and a sample with no non-zero difference gives statistic 0 (or the zsplit
 * rank sum), p = 1 and z = 0 for every method (scipy's asymptotic branch returns NaN there).
 *
 * @param x - the first sample (or the differences when `y` is omitted), at least 1 finite number
 * @param y - optional second sample, the same length as `x`
 * @param options - `alternative`, `zeroMethod`, `correction`, `method`; see {@link WilcoxonOptions}
 * @returns `{ statistic, pValue, method, z? }`
 * @throws TypeError for non-numeric input or wrong option kinds; RangeError for an empty `x`, NaN/±Infinity,
 *   mismatched lengths (naming `y`) or unknown option values
 * @example
 * ```ts
 * import { wilcoxonSignedRank } from '@prep/stats';
 * const ours = [71.2, 70.8, 71.5, 70.9, 71.1, 71.4];
 * const base = [70.9, 70.6, 71.0, 70.8, 70.7, 70.8];
 * wilcoxonSignedRank(ours, base); // { statistic: 0, pValue: 0.03125, method: 'exact' } (2/2⁶)
 * ```
 */
export function wilcoxonSignedRank(x: ArrayLike<number>, y?: ArrayLike<number>, options?: WilcoxonOptions): WilcoxonResult {
  const fn = 'wilcoxonSignedRank';
  const opts = optionsObject<WilcoxonOptions>(options, fn);
  const alternative = alternativeOption(opts.alternative, fn);
  const zeroMethod = opts.zeroMethod === undefined ? 'wilcox' : oneOf(opts.zeroMethod, ZERO_METHODS, fn, 'options.zeroMethod');
  const correction = booleanOption(opts.correction, false, fn, 'options.correction');
  const requested = opts.method === undefined ? 'auto' : oneOf(opts.method, METHODS, fn, 'options.method');
  let d: Float64Array;
  if (y === undefined) {
    d = finiteArray(x, fn, 'x');
  } else {
    const [xs, ys] = pairedArrays(x, y, fn);
    d = new Float64Array(xs.length);
    for (let i = 0; i < d.length; i++) d[i] = (xs[i] as number) - (ys[i] as number);
  }
  return signedRankFromDifferences(d, alternative, zeroMethod, correction, requested);
}

/** @internal the test on validated differences (also used by the experiment report). */
export function signedRankFromDifferences(
  d: Float64Array,
  alternative: Alternative,
  zeroMethod: ZeroMethod,
  correction: boolean,
  requested: 'auto' | 'exact' | 'approx',
): WilcoxonResult {
  const total = d.length;
  let zeros = 0;
  for (let i = 0; i < total; i++) if (d[i] === 0) zeros++;
  // The values that are ranked: all of them, or the non-zero ones for 'wilcox'.
  const ranked = zeroMethod === 'wilcox' && zeros > 0 ? d.filter((v) => v !== 0) : d;
  const count = ranked.length;
  const order = Array.from({ length: count }, (_, i) => i).sort((i, j) => Math.abs(ranked[i] as number) - Math.abs(ranked[j] as number));
  let rPlus = 0;
  let rMinus = 0;
  let rZero = 0;
  let tieSum = 0; // Σ (t³ − t) over tie groups, excluding the zeros' group for 'pratt'
  let hasTies = false;
  for (let start = 0; start < count; ) {
    const value = Math.abs(ranked[order[start] as number] as number);
    let end = start + 1;
    while (end < count && Math.abs(ranked[order[end] as number] as number) === value) end++;
    const size = end - start;
    const rank = (start + 1 + end) / 2; // average of ranks start+1 … end
    for (let k = start; k < end; k++) {
      const v = ranked[order[k] as number] as number;
      if (v > 0) rPlus += rank;
      else if (v < 0) rMinus += rank;
      else rZero += rank;
    }
    if (size > 1) {
      hasTies = true;
      if (!(zeroMethod === 'pratt' && value === 0)) tieSum += size * size * size - size;
    }
    start = end;
  }
  if (zeroMethod === 'zsplit') {
    rPlus += rZero / 2;
    rMinus += rZero / 2;
  }
  const statistic = alternative === 'two-sided' ? Math.min(rPlus, rMinus) : rPlus;
  const method: 'exact' | 'approx' =
    requested === 'auto' ? (total <= 50 && !hasTies && zeros === 0 ? 'exact' : 'approx') : requested;
  if (zeros === total) {
    // Nothing to test: no evidence against H0 whichever method (scipy's exact branch gives p = 1 too).
    return method === 'exact' ? { statistic, pValue: 1, method } : { statistic, pValue: 1, method, z: 0 };
  }
  if (method === 'exact') {
    const pmf = signedRankPmf(count);
    // Non-integral R+ (ties, zsplit) is rounded conservatively, as scipy (gh-19872).
    let pValue: number;
    if (alternative === 'less') pValue = signedRankCdf(pmf, Math.ceil(rPlus));
    else if (alternative === 'greater') pValue = signedRankSf(pmf, Math.floor(rPlus));
    else pValue = Math.min(1, 2 * Math.min(signedRankSf(pmf, Math.floor(rPlus)), signedRankCdf(pmf, Math.ceil(rPlus))));
    return { statistic, pValue, method };
  }
  let mean = (count * (count + 1)) / 4;
  let varianceTimes24 = count * (count + 1) * (2 * count + 1);
  if (zeroMethod === 'pratt') {
    mean -= (zeros * (zeros + 1)) / 4;
    varianceTimes24 -= zeros * (zeros + 1) * (2 * zeros + 1);
  }
  const se = Math.sqrt((varianceTimes24 - tieSum / 2) / 24);
  let z = (rPlus - mean) / se;
  if (correction) {
    const sign = alternative === 'greater' ? 1 : alternative === 'less' ? -1 : Math.sign(z);
    z -= (sign * 0.5) / se;
  }
  let pValue: number;
  if (alternative === 'greater') pValue = normalSf(z);
  else if (alternative === 'less') pValue = normalCdf(z);
  else pValue = Math.min(1, 2 * normalCdf(-Math.abs(z)));
  return { statistic, pValue, method, z: alternative === 'two-sided' ? -Math.abs(z) : z };
}
