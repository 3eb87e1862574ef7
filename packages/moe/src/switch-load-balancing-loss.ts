import * as tf from '@tensorflow/tfjs-core';
import { expertCounts, validColumn } from './internal/assignments.js';
import { floatTensor, indexTensor, maskTensor, optionsObject } from './internal/validate.js';

/** Options of {@link switchLoadBalancingLoss}. */
export interface SwitchLoadBalancingLossOptions {
  /** Padding mask `[T]` (bool or 0/1; nonzero = real token): padding tokens count for neither f nor P. */
  mask?: tf.Tensor;
}

const FN = 'switchLoadBalancingLoss';

/**
 * The Switch Transformer load-balancing loss, E · Σ_e f_e · P_e, without its coefficient.
 *
 * f_e is the number of assignments to expert e over all k slots divided by the number of tokens T, and
 * P_e is the mean router probability of e over the tokens (both over real tokens only when `mask` is
 * given, as Hugging Face does since transformers#28505). With k = 1 and uniform routing the loss is 1;
 * with top-k it is ≈ k (the Hugging Face Mixtral convention: f sums to k). f is a count and carries no
 * gradient; the gradient reaches the router through P, pushing probability away from overloaded experts.
 * Multiply by your coefficient (Switch uses 1e-2). A batch whose tokens are all padding gives 0.
 *
 * @param probs - router probabilities `[T, E]`, float32, used as given (not renormalised)
 * @param indices - chosen experts `[T, k]`, int32 (indices outside [0, E) count for no expert)
 * @param options - `mask`
 * @returns a scalar, differentiable with respect to `probs`
 * @throws TypeError for a wrong kind of argument; RangeError when shapes disagree (T) or a tensor is empty
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { switchLoadBalancingLoss } from '@prep/moe';
 * const probs = tf.fill([4, 2], 0.5);
 * const indices = tf.tensor2d([[0], [1], [0], [1]], [4, 1], 'int32');
 * await switchLoadBalancingLoss(probs, indices).data(); // [1]: uniform top-1 routing
 * ```
 */
export function switchLoadBalancingLoss(
  probs: tf.Tensor | tf.TensorLike,
  indices: tf.Tensor | tf.TensorLike,
  options?: SwitchLoadBalancingLossOptions,
): tf.Scalar {
  const opts = optionsObject<SwitchLoadBalancingLossOptions>(options, FN);
  return tf.tidy(() => {
    const p = floatTensor<tf.Rank.R2>(probs, FN, 'probs', 2);
    const idx = indexTensor(indices, FN, 'indices');
    const [tokens, experts] = p.shape;
    if (idx.shape[0] !== tokens) {
      throw new RangeError(`${FN}: 'indices' must have ${tokens} rows like 'probs'; got shape [${idx.shape.join(', ')}]`);
    }
    const mask = opts.mask === undefined ? null : maskTensor(opts.mask, FN, tokens);
    const valid = validColumn(mask, tokens);
    const count = tf.maximum(tf.sum(valid), 1);
    const f = tf.div(expertCounts(idx, experts, valid), count);
    const meanProb = tf.div(tf.sum(tf.mul(p, valid), 0), count);
    return tf.mul<tf.Scalar>(tf.sum(tf.mul(f, meanProb)), experts);
  });
}
