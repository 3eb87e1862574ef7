import { finiteNumber } from './internal/validate.js';

function checkAlphaAndTests(alpha: number, tests: number, fn: string): void {
  finiteNumber(alpha, fn, 'alpha', { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  finiteNumber(tests, fn, 'tests', { min: 1, integer: true });
}

/**
 * The family-wise error rate of `tests` independent tests each run at level `alpha` with no correction:
 * the chance of at least one false positive when every null hypothesis is true, 1 − (1 − α)^m.
 * Four baselines at α = 0.05 give 0.185: almost one chance in five of a spurious "win".
 *
 * @param alpha - the per-test significance level, in (0, 1)
 * @param tests - the number of tests m, a positive integer
 * @returns 1 − (1 − α)^m, computed as −expm1(m · log1p(−α)) so that tiny α keep their digits
 * @throws TypeError for a non-number; RangeError for α outside (0, 1) or m not a positive integer
 * @example
 * ```ts
 * import { familywiseErrorRate } from '@prep/stats';
 * familywiseErrorRate(0.05, 4); // 0.18549375
 * ```
 */
export function familywiseErrorRate(alpha: number, tests: number): number {
  checkAlphaAndTests(alpha, tests, 'familywiseErrorRate');
  return -Math.expm1(tests * Math.log1p(-alpha));
}

/**
 * Bonferroni's per-test level: α / m keeps the family-wise error rate at or below α for any dependence
 * between the tests (Boole's inequality).
 *
 * @param alpha - the family-wise level, in (0, 1)
 * @param tests - the number of tests m, a positive integer
 * @returns α / m
 * @throws TypeError for a non-number; RangeError for α outside (0, 1) or m not a positive integer
 * @example
 * ```ts
 * import { bonferroniAlpha } from '@prep/stats';
 * bonferroniAlpha(0.05, 4); // 0.0125
 * ```
 */
export function bonferroniAlpha(alpha: number, tests: number): number {
  checkAlphaAndTests(alpha, tests, 'bonferroniAlpha');
  return alpha / tests;
}

/**
 * Šidák's per-test level 1 − (1 − α)^(1/m): the exact level that keeps the family-wise error rate at α
 * for independent tests, slightly larger (less conservative) than Bonferroni's α / m.
 *
 * @param alpha - the family-wise level, in (0, 1)
 * @param tests - the number of tests m, a positive integer
 * @returns 1 − (1 − α)^(1/m)
 * @throws TypeError for a non-number; RangeError for α outside (0, 1) or m not a positive integer
 * @example
 * ```ts
 * import { sidakAlpha } from '@prep/stats';
 * sidakAlpha(0.05, 4); // ≈ 0.012741
 * ```
 */
export function sidakAlpha(alpha: number, tests: number): number {
  checkAlphaAndTests(alpha, tests, 'sidakAlpha');
  return -Math.expm1(Math.log1p(-alpha) / tests);
}
