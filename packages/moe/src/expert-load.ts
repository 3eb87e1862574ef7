import * as tf from '@tensorflow/tfjs-core';
import { got, indexTensor, maskTensor, numberOption, optionsObject } from './internal/validate.js';

/** Options of {@link expertLoad}. */
export interface ExpertLoadOptions {
  /** Padding mask `[T]` (bool or 0/1; nonzero = real token): padding tokens are not counted. */
  mask?: tf.Tensor;
}

/** Load diagnostics of one routing decision, as plain numbers. */
export interface ExpertLoad {
  /** Assignments per expert over all k slots, length E. */
  counts: number[];
  /** counts / (their sum): each expert's share of the assignments, length E (zeros when there are none). */
  fractions: number[];
  /** Shannon entropy of `fractions` in nats, from 0 (one expert) to ln E (even). */
  entropy: number;
  /** Population standard deviation of the counts over their mean; 0 when even (NaN when nothing was routed). */
  coefficientOfVariation: number;
  /** Experts that received no assignment. */
  deadExperts: number;
  /** The largest share, max_e fractions[e]. */
  maxFraction: number;
  /** The expert with that share (the lowest index on ties). */
  topExpert: number;
}

const FN = 'expertLoad';

/**
 * Reads routing decisions back and summarises the load per expert: counts, shares, entropy, coefficient
 * of variation and dead experts. Async because WebGPU cannot read tensors synchronously.
 *
 * The coefficient of variation links the diagnostics to the question's balancing loss:
 * Σ_e (f_e − 1/E)² = CV²/E (see {@link squaredDeviationLoss}).
 *
 * @param indices - chosen experts `[T, k]`, int32
 * @param numExperts - E, a positive integer
 * @param options - `mask`
 * @returns a Promise of {@link ExpertLoad}
 * @throws (as a rejected Promise) TypeError for a wrong kind of argument; RangeError for an empty
 *   `indices`, a bad `numExperts`, a mask that is not `[T]` or an index outside [0, E)
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { expertLoad } from '@prep/moe';
 * const load = await expertLoad(tf.tensor2d([[0], [0], [0], [1]], [4, 1], 'int32'), 4);
 * load.counts;        // [3, 1, 0, 0]
 * load.deadExperts;   // 2
 * ```
 */
export async function expertLoad(indices: tf.Tensor | tf.TensorLike, numExperts: number, options?: ExpertLoadOptions): Promise<ExpertLoad> {
  const opts = optionsObject<ExpertLoadOptions>(options, FN);
  numberOption(numExperts, FN, 'numExperts', { integer: true, min: 1 });
  // Copies the caller cannot dispose under us while we await.
  const [idx, mask] = tf.tidy(() => {
    const idxT = indexTensor(indices, FN, 'indices');
    const maskT = opts.mask === undefined ? null : maskTensor(opts.mask, FN, idxT.shape[0]);
    return [tf.clone(idxT), maskT ? tf.clone(maskT) : tf.zeros([0])] as [tf.Tensor2D, tf.Tensor1D];
  });
  let values: Int32Array | Float32Array | Uint8Array;
  let valid: Int32Array | Float32Array | Uint8Array | null = null;
  const [tokens, k] = idx.shape;
  try {
    values = await idx.data();
    if (opts.mask !== undefined) valid = await mask.data();
  } finally {
    idx.dispose();
    mask.dispose();
  }
  const counts = new Array<number>(numExperts).fill(0);
  for (let t = 0; t < tokens; t++) {
    if (valid && valid[t] === 0) continue;
    for (let j = 0; j < k; j++) {
      const e = values[t * k + j]!;
      if (!(e >= 0 && e < numExperts)) {
        throw new RangeError(`${FN}: 'indices' must hold experts in [0, ${numExperts}); got ${got(e)} at [${t}, ${j}]`);
      }
      counts[e]!++;
    }
  }
  return summarizeCounts(counts);
}

/**
 * The diagnostics of {@link expertLoad} from counts per expert (pure, no tensors): for counts you already
 * hold, such as `MoELayer.apply(...).routedCounts`.
 *
 * @param counts - assignments per expert, length E
 * @returns see {@link ExpertLoad}
 * @example
 * ```ts
 * import { summarizeCounts } from '@prep/moe';
 * summarizeCounts([3, 1, 0, 0]).deadExperts; // 2
 * ```
 */
export function summarizeCounts(counts: readonly number[]): ExpertLoad {
  const experts = counts.length;
  const total = counts.reduce((a, b) => a + b, 0);
  const fractions = counts.map((c) => (total > 0 ? c / total : 0));
  let entropy = 0;
  for (const f of fractions) if (f > 0) entropy -= f * Math.log(f);
  const mean = total / experts;
  let variance = 0;
  for (const c of counts) variance += (c - mean) ** 2;
  variance /= experts;
  const coefficientOfVariation = total > 0 ? Math.sqrt(variance) / mean : NaN;
  let topExpert = 0;
  for (let e = 1; e < experts; e++) if (counts[e]! > counts[topExpert]!) topExpert = e;
  return {
    counts: [...counts],
    fractions,
    entropy,
    coefficientOfVariation,
    deadExperts: counts.filter((c) => c === 0).length,
    maxFraction: fractions[topExpert] ?? 0,
    topExpert,
  };
}
