import * as tf from '@tensorflow/tfjs-core';
import { enumOption, expectShape, floatTensor } from './internal/validate.js';

/** The three Monte-Carlo KL estimators of Schulman's note "Approximating KL divergence". */
export type KLEstimator = 'k1' | 'k2' | 'k3';

/** The estimator names, in order: `['k1', 'k2', 'k3']`. */
export const KL_ESTIMATORS: readonly KLEstimator[] = ['k1', 'k2', 'k3'];

const FN = 'klEstimate';

/**
 * Per-sample estimate of KL(π ‖ π_ref) from log-probabilities of tokens sampled from the policy π.
 * With ℓ = log π_ref − log π (the log-ratio of reference to policy):
 *
 * - `k1` = −ℓ = log π − log π_ref: unbiased, high variance, can be negative (TRL's `kl_penalty="kl"`);
 * - `k2` = ½ℓ²: always ≥ 0, low variance, biased (TRL's `"mse"`; the bias is second order in the
 *   log-ratio: 0.25% of the true value for q = N(0,1), p = N(0.1,1));
 * - `k3` = (e^ℓ − 1) − ℓ: unbiased and always ≥ 0 with low variance (the estimator GRPO uses).
 *
 * `k3` uses `expm1`, so small log-ratios keep their precision. Element-wise; differentiable in both inputs.
 *
 * @param logprobs - log π of the sampled tokens, any shape (e.g. `[batch, T]`)
 * @param refLogprobs - log π_ref of the same tokens, the same shape
 * @param estimator - `'k1'`, `'k2'` or `'k3'`
 * @returns the per-element estimate, the shape of `logprobs`, owned by the caller
 * @throws TypeError when an input is not a tensor/array or the estimator is not a string; RangeError when
 *   the shapes differ, an input is empty, or the estimator is not one of the three
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { klEstimate } from '@prep/rlhf';
 * const logp = tf.tensor2d([[0.5, 0.2, 0.1], [0.6, 0.2, 0.1]]);
 * const ref = tf.tensor2d([[0.4, 0.3, 0.0], [0.7, 0.1, 0.3]]);
 * klEstimate(logp, ref, 'k1').arraySync(); // [[0.1, -0.1, 0.1], [-0.1, 0.1, -0.2]] (TRL's test vectors)
 * ```
 */
export function klEstimate(logprobs: tf.Tensor | tf.TensorLike, refLogprobs: tf.Tensor | tf.TensorLike, estimator: KLEstimator): tf.Tensor {
  if (estimator === undefined) {
    throw new TypeError(`${FN}: 'estimator' must be one of 'k1', 'k2', 'k3'; got undefined`);
  }
  const which = enumOption(estimator, FN, 'estimator', KL_ESTIMATORS, 'k1');
  return tf.tidy(() => {
    const logp = floatTensor(logprobs, FN, 'logprobs', null);
    const ref = floatTensor(refLogprobs, FN, 'refLogprobs', null);
    expectShape(ref, logp.shape, FN, 'refLogprobs', 'logprobs');
    return klFromLogprobs(logp, ref, which);
  });
}

/** The estimator on validated float tensors (internal; call inside `tf.tidy`). */
export function klFromLogprobs(logp: tf.Tensor, ref: tf.Tensor, estimator: KLEstimator): tf.Tensor {
  if (estimator === 'k1') return tf.sub(logp, ref);
  if (estimator === 'k2') return tf.mul(tf.square(tf.sub(logp, ref)), 0.5);
  const logRatio = tf.sub(ref, logp);
  return tf.sub(tf.expm1(logRatio), logRatio);
}
