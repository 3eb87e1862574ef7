import * as tf from '@tensorflow/tfjs-core';
import { KL_ESTIMATORS, klFromLogprobs, type KLEstimator } from './kl-estimate.js';
import { enumOption, expectShape, floatTensor, maskTensor, numberArg, requiredOptions } from './internal/validate.js';

/** Options of {@link klPenalizedRewards}. */
export interface KLPenalizedRewardsOptions {
  /** log π of the generated tokens, `[batch, T]`. */
  logprobs: tf.Tensor2D;
  /** log π_ref of the same tokens, `[batch, T]`. */
  refLogprobs: tf.Tensor2D;
  /** One reward-model score per sequence, `[batch]`. */
  scores: tf.Tensor1D;
  /** 0/1 `[batch, T]`, 1 = real token. Default: every token is real. */
  mask?: tf.Tensor2D;
  /** KL coefficient β ≥ 0 (a controller's `value`). */
  beta: number;
  /** Per-token KL estimator (see {@link klEstimate}); default `'k1'`, TRL's `kl_penalty="kl"`. */
  estimator?: KLEstimator;
}

const FN = 'klPenalizedRewards';

/**
 * Per-token rewards for PPO in RLHF, as TRL v0.8.6's `PPOTrainer.compute_rewards`: −β·KL̂_t at every
 * token, plus the sequence's reward-model score added at its last real (unmasked) token.
 *
 * Convention where TRL leaves it open: masked positions get reward 0 (TRL leaves −β·KL̂ there and multiplies
 * the rewards by the mask later, in `compute_advantages`, so feeding these rewards to {@link gae} gives the
 * same advantages). The last real token is the last position whose mask is 1, so both right padding and a
 * masked prompt prefix work. A row whose mask is all 0 gets no score (TRL would raise).
 *
 * @param options - `logprobs`, `refLogprobs` `[batch, T]`; `scores` `[batch]`; optional `mask` `[batch, T]`;
 *   `beta`; `estimator` (see {@link KLPenalizedRewardsOptions})
 * @returns the rewards `[batch, T]`, owned by the caller
 * @throws TypeError when an option has the wrong kind; RangeError for mismatched shapes, empty tensors, a
 *   negative or non-finite beta, or an unknown estimator
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { klPenalizedRewards } from '@prep/rlhf';
 * const rewards = klPenalizedRewards({
 *   logprobs: tf.tensor2d([[-1, -2, -3]]),
 *   refLogprobs: tf.tensor2d([[-1, -1, -1]]),
 *   scores: tf.tensor1d([5]),
 *   mask: tf.tensor2d([[1, 1, 0]]),
 *   beta: 0.1,
 * });
 * // k1 = [0, −1, −2]; −β·k1 = [0, 0.1, 0.2]; token 2 is masked; the score lands on token 1
 * rewards.arraySync(); // [[0, 5.1, 0]]
 * ```
 */
export function klPenalizedRewards(options: KLPenalizedRewardsOptions): tf.Tensor2D {
  const opts = requiredOptions<KLPenalizedRewardsOptions>(options, FN);
  const beta = numberArg(opts.beta, FN, 'options.beta', { min: 0 });
  const estimator = enumOption(opts.estimator, FN, 'options.estimator', KL_ESTIMATORS, 'k1');
  return tf.tidy(() => {
    const logp = floatTensor<tf.Rank.R2>(opts.logprobs, FN, 'options.logprobs', 2);
    const ref = floatTensor<tf.Rank.R2>(opts.refLogprobs, FN, 'options.refLogprobs', 2);
    expectShape(ref, logp.shape, FN, 'options.refLogprobs', 'options.logprobs');
    const [batch, steps] = logp.shape;
    const scores = floatTensor<tf.Rank.R1>(opts.scores, FN, 'options.scores', 1);
    expectShape(scores, [batch], FN, 'options.scores', 'the batch of options.logprobs');
    const mask = opts.mask === undefined ? null : maskTensor(opts.mask, logp.shape, FN, 'options.logprobs');

    let rewards: tf.Tensor = tf.mul(klFromLogprobs(logp, ref, estimator), -beta);
    if (mask) rewards = tf.mul(rewards, mask);
    return tf.add<tf.Tensor2D>(rewards, scoreAtLastToken(scores, mask, batch, steps));
  });
}

/** `[batch, T]` with each score at its row's last real token (internal; call inside `tf.tidy`). */
export function scoreAtLastToken(scores: tf.Tensor1D, mask: tf.Tensor | null, batch: number, steps: number): tf.Tensor2D {
  if (steps === 1) {
    // one position: it is the last real token when it is real (tf.oneHot needs a depth of at least 2)
    const column = tf.reshape<tf.Rank.R2>(scores, [batch, 1]);
    return mask ? tf.mul(column, tf.cast(tf.greater(mask, 0), 'float32')) : column;
  }
  if (!mask) {
    const last = tf.oneHot(tf.fill<tf.Rank.R1>([batch], steps - 1, 'int32'), steps);
    return tf.mul(tf.cast(last, 'float32'), tf.reshape(scores, [batch, 1]));
  }
  // position + 1 where real, 0 where masked: the row maximum marks the last real token.
  const positions = tf.reshape(tf.range(1, steps + 1, 1, 'float32'), [1, steps]);
  const marked = tf.mul(tf.cast(tf.greater(mask, 0), 'float32'), positions);
  const last = tf.cast(tf.oneHot(tf.argMax<tf.Tensor1D>(marked, 1), steps), 'float32');
  const anyReal = tf.cast(tf.greater(tf.max(marked, 1), 0), 'float32');
  return tf.mul(last, tf.reshape(tf.mul(scores, anyReal), [batch, 1]));
}
