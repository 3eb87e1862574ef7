import * as tf from '@tensorflow/tfjs-core';
import { matMul } from './internal/dense-ops.js';
import { l2Normalize } from './internal/normalize.js';
import { booleanOption, optionsObject, pairedEmbeddings, scalarArg } from './internal/validate.js';

/** Options of {@link siglipLoss}. */
export interface SiglipLossOptions {
  /** L2-normalise the rows of both embeddings first (default true). */
  normalize?: boolean;
}

const FN = 'siglipLoss';

/**
 * SigLIP's pairwise sigmoid loss on the full N×N logit matrix, with open_clip's normalisation
 * (`SigLipLoss`): L = s·I·Tᵀ + b, loss = −Σ_ij log σ(z_ij · L_ij) / N with z = +1 on the diagonal
 * (matching pairs) and −1 elsewhere. The sum runs over all N² pairs but is divided by N, not N².
 *
 * This is the dense reference (memory grows as N²); {@link chunkedSiglipLoss} gives the same value and
 * gradients in O(N · chunkSize) memory. The matrix product's gradient is written without transposed products
 * (tfjs's own is several times slower on wasm). Differentiable with respect to both embeddings, the scale and
 * the bias (when given as tensors). SigLIP initialises s = 10 and b = −10.
 *
 * @param imageEmb - image embeddings `[N, dim]`; row i pairs with row i of `textEmb`
 * @param textEmb - text embeddings `[N, dim]`
 * @param logitScale - the multiplier s (already exponentiated), a number or a scalar tensor
 * @param logitBias - the bias b added to every logit, a number or a scalar tensor
 * @param options - `normalize` (see {@link SiglipLossOptions})
 * @returns the loss, a scalar owned by the caller; N·ln 2 when every logit is 0
 * @throws TypeError when an argument has the wrong kind; RangeError when the embeddings are not `[N, dim]`
 *   with equal shapes, or a number is not finite
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { siglipLoss } from '@prep/contrastive';
 * const image = tf.tensor2d([[1, 0], [0, 1]]);
 * // positives have logit 10·1 − 10 = 0 (ln 2 each), negatives −10 (≈ 4.5e−5 each); sum / N = 2·0.693/2
 * siglipLoss(image, image, 10, -10).dataSync()[0]; // ≈ 0.6932
 * ```
 */
export function siglipLoss(
  imageEmb: tf.Tensor2D | tf.TensorLike,
  textEmb: tf.Tensor2D | tf.TensorLike,
  logitScale: number | tf.Scalar,
  logitBias: number | tf.Scalar,
  options?: SiglipLossOptions,
): tf.Scalar {
  const opts = optionsObject<SiglipLossOptions>(options, FN);
  const normalize = booleanOption(opts.normalize, FN, 'options.normalize', true);
  return tf.tidy(() => {
    const [image, text] = pairedEmbeddings(imageEmb, textEmb, FN);
    const scale = scalarArg(logitScale, FN, 'logitScale');
    const bias = scalarArg(logitBias, FN, 'logitBias');
    const img = normalize ? l2Normalize(image) : image;
    const txt = normalize ? l2Normalize(text) : text;
    const logits = tf.add(tf.mul(matMul(img, tf.transpose(txt)), scale), bias);
    const n = image.shape[0];
    const labels = tf.sub(tf.mul(tf.eye(n), 2), 1);
    // −log σ(x) = softplus(−x). (tf.logSigmoid's gradient reads its input after a tidy has freed it.)
    // Row sums first: one float32 sum over all N² terms loses the small negatives' terms on wasm.
    return tf.div(tf.sum(tf.sum(tf.softplus(tf.neg(tf.mul(labels, logits))), 1)), n);
  });
}
