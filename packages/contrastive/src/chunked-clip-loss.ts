import * as tf from '@tensorflow/tfjs-core';
import { chunkRanges, expOfDifference, rowDot } from './internal/normalize.js';
import { chunkedPairLoss } from './internal/pair-loss-grad.js';
import { booleanOption, chunkSizeOption, optionsObject, pairedEmbeddings, scalarArg } from './internal/validate.js';

/** Options of {@link chunkedClipLoss}. */
export interface ChunkedClipLossOptions {
  /**
   * Rows of the logit matrix computed at once: each step holds a `[chunkSize, N]` strip, so peak memory is
   * O(N · chunkSize). Any positive integer; values ≥ N give one strip.
   */
  chunkSize: number;
  /** Added to every logit; cancels in both softmaxes (see {@link ClipLossOptions.logitBias}). */
  logitBias?: number | tf.Scalar;
  /** L2-normalise the rows of both embeddings first (default true). */
  normalize?: boolean;
}

const FN = 'chunkedClipLoss';

/** Keeps `next`, disposes `prev`. */
function swap<T extends tf.Tensor>(prev: tf.Tensor | null, next: T): T {
  prev?.dispose();
  return next;
}

/**
 * Forward pass: row log-sum-exps strip by strip, column log-sum-exps merged online across strips
 * (running max and rescaled running sum, as online softmax does).
 */
function forward(image: tf.Tensor2D, text: tf.Tensor2D, scale: tf.Scalar, chunkSize: number) {
  const n = image.shape[0];
  const scaledImage = tf.mul(image, scale);
  const textT = tf.transpose(text);
  const rowLse: tf.Tensor2D[] = [];
  let colMax: tf.Tensor2D | null = null;
  let colSum: tf.Tensor2D | null = null;
  for (const [start, end] of chunkRanges(n, chunkSize)) {
    const rows = end - start;
    const logits = tf.tidy(() => tf.matMul<tf.Tensor2D>(tf.slice(scaledImage, [start, 0], [rows, -1]), textT)); // [rows, N]
    rowLse.push(tf.tidy(() => {
      const m = tf.max(logits, 1, true);
      return tf.add(tf.log(tf.sum(expOfDifference(logits, m), 1, true)), m);
    }));
    const nextMax: tf.Tensor2D = tf.tidy(() => {
      const m = tf.max<tf.Tensor2D>(logits, 0, true);
      return colMax ? tf.maximum<tf.Tensor2D>(colMax, m) : m;
    });
    const nextSum: tf.Tensor2D = tf.tidy(() => {
      // Column sums as a [1, rows] × [rows, N] product: faster than a reduction over axis 0 on wasm.
      const strip = tf.matMul<tf.Tensor2D>(tf.ones<tf.Rank.R2>([1, rows]), expOfDifference(logits, nextMax));
      return colSum && colMax ? tf.add<tf.Tensor2D>(tf.mul(colSum, tf.exp(tf.sub(colMax, nextMax))), strip) : strip;
    });
    logits.dispose();
    colSum = swap(colSum, nextSum);
    colMax = swap(colMax, nextMax);
  }
  const rowLogSumExp = tf.reshape(tf.concat(rowLse, 0), [n]);
  const colLogSumExp = tf.reshape(tf.add(tf.log(colSum!), colMax!), [n]);
  const positives = tf.mul(rowDot(image, text), scale);
  const value = tf.sub(tf.div(tf.add(tf.sum(rowLogSumExp), tf.sum(colLogSumExp)), 2 * n), tf.div(tf.sum(positives), n));
  return { value: value as tf.Scalar, rowLogSumExp, colLogSumExp };
}

/**
 * Backward pass, recomputing each strip of logits. With P the row softmax, Q the column softmax and
 * G = (P + Q)/(2N) − I/N = dLoss/dLogits: dImage = s·G·T, dText = s·Gᵀ·I, dScale = Σ G ⊙ (I·Tᵀ)
 * = Σ_i I_i · (G·T)_i, and dBias = Σ G = 0 exactly (each softmax sums to one).
 */
