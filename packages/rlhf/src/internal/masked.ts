/** Internal: masked reductions used by the losses. Call inside `tf.tidy`. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Σ(x·mask) / max(Σmask, 1) over all elements (TRL's `masked_mean`, except that an all-masked batch gives
 * 0 instead of NaN). Without a mask, the plain mean.
 */
export function maskedMean(x: tf.Tensor, mask: tf.Tensor | null): tf.Scalar {
  if (!mask) return tf.mean(x);
  return tf.div(tf.sum(tf.mul(x, mask)), tf.maximum(tf.sum(mask), 1));
}
