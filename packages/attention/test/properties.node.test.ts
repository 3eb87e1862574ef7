/** Node-lane cases: property tests over random shapes, the large FAVOR+ case, measured estimator error. */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeBackends, expectTensorClose, seededTensor, tf } from '@prep/test-utils/tensor';
import {
  attentionCost,
  attentionScalingExperiment,
  chunkedAttention,
  favorApproximationExperiment,
  linearAttention,
  scaledDotProductAttention,
  slidingWindowAttention,
} from '../src/index.js';
import { forwardAndGrads, profileOp } from './helpers.js';

describeBackends('chunkedAttention = scaledDotProductAttention (fast-check)', () => {
  it('forward and gradients agree for random shapes, heads, causal flags and every chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          batch: fc.integer({ min: 1, max: 2 }),
          headsKV: fc.integer({ min: 1, max: 2 }),
          group: fc.integer({ min: 1, max: 2 }),
          nQ: fc.integer({ min: 1, max: 13 }),
          nK: fc.integer({ min: 1, max: 13 }),
          headDim: fc.integer({ min: 1, max: 6 }),
          chunkSize: fc.integer({ min: 1, max: 15 }),
          causal: fc.boolean(),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        async ({ batch, headsKV, group, nQ, nK, headDim, chunkSize, causal, seed }) => {
          const q = seededTensor([batch, headsKV * group, nQ, headDim], seed);
          const k = seededTensor([batch, headsKV, nK, headDim], seed + 1);
          const v = seededTensor([batch, headsKV, nK, 3], seed + 2);
          const upstream = seededTensor([batch, headsKV * group, nQ, 3], seed + 3);
          const ours = forwardAndGrads((a, b, c) => chunkedAttention(a, b, c, { causal, chunkSize }), q, k, v, upstream);
          const exact = forwardAndGrads((a, b, c) => scaledDotProductAttention(a, b, c, { causal }), q, k, v, upstream);
          try {
            for (let i = 0; i < 4; i++) await expectTensorClose(ours[i]!, exact[i]!, { atol: 2e-5, rtol: 2e-5 }, ['out', 'dq', 'dk', 'dv'][i]);
          } finally {
            tf.dispose([...ours, ...exact, q, k, v, upstream]);
          }
        },
      ),
      { numRuns: 20, seed: 20261127 },
    );
  });
});

describeBackends('slidingWindowAttention (fast-check)', () => {
  it('a window covering the sequence equals full attention, for random shapes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ n: fc.integer({ min: 1, max: 40 }), nQ: fc.integer({ min: 1, max: 40 }), extra: fc.integer({ min: 0, max: 5 }), causal: fc.boolean(), seed: fc.nat(1000) }),
        async ({ n, nQ, extra, causal, seed }) => {
          const queries = Math.min(n, nQ);
          const q = seededTensor([1, 2, queries, 4], seed);
          const k = seededTensor([1, 1, n, 4], seed + 1);
          const window = 2 * (n - 1 + extra) || 2;
          const a = slidingWindowAttention(q, k, k, { window, causal });
          const b = scaledDotProductAttention(q, k, k, { causal });
          try {
            await expectTensorClose(a, b, { atol: 1e-5, rtol: 1e-5 });
          } finally {
            tf.dispose([a, b, q, k]);
          }
        },
      ),
      { numRuns: 25, seed: 7 },
    );
  });
});

