/**
 * Internal: moving rows between the token layout `[tokens, d]` and the expert-sorted layout `[slots, d]`,
 * and a matrix product, each with a hand-written gradient that every backend can run fast.
 *
 * - tfjs's gradient of `tf.gather` is `UnsortedSegmentSum`, which the wasm backend does not have. Rows
 *   are gathered with `gatherND` here, whose adjoint is `scatterND` (which sums duplicate indices), and
 *   the other way round: both kernels exist on cpu, wasm, webgl and webgpu. On wasm they are also 15×
 *   faster than `gather` (a strided per-element loop there).
 * - tfjs's gradient of `matMul` uses transposed operands, which wasm runs outside XNNPACK (measured 12×
 *   slower for a transposed B, 45× for a transposed A). {@link linear} transposes explicitly instead.
 */
import * as tf from '@tensorflow/tfjs-core';

function indexColumn(index: Int32Array): tf.Tensor2D {
  return tf.tensor2d(index, [index.length, 1], 'int32');
}

/**
 * `src[index[i]]` for each i, `[index.length, d]`. Differentiable: the gradient scatters the rows back,
 * summing where an index repeats.
 *
 * @param src - `[rows, d]`
 * @param index - entries in `[0, rows)`, repeats allowed
 */
export function gatherRows(src: tf.Tensor2D, index: Int32Array): tf.Tensor2D {
  const [rows, width] = src.shape;
  return tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.tidy(() => tf.gatherND(inputs[0] as tf.Tensor2D, indexColumn(index)) as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor) => tf.tidy(() => tf.scatterND(indexColumn(index), dy, [rows, width])),
  }))(src) as tf.Tensor2D;
}

/**
 * Σ over i with index[i] = r of `src[i]`, for each r: `[rows, d]` (rows no slot maps to are zero).
 * Differentiable: the gradient gathers.
 *
 * @param src - `[index.length, d]`
 * @param index - entries in `[0, rows)`, repeats allowed (they are summed)
 * @param rows - rows of the output
 */
export function scatterRows(src: tf.Tensor2D, index: Int32Array, rows: number): tf.Tensor2D {
  const width = src.shape[1];
  return tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.tidy(() => tf.scatterND<tf.Rank.R2>(indexColumn(index), inputs[0] as tf.Tensor2D, [rows, width])),
    gradFunc: (dy: tf.Tensor) => tf.tidy(() => tf.gatherND(dy, indexColumn(index))),
  }))(src) as tf.Tensor2D;
}

/**
 * `a · b` whose gradient uses explicit transposes and untransposed products: dA = dy · bᵀ, dB = aᵀ · dy.
 *
 * @param a - `[m, n]`
 * @param b - `[n, p]`
 * @returns `[m, p]`
 */
export function linear(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [left, right, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([left, right]);
    return {
      value: tf.matMul(left, right),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [l, r] = saved as [tf.Tensor2D, tf.Tensor2D];
          return [tf.matMul(dy, tf.transpose(r)), tf.matMul(tf.transpose(l), dy)];
        }),
    };
  })(a, b) as tf.Tensor2D;
}
