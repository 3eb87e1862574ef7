/** Internal: per-head views of `[batch, heads, seq, dim]` tensors as rank-2 matrices. */
import * as tf from '@tensorflow/tfjs-core';

/** Head `h` of batch entry `b` of a rank-4 tensor, as a `[seq, dim]` matrix. */
export function headMatrix(t: tf.Tensor4D, b: number, h: number): tf.Tensor2D {
  const [, , n, d] = t.shape;
  return tf.reshape(tf.slice(t, [b, h, 0, 0], [1, 1, n, d]), [n, d]);
}

/** Stacks per-(batch, head) matrices, in batch-major order, back into `[batch, heads, seq, dim]`. */
export function stackHeads(outputs: tf.Tensor2D[], batch: number, heads: number): tf.Tensor4D {
  const [n, d] = outputs[0]!.shape;
  return tf.reshape(tf.stack(outputs), [batch, heads, n, d]);
}

/** Rows [start, start + size) of a matrix. */
export function rows(t: tf.Tensor2D, start: number, size: number): tf.Tensor2D {
  return tf.slice(t, [start, 0], [size, t.shape[1]]);
}

/** Columns [start, start + size) of a matrix. */
export function columns(t: tf.Tensor2D, start: number, size: number): tf.Tensor2D {
  return tf.slice(t, [0, start], [t.shape[0], size]);
}
