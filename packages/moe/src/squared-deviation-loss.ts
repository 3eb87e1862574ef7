import * as tf from '@tensorflow/tfjs-core';
import { expertCounts, validColumn } from './internal/assignments.js';
import { indexTensor, maskTensor, numberOption, optionsObject } from './internal/validate.js';

/** Options of {@link squaredDeviationLoss}. */
export interface SquaredDeviationLossOptions {
  /** Padding mask `[T]` (bool or 0/1; nonzero = real token): padding tokens are not counted. */
  mask?: tf.Tensor;
}

const FN = 'squaredDeviationLoss';

/**
 * The question's balancing loss, Σ_e (f_e − 1/E)², without its coefficient α: f_e is the share of all
 * T·k assignments that went to expert e. It is 0 for perfectly even routing and 1 − 1/E when every
 * assignment goes to one expert (k = 1).
 *
 * It equals CV²(f)/E, the squared coefficient of variation of the loads (population variance) divided by
 * E, so it measures imbalance exactly as {@link expertLoad}'s `coefficientOfVariation` does. Note what the
 * source leaves out: f is a count of discrete choices, so this loss has **no gradient** with respect to
 * the router. Training needs a differentiable surrogate such as {@link switchLoadBalancingLoss}, where the
 * gradient flows through the mean probabilities. Use this one as a diagnostic. All-padding input gives 0.
 *
 * @param indices - chosen experts `[T, k]`, int32 (indices outside [0, E) count for no expert)
 * @param numExperts - E, a positive integer
 * @param options - `mask`
 * @returns a float32 scalar
 * @throws TypeError for a wrong kind of argument; RangeError for an empty `indices`, a bad `numExperts` or
 *   a mask that is not `[T]`
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { squaredDeviationLoss } from '@prep/moe';
 * const collapsed = tf.zeros([8, 1], 'int32');          // every token on expert 0
 * await squaredDeviationLoss(collapsed, 4).data();        // [0.75] = (1 − 1/4)² + 3 · (1/4)²
 * ```
 */
export function squaredDeviationLoss(
  indices: tf.Tensor | tf.TensorLike,
  numExperts: number,
  options?: SquaredDeviationLossOptions,
): tf.Scalar {
  const opts = optionsObject<SquaredDeviationLossOptions>(options, FN);
  numberOption(numExperts, FN, 'numExperts', { integer: true, min: 1 });
  return tf.tidy(() => {
    const idx = indexTensor(indices, FN, 'indices');
    const [tokens, k] = idx.shape;
    const mask = opts.mask === undefined ? null : maskTensor(opts.mask, FN, tokens);
    const valid = validColumn(mask, tokens);
    const realTokens = tf.sum(valid);
    const f = tf.div(expertCounts(idx, numExperts, valid), tf.maximum(tf.mul(realTokens, k), 1));
    const loss = tf.sum(tf.square(tf.sub(f, 1 / numExperts)));
    // All padding: nothing to balance.
    return tf.mul<tf.Scalar>(loss, tf.cast(tf.greater(realTokens, 0), 'float32'));
  });
}
