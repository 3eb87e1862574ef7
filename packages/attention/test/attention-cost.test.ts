import { describe, expect, it } from 'vitest';
import { expectThrowsNaming } from '@prep/test-utils';
import fc from 'fast-check';
import { attentionCost, maxSequenceLength, scoreMatrixBytes, sourceComparison, SOFTMAX_FLOPS_PER_SCORE } from '../src/index.js';

describe('attentionCost', () => {
  it('standard attention: 4n²d + 5n² + nd FLOPs per head, times heads and batch', () => {
    const n = 1000;
    const d = 64;
    const one = attentionCost({ variant: 'standard', n, headDim: d });
    expect(one.flops).toBe(4 * n * n * d + SOFTMAX_FLOPS_PER_SCORE * n * n + n * d);
    expect(one.scores).toBe(n * n);
    const many = attentionCost({ variant: 'standard', n, headDim: d, heads: 8, batch: 3 });
    expect(many.flops).toBe(24 * one.flops);
    expect(many.inputBytes).toBe(3 * 24 * n * d * 4);
    // One head's scores and probabilities (2n² floats) plus a few [n, d] tensors; heads run one at a time.
    expect(one.workspaceBytes).toBeGreaterThanOrEqual(2 * n * n * 4);
    expect(one.workspaceBytes).toBeLessThanOrEqual(2 * n * n * 4 + 8 * n * d * 4);
    expect(attentionCost({ variant: 'standard', n, headDim: d, bytesPerElement: 2 }).inputBytes).toBe(one.inputBytes / 2);
  });

  it('chunked attention does the exact FLOPs plus the merges, in O(n) memory; causal skips tiles', () => {
    const n = 4096;
    const exact = attentionCost({ variant: 'standard', n, headDim: 64 });
    const chunked = attentionCost({ variant: 'chunked', n, headDim: 64, chunkSize: 512 });
    expect(chunked.scores).toBe(exact.scores);
    expect(chunked.flops / exact.flops).toBeGreaterThan(1);
    expect(chunked.flops / exact.flops).toBeLessThan(1.05);
    expect(chunked.workspaceBytes / exact.workspaceBytes).toBeLessThan(0.07);
    const causal = attentionCost({ variant: 'chunked', n, headDim: 64, chunkSize: 512, causal: true });
    // 8 × 8 tiles, 36 on or below the diagonal.
    expect(causal.scores).toBe((36 / 64) * n * n);
  });

  it('linear, sliding window and BigBird grow linearly in n; standard and chunked quadratically', () => {
    fc.assert(
      fc.property(fc.integer({ min: 512, max: 8192 }), fc.constantFrom(32, 64, 128), (n, d) => {
        const ratio = (variant: Parameters<typeof attentionCost>[0]) =>
          attentionCost({ ...variant, n: 2 * n }).flops / attentionCost({ ...variant, n }).flops;
        expect(ratio({ variant: 'standard', n, headDim: d })).toBeGreaterThan(3.9);
        expect(ratio({ variant: 'chunked', n, headDim: d })).toBeGreaterThan(3.5);
        for (const variant of [
          { variant: 'linear', n, headDim: d },
          { variant: 'linear', n, headDim: d, featureMap: 'favor+', causal: true },
          { variant: 'sliding-window', n, headDim: d, window: 256 },
          { variant: 'bigbird', n, headDim: d, blockSize: 64, numRandomBlocks: 3 },
        ] as const) {
          const r = ratio(variant);
          expect(r, JSON.stringify(variant)).toBeGreaterThan(1.8);
          expect(r, JSON.stringify(variant)).toBeLessThan(2.3);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('linear attention costs about 4nd² per head with ELU (m = d) and O(nmd) with FAVOR+', () => {
    const n = 10_000;
    const d = 64;
    const elu = attentionCost({ variant: 'linear', n, headDim: d }).flops;
    expect(elu / (4 * n * d * d)).toBeGreaterThan(1);
    expect(elu / (4 * n * d * d)).toBeLessThan(1.1);
    const favor = attentionCost({ variant: 'linear', n, headDim: d, featureMap: 'favor+', numFeatures: 256 }).flops;
    expect(favor / (8 * n * 256 * d)).toBeGreaterThan(1);
    expect(favor / (8 * n * 256 * d)).toBeLessThan(1.1);
  });

  it('sliding window: the tiled band is counted, not the ideal w + 1 keys', () => {
    const c = attentionCost({ variant: 'sliding-window', n: 16384, headDim: 64, window: 256 });
    // Tiles of 128 queries score 3 tiles of keys: 384 keys per query.
    expect(c.scores).toBe(16384 * 384);
    expect(attentionCost({ variant: 'sliding-window', n: 16384, headDim: 64, window: 256, causal: true }).scores).toBe(16384 * 256);
  });

  it('validates its options, naming them', () => {
    const fn = 'attentionCost';
    expectThrowsNaming(() => attentionCost(null as never), fn, 'options');
    expectThrowsNaming(() => attentionCost({ variant: 'quadratic' as never, n: 4, headDim: 4 }), fn, 'options.variant');
    expectThrowsNaming(() => attentionCost({ variant: 'standard', n: 0, headDim: 4 }), fn, 'options.n');
    expectThrowsNaming(() => attentionCost({ variant: 'standard', n: 4, headDim: 2.5 }), fn, 'options.headDim');
    expectThrowsNaming(() => attentionCost({ variant: 'standard', n: 4, headDim: 4, heads: '2' as never }), fn, 'options.heads');
    expectThrowsNaming(() => attentionCost({ variant: 'sliding-window', n: 4, headDim: 4 }), fn, 'options.window');
    expectThrowsNaming(() => attentionCost({ variant: 'sliding-window', n: 4, headDim: 4, window: 3 }), fn, 'options.window');
    expectThrowsNaming(() => attentionCost({ variant: 'linear', n: 4, headDim: 4, featureMap: 'cos' as never }), fn, 'options.featureMap');
    expectThrowsNaming(() => attentionCost({ variant: 'bigbird', n: 4, headDim: 4, numRandomBlocks: -1 }), fn, 'options.numRandomBlocks');
    expectThrowsNaming(() => attentionCost({ variant: 'chunked', n: 4, headDim: 4, causal: 1 as never }), fn, 'options.causal');
    expectThrowsNaming(() => scoreMatrixBytes({ n: -1 }), 'scoreMatrixBytes', 'options.n');
    expectThrowsNaming(() => maxSequenceLength({ variant: 'standard', headDim: 4, budgetBytes: 0 }), 'maxSequenceLength', 'options.budgetBytes');
  });
});

describe('the source comparison (question 3)', () => {
  it('the 100K attention matrix is n² per head: 40 GB in float32, not n²·d = 40 TB', () => {
    expect(scoreMatrixBytes({ n: 100_000 })).toBe(4e10);
    expect(scoreMatrixBytes({ n: 100_000, bytesPerElement: 2 })).toBe(2e10);
    expect(scoreMatrixBytes({ n: 100_000, heads: 32, batch: 2 })).toBe(2 * 32 * 4e10);
    const row = sourceComparison().find((r) => r.id === 'attention-matrix-100k')!;
    expect(row.verdict).toBe('wrong');
    expect(row.sourceValue! / row.ourValue!).toBeCloseTo(4096 / 4, 6);
  });

  it('195× is n/(w+1) in scores; the FLOP reduction of our tiled kernel is smaller and says so', () => {
    const row = sourceComparison().find((r) => r.id === 'sparse-reduction-195x')!;
    expect(row.ourValue).toBeCloseTo(100_000 / 513, 6);
    expect(row.verdict).toBe('partly right');
    expect(row.note).toMatch(/tiles/);
  });

  it('every claim has a verdict and a note; max sequence lengths follow the memory model', () => {
    const rows = sourceComparison();
    expect(rows.length).toBeGreaterThanOrEqual(7);
    for (const row of rows) {
      expect(['right', 'wrong', 'partly right', 'not checked']).toContain(row.verdict);
      expect(row.note.length).toBeGreaterThan(40);
    }
    const budget = 3.6 * 2 ** 30;
    const n = maxSequenceLength({ variant: 'standard', headDim: 64, heads: 8, budgetBytes: budget });
    expect(attentionCost({ variant: 'standard', n, headDim: 64, heads: 8 }).memoryBytes).toBeLessThanOrEqual(budget);
    expect(attentionCost({ variant: 'standard', n: n + 1, headDim: 64, heads: 8 }).memoryBytes).toBeGreaterThan(budget);
    expect(n).toBeGreaterThan(15_000);
    expect(n).toBeLessThan(25_000);
    expect(maxSequenceLength({ variant: 'chunked', headDim: 64, heads: 8, budgetBytes: budget })).toBeGreaterThan(10 * n);
  });
});
