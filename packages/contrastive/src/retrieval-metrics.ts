import * as tf from '@tensorflow/tfjs-core';
import { chunkRanges, l2Normalize } from './internal/normalize.js';
import { booleanOption, got, numberOption, optionsObject, pairedEmbeddings } from './internal/validate.js';

/** Options of {@link retrievalMetrics}. */
export interface RetrievalMetricsOptions {
  /** The k of recall@k (default [1, 5, 10]); positive integers. */
  ks?: number[];
  /** Rows and columns of each similarity block (default 1024); memory is O(chunkSize²) per block. */
  chunkSize?: number;
  /** L2-normalise the rows of both embeddings first (default true); positive scales do not change ranks. */
  normalize?: boolean;
}

/** Retrieval quality in one direction. */
export interface DirectionMetrics {
  /** recall@k for each requested k: the fraction of queries whose match is among the top k. */
  recall: Record<number, number>;
  /** Mean 1-based rank of the match. */
  meanRank: number;
  /** ⌊median of the 0-based ranks⌋ + 1, as open_clip (numpy's median averages the middle two). */
  medianRank: number;
}

/** What {@link retrievalMetrics} resolves to. */
export interface RetrievalMetrics {
  /** Each image queries all texts; its match is the text of the same row. */
  imageToText: DirectionMetrics;
  /** Each text queries all images. */
  textToImage: DirectionMetrics;
}

const FN = 'retrievalMetrics';

/** 0/1 masks `[n, n]`: strictly upper (column > row) and strictly lower (column < row). */
function triangles(n: number): { upper: tf.Tensor2D; lower: tf.Tensor2D } {
  const upper = new Float32Array(n * n);
  const lower = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j > i) upper[i * n + j] = 1;
      else if (j < i) lower[i * n + j] = 1;
    }
  }
  return { upper: tf.tensor2d(upper, [n, n]), lower: tf.tensor2d(lower, [n, n]) };
}

function summarize(ranks: Int32Array, ks: number[]): DirectionMetrics {
  const n = ranks.length;
  let total = 0;
  for (const r of ranks) total += r;
  const sorted = Int32Array.from(ranks).sort();
  const middle = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  const recall: Record<number, number> = {};
  for (const k of ks) {
    let hits = 0;
    for (const r of ranks) if (r < k) hits++;
    recall[k] = hits / n;
  }
  return { recall, meanRank: total / n + 1, medianRank: Math.floor(middle) + 1 };
}

/**
 * Image→text and text→image retrieval metrics of a batch of pairs (recall@k, mean and median rank), computed
 * block by block so that it scales like the chunked losses: memory O(chunkSize² + N·dim), never N×N.
 *
 * Conventions follow open_clip's `get_clip_metrics`: the rank of a query's match counts the candidates that
 * score strictly higher, plus those that tie with it and have a lower index (ties go to the lower index);
 * ranks are reported 1-based; recall@k is the fraction of 0-based ranks below k; the median rank is
 * ⌊median⌋ + 1. Each match's own score comes from the same matrix product as the scores it is compared
 * with, so exact ties (identical embeddings) are detected exactly. Comparisons use `tf.step` on differences,
 * which is exact for finite float32 values.
 *
 * Async because reading the counts back is (WebGPU cannot read synchronously); it yields between row blocks.
 *
 * @param imageEmb - image embeddings `[N, dim]`; row i pairs with row i of `textEmb`
 * @param textEmb - text embeddings `[N, dim]`
 * @param options - `ks`, `chunkSize`, `normalize` (see {@link RetrievalMetricsOptions})
 * @returns a promise of {@link RetrievalMetrics}; the inputs are not disposed
 * @throws (rejects with) TypeError when an argument has the wrong kind; RangeError for mismatched shapes, an
 *   empty or non-integer `ks`, or a bad `chunkSize`
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { retrievalMetrics } from '@prep/contrastive';
 * const image = tf.randomNormal([1000, 64]);
 * const text = tf.add(image, tf.randomNormal([1000, 64], 0, 0.5)); // noisy copies
 * const m = await retrievalMetrics(image, text, { ks: [1, 5] });
 * m.imageToText.recall[1]; // close to 1
 * ```
 */
