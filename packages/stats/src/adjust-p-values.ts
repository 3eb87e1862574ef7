import { finiteArray, got, oneOf } from './internal/validate.js';

/**
 * A multiple-comparison correction, with R's `p.adjust` names (lower-case 'bh' / 'by' for "BH" / "BY"):
 * Bonferroni and Holm (step-down) and Hochberg (step-up) control the family-wise error rate;
 * Benjamini–Hochberg controls the false discovery rate under independence or positive dependence,
 * Benjamini–Yekutieli under any dependence. 'none' returns the p-values unchanged.
 */
export type PValueAdjustment = 'bonferroni' | 'holm' | 'hochberg' | 'bh' | 'by' | 'none';

const ADJUSTMENTS: readonly PValueAdjustment[] = ['bonferroni', 'holm', 'hochberg', 'bh', 'by', 'none'];

/** @internal validated p-values in [0, 1]. */
export function pValueArray(p: unknown, fn: string, arg: string): Float64Array {
  const values = finiteArray(p, fn, arg);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < 0 || v > 1) throw new RangeError(`${fn}: '${arg}[${i}]' must be a p-value in [0, 1]; got ${got(v)}`);
  }
  return values;
}

/** @internal the adjustment of validated p-values. */
export function adjustValidated(p: Float64Array, method: PValueAdjustment): number[] {
  const m = p.length;
  const out = new Array<number>(m);
  if (method === 'none') return Array.from(p);
  if (method === 'bonferroni') {
    for (let i = 0; i < m; i++) out[i] = Math.min(1, m * (p[i] as number));
    return out;
  }
  // Work on the sorted values (a native typed-array sort) and map back by value: tied p-values always
  // receive the same adjusted value under these step-wise rules, so which tied rank a value maps to
  // does not matter.
  const sorted = Float64Array.from(p).sort();
  const adjusted = new Float64Array(m);
  if (method === 'holm') {
    // step-down: running maximum of (m − i + 1) p_(i), from the smallest p up
    let running = 0;
    for (let rank = 0; rank < m; rank++) {
      running = Math.max(running, (m - rank) * (sorted[rank] as number));
      adjusted[rank] = Math.min(1, running);
    }
  } else {
    // step-up methods: running minimum from the largest p down
    const harmonic = method === 'by' ? harmonicNumber(m) : 1;
    let running = Infinity;
    for (let rank = m - 1; rank >= 0; rank--) {
      const factor = method === 'hochberg' ? m - rank : (harmonic * m) / (rank + 1);
      running = Math.min(running, factor * (sorted[rank] as number));
      adjusted[rank] = Math.min(1, running);
    }
  }
  for (let i = 0; i < m; i++) out[i] = adjusted[lowerBound(sorted, p[i] as number)] as number;
  return out;
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function harmonicNumber(m: number): number {
  let sum = 0;
  for (let k = m; k >= 1; k--) sum += 1 / k; // smallest terms first
  return sum;
}

/**
 * Adjusts p-values for multiple comparisons, exactly as R's `p.adjust(p, method)`: the output is in the
 * input's order, every adjusted p is ≥ its raw p, capped at 1, and monotone in the raw p. Compare the
 * adjusted p-values with the family's α (0.05), not with α/m.
 *
 * @param p - the raw p-values, each in [0, 1] (at least one)
 * @param method - 'bonferroni', 'holm', 'hochberg', 'bh', 'by' or 'none'; see {@link PValueAdjustment}
 * @returns the adjusted p-values, same length and order as `p`
 * @throws TypeError for a non-numeric `p` or a non-string method; RangeError for an empty `p`, NaN, a value
 *   outside [0, 1] or an unknown method
 * @example
 * ```ts
 * import { adjustPValues } from '@prep/stats';
 * // four baselines compared with one new method
 * adjustPValues([0.01, 0.04, 0.03, 0.005], 'holm'); // [0.03, 0.06, 0.06, 0.02]
 * adjustPValues([0.01, 0.04, 0.03, 0.005], 'bh');   // [0.02, 0.04, 0.04, 0.02]
 * ```
 */
export function adjustPValues(p: ArrayLike<number>, method: PValueAdjustment): number[] {
  const fn = 'adjustPValues';
  const m = oneOf(method, ADJUSTMENTS, fn, 'method');
  const values = pValueArray(p, fn, 'p');
  return adjustValidated(values, m);
}
