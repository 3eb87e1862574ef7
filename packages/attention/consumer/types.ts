// Installed-tarball check: the published types, under moduleResolution node16 and bundler.
import * as tf from '@tensorflow/tfjs';
import { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from '@prep/attention';

const options: ScaledDotProductAttentionOptions = { causal: true, scale: 0.125 };
const q = tf.zeros([1, 2, 4, 8]);
const out: tf.Tensor4D = scaledDotProductAttention(q, q, q, options);
export const grad = tf.grad((x: tf.Tensor) => tf.sum(scaledDotProductAttention(x, q, q)))(q);
export const shape: number[] = out.shape;
// @ts-expect-error: causal must be a boolean
scaledDotProductAttention(q, q, q, { causal: 'yes' });
