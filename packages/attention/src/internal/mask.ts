/** Internal: masks as additive biases for per-head rank-2 score matrices. */
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, got, shapeOf } from './validate.js';

/** Added to the score of a key a query may not attend: exp underflows to exactly 0 in float32. */
export const MASKED_SCORE = -1e9;

/**
 * Bottom-right aligned causal pattern (FlashAttention's convention for nQ ≠ nK): query i may attend key j
 * when j ≤ i + (nK − nQ). Returns a bool tensor `[nQ, nK]`.
 */
export function causalAllowed(nQ: number, nK: number): tf.Tensor2D {
  return tf.tidy(() => {
    const rows = tf.reshape(tf.range(nK - nQ, nK, 1, 'int32'), [nQ, 1]);
    const cols = tf.reshape(tf.range(0, nK, 1, 'int32'), [1, nK]);
    return tf.lessEqual<tf.Tensor2D>(cols, rows);
  });
}

/**
 * Validates a 0/1 or boolean mask broadcastable to `[batch, heads, nQ, nK]` and returns it as a rank-4
 * bool tensor (leading singleton dims added).
 */
export function normalizeMask(value: unknown, target: readonly [number, number, number, number], fn: string): tf.Tensor4D {
  const mask = asTensor(value);
  if (!mask) {
    throw new TypeError(`${fn}: 'options.mask' must be a 0/1 or boolean tensor; got ${got(value)}`);
  }
  const maskShape = shapeOf(mask);
  if (mask.isDisposed) throw new TypeError(`${fn}: 'options.mask' is a disposed tensor`);
  if (mask.dtype !== 'bool' && mask.dtype !== 'int32' && mask.dtype !== 'float32') {
    throw new TypeError(`${fn}: 'options.mask' must have dtype bool, int32 or float32; got ${mask.dtype}`);
  }
  if (mask.rank < 1 || mask.rank > 4) {
    throw new RangeError(`${fn}: 'options.mask' must have rank 1 to 4, broadcastable to [${target.join(', ')}]; got shape [${maskShape.join(', ')}]`);
  }
  const shape = [...new Array<number>(4 - mask.rank).fill(1), ...maskShape] as [number, number, number, number];
  for (let i = 0; i < 4; i++) {
    if (shape[i] !== 1 && shape[i] !== target[i]) {
      throw new RangeError(`${fn}: 'options.mask' of shape [${maskShape.join(', ')}] does not broadcast to [${target.join(', ')}]`);
    }
  }
  return tf.tidy(() => {
    const asBool = mask.dtype === 'bool' ? mask : tf.notEqual(mask, 0);
    return tf.reshape<tf.Rank.R4>(asBool, shape);
  });
}

/** Turns a bool "may attend" pattern into an additive bias (0 or {@link MASKED_SCORE}). */
export function allowedToBias(allowed: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.sub(1, tf.cast(allowed, 'float32')), MASKED_SCORE));
}
