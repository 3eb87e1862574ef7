// Installed-tarball check: the published types, under moduleResolution node16 and bundler.
import * as tf from '@tensorflow/tfjs';
import {
  scaledDotProductAttention,
  chunkedAttention,
  linearAttention,
  slidingWindowAttention,
  bigBirdAttention,
  attentionCost,
  LinearAttentionState,
  MultiHeadAttention,
  type ScaledDotProductAttentionOptions,
  type LinearAttentionOptions,
  type AttentionCost,
} from '@prep/attention';

const options: ScaledDotProductAttentionOptions = { causal: true, scale: 0.125 };
const q = tf.zeros([1, 2, 4, 8]);
const out: tf.Tensor4D = scaledDotProductAttention(q, q, q, options);
export const grad = tf.grad((x: tf.Tensor) => tf.sum(chunkedAttention(x, q, q, { chunkSize: 2 })))(q);
export const shape: number[] = out.shape;
const linear: LinearAttentionOptions = { featureMap: 'favor+', numFeatures: 64, causal: true, seed: 1 };
export const lin: tf.Tensor4D = linearAttention(q, q, q, linear);
export const local: tf.Tensor4D = slidingWindowAttention(q, q, q, { window: 2 });
export const sparse: tf.Tensor4D = bigBirdAttention(q, q, q, { blockSize: 2, numRandomBlocks: 0, seed: 0 });
export const cost: AttentionCost = attentionCost({ variant: 'linear', n: 4, headDim: 8 });
export const state = new LinearAttentionState({ featureMap: 'elu' });
export const block = new MultiHeadAttention({ modelDim: 16, numHeads: 2 });
export const weights: tf.Variable[] = block.trainableWeights;
// @ts-expect-error: causal must be a boolean
scaledDotProductAttention(q, q, q, { causal: 'yes' });
// @ts-expect-error: featureMap is one of three names
linearAttention(q, q, q, { featureMap: 'softmax' });
// @ts-expect-error: window is required
slidingWindowAttention(q, q, q, {});
