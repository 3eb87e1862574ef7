import * as tf from '@tensorflow/tfjs-core';
import type { BoundOptions } from './info-nce-bound.js';
import { squareScores } from './internal/scores.js';
import { asFloat, fromNats, optionsObject, unitsOption } from './internal/validate.js';

const FN = 'nwjBound';

/**
 * The NWJ (Nguyen–Wainwright–Jordan, also "f-GAN KL" or MINE-f) lower bound on I(X;Y) from a critic's scores
 * on a batch of N pairs: E_p(x,y)[f] − e⁻¹·E_p(x)p(y)[e^f], with the joint expectation over the diagonal and
 * the product-of-marginals expectation over the N(N − 1) off-diagonal pairs, as in Poole et al.'s
 * `nwj_lower_bound` (their `tuba_lower_bound(scores − 1)`).
 *
 * Unlike InfoNCE it is not capped at log N, but its variance grows like e^I. The bound is tight for the
 * critic f(x, y) = 1 + log p(x, y)/(p(x)p(y)), with which the batch estimate is unbiased for I.
 *
 * @param scores - critic values `[N, N]`: `scores[i][j] = f(x_i, y_j)`, positives on the diagonal; N ≥ 2
 * @param options - `units` (default `'bits'`)
 * @returns a Promise of the bound in `units` (−Infinity when e^f overflows float64)
 * @throws TypeError (as a rejected Promise) when `scores` is not a float tensor or an option has the wrong
 *   kind; RangeError when `scores` is not square, smaller than 2×2, or contains NaN (or +∞ that makes the
 *   bound undefined)
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { nwjBound } from '@prep/info-bottleneck';
 * await nwjBound(tf.ones([8, 8]), { units: 'nats' }); // a constant critic f = 1 gives 1 − e⁻¹·e¹ = 0
 * ```
 */
export async function nwjBound(scores: tf.Tensor2D, options?: BoundOptions): Promise<number> {
  const s = squareScores(scores, FN, 2);
  const units = unitsOption(optionsObject<BoundOptions>(options, FN).units, FN);
  const n = s.shape[0];
  const packed = tf.tidy(() => {
    const x = asFloat(s);
    const diagonal = tf.cast(tf.eye(n), 'bool');
    const joint = tf.mean(tf.sum(tf.where(diagonal, x, tf.zerosLike(x)), 1));
    // log Σ_{i≠j} e^{f_ij}: the diagonal is pushed to −∞ (exp → 0) before the reduction.
    const offDiagonal = tf.where(diagonal, tf.fill([n, n], -Infinity), x);
    const logSum = tf.logSumExp(offDiagonal);
    return tf.stack([joint, logSum, tf.cast(tf.any(tf.isNaN(x)), 'float32')]);
  });
  let joint: number, logSum: number, hasNaN: number;
  try {
    [joint, logSum, hasNaN] = Array.from(await packed.data()) as [number, number, number];
  } finally {
    packed.dispose();
  }
  if (hasNaN !== 0) throw new RangeError(`${FN}: 'scores' must not contain NaN`);
  // e⁻¹·mean_{i≠j} e^{f_ij} = exp(logSum − log(N(N−1)) − 1), in float64.
  const marginal = Math.exp(logSum - Math.log(n * (n - 1)) - 1);
  const bound = joint - marginal;
  if (Number.isNaN(bound)) throw new RangeError(`${FN}: 'scores' must give a defined bound; got NaN (infinite scores)`);
  return fromNats(bound, units);
}
