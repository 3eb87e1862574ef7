import * as tf from '@tensorflow/tfjs-core';
import { enumOption, expectShape, floatTensor, numberOption, requiredOptions } from './internal/validate.js';

/** The DPO-family losses of {@link dpoLoss}. */
export type DPOLossType = 'sigmoid' | 'ipo' | 'hinge' | 'robust';

/** Options of {@link dpoLoss}. */
export interface DPOLossOptions {
  /** Sequence log-probabilities log π_θ(y_w|x) of the chosen responses, `[batch]`. */
  policyChosenLogps: tf.Tensor1D;
  /** log π_θ(y_l|x) of the rejected responses, `[batch]`. */
  policyRejectedLogps: tf.Tensor1D;
  /** log π_ref(y_w|x), `[batch]`. */
  refChosenLogps: tf.Tensor1D;
  /** log π_ref(y_l|x), `[batch]`. */
  refRejectedLogps: tf.Tensor1D;
  /** β > 0: the KL strength of the implicit objective (τ in the IPO paper). Default 0.1, as TRL. */
  beta?: number;
  /** Default `'sigmoid'` (DPO). */
  lossType?: DPOLossType;
  /**
   * Assumed probability ε that a label is flipped, in [0, 0.5): conservative DPO for `'sigmoid'`, the
   * unbiased robust loss (Chowdhury et al. 2024) for `'robust'`. Default 0. `'ipo'` and `'hinge'` take no
   * smoothing (TRL ignores it with a warning; we refuse it).
   */
  labelSmoothing?: number;
}

/** Result of {@link dpoLoss}. */
export interface DPOLossResult {
  /** Mean loss over the batch, a scalar. */
  loss: tf.Scalar;
  /** Implicit rewards β·(log π_θ(y_w) − log π_ref(y_w)), `[batch]` (metrics: TRL detaches them). */
  chosenRewards: tf.Tensor1D;
  /** Implicit rewards β·(log π_θ(y_l) − log π_ref(y_l)), `[batch]`. */
  rejectedRewards: tf.Tensor1D;
}

const FN = 'dpoLoss';
const LOSS_TYPES: readonly DPOLossType[] = ['sigmoid', 'ipo', 'hinge', 'robust'];

/**
 * Direct preference optimization and its variants, with the definitions of TRL's current
 * `DPOTrainer.dpo_loss`. With z = (log π_θ(y_w) − log π_θ(y_l)) − (log π_ref(y_w) − log π_ref(y_l)) and
 * ε = `labelSmoothing`:
 *
 * - `'sigmoid'` (Rafailov et al. 2023): −(1 − ε)·log σ(βz) − ε·log σ(−βz);
 * - `'robust'` (Chowdhury et al. 2024): (−(1 − ε)·log σ(βz) + ε·log σ(−βz)) / (1 − 2ε);
 * - `'hinge'` (SLiC, Zhao et al. 2023): max(0, 1 − βz);
 * - `'ipo'` (Azar et al. 2023): (z − 1/(2β))². TRL averages the token log-probabilities over the sequence
 *   length for IPO; pass length-normalized log-probabilities to match it.
 *
 * The loss is the batch mean. At initialization (policy = reference) z = 0 and the sigmoid and robust losses
 * equal ln 2. log σ is computed as −softplus(−x), stable for any |x|. Differentiable in the policy terms.
 *
 * @param options - the four `[batch]` log-probability tensors, `beta`, `lossType`, `labelSmoothing`
 * @returns `{ loss, chosenRewards, rejectedRewards }`, owned by the caller
 * @throws TypeError when an option has the wrong kind; RangeError for mismatched shapes, empty tensors,
 *   β ≤ 0, an unknown loss type, label smoothing outside [0, 0.5), or label smoothing with ipo/hinge
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { dpoLoss } from '@prep/rlhf';
 * const same = tf.tensor1d([-12.5, -7.25]);
 * const { loss } = dpoLoss({
 *   policyChosenLogps: same, policyRejectedLogps: same,
 *   refChosenLogps: same, refRejectedLogps: same,
 * });
 * loss.dataSync()[0]; // ln 2 ≈ 0.6931: the policy equals the reference
 * ```
 */
export function dpoLoss(options: DPOLossOptions): DPOLossResult {
  const opts = requiredOptions<DPOLossOptions>(options, FN);
  const beta = numberOption(opts.beta, FN, 'options.beta', 0.1, { above: 0 });
  const lossType = enumOption(opts.lossType, FN, 'options.lossType', LOSS_TYPES, 'sigmoid');
  const smoothing = numberOption(opts.labelSmoothing, FN, 'options.labelSmoothing', 0, { min: 0, below: 0.5 });
  if (smoothing > 0 && (lossType === 'ipo' || lossType === 'hinge')) {
    throw new RangeError(`${FN}: 'options.labelSmoothing' applies only to 'sigmoid' and 'robust'; got ${smoothing} with lossType '${lossType}'`);
  }
  const [loss, chosenRewards, rejectedRewards] = tf.tidy(() => {
    const policyChosen = floatTensor<tf.Rank.R1>(opts.policyChosenLogps, FN, 'options.policyChosenLogps', 1);
    const shape = policyChosen.shape;
    const policyRejected = floatTensor<tf.Rank.R1>(opts.policyRejectedLogps, FN, 'options.policyRejectedLogps', 1);
    expectShape(policyRejected, shape, FN, 'options.policyRejectedLogps', 'options.policyChosenLogps');
    const refChosen = floatTensor<tf.Rank.R1>(opts.refChosenLogps, FN, 'options.refChosenLogps', 1);
    expectShape(refChosen, shape, FN, 'options.refChosenLogps', 'options.policyChosenLogps');
    const refRejected = floatTensor<tf.Rank.R1>(opts.refRejectedLogps, FN, 'options.refRejectedLogps', 1);
    expectShape(refRejected, shape, FN, 'options.refRejectedLogps', 'options.policyChosenLogps');

    const chosenLogRatio = tf.sub(policyChosen, refChosen);
    const rejectedLogRatio = tf.sub(policyRejected, refRejected);
    const z = tf.sub(chosenLogRatio, rejectedLogRatio);
    const scaled = tf.mul(z, beta);
    let losses: tf.Tensor;
    if (lossType === 'sigmoid' || lossType === 'robust') {
      const negLogSigmoid = tf.softplus(tf.neg(scaled)); // −log σ(βz)
      if (smoothing === 0) {
        losses = negLogSigmoid;
      } else {
        const negLogSigmoidFlipped = tf.softplus(scaled); // −log σ(−βz)
        losses =
          lossType === 'sigmoid'
            ? tf.add(tf.mul(negLogSigmoid, 1 - smoothing), tf.mul(negLogSigmoidFlipped, smoothing))
            : tf.div(tf.sub(tf.mul(negLogSigmoid, 1 - smoothing), tf.mul(negLogSigmoidFlipped, smoothing)), 1 - 2 * smoothing);
      }
    } else if (lossType === 'hinge') {
      losses = tf.relu(tf.sub(1, scaled));
    } else {
      losses = tf.square(tf.sub(z, 1 / (2 * beta)));
    }
    return [tf.mean(losses), tf.mul(chosenLogRatio, beta), tf.mul(rejectedLogRatio, beta)] as [tf.Scalar, tf.Tensor1D, tf.Tensor1D];
  });
  return { loss, chosenRewards, rejectedRewards };
}
