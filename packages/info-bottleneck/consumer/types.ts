// Installed-tarball check: the published types, under moduleResolution node16 and bundler.
import * as tf from '@tensorflow/tfjs';
import {
  binnedMutualInformation,
  InformationPlaneTracker,
  kdeMutualInformation,
  vibLoss,
  type BinnedMutualInformationOptions,
  type InformationPlaneJSON,
  type KdeMutualInformation,
  type MutualInformationPair,
  type VibLossResult,
} from '@prep/info-bottleneck';

const options: BinnedMutualInformationOptions = { bins: 30, range: 'auto', units: 'nats' };
const t = tf.zeros([4, 2]) as tf.Tensor2D;
export const binned: Promise<MutualInformationPair> = binnedMutualInformation(t, [0, 1, 0, 1], options);
export const kde: Promise<KdeMutualInformation> = kdeMutualInformation(t, new Int32Array(4), { noiseVariance: 0.1 });
const result: VibLossResult = vibLoss({ mean: t, logVariance: t, logits: t, labels: tf.tensor1d([0, 1, 0, 1], 'int32'), beta: 1 });
export const loss: tf.Scalar = result.loss;
export const grad = tf.grad((m: tf.Tensor) => vibLoss({ mean: m as tf.Tensor2D, logVariance: t, logits: t, labels: tf.tensor1d([0, 1, 0, 1], 'int32'), beta: 1 }).loss)(t);
const tracker = new InformationPlaneTracker({ estimators: { k: { kind: 'kde', noiseVariance: 1e-3 } }, units: 'bits' });
tracker.record(0, [t], [0, 1, 0, 1]);
export const json: InformationPlaneJSON = tracker.toJSON();
// @ts-expect-error: units must be 'bits' or 'nats'
binnedMutualInformation(t, [0, 1, 0, 1], { units: 'bytes' });