describeBackends(
  'FAVOR+ against exact softmax attention',
  () => {
    it('L = 10000, d = 8, 1000 orthogonal features: max abs error < 0.5 (google-research performer test)', async () => {
      const n = 10_000;
      const [q, k, v] = [1, 2, 3].map((s) => tf.randomNormal([1, 1, n, 8], 0, 1, 'float32', s));
      const approx = linearAttention(q!, k!, v!, { featureMap: 'favor+', numFeatures: 1000, seed: 0 });
      // Exact attention without the 10000 × 10000 matrix.
      const exact = chunkedAttention(q!, k!, v!, { chunkSize: 1000 });
      const maxError = (await tf.max(tf.abs(tf.sub(approx, exact))).data())[0]!;
      expect(maxError).toBeLessThan(0.5);
      tf.dispose([q, k, v, approx, exact]);
    });

    it('the approximation error falls as numFeatures grows (orthogonal and i.i.d.)', async () => {
      const { points } = await favorApproximationExperiment({ n: 128, headDim: 16, featureCounts: [8, 64, 512], trials: 3, seed: 1 });
      for (const orthogonal of [true, false]) {
        const errors = points.filter((p) => p.orthogonal === orthogonal).map((p) => p.meanAbsError);
        expect(errors[1]!, `orthogonal ${orthogonal}: ${errors.join(', ')}`).toBeLessThan(errors[0]!);
        expect(errors[2]!, `orthogonal ${orthogonal}: ${errors.join(', ')}`).toBeLessThan(errors[1]!);
        // A Monte-Carlo estimator: 64× the features should cut the error by about 8× (at least 3× here).
        expect(errors[2]! * 3).toBeLessThan(errors[0]!);
      }
    });

    it('the cost model predicts the measured peak memory within ±40% (tf.profile)', async () => {
      const cases: [Parameters<typeof attentionCost>[0], (q: tf.Tensor) => tf.Tensor][] = [
        [{ variant: 'standard', n: 1024, headDim: 32, heads: 2 }, (q) => scaledDotProductAttention(q, q, q)],
        [{ variant: 'chunked', n: 1024, headDim: 32, heads: 2, chunkSize: 128 }, (q) => chunkedAttention(q, q, q, { chunkSize: 128 })],
        [{ variant: 'linear', n: 1024, headDim: 32, heads: 2, featureMap: 'favor+', numFeatures: 64 }, (q) => linearAttention(q, q, q, { featureMap: 'favor+', numFeatures: 64 })],
        [{ variant: 'sliding-window', n: 1024, headDim: 32, heads: 2, window: 64 }, (q) => slidingWindowAttention(q, q, q, { window: 64 })],
      ];
      for (const [options, op] of cases) {
        const q = seededTensor([1, 2, 1024, 32], 1);
        const measured = (await profileOp(() => op(q))).peakBytes;
        const predicted = attentionCost(options).workspaceBytes;
        expect(predicted / measured, options.variant).toBeGreaterThan(0.6);
        expect(predicted / measured, options.variant).toBeLessThan(1.4);
        q.dispose();
      }
    });

    it('the scaling experiment runs at CI size, times every variant, and refuses what cannot fit', async () => {
      const progress: number[] = [];
      // A budget between one head and all heads of exact attention at n = 128.
      const all = attentionCost({ variant: 'standard', n: 128, headDim: 8, heads: 2 }).memoryBytes;
      const one = attentionCost({ variant: 'standard', n: 128, headDim: 8, heads: 1 }).memoryBytes;
      const result = await attentionScalingExperiment({
        sizes: [64, 128],
        heads: 2,
        headDim: 8,
        repeats: 1,
        memoryBudgetBytes: (all + one) / 2,
        onProgress: (done) => progress.push(done),
      });
      expect(result.backend).toBe('wasm');
      expect(progress).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      for (const row of result.rows) {
        if (row.status === 'ok' || row.status === 'per-head') {
          expect(row.timeMs).toBeGreaterThan(0);
          expect(row.peakBytes).toBeGreaterThan(0);
        }
      }
      expect(result.rows.find((r) => r.variant === 'exact' && r.n === 128)!.status).toBe('per-head');
      const controller = new AbortController();
      controller.abort(new Error('stop'));
      await expect(attentionScalingExperiment({ sizes: [64], signal: controller.signal })).rejects.toThrow('stop');
    });
  },
  ['wasm'],
);
