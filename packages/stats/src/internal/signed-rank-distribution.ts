/**
 * The exact null distribution of the Wilcoxon signed-rank statistic R+ for n untied, non-zero
 * differences: each rank k joins R+ with probability ½ independently, so the probability mass function
 * follows from the recursion P_k(s) = ½ P_{k−1}(s) + ½ P_{k−1}(s − k). Working with probabilities
 * (halving at each step) instead of counts keeps every value exact for n ≤ 53 and finite beyond.
 * Cost O(n³/4) additions: n = 50 is about 32,000.
 */
export function signedRankPmf(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const pmf = new Float64Array(max + 1);
  pmf[0] = 1;
  let top = 0;
  for (let k = 1; k <= n; k++) {
    top += k;
    // In place, from the top down, so that P_{k−1}(s − k) is read before it is overwritten.
    for (let s = top; s >= k; s--) pmf[s] = 0.5 * ((pmf[s] as number) + (pmf[s - k] as number));
    for (let s = Math.min(k - 1, top); s >= 0; s--) pmf[s] = 0.5 * (pmf[s] as number);
  }
  return pmf;
}

/** P(R+ ≤ k), summing the shorter tail (as scipy does) so small probabilities keep their digits. */
export function signedRankCdf(pmf: Float64Array, k: number): number {
  const max = pmf.length - 1;
  if (k < 0) return 0;
  if (k >= max) return 1;
  if (k <= max / 2) {
    let sum = 0;
    for (let s = 0; s <= k; s++) sum += pmf[s] as number;
    return sum;
  }
  return 1 - signedRankSf(pmf, k + 1);
}

/** P(R+ ≥ k). */
export function signedRankSf(pmf: Float64Array, k: number): number {
  const max = pmf.length - 1;
  if (k <= 0) return 1;
  if (k > max) return 0;
  if (k >= max / 2) {
    let sum = 0;
    for (let s = k; s <= max; s++) sum += pmf[s] as number;
    return sum;
  }
  return 1 - signedRankCdf(pmf, k - 1);
}
