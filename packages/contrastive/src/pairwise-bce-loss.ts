import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize, rowDot } from './internal/normalize.js';
import { booleanOption, embeddingMatrix, got, optionsObject, scalarArg } from './internal/validate.js';

/** Labelled (image, text) index pairs for {@link pairwiseBCELoss}. */
export interface LabelledPairs {
  /** Image row of each pair. */
  i: Int32Array;
  /** Text row of each pair. */
  t: Int32Array;
  /** 1 for a matching pair, 0 for a mismatched one (soft labels in [0, 1] are allowed). */
  label: Float32Array;
}

/** Options of {@link pairwiseBCELoss}. */
export interface PairwiseBCELossOptions {
  /** L2-normalise the rows of both embeddings first (default true). */
  normalize?: boolean;
}

const FN = 'pairwiseBCELoss';

/**
 * Rows of `x` at `indices`, with a gradient that scatter-adds (tf.gather's own gradient needs
 * UnsortedSegmentSum, which the wasm backend lacks).
 */
function gatherRows(x: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [source, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([indices]);
    return {
      value: tf.gather(source, indices),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.scatterND(tf.reshape(saved[0]!, [-1, 1]), dy, source.shape),
    };
  });
  return op(x);
}

function indexArray(value: unknown, arg: string): Int32Array {
  if (value instanceof Int32Array) return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v))) return Int32Array.from(value as number[]);
  throw new TypeError(`${FN}: '${arg}' must be an Int32Array of row indices; got ${got(value)}`);
}

function checkPairs(value: unknown, numImages: number, numTexts: number): { i: Int32Array; t: Int32Array; label: Float32Array } {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof tf.Tensor) {
    throw new TypeError(`${FN}: 'pairs' must be an object { i, t, label }; got ${got(value)}`);
  }
  const p = value as Partial<LabelledPairs>;
  const i = indexArray(p.i, 'pairs.i');
  const t = indexArray(p.t, 'pairs.t');
  let label: Float32Array;
  if (p.label instanceof Float32Array) label = p.label;
  else if (Array.isArray(p.label) && (p.label as unknown[]).every((v) => typeof v === 'number')) label = Float32Array.from(p.label as number[]);
  else throw new TypeError(`${FN}: 'pairs.label' must be a Float32Array of labels in [0, 1]; got ${got(p.label)}`);
  if (i.length === 0) throw new RangeError(`${FN}: 'pairs.i' must not be empty`);
  if (t.length !== i.length || label.length !== i.length) {
    throw new RangeError(`${FN}: 'pairs.i', 'pairs.t' and 'pairs.label' must have one length; got ${i.length}, ${t.length} and ${label.length}`);
  }
  for (let k = 0; k < i.length; k++) {
    if (i[k]! < 0 || i[k]! >= numImages) throw new RangeError(`${FN}: 'pairs.i[${k}]' must be an image row in [0, ${numImages}); got ${i[k]}`);
    if (t[k]! < 0 || t[k]! >= numTexts) throw new RangeError(`${FN}: 'pairs.t[${k}]' must be a text row in [0, ${numTexts}); got ${t[k]}`);
    const y = label[k]!;
    if (!(y >= 0 && y <= 1)) throw new RangeError(`${FN}: 'pairs.label[${k}]' must be in [0, 1]; got ${y}`);
  }
  return { i, t, label };
}

/**
 * The supervised baseline the question contrasts with CLIP: binary cross-entropy on explicitly labelled
 * (image, text) pairs, each scored alone — logit x = s·cos(I_i, T_t) + b, loss = mean over pairs of
 * −[y·log σ(x) + (1 − y)·log σ(−x)] (computed as softplus(x) − y·x). Unlike CLIP and SigLIP it sees only
 * the negatives it is given, so its cost is O(pairs · dim), not O(N² · dim).
 *
 * @param imageEmb - image embeddings `[numImages, dim]`
 * @param textEmb - text embeddings `[numTexts, dim]` (the same dim; the counts may differ)
 * @param pairs - `{ i, t, label }`: image row, text row and label of each pair (see {@link LabelledPairs})
 * @param logitScale - the multiplier s, a number or a scalar tensor
 * @param logitBias - the bias b, a number or a scalar tensor
 * @param options - `normalize` (see {@link PairwiseBCELossOptions})
 * @returns the mean loss over the pairs, a scalar owned by the caller; differentiable with respect to both
 *   embeddings, the scale and the bias (the gathers scatter-add their gradients, on every backend)
 * @throws TypeError when an argument has the wrong kind; RangeError for a dim mismatch, empty or unequal
 *   pair arrays, an index out of range or a label outside [0, 1]
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { pairwiseBCELoss } from '@prep/contrastive';
 * const image = tf.randomNormal([4, 16]);
 * const text = tf.randomNormal([4, 16]);
 * // the two matching pairs (0,0), (1,1) and two mismatched ones (0,1), (1,0)
 * const pairs = { i: Int32Array.from([0, 1, 0, 1]), t: Int32Array.from([0, 1, 1, 0]), label: Float32Array.from([1, 1, 0, 0]) };
 * const loss = pairwiseBCELoss(image, text, pairs, 10, -5);
 * ```
 */
export function pairwiseBCELoss(
  imageEmb: tf.Tensor2D | tf.TensorLike,
  textEmb: tf.Tensor2D | tf.TensorLike,
  pairs: LabelledPairs,
  logitScale: number | tf.Scalar,
  logitBias: number | tf.Scalar,
  options?: PairwiseBCELossOptions,
): tf.Scalar {
  const opts = optionsObject<PairwiseBCELossOptions>(options, FN);
  const normalize = booleanOption(opts.normalize, FN, 'options.normalize', true);
  return tf.tidy(() => {
    const image = embeddingMatrix(imageEmb, FN, 'imageEmb');
    const text = embeddingMatrix(textEmb, FN, 'textEmb');
    if (text.shape[1] !== image.shape[1]) {
      throw new RangeError(`${FN}: 'textEmb' must have the dim of 'imageEmb' (${image.shape[1]}); got shape [${text.shape.join(', ')}]`);
    }
    const { i, t, label } = checkPairs(pairs, image.shape[0], text.shape[0]);
    const scale = scalarArg(logitScale, FN, 'logitScale');
    const bias = scalarArg(logitBias, FN, 'logitBias');
    const img = normalize ? l2Normalize(image) : image;
    const txt = normalize ? l2Normalize(text) : text;
    const cos = rowDot(gatherRows(img, tf.tensor1d(i, 'int32')), gatherRows(txt, tf.tensor1d(t, 'int32')));
    const logits = tf.add(tf.mul(cos, scale), bias);
    return tf.mean(tf.sub(tf.softplus(logits), tf.mul(tf.tensor1d(label), logits)));
  });
}
