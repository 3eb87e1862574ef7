/** Fixture types and small helpers shared by the @prep/contrastive tests. */
import { loadFixture } from '@prep/test-utils';
import { seededValues, tf } from '@prep/test-utils/tensor';
import raw from './fixtures/contrastive.json';
import { chunkedClipLoss, chunkedSiglipLoss, clipLoss, siglipLoss } from '../src/index.js';

export interface LossCase {
  name: string;
  kind: 'clip' | 'siglip';
  n: number;
  dim: number;
  scale: number;
  bias: number | null;
  normalize: boolean;
  image: number[];
  text: number[];
  loss: number;
  dImage: number[];
  dText: number[];
  dScale: number;
  dBias: number;
}

export interface PairwiseCase {
  name: string;
  numImages: number;
  numTexts: number;
  dim: number;
  scale: number;
  bias: number;
  normalize: boolean;
  image: number[];
  text: number[];
  i: number[];
  t: number[];
  label: number[];
  loss: number;
  dImage: number[];
  dText: number[];
  dScale: number;
  dBias: number;
}

export const fixture = loadFixture<{ losses: LossCase[]; pairwise: PairwiseCase[] }>(raw);

export function lossCase(name: string): LossCase {
  const c = fixture.losses.find((x) => x.name.startsWith(name));
  if (!c) throw new Error(`no fixture case '${name}'`);
  return c;
}

/** Builds a loss of (image, text, scale, bias) for the dense or chunked op of a fixture case. */
export function lossFn(c: LossCase, chunkSize: number | null): (i: tf.Tensor, t: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => tf.Scalar {
  const normalize = c.normalize;
  if (c.kind === 'clip') {
    return (i, t, s, b) =>
      chunkSize === null
        ? clipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, { logitBias: b as tf.Scalar, normalize })
        : chunkedClipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, { logitBias: b as tf.Scalar, normalize, chunkSize });
  }
  return (i, t, s, b) =>
    chunkSize === null
      ? siglipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, b as tf.Scalar, { normalize })
      : chunkedSiglipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, b as tf.Scalar, { normalize, chunkSize });
}

export function caseInputs(c: LossCase): [tf.Tensor2D, tf.Tensor2D, tf.Scalar, tf.Scalar] {
  return [tf.tensor2d(c.image, [c.n, c.dim]), tf.tensor2d(c.text, [c.n, c.dim]), tf.scalar(c.scale), tf.scalar(c.bias ?? 0)];
}

/** Value and the four gradients of a loss at the given inputs (tensors owned by the caller). */
export function valueAndGrads(
  f: (i: tf.Tensor, t: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => tf.Scalar,
  inputs: tf.Tensor[],
): { value: tf.Scalar; grads: tf.Tensor[] } {
  const { value, grads } = tf.valueAndGrads((i: tf.Tensor, t: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => f(i, t, s, b))(inputs);
  return { value, grads };
}

/** A seeded standard-normal-ish [n, dim] matrix with unit rows, as open_clip's tests build their features. */
export function unitRows(values: Float32Array, n: number, dim: number): tf.Tensor2D {
  return tf.tidy(() => {
    const x = tf.tensor2d(values, [n, dim]);
    return tf.div(x, tf.norm(x, 'euclidean', 1, true));
  });
}

/** Seeded standard normal values (Box–Muller over the shared mulberry32 uniforms). */
export function gaussianValues(count: number, seed: number): Float32Array {
  const u = seededValues(2 * count, seed, 0, 1);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const r = Math.sqrt(-2 * Math.log(Math.max(u[2 * i]!, 1e-12)));
    out[i] = r * Math.cos(2 * Math.PI * u[2 * i + 1]!);
  }
  return out;
}

/** open_clip's `_make_inputs` for its chunked-loss tests: unit-row features, scale 10, bias −10. */
export function openClipInputs(batch: number, dim = 32, seed = 0): [tf.Tensor2D, tf.Tensor2D, tf.Scalar, tf.Scalar] {
  return [
    unitRows(gaussianValues(batch * dim, 2 * seed + 1), batch, dim),
    unitRows(gaussianValues(batch * dim, 2 * seed + 2), batch, dim),
    tf.scalar(10),
    tf.scalar(-10),
  ];
}
