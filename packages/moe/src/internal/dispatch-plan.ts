/**
 * Internal: the host-side dispatch plan of an MoE layer. From the routing decisions (read back once per
 * call) it lists, expert by expert and in token order, which token each computed slot holds and which
 * gate it uses.
 */
import type { ExpertSlots } from './experts.js';

/** Everything the layer needs to dispatch, compute and combine without a dense `[T, E, …]` tensor. */
export interface DispatchPlan {
  /** Slots computed (kept assignments), N. */
  slots: number;
  /** Kept assignments per expert, length E. */
  counts: number[];
  /** Assignments the router made per expert before capacity dropping (real tokens only). */
  routedCounts: number[];
  /** Real tokens that no expert processed. */
  droppedTokens: number;
  /** The slot layout for the expert phase. */
  layout: ExpertSlots;
  /** Per slot, its row in the flattened gate source. */
  gateIndex: Int32Array;
}

function build(
  tokens: number,
  buckets: { token: number; weightRow: number }[][],
  routedCounts: number[],
  realTokens: number,
): DispatchPlan {
  const counts = buckets.map((b) => b.length);
  const slots = counts.reduce((a, b) => a + b, 0);
  const allTokens = new Int32Array(slots);
  const gateIndex = new Int32Array(slots);
  const covered = new Uint8Array(tokens);
  const active: number[] = [];
  const perExpert: Int32Array[] = [];
  let n = 0;
  buckets.forEach((bucket, e) => {
    if (bucket.length === 0) return;
    active.push(e);
    const own = new Int32Array(bucket.length);
    bucket.forEach(({ token, weightRow }, i) => {
      own[i] = token;
      allTokens[n] = token;
      gateIndex[n] = weightRow;
      covered[token] = 1;
      n++;
    });
    perExpert.push(own);
  });
  let reached = 0;
  for (const c of covered) reached += c;
  return {
    slots,
    counts,
    routedCounts,
    droppedTokens: realTokens - reached,
    layout: { active, tokens: perExpert, allTokens },
    gateIndex,
  };
}

/**
 * Plan for token-choice routing from `indices` (`[T, k]`, row-major), the capacity and an optional padding
 * mask `[T]`. Capacity is applied here, as `topKRouting` does on tensors: assignments queue at their
 * expert in priority order — every token's first choice in token order, then every second choice — and
 * those at position ≥ capacity are dropped; padding tokens neither queue nor count. The gate of slot
 * (t, j) is row t·k + j of the flattened `[T·k, 1]` gates.
 */
export function tokenChoicePlan(
  indices: ArrayLike<number>,
  mask: ArrayLike<number> | null,
  tokens: number,
  k: number,
  experts: number,
  capacity: number,
): DispatchPlan {
  const keep = new Uint8Array(tokens * k);
  const queued = new Array<number>(experts).fill(0);
  let realTokens = 0;
  for (let t = 0; t < tokens; t++) if (!mask || mask[t] !== 0) realTokens++;
  for (let j = 0; j < k; j++) {
    for (let t = 0; t < tokens; t++) {
      if (mask && mask[t] === 0) continue;
      const e = indices[t * k + j]!;
      if (queued[e]! < capacity) keep[t * k + j] = 1;
      queued[e]!++;
    }
  }
  const buckets: { token: number; weightRow: number }[][] = Array.from({ length: experts }, () => []);
  for (let t = 0; t < tokens; t++) {
    for (let j = 0; j < k; j++) {
      if (keep[t * k + j]) buckets[indices[t * k + j]!]!.push({ token: t, weightRow: t * k + j });
    }
  }
  return build(tokens, buckets, queued, realTokens);
}

/**
 * Plan for expert-choice routing from each expert's picks (`picks` `[E, C]` token indices, row-major, and
 * their `scores`; a negative score marks a padding token, which is skipped). The gate of (t, e) is row
 * t·E + e of the flattened `[T·E, 1]` probabilities.
 */
export function expertChoicePlan(
  picks: ArrayLike<number>,
  scores: ArrayLike<number>,
  tokens: number,
  experts: number,
  capacity: number,
  realTokens: number,
): DispatchPlan {
  const buckets: { token: number; weightRow: number }[][] = [];
  for (let e = 0; e < experts; e++) {
    const chosen: number[] = [];
    for (let c = 0; c < capacity; c++) {
      if (scores[e * capacity + c]! >= 0) chosen.push(picks[e * capacity + c]!);
    }
    chosen.sort((a, b) => a - b);
    buckets.push(chosen.map((t) => ({ token: t, weightRow: t * experts + e })));
  }
  return build(tokens, buckets, buckets.map((b) => b.length), realTokens);
}
