/** Internal: plug-in entropies of discrete counts, in nats. */

/** Entropy (nats) of the empirical distribution with the given counts (zeros allowed), computed in float64. */
export function entropyFromCounts(counts: Iterable<number>): number {
  let n = 0;
  let sumCLogC = 0;
  for (const c of counts) {
    if (c > 0) {
      n += c;
      sumCLogC += c * Math.log(c);
    }
  }
  if (n === 0) return 0;
  // H = −Σ (c/n) log(c/n) = log n − (1/n) Σ c log c; clamp the rounding residue of a single-symbol set.
  return Math.max(0, Math.log(n) - sumCLogC / n);
}