function backward(
  image: tf.Tensor2D,
  text: tf.Tensor2D,
  scale: tf.Scalar,
  rowLogSumExp: tf.Tensor1D,
  colLogSumExp: tf.Tensor1D,
  chunkSize: number,
  dy: tf.Tensor,
) {
  const n = image.shape[0];
  const scaleDy = tf.mul(scale, dy); // the upstream gradient folded into the scale
  const logTwoN = Math.log(2 * n);
  const textT = tf.transpose(text);
  // Folding 1/(2N) into the shifts: exp(L − lse − ln 2N) = softmax / 2N.
  const rowShift = tf.reshape(tf.add(rowLogSumExp, logTwoN), [n, 1]);
  const colShift = tf.reshape(tf.add(colLogSumExp, logTwoN), [1, n]);
  const dImageParts: tf.Tensor2D[] = [];
  let dScale: tf.Scalar | null = null;
  let accTextT: tf.Tensor2D | null = null;
  for (const [start, end] of chunkRanges(n, chunkSize)) {
    const rows = end - start;
    const next = tf.tidy(() => {
      const imageRows = tf.slice(image, [start, 0], [rows, -1]);
      const scaledRows = tf.mul(imageRows, scale);
      const g = tf.tidy(() => {
        const logits = tf.matMul<tf.Tensor2D>(scaledRows, textT);
        const rowPart = expOfDifference(logits, tf.slice(rowShift, [start, 0], [rows, 1]));
        const colPart = expOfDifference(logits, colShift);
        logits.dispose();
        const sum = tf.add(rowPart, colPart);
        tf.dispose([rowPart, colPart]);
        return sum;
      }); // (P + Q)/(2N) for these rows, [rows, N]
      const h = tf.matMul<tf.Tensor2D>(g, text); // [rows, dim]
      const strip = tf.matMul<tf.Tensor2D>(tf.transpose(tf.mul(imageRows, scaleDy)), g); // [dim, N]
      return {
        dImage: tf.mul<tf.Tensor2D>(tf.sub(h, tf.div(tf.slice(text, [start, 0], [rows, -1]), n)), scaleDy),
        dScale: tf.add<tf.Scalar>(dScale ?? 0, tf.sum(tf.mul(imageRows, h))),
        accTextT: accTextT ? tf.add<tf.Tensor2D>(accTextT, strip) : strip,
      };
    });
    dImageParts.push(next.dImage);
    dScale = swap(dScale, next.dScale);
    accTextT = swap(accTextT, next.accTextT);
  }
  textT.dispose();
  const dImage = tf.concat<tf.Tensor2D>(dImageParts, 0);
  tf.dispose(dImageParts);
  const dText = tf.tidy(() => tf.sub<tf.Tensor2D>(tf.transpose(accTextT!), tf.mul(image, tf.div(scaleDy, n))));
  accTextT!.dispose();
  const dScaleTotal = tf.tidy(() => tf.mul<tf.Scalar>(tf.sub(dScale!, tf.div(tf.sum(rowDot(image, text)), n)), dy));
  return { dImage, dText, dScale: dScaleTotal };
}

/**
 * CLIP's symmetric InfoNCE loss — the same value and gradients as {@link clipLoss} — without ever holding
 * the N×N logit matrix, in the forward pass or the gradient.
 *
 * Forward: for each strip of `chunkSize` image rows it computes the `[chunkSize, N]` logits, takes their
 * row log-sum-exps and merges their column log-sum-exps into running values (online softmax). Only the
 * 2N log-sum-exps are saved. Backward (a `tf.customGrad`, as GradCache-style training does): each strip of
 * logits is recomputed, turned into its block of dLoss/dLogits = (rowSoftmax + colSoftmax)/(2N) − I/N and
 * multiplied into the gradients of both embeddings and the scale, then dropped. Peak memory is
 * O(N · (chunkSize + dim)); time is about four N²·dim matrix products for the forward and backward
 * together. The normalisation of the rows runs outside the custom gradient, through tfjs autodiff.
 *
 * The bias cancels exactly, so it is not added to the logits here (the dense version adds it and loses it
 * again in rounding); its gradient is exactly zero.
 *
 * @param imageEmb - image embeddings `[N, dim]`; row i pairs with row i of `textEmb`
 * @param textEmb - text embeddings `[N, dim]`
 * @param logitScale - the multiplier s (already exponentiated), a number or a scalar tensor
 * @param options - `chunkSize` (required), `logitBias`, `normalize` (see {@link ChunkedClipLossOptions})
 * @returns the loss, a scalar owned by the caller
 * @throws TypeError when an argument has the wrong kind or `options.chunkSize` is missing; RangeError when
 *   the embeddings are not `[N, dim]` with equal shapes, or `chunkSize` is not a positive integer
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { chunkedClipLoss } from '@prep/contrastive';
 * const image = tf.randomNormal([4096, 64]);
 * const text = tf.randomNormal([4096, 64]);
 * const scale = tf.scalar(1 / 0.07);
 * // strips of 256 × 4096 instead of one 4096 × 4096 matrix, in the forward pass and in the gradient
 * const [dImage, dText, dScale] = tf.grads((i, t, s) => chunkedClipLoss(i, t, s as tf.Scalar, { chunkSize: 256 }))([image, text, scale]);
 * ```
 */
export function chunkedClipLoss(
  imageEmb: tf.Tensor2D | tf.TensorLike,
  textEmb: tf.Tensor2D | tf.TensorLike,
  logitScale: number | tf.Scalar,
  options: ChunkedClipLossOptions,
): tf.Scalar {
  if (options === undefined) throw new TypeError(`${FN}: 'options' is required ({ chunkSize }); got undefined`);
  const opts = optionsObject<ChunkedClipLossOptions>(options, FN);
  const chunkSize = chunkSizeOption(opts.chunkSize, FN);
  const normalize = booleanOption(opts.normalize, FN, 'options.normalize', true);
  return tf.tidy(() => {
    const [image, text] = pairedEmbeddings(imageEmb, textEmb, FN);
    const scale = scalarArg(logitScale, FN, 'logitScale');
    const bias = opts.logitBias === undefined ? tf.scalar(0) : scalarArg(opts.logitBias, FN, 'options.logitBias');
    const op = chunkedPairLoss(
      normalize,
      (img, txt, s) => {
        const { value, rowLogSumExp, colLogSumExp } = forward(img, txt, s, chunkSize);
        return { value, stats: [rowLogSumExp, colLogSumExp] };
      },
      (img, txt, s, b, stats, dy) => ({
        ...backward(img, txt, s, stats[0] as tf.Tensor1D, stats[1] as tf.Tensor1D, chunkSize, dy),
        dBias: tf.zerosLike(b), // a constant shift cancels in both softmaxes
      }),
    );
    return op(image, text, scale, bias);
  });
}
