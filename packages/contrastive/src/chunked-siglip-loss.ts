import * as tf from '@tensorflow/tfjs-core';
import { chunkRanges, rowDot } from './internal/normalize.js';
import { chunkedPairLoss } from './internal/pair-loss-grad.js';
import { booleanOption, chunkSizeOption, optionsObject, pairedEmbeddings, scalarArg } from './internal/validate.js';

/** Options of {@link chunkedSiglipLoss}. */
export interface ChunkedSiglipLossOptions {
  /**
   * Rows of the logit matrix computed at once: each step holds a `[chunkSize, N]` strip, so peak memory is
   * O(N · chunkSize). Any positive integer; values ≥ N give one strip.
   */
  chunkSize: number;
  /** L2-normalise the rows of both embeddings first (default true). */
  normalize?: boolean;
}

const FN = 'chunkedSiglipLoss';

/**
 * Forward pass. −log σ(−x) = softplus(x) for the negatives and −log σ(x) = softplus(x) − x for the
 * positives, so loss·N = Σ_ij softplus(L_ij) − Σ_i L_ii: one softplus sum per strip plus the N positives.
 */
function forward(image: tf.Tensor2D, text: tf.Tensor2D, scale: tf.Scalar, bias: tf.Scalar, chunkSize: number): tf.Scalar {
  const n = image.shape[0];
  const scaledImage = tf.mul(image, scale);
  const textT = tf.transpose(text);
  let total: tf.Scalar | null = null;
  for (const [start, end] of chunkRanges(n, chunkSize)) {
    const next: tf.Scalar = tf.tidy(() => {
      const logits = tf.add(tf.matMul<tf.Tensor2D>(tf.slice(scaledImage, [start, 0], [end - start, -1]), textT), bias);
      const strip = tf.sum<tf.Scalar>(tf.sum(tf.softplus(logits), 1)); // row sums first, for float32 accuracy
      return tf.add<tf.Scalar>(total ?? 0, strip);
    });
    total?.dispose();
    total = next;
  }
  const positives = tf.add(tf.mul(tf.sum(rowDot(image, text)), scale), tf.mul(bias, n));
  return tf.div(tf.sub(total!, positives), n);
}

/**
 * Backward pass, recomputing each strip of logits. dLoss/dLogits = (σ(L) − I)/N, so with G' = σ(L)/N:
 * dImage = s·(G'·T − T/N), dText = s·(G'ᵀ·I − I/N), dScale = Σ_i I_i·(G'·T)_i − Σ_i I_i·T_i/N,
 * dBias = Σ G' − 1.
 */
function backward(image: tf.Tensor2D, text: tf.Tensor2D, scale: tf.Scalar, bias: tf.Scalar, chunkSize: number, dy: tf.Tensor) {
  const n = image.shape[0];
  const scaleDy = tf.mul(scale, dy); // the upstream gradient folded into the scale
  const textT = tf.transpose(text);
  const dImageParts: tf.Tensor2D[] = [];
  let dScale: tf.Scalar | null = null;
  let dBias: tf.Scalar | null = null;
  let accTextT: tf.Tensor2D | null = null;
  for (const [start, end] of chunkRanges(n, chunkSize)) {
    const rows = end - start;
    const next = tf.tidy(() => {
      const imageRows = tf.slice(image, [start, 0], [rows, -1]);
      const sig = tf.tidy(() => tf.sigmoid(tf.add(tf.matMul<tf.Tensor2D>(tf.mul(imageRows, scale), textT), bias))); // N·G' here
      const h = tf.div(tf.matMul<tf.Tensor2D>(sig, text), n); // G'·T, [rows, dim]
      const strip = tf.matMul<tf.Tensor2D>(tf.transpose(tf.mul(imageRows, tf.div(scaleDy, n))), sig); // [dim, N]
      const sigSum = tf.div(tf.sum(tf.sum(sig, 1)), n);
      const scalePart = tf.sum(tf.mul(imageRows, h));
      return {
        dImage: tf.mul<tf.Tensor2D>(tf.sub(h, tf.div(tf.slice(text, [start, 0], [rows, -1]), n)), scaleDy),
        dScale: tf.add<tf.Scalar>(dScale ?? 0, scalePart),
        dBias: tf.add<tf.Scalar>(dBias ?? 0, sigSum),
        accTextT: accTextT ? tf.add<tf.Tensor2D>(accTextT, strip) : strip,
      };
    });
    dImageParts.push(next.dImage);
    dScale?.dispose();
    dBias?.dispose();
    accTextT?.dispose();
    ({ dScale, dBias, accTextT } = next);
  }
  textT.dispose();
  const dImage = tf.concat<tf.Tensor2D>(dImageParts, 0);
  tf.dispose(dImageParts);
  const dText = tf.tidy(() => tf.sub<tf.Tensor2D>(tf.transpose(accTextT!), tf.mul(image, tf.div(scaleDy, n))));
  accTextT!.dispose();
  const dScaleTotal = tf.tidy(() => tf.mul<tf.Scalar>(tf.sub(dScale!, tf.div(tf.sum(rowDot(image, text)), n)), dy));
  const dBiasTotal = tf.tidy(() => tf.mul<tf.Scalar>(tf.sub(dBias!, 1), dy));
  return { dImage, dText, dScale: dScaleTotal, dBias: dBiasTotal };
}

