/**
 * retrievalMetrics: a port of open_clip's tests/test_retrieval_metrics.py (chunked = full matrix, the
 * all-ones tie case) against an independent full-matrix reference in float64 that ranks by a stable
 * descending sort, as open_clip's `_full_matrix_metrics` does with torch.argsort; and fast-check
 * properties with duplicated rows (exact ties).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeBackends, seededValues, tf } from '@prep/test-utils/tensor';
import { retrievalMetrics, type DirectionMetrics, type RetrievalMetrics } from '../src/index.js';
import { gaussianValues } from './helpers.js';

function unit(rows: number[][]): number[][] {
  return rows.map((r) => {
    const norm = Math.max(Math.hypot(...r), 1e-12);
    return r.map((v) => v / norm);
  });
}

/** Ranks of the matches by a stable descending sort of each query's full row of scores (float64). */
function fullMatrixRanks(queries: number[][], candidates: number[][]): number[] {
  return queries.map((q, i) => {
    const scores = candidates.map((c, j) => ({ j, s: c.reduce((acc, v, d) => acc + v * q[d]!, 0) }));
    scores.sort((a, b) => b.s - a.s || a.j - b.j); // stable: equal scores keep index order
    return scores.findIndex((x) => x.j === i);
  });
}

function summarize(ranks: number[], ks: number[]): DirectionMetrics {
  const sorted = [...ranks].sort((a, b) => a - b);
  const n = ranks.length;
  const median = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  const recall: Record<number, number> = {};
  for (const k of ks) recall[k] = ranks.filter((r) => r < k).length / n;
  return { recall, meanRank: ranks.reduce((a, b) => a + b, 0) / n + 1, medianRank: Math.floor(median) + 1 };
}

function reference(image: number[][], text: number[][], ks = [1, 5, 10]): RetrievalMetrics {
  const i = unit(image);
  const t = unit(text);
  return { imageToText: summarize(fullMatrixRanks(i, t), ks), textToImage: summarize(fullMatrixRanks(t, i), ks) };
}

function rows(values: Float32Array, n: number, dim: number): number[][] {
  return Array.from({ length: n }, (_, r) => Array.from(values.subarray(r * dim, (r + 1) * dim)));
}

function expectMetricsEqual(actual: RetrievalMetrics, expected: RetrievalMetrics, label: string): void {
  for (const direction of ['imageToText', 'textToImage'] as const) {
    const a = actual[direction];
    const e = expected[direction];
    expect(a.meanRank, `${label} ${direction} mean rank`).toBeCloseTo(e.meanRank, 12);
    expect(a.medianRank, `${label} ${direction} median rank`).toBe(e.medianRank);
    expect(a.recall, `${label} ${direction} recall`).toEqual(e.recall);
  }
}

describeBackends('retrievalMetrics (open_clip get_clip_metrics conventions)', (backend) => {
  it(`chunked equals the full matrix: 11×7 chunk 3, 13×5 chunk 4, 19×8 chunk 4, 17×9 chunk 4 vs one block [${backend}]`, async () => {
    for (const [n, dim, chunkSize, seed] of [[11, 7, 3, 1], [13, 5, 4, 2], [19, 8, 4, 3], [17, 9, 4, 4]] as const) {
      const imageValues = gaussianValues(n * dim, 10 * seed);
      const textValues = gaussianValues(n * dim, 10 * seed + 1);
      const image = tf.tensor2d(imageValues, [n, dim]);
      const text = tf.tensor2d(textValues, [n, dim]);
      const chunked = await retrievalMetrics(image, text, { chunkSize });
      expectMetricsEqual(chunked, reference(rows(imageValues, n, dim), rows(textValues, n, dim)), `${n}×${dim} chunk ${chunkSize}`);
      // open_clip test_zero_chunk_size_matches_chunked_metrics: one block gives the same
      expect(await retrievalMetrics(image, text, { chunkSize: n })).toEqual(chunked);
      tf.dispose([image, text]);
    }
  });

  it(`the tie case: 7×4 all-ones features, scale 1, chunks 1, 2, 3, 7 [${backend}]`, async () => {
    const ones = tf.ones<tf.Rank.R2>([7, 4]);
    const expected = reference(rows(new Float32Array(28).fill(1), 7, 4), rows(new Float32Array(28).fill(1), 7, 4));
    expect(expected.imageToText).toEqual({ recall: { 1: 1 / 7, 5: 5 / 7, 10: 1 }, meanRank: 4, medianRank: 4 });
    for (const chunkSize of [1, 2, 3, 7]) expectMetricsEqual(await retrievalMetrics(ones, ones, { chunkSize }), expected, `chunk ${chunkSize}`);
    ones.dispose();
  });

  it(`ks, normalize and edge sizes: N = 1 and 2, k larger than N, un-normalised inputs [${backend}]`, async () => {
    const single = tf.tensor2d([[1, 2]]);
    expect(await retrievalMetrics(single, single, { ks: [1, 3] })).toEqual({
      imageToText: { recall: { 1: 1, 3: 1 }, meanRank: 1, medianRank: 1 },
      textToImage: { recall: { 1: 1, 3: 1 }, meanRank: 1, medianRank: 1 },
    });
    // by cosine, image 1 = (1, 0.1) is closer to text 0 = (0.99, 0.14) than to its match text 1 = (0, 50);
    // by raw dot product the long text 1 wins (5 > 1.004)
    const image = tf.tensor2d([[10, 0], [1, 0.1]]);
    const text = tf.tensor2d([[0.99, 0.14], [0, 50]]);
    const normalized = await retrievalMetrics(image, text, { ks: [1] });
    const raw = await retrievalMetrics(image, text, { ks: [1], normalize: false });
    expectMetricsEqual(normalized, reference([[10, 0], [1, 0.1]], [[0.99, 0.14], [0, 50]], [1]), 'normalised');
    expect(normalized.imageToText.recall[1]).toBe(0.5);
    expect(raw.imageToText.recall[1]).toBe(1);
    tf.dispose([single, image, text]);
  });

  it(`property: any N, dim, chunk size, with duplicated rows (exact ties) = the stable full-matrix ranking [${backend}]`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 1, max: 30 }),
          dim: fc.integer({ min: 1, max: 6 }),
          chunkSize: fc.integer({ min: 1, max: 35 }),
          duplicates: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
          seed: fc.integer({ min: 1, max: 1_000_000 }),
        }),
        async ({ n, dim, chunkSize, duplicates, seed }) => {
          const imageRows = rows(seededValues(n * dim, seed), n, dim);
          const textRows = rows(seededValues(n * dim, seed + 7), n, dim);
          for (const [a, b] of duplicates) {
            imageRows[b % n] = [...imageRows[a % n]!];
            textRows[b % n] = [...textRows[a % n]!];
          }
          const image = tf.tensor2d(imageRows);
          const text = tf.tensor2d(textRows);
          // normalise in float64 first, so both sides rank the same float32 vectors
          const img32 = unit(imageRows).map((r) => Array.from(Float32Array.from(r)));
          const txt32 = unit(textRows).map((r) => Array.from(Float32Array.from(r)));
          const got = await retrievalMetrics(tf.tensor2d(img32), tf.tensor2d(txt32), { chunkSize, ks: [1, 2, 5], normalize: false });
          const expected = reference(img32, txt32, [1, 2, 5]);
          expectMetricsEqual(got, expected, `n ${n} dim ${dim} chunk ${chunkSize}`);
          tf.dispose([image, text]);
        },
      ),
      { numRuns: 25, seed: 8 },
    );
  });
});
