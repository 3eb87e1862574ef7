// Installed-tarball check: the published types, under moduleResolution node16 and bundler.
import * as tf from '@tensorflow/tfjs';
import {
  chunkedClipLoss,
  retrievalMetrics,
  batchSizeSweep,
  LearnableTemperature,
  type ChunkedClipLossOptions,
  type RetrievalMetrics,
  type BatchSizeSweep,
} from '@prep/contrastive';

const options: ChunkedClipLossOptions = { chunkSize: 256, logitBias: -1 };
const image = tf.zeros([4, 8]) as tf.Tensor2D;
const temperature = new LearnableTemperature({ init: 10, max: 100 });
export const loss: tf.Scalar = chunkedClipLoss(image, image, temperature.scale(), options);
export const grad = tf.grad((x: tf.Tensor) => chunkedClipLoss(x as tf.Tensor2D, image, 14, options))(image);
export const metrics: Promise<RetrievalMetrics> = retrievalMetrics(image, image, { ks: [1, 5] });
export const sweep: () => Promise<BatchSizeSweep> = () => batchSizeSweep({ batchSizes: [64, 128], steps: 10 });
// @ts-expect-error: chunkSize is required
chunkedClipLoss(image, image, 14, {});
