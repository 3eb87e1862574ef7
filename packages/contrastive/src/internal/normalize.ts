/** Internal: L2 normalisation along the last axis, as PyTorch's `F.normalize(x, dim=-1)`. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Squared floor of the norm (F.normalize's eps = 1e-12): x / max(‖x‖, 1e-12). Written with the squared norm
 * so a zero row gets a zero gradient instead of NaN.
 */
const NORM_EPS_SQUARED = 1e-24;

/** Rows (last axis) scaled to unit L2 norm; a zero row stays zero. Differentiable. */
export function l2Normalize<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), -1, true), NORM_EPS_SQUARED))));
}

/** Row-wise dot products of two `[N, dim]` matrices: `[N]`. */
export function rowDot(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(a, b), 1));
}

/** Row ranges [start, end) of size `chunkSize` (the last one may be shorter). */
export function chunkRanges(n: number, chunkSize: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let start = 0; start < n; start += chunkSize) ranges.push([start, Math.min(n, start + chunkSize)]);
  return ranges;
}

/**
 * Gradient of {@link l2Normalize} at `x` (rows), given the normalised rows `unit` and the upstream gradient
 * `grad`: r·(grad − unit·⟨unit, grad⟩) with r = 1/max(‖x‖, 1e-12); a row below the floor is only scaled.
 */
export function l2NormalizeGrad(x: tf.Tensor2D, unit: tf.Tensor2D, grad: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const sumSquares = tf.sum(tf.square(x), -1, true);
    const inverseNorm = tf.rsqrt(tf.maximum(sumSquares, NORM_EPS_SQUARED));
    const aboveFloor = tf.cast(tf.greater(sumSquares, NORM_EPS_SQUARED), 'float32');
    const radial = tf.mul(tf.mul(tf.sum(tf.mul(unit, grad), -1, true), aboveFloor), unit);
    return tf.mul(tf.sub(grad, radial), inverseNorm);
  });
}

/**
 * exp(a − b) for a ≤ b (shifted log-sum-exp terms), freeing each intermediate as soon as the next exists, so
 * that besides `a` at most two tensors of its size are alive. On the wasm backend tf.exp runs as a scalar
 * loop while tf.sigmoid is vectorised, so there exp(x) = 1 / (1/σ(x) − 1) (exact for every x; for x ≤ 0,
 * 1/σ(x) ≥ 2, so no cancellation) costs about a quarter of the CPU time, within ~6 float32 ulps. Other
 * backends use tf.exp. Call it where no gradient tape records (inside a custom gradient's passes).
 */
export function expOfDifference<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  const x = tf.sub<T>(a, b);
  if (tf.getBackend() !== 'wasm') {
    const out = tf.exp(x);
    x.dispose();
    return out;
  }
  const sigmoid = tf.sigmoid(x);
  x.dispose();
  const inverse = tf.div<T>(1, sigmoid);
  sigmoid.dispose();
  const odds = tf.sub<T>(inverse, 1);
  inverse.dispose();
  const out = tf.div<T>(1, odds);
  odds.dispose();
  return out;
}
