import * as tf from '@tensorflow/tfjs-core';
import { squareScores } from './internal/scores.js';
import { asFloat, fromNats, optionsObject, unitsOption, type InformationUnits } from './internal/validate.js';

/** Options of {@link infoNCEBound} and {@link nwjBound}. */
export interface BoundOptions {
  /** `'bits'` (default) or `'nats'`. */
  units?: InformationUnits;
}

const FN = 'infoNCEBound';

/**
 * The InfoNCE (contrastive predictive coding) lower bound on I(X;Y) from a critic's scores on a batch of N
 * pairs: log N + (1/N) Σ_i [f(x_i, y_i) − log Σ_j exp f(x_i, y_j)], as in van den Oord et al. and Poole
 * et al.'s "On variational bounds of mutual information".
 *
 * The batch's other N − 1 pairings serve as negatives. The value never exceeds log N, however good the
 * critic (each term is clamped at 0, which it can only exceed by rounding), so estimating a large I needs
 * a batch with N > e^I. With the optimal critic f(x, y) = log p(y|x) + c(y) it approaches I from below as
 * N grows. This is the loss of CLIP-style contrastive training read as an information estimate.
 *
 * @param scores - critic values `[N, N]`: `scores[i][j] = f(x_i, y_j)`, positives on the diagonal; N ≥ 1
 * @param options - `units` (default `'bits'`)
 * @returns a Promise of the bound, ≤ log N, in `units`
 * @throws TypeError (as a rejected Promise) when `scores` is not a float tensor or an option has the wrong
 *   kind; RangeError when `scores` is not square or the bound is not finite (NaN or infinite scores)
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { infoNCEBound } from '@prep/info-bottleneck';
 * const scores = tf.mul(tf.eye(4), 20); // a critic that picks each positive with certainty
 * await infoNCEBound(scores); // ≈ log2 4 = 2 bits, the ceiling for a batch of 4
 * ```
 */
export async function infoNCEBound(scores: tf.Tensor2D, options?: BoundOptions): Promise<number> {
  const s = squareScores(scores, FN, 1);
  const units = unitsOption(optionsObject<BoundOptions>(options, FN).units, FN);
  const n = s.shape[0];
  const meanTerm = tf.tidy(() => {
    const x = asFloat(s);
    // where, not a product with the identity: a −∞ negative (a masked pair) times 0 would give NaN.
    const positives = tf.sum(tf.where(tf.cast(tf.eye(n), 'bool'), x, tf.zerosLike(x)), 1);
    return tf.mean(tf.minimum(tf.sub(positives, tf.logSumExp(x, 1)), 0));
  });
  let value: number;
  try {
    value = (await meanTerm.data())[0]!;
  } finally {
    meanTerm.dispose();
  }
  if (!Number.isFinite(value)) throw new RangeError(`${FN}: 'scores' must give a finite bound; got ${value} (NaN or infinite scores)`);
  return fromNats(Math.min(Math.log(n), Math.log(n) + value), units);
}
