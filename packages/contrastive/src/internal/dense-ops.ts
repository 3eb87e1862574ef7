/**
 * Internal: two differentiable building blocks of the dense losses whose tfjs autodiff is needlessly slow on
 * wasm. Their gradients are the textbook ones, written so that no product runs with a transposed operand
 * (tfjs's matMul gradient uses transposeA/transposeB, which the wasm backend runs several times slower) and
 * no max is differentiated (logSumExp's autodiff routes the gradient through its max with a broadcast
 * comparison).
 */
import * as tf from '@tensorflow/tfjs-core';

/** a·b for `[m, k]`·`[k, n]`; gradients dA = dY·bᵀ, dB = aᵀ·dY with the transposes made explicitly. */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, y, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([x, y]);
    return {
      value: tf.matMul<tf.Tensor2D>(x, y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sy] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy, tf.transpose(sy)), tf.matMul(tf.transpose(sx), dy)];
      },
    };
  });
  return op(a, b);
}

/** log Σ exp along `axis` of a matrix (keeping the axis); gradient dY · softmax along that axis. */
export function logSumExp(x: tf.Tensor2D, axis: 0 | 1): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [logits, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const value = tf.logSumExp<tf.Tensor2D>(logits, axis, true);
    save([logits, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, lse] = saved as [tf.Tensor2D, tf.Tensor2D];
        return tf.mul(dy, tf.exp(tf.sub(sx, lse)));
      },
    };
  });
  return op(x);
}
