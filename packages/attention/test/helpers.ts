/** Shared helpers of this package's tests. */
import { profileTensors, tf, type TensorProfile } from '@prep/test-utils/tensor';

/** A fixture case with q, k, v, an upstream gradient G and the reference output and gradients of sum(out·G). */
export interface GradCase {
  name: string;
  qShape: number[];
  kShape: number[];
  vShape: number[];
  q: number[];
  k: number[];
  v: number[];
  upstream: number[];
  out: number[];
  dq: number[];
  dk: number[];
  dv: number[];
}

export type Op = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor;

export function tensorsOf(c: GradCase): { q: tf.Tensor4D; k: tf.Tensor4D; v: tf.Tensor4D; upstream: tf.Tensor4D } {
  const shape = (s: number[]) => s as [number, number, number, number];
  return {
    q: tf.tensor4d(c.q, shape(c.qShape)),
    k: tf.tensor4d(c.k, shape(c.kShape)),
    v: tf.tensor4d(c.v, shape(c.vShape)),
    upstream: tf.tensor4d(c.upstream, [c.qShape[0]!, c.qShape[1]!, c.qShape[2]!, c.vShape[3]!]),
  };
}

/** Output and the gradients of sum(op(q, k, v) · upstream) w.r.t. q, k and v. */
export function forwardAndGrads(op: Op, q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, upstream: tf.Tensor): tf.Tensor[] {
  const out = op(q, k, v);
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(op(a, b, c), upstream)))([q, k, v]);
  return [out, ...grads];
}

/** Rows of each attention matrix sum to one: with v = identity rows the output is the probability matrix. */
export function identityValues(batch: number, heads: number, n: number): tf.Tensor4D {
  return tf.tidy(() => tf.tile<tf.Tensor4D>(tf.reshape(tf.eye(n), [1, 1, n, n]), [batch, heads, 1, 1]));
}


/**
 * `profileTensors`, with `peakBytes` made relative: tf.profile reports the absolute peak of all live
 * tensors (inputs and anything else alive), so subtract what was live before `fn` ran.
 */
export async function profileOp(fn: () => tf.TensorContainer): Promise<TensorProfile> {
  const liveBefore = tf.memory().numBytes;
  const profile = await profileTensors(fn);
  return { ...profile, peakBytes: profile.peakBytes - liveBefore };
}
