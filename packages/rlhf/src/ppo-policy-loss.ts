import * as tf from '@tensorflow/tfjs-core';
import { maskedMean } from './internal/masked.js';
import { expectShape, floatTensor, maskTensor, numberOption, requiredOptions } from './internal/validate.js';

/** Options of {@link ppoPolicyLoss}. */
export interface PPOPolicyLossOptions {
  /** log π_θ of the sampled tokens under the current parameters, `[batch, T]` (differentiate through this). */
  logprobs: tf.Tensor2D;
  /** log π_θold of the same tokens, recorded at sampling time, `[batch, T]`. */
  oldLogprobs: tf.Tensor2D;
  /** Advantages `[batch, T]` (usually {@link gae} then {@link whiten}). */
  advantages: tf.Tensor2D;
  /** 0/1 `[batch, T]`, 1 = real token. Default: every token is real. */
  mask?: tf.Tensor2D;
  /** Clip range ε ≥ 0 of the probability ratio; default 0.2 (TRL's `cliprange`). */
  clipRange?: number;
}

/** Result of {@link ppoPolicyLoss}: scalars owned by the caller. */
export interface PPOPolicyLossResult {
  /** Masked mean of max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)), ρ = exp(logprobs − oldLogprobs). */
  loss: tf.Scalar;
  /** Fraction of real tokens where the clipped term is the larger one (TRL's `pg_clipfrac`). */
  clipFraction: tf.Scalar;
  /** ½ · masked mean of (logprobs − oldLogprobs)² (TRL's `approxkl`, the k2 estimator). */
  approxKL: tf.Scalar;
}

const FN = 'ppoPolicyLoss';

/**
 * PPO's clipped surrogate policy loss (Schulman et al. 2017), per token, as TRL v0.8.6's `PPOTrainer.loss`:
 * the masked mean over real tokens of max(−A·ρ, −A·clip(ρ, 1 − ε, 1 + ε)). Tokens at masked positions do not
 * contribute at all, so removing them from the batch leaves the loss unchanged. An all-masked batch gives 0.
 * Differentiable in `logprobs`.
 *
 * @param options - `logprobs`, `oldLogprobs`, `advantages`, optional `mask`, all `[batch, T]`; `clipRange`
 * @returns `{ loss, clipFraction, approxKL }`, scalars owned by the caller
 * @throws TypeError when an option has the wrong kind; RangeError for mismatched shapes, empty tensors or a
 *   negative clip range
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { ppoPolicyLoss } from '@prep/rlhf';
 * const old = tf.tensor2d([[-1, -1]]);
 * const { loss, clipFraction } = ppoPolicyLoss({
 *   logprobs: tf.tensor2d([[-0.5, -1]]),   // token 0 became e^0.5 ≈ 1.65× more likely
 *   oldLogprobs: old,
 *   advantages: tf.tensor2d([[1, 1]]),
 * });
 * loss.dataSync()[0];         // −(1.2 + 1) / 2 = −1.1: the ratio is clipped at 1.2 for token 0
 * clipFraction.dataSync()[0]; // 0.5
 * ```
 */
export function ppoPolicyLoss(options: PPOPolicyLossOptions): PPOPolicyLossResult {
  const opts = requiredOptions<PPOPolicyLossOptions>(options, FN);
  const clipRange = numberOption(opts.clipRange, FN, 'options.clipRange', 0.2, { min: 0 });
  const [loss, clipFraction, approxKL] = tf.tidy(() => {
    const logp = floatTensor<tf.Rank.R2>(opts.logprobs, FN, 'options.logprobs', 2);
    const old = floatTensor<tf.Rank.R2>(opts.oldLogprobs, FN, 'options.oldLogprobs', 2);
    expectShape(old, logp.shape, FN, 'options.oldLogprobs', 'options.logprobs');
    const adv = floatTensor<tf.Rank.R2>(opts.advantages, FN, 'options.advantages', 2);
    expectShape(adv, logp.shape, FN, 'options.advantages', 'options.logprobs');
    const mask = opts.mask === undefined ? null : maskTensor(opts.mask, logp.shape, FN, 'options.logprobs');

    const logRatio = tf.sub(logp, old);
    const ratio = tf.exp(logRatio);
    const unclipped = tf.mul(tf.neg(adv), ratio);
    const clipped = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - clipRange, 1 + clipRange));
    const lossValue = maskedMean(tf.maximum(unclipped, clipped), mask);
    const fraction = maskedMean(tf.cast(tf.greater(clipped, unclipped), 'float32'), mask);
    const kl = tf.mul(maskedMean(tf.square(logRatio), mask), 0.5);
    return [lossValue, fraction, kl] as tf.Scalar[];
  });
  return { loss: loss!, clipFraction: clipFraction!, approxKL: approxKL! };
}
