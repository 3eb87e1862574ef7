import * as tf from '@tensorflow/tfjs-core';
import { asTensor, expectShape, floatTensor, got, numberArg, optionsObject } from './internal/validate.js';

/** Options of {@link bradleyTerryLoss}. */
export interface BradleyTerryLossOptions {
  /**
   * Subtracted from every reward difference before the sigmoid: a number, or one value per pair `[batch]`
   * (TRL's `margin` column, Llama 2's graded margins). Default 0.
   */
  margin?: number | tf.Tensor1D;
}

const FN = 'bradleyTerryLoss';

/**
 * Bradley-Terry (pairwise logistic) loss of a reward model: mean over pairs of
 * −log σ(r_chosen − r_rejected − margin), the loss of TRL's `RewardTrainer` and of InstructGPT's reward model.
 *
 * Computed as softplus(−d), which neither overflows nor loses precision for large |d|. Differentiable in both
 * reward tensors (and in a tensor margin).
 *
 * @param chosenRewards - reward-model scores of the preferred responses, `[batch]`
 * @param rejectedRewards - scores of the rejected responses, `[batch]`
 * @param options - `margin` (see {@link BradleyTerryLossOptions})
 * @returns the mean loss, a scalar owned by the caller
 * @throws TypeError when an argument is not a tensor/array or the margin has the wrong kind; RangeError when
 *   the shapes differ, a tensor is empty, or the margin is not finite
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { bradleyTerryLoss } from '@prep/rlhf';
 * const loss = bradleyTerryLoss(tf.tensor1d([2, 0.5]), tf.tensor1d([1, 0.5]));
 * loss.dataSync()[0]; // (softplus(-1) + ln 2) / 2 ≈ 0.5032
 * ```
 */
export function bradleyTerryLoss(
  chosenRewards: tf.Tensor1D | tf.TensorLike,
  rejectedRewards: tf.Tensor1D | tf.TensorLike,
  options?: BradleyTerryLossOptions,
): tf.Scalar {
  const opts = optionsObject<BradleyTerryLossOptions>(options, FN);
  const margin = opts.margin;
  if (margin !== undefined && typeof margin !== 'number' && !asTensor(margin)) {
    throw new TypeError(`${FN}: 'options.margin' must be a number or a tensor [batch]; got ${got(margin)}`);
  }
  if (typeof margin === 'number') numberArg(margin, FN, 'options.margin');
  return tf.tidy(() => {
    const chosen = floatTensor<tf.Rank.R1>(chosenRewards, FN, 'chosenRewards', 1);
    const rejected = floatTensor<tf.Rank.R1>(rejectedRewards, FN, 'rejectedRewards', 1);
    expectShape(rejected, chosen.shape, FN, 'rejectedRewards', 'chosenRewards');
    let diff: tf.Tensor = tf.sub(chosen, rejected);
    if (typeof margin === 'number') {
      if (margin !== 0) diff = tf.sub(diff, margin);
    } else if (margin !== undefined) {
      const m = floatTensor<tf.Rank.R1>(margin, FN, 'options.margin', 1);
      expectShape(m, chosen.shape, FN, 'options.margin', 'chosenRewards');
      diff = tf.sub(diff, m);
    }
    return tf.mean(tf.softplus(tf.neg(diff)));
  });
}
