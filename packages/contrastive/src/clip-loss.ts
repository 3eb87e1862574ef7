import * as tf from '@tensorflow/tfjs-core';
import { logSumExp, matMul } from './internal/dense-ops.js';
import { l2Normalize } from './internal/normalize.js';
import { booleanOption, optionsObject, pairedEmbeddings, scalarArg } from './internal/validate.js';

/** Options of {@link clipLoss}. */
export interface ClipLossOptions {
  /**
   * Added to every logit (open_clip's optional `logit_bias`). A constant shift cancels in both softmaxes, so
   * it changes neither the loss nor the embeddings' gradients, and its own gradient is zero.
   */
  logitBias?: number | tf.Scalar;
  /** L2-normalise the rows of both embeddings first (default true). */
  normalize?: boolean;
}

const FN = 'clipLoss';

/**
 * CLIP's symmetric InfoNCE loss on the full N×N logit matrix, as open_clip's `ClipLoss`:
 * L = s·I·Tᵀ + b, loss = (CE(L, diag) + CE(Lᵀ, diag)) / 2 with each cross-entropy a mean over rows.
 *
 * This is the dense reference: it builds the `[N, N]` logits (and autodiff keeps several more N×N tensors
 * for the gradient), so memory grows as N². Use {@link chunkedClipLoss} for large batches; it gives the
 * same value and gradients in O(N · chunkSize) memory. Differentiable with tfjs autodiff with respect to
 * both embeddings and, when given as tensors, the scale and the bias; the matrix product and the
 * log-sum-exps carry their textbook gradients written without transposed products (tfjs's own are several
 * times slower on wasm).
 *
 * @param imageEmb - image embeddings `[N, dim]`; row i pairs with row i of `textEmb`
 * @param textEmb - text embeddings `[N, dim]`
 * @param logitScale - the multiplier s, already exponentiated (1/0.07 ≈ 14.29 at CLIP's init, at most 100);
 *   a number or a scalar tensor such as {@link LearnableTemperature.scale}
 * @param options - `logitBias`, `normalize` (see {@link ClipLossOptions})
 * @returns the loss, a scalar owned by the caller; ln N when all logits are equal
 * @throws TypeError when an argument has the wrong kind; RangeError when the embeddings are not `[N, dim]`
 *   with equal shapes, or a number is not finite
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { clipLoss } from '@prep/contrastive';
 * const image = tf.tensor2d([[1, 0], [0, 1]]);
 * clipLoss(image, image, 100).dataSync()[0];                 // ≈ 0: each pair is 100 logits ahead
 * clipLoss(image, tf.reverse(image, 0), 100).dataSync()[0];  // ≈ 100: every pair mismatched
 * clipLoss(image, image, 0).dataSync()[0];                   // ln 2: all logits equal
 * ```
 */
export function clipLoss(
  imageEmb: tf.Tensor2D | tf.TensorLike,
  textEmb: tf.Tensor2D | tf.TensorLike,
  logitScale: number | tf.Scalar,
  options?: ClipLossOptions,
): tf.Scalar {
  const opts = optionsObject<ClipLossOptions>(options, FN);
  const normalize = booleanOption(opts.normalize, FN, 'options.normalize', true);
  return tf.tidy(() => {
    const [image, text] = pairedEmbeddings(imageEmb, textEmb, FN);
    const scale = scalarArg(logitScale, FN, 'logitScale');
    const bias = opts.logitBias === undefined ? null : scalarArg(opts.logitBias, FN, 'options.logitBias');
    const img = normalize ? l2Normalize(image) : image;
    const txt = normalize ? l2Normalize(text) : text;
    let logits: tf.Tensor2D = tf.mul(matMul(img, tf.transpose(txt)), scale);
    if (bias) logits = tf.add(logits, bias);
    const n = image.shape[0];
    const positives = tf.sum(tf.mul(logits, tf.eye(n)), 1); // the diagonal, from the same matrix
    const imageToText = tf.mean(tf.sub(tf.reshape(logSumExp(logits, 1), [n]), positives));
    const textToImage = tf.mean(tf.sub(tf.reshape(logSumExp(logits, 0), [n]), positives));
    return tf.div(tf.add(imageToText, textToImage), 2);
  });
}
