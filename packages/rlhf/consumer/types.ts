// Installed-tarball check: the published types, under moduleResolution node16 and bundler.
import * as tf from '@tensorflow/tfjs';
import {
  dpoLoss,
  gae,
  runBetaExperiment,
  type BetaExperimentResult,
  type DPOLossOptions,
  type GAEResult,
  type PairwiseJudge,
} from '@prep/rlhf';

const x = tf.zeros([2]) as tf.Tensor1D;
const options: DPOLossOptions = { policyChosenLogps: x, policyRejectedLogps: x, refChosenLogps: x, refRejectedLogps: x, lossType: 'ipo' };
export const loss: tf.Scalar = dpoLoss(options).loss;
export const grad = tf.grad((v: tf.Tensor) => dpoLoss({ ...options, policyChosenLogps: v as tf.Tensor1D }).loss)(x);
export const result: GAEResult = gae({ rewards: tf.zeros([1, 3]), values: tf.zeros([1, 3]), gamma: 1, lambda: 0.95 });
export const judge: PairwiseJudge<number[], number> = async (_prompt, a, b) => ({ preferred: a.length > b.length ? 0 : 1 });
export const pending: Promise<BetaExperimentResult> = runBetaExperiment({ seed: 1, ppoSteps: 1 });
// @ts-expect-error: lossType must be one of the four
dpoLoss({ ...options, lossType: 'kto' });