export async function retrievalMetrics(
  imageEmb: tf.Tensor2D | tf.TensorLike,
  textEmb: tf.Tensor2D | tf.TensorLike,
  options?: RetrievalMetricsOptions,
): Promise<RetrievalMetrics> {
  const opts = optionsObject<RetrievalMetricsOptions>(options, FN);
  let ks = [1, 5, 10];
  if (opts.ks !== undefined) {
    if (!Array.isArray(opts.ks)) throw new TypeError(`${FN}: 'options.ks' must be an array of positive integers; got ${got(opts.ks)}`);
    if (opts.ks.length === 0) throw new RangeError(`${FN}: 'options.ks' must not be empty`);
    ks = opts.ks.map((k, i) => numberOption(k, FN, `options.ks[${i}]`, { positive: true, integer: true }));
  }
  const chunkSize = opts.chunkSize === undefined ? 1024 : numberOption(opts.chunkSize, FN, 'options.chunkSize', { positive: true, integer: true });
  const normalize = booleanOption(opts.normalize, FN, 'options.normalize', true);

  const [image, text] = tf.tidy(() => {
    const [img, txt] = pairedEmbeddings(imageEmb, textEmb, FN);
    return normalize ? [l2Normalize(img), l2Normalize(txt)] : [tf.clone(img), tf.clone(txt)];
  });
  const n = image.shape[0];
  const ranges = chunkRanges(n, chunkSize);
  const imageRanks = new Int32Array(n);
  const textRanks = new Int32Array(n);
  const masks = new Map<number, { upper: tf.Tensor2D; lower: tf.Tensor2D }>();
  const imageBlocks: tf.Tensor2D[] = [];
  const textBlocksT: tf.Tensor2D[] = [];
  const targets: tf.Tensor2D[] = [];
  const textCounts: tf.Tensor2D[] = [];
  try {
    for (const [start, end] of ranges) {
      const rows = end - start;
      if (!masks.has(rows)) masks.set(rows, triangles(rows));
      const imageBlock = tf.slice(image, [start, 0], [rows, -1]);
      const textBlockT = tf.tidy(() => tf.transpose<tf.Tensor2D>(tf.slice(text, [start, 0], [rows, -1])));
      imageBlocks.push(imageBlock);
      textBlocksT.push(textBlockT);
      // The match scores, taken from the same product shape as the comparisons below.
      targets.push(tf.tidy(() => tf.reshape(tf.sum(tf.mul(tf.matMul(imageBlock, textBlockT), tf.eye(rows)), 1), [rows, 1])));
      textCounts.push(tf.zeros([1, rows]));
    }
    for (let a = 0; a < ranges.length; a++) {
      const rowsA = imageBlocks[a]!.shape[0];
      let imageCount: tf.Tensor2D = tf.zeros([rowsA, 1]);
      for (let b = 0; b < ranges.length; b++) {
        const colsB = textBlocksT[b]!.shape[1];
        const next = tf.tidy(() => {
          const scores = tf.matMul<tf.Tensor2D>(imageBlocks[a]!, textBlocksT[b]!); // [rowsA, colsB]
          const rowTarget = targets[a]!; // [rowsA, 1]: each image's match score
          const colTarget = tf.reshape(targets[b]!, [1, colsB]); // each text's match score
          const ones = tf.ones<tf.Rank.R2>([1, rowsA]);
          let imageHits: tf.Tensor2D;
          let textHits: tf.Tensor2D;
          if (b < a) {
            // every candidate text has a lower index: ties count, so count score ≥ target
            imageHits = tf.sub(colsB, tf.sum(tf.step(tf.sub(rowTarget, scores)), 1, true));
            // every candidate image has a higher index than the querying text: strictly greater only
            textHits = tf.matMul(ones, tf.step(tf.sub(scores, colTarget)));
          } else if (b > a) {
            imageHits = tf.sum(tf.step(tf.sub(scores, rowTarget)), 1, true);
            textHits = tf.sub(rowsA, tf.matMul(ones, tf.step(tf.sub(colTarget, scores))));
          } else {
            const { upper, lower } = masks.get(rowsA)!;
            const imageGreater = tf.step(tf.sub(scores, rowTarget));
            const imageTieOrGreater = tf.sub(1, tf.step(tf.sub(rowTarget, scores)));
            imageHits = tf.sum(tf.add(tf.mul(upper, imageGreater), tf.mul(lower, imageTieOrGreater)), 1, true);
            const textGreater = tf.step(tf.sub(scores, colTarget));
            const textTieOrGreater = tf.sub(1, tf.step(tf.sub(colTarget, scores)));
            textHits = tf.matMul(ones, tf.add(tf.mul(lower, textGreater), tf.mul(upper, textTieOrGreater)));
          }
          return { image: tf.add<tf.Tensor2D>(imageCount, imageHits), text: tf.add<tf.Tensor2D>(textCounts[b]!, textHits) };
        });
        imageCount.dispose();
        textCounts[b]!.dispose();
        imageCount = next.image;
        textCounts[b] = next.text;
      }
      const counts = await imageCount.data();
      imageCount.dispose();
      const [start] = ranges[a]!;
      for (let i = 0; i < rowsA; i++) imageRanks[start + i] = Math.round(counts[i]!);
    }
    for (let b = 0; b < ranges.length; b++) {
      const counts = await textCounts[b]!.data();
      const [start] = ranges[b]!;
      for (let j = 0; j < counts.length; j++) textRanks[start + j] = Math.round(counts[j]!);
    }
  } finally {
    tf.dispose([image, text, ...imageBlocks, ...textBlocksT, ...targets, ...textCounts]);
    for (const m of masks.values()) tf.dispose([m.upper, m.lower]);
  }
  return { imageToText: summarize(imageRanks, ks), textToImage: summarize(textRanks, ks) };
}