/**
 * SigLIP's pairwise sigmoid loss — the same value and gradients as {@link siglipLoss} — without ever
 * holding the N×N logit matrix, in the forward pass or the gradient.
 *
 * Forward: strip by strip, Σ softplus(logits) minus the N positive logits, divided by N (open_clip's
 * normalisation). Backward (a `tf.customGrad`): each `[chunkSize, N]` strip of logits is recomputed, its
 * sigmoid is multiplied into the gradients of both embeddings, the scale and the bias, and dropped. Only the
 * inputs are saved between the passes. Peak memory is O(N · (chunkSize + dim)); the sigmoid loss needs no
 * running statistics, so this is simpler than the CLIP case.
 *
 * @param imageEmb - image embeddings `[N, dim]`; row i pairs with row i of `textEmb`
 * @param textEmb - text embeddings `[N, dim]`
 * @param logitScale - the multiplier s (already exponentiated), a number or a scalar tensor
 * @param logitBias - the bias b added to every logit, a number or a scalar tensor
 * @param options - `chunkSize` (required), `normalize` (see {@link ChunkedSiglipLossOptions})
 * @returns the loss, a scalar owned by the caller
 * @throws TypeError when an argument has the wrong kind or `options.chunkSize` is missing; RangeError when
 *   the embeddings are not `[N, dim]` with equal shapes, or `chunkSize` is not a positive integer
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { chunkedSiglipLoss } from '@prep/contrastive';
 * const image = tf.randomNormal([2048, 64]);
 * const text = tf.randomNormal([2048, 64]);
 * const scale = tf.scalar(10);
 * const bias = tf.scalar(-10);
 * const grads = tf.grads((i, t, s, b) => chunkedSiglipLoss(i, t, s as tf.Scalar, b as tf.Scalar, { chunkSize: 128 }))([image, text, scale, bias]);
 * ```
 */
export function chunkedSiglipLoss(
  imageEmb: tf.Tensor2D | tf.TensorLike,
  textEmb: tf.Tensor2D | tf.TensorLike,
  logitScale: number | tf.Scalar,
  logitBias: number | tf.Scalar,
  options: ChunkedSiglipLossOptions,
): tf.Scalar {
  if (options === undefined) throw new TypeError(`${FN}: 'options' is required ({ chunkSize }); got undefined`);
  const opts = optionsObject<ChunkedSiglipLossOptions>(options, FN);
  const chunkSize = chunkSizeOption(opts.chunkSize, FN);
  const normalize = booleanOption(opts.normalize, FN, 'options.normalize', true);
  return tf.tidy(() => {
    const [image, text] = pairedEmbeddings(imageEmb, textEmb, FN);
    const scale = scalarArg(logitScale, FN, 'logitScale');
    const bias = scalarArg(logitBias, FN, 'logitBias');
    const op = chunkedPairLoss(
      normalize,
      (img, txt, s, b) => ({ value: forward(img, txt, s, b, chunkSize), stats: [] }),
      (img, txt, s, b, _stats, dy) => backward(img, txt, s, b, chunkSize, dy),
    );
    return op(image, text, scale, bias);
  });
}
