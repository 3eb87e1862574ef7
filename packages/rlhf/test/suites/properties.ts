/** Property tests (fast-check) of the invariants the issue names, on cpu and wasm. */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeBackends, expectTensorClose, tf } from '@prep/test-utils/tensor';
import { gae, klEstimate, klPenalizedRewards, klRegularizedOptimum, ppoPolicyLoss, ppoValueLoss, whiten } from '../../src/index.js';

/** Registers the suite (called by a test file; a module of its own keeps one concept per file). */
export function propertiesSuite(): void {
  /** A batch [B, T] of finite values and a 0/1 mask with at least `minReal` ones. */
  const maskedBatch = (minReal: number) =>
    fc
      .record({ batch: fc.integer({ min: 1, max: 4 }), steps: fc.integer({ min: 1, max: 9 }) })
      .chain(({ batch, steps }) =>
        fc.record({
          batch: fc.constant(batch),
          steps: fc.constant(steps),
          a: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: batch * steps, maxLength: batch * steps }),
          b: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: batch * steps, maxLength: batch * steps }),
          c: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: batch * steps, maxLength: batch * steps }),
          mask: fc.array(fc.constantFrom(0, 1), { minLength: batch * steps, maxLength: batch * steps }),
        }),
      )
      .filter((x) => x.mask.reduce<number>((s, m) => s + m, 0) >= minReal);

  /** Keeps the entries of `values` whose mask is 1, as a [1, n] row. */
  function compact(values: number[], mask: number[]): number[] {
    return values.filter((_, i) => mask[i] === 1);
  }

  const runs = { numRuns: 15, seed: 20240607 };

  describeBackends('properties', () => {
    it('masked whitening equals whitening of the unmasked slice', async () => {
      await fc.assert(
        fc.asyncProperty(maskedBatch(2), async ({ batch, steps, a, mask }) => {
          const x = tf.tensor2d(a, [batch, steps]);
          const m = tf.tensor2d(mask, [batch, steps]);
          const kept = compact(a, mask);
          const slice = tf.tensor1d(kept);
          const masked = whiten(x, { mask: m });
          const alone = whiten(slice);
          const values = await masked.data();
          const real = compact(Array.from(values), mask);
          // when every real value is equal the variance is ≈ 0 and both sides are ≈ 0 / 1e-4: compare absolutely
          await expectTensorClose(real, alone, { atol: 1e-3, rtol: 1e-4 }, 'real positions');
          expect(Array.from(values).every((v, i) => mask[i] === 1 || v === 0)).toBe(true);
          tf.dispose([x, m, slice, masked, alone]);
        }),
        runs,
      );
    });

    it('the PPO policy and value losses are unchanged when masked positions are removed', async () => {
      await fc.assert(
        fc.asyncProperty(maskedBatch(1), async ({ batch, steps, a, b, c, mask }) => {
          const shape: [number, number] = [batch, steps];
          const logprobs = tf.tensor2d(a.map((v) => v / 3 - 1), shape);
          const oldLogprobs = tf.tensor2d(b.map((v) => v / 3 - 1), shape);
          const advantages = tf.tensor2d(c, shape);
          const m = tf.tensor2d(mask, shape);
          const full = ppoPolicyLoss({ logprobs, oldLogprobs, advantages, mask: m });
          const value = ppoValueLoss({ values: logprobs, oldValues: oldLogprobs, returns: advantages, mask: m });
          const n = mask.reduce<number>((s, v) => s + v, 0);
          const row = (values: number[], f: (v: number) => number) => tf.tensor2d(compact(values.map(f), mask), [1, n]);
          const cl = row(a, (v) => v / 3 - 1);
          const co = row(b, (v) => v / 3 - 1);
          const ca = row(c, (v) => v);
          const removed = ppoPolicyLoss({ logprobs: cl, oldLogprobs: co, advantages: ca });
          const removedValue = ppoValueLoss({ values: cl, oldValues: co, returns: ca });
          await expectTensorClose(full.loss, removed.loss, { atol: 1e-5, rtol: 1e-5 }, 'policy loss');
          await expectTensorClose(full.clipFraction, removed.clipFraction, { atol: 1e-6, rtol: 0 }, 'clip fraction');
          await expectTensorClose(full.approxKL, removed.approxKL, { atol: 1e-6, rtol: 1e-5 }, 'approx KL');
          await expectTensorClose(value, removedValue, { atol: 1e-5, rtol: 1e-5 }, 'value loss');
          tf.dispose([logprobs, oldLogprobs, advantages, m, full.loss, full.clipFraction, full.approxKL, value, cl, co, ca]);
          tf.dispose([removed.loss, removed.clipFraction, removed.approxKL, removedValue]);
        }),
        runs,
      );
    });

    it('gae equals the reversed recursion for horizons up to 400 (several 128-step blocks)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 400 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          async (steps, gamma, lambda, seed) => {
            let s = seed;
            const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
            const r = Float32Array.from({ length: steps }, next);
            const v = Float32Array.from({ length: steps }, next);
            const expected = new Float64Array(steps);
            let last = 0;
            for (let i = steps - 1; i >= 0; i--) {
              const delta = r[i]! + gamma * (i + 1 < steps ? v[i + 1]! : 0) - v[i]!;
              last = delta + gamma * lambda * last;
              expected[i] = last;
            }
            const rewards = tf.tensor2d(r, [1, steps]);
            const values = tf.tensor2d(v, [1, steps]);
            const out = gae({ rewards, values, gamma, lambda });
            await expectTensorClose(out.advantages, expected, { atol: 1e-4, rtol: 1e-4 }, `T=${steps}`);
            tf.dispose([rewards, values, out.advantages, out.returns]);
          },
        ),
        { numRuns: 10, seed: 7 },
      );
    });

    it('KL-penalized rewards sum to the scores minus β·Σ KL over real tokens', async () => {
      await fc.assert(
        fc.asyncProperty(maskedBatch(1), fc.double({ min: 0, max: 2, noNaN: true }), async ({ batch, steps, a, b, c, mask }, beta) => {
          const shape: [number, number] = [batch, steps];
          const logprobs = tf.tensor2d(a.map((v) => v / 3 - 1), shape);
          const refLogprobs = tf.tensor2d(b.map((v) => v / 3 - 1), shape);
          const scores = tf.tensor1d(c.slice(0, batch));
          const m = tf.tensor2d(mask, shape);
          const rewards = klPenalizedRewards({ logprobs, refLogprobs, scores, mask: m, beta, estimator: 'k3' });
          const rowsHaveReal = tf.cast(tf.greater(tf.sum(m, 1), 0), 'float32');
          const expected = tf.sub(tf.mul(scores, rowsHaveReal), tf.mul(tf.sum(tf.mul(klEstimate(logprobs, refLogprobs, 'k3'), m), 1), beta));
          await expectTensorClose(tf.sum(rewards, 1), expected, { atol: 1e-4, rtol: 1e-4 }, 'row sums');
          tf.dispose([logprobs, refLogprobs, scores, m, rewards, rowsHaveReal, expected]);
        }),
        runs,
      );
    });

    it('the KL-regularized optimum is a distribution with π* ÷ π_ref ∝ exp(r/β)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 2, maxLength: 8 }),
          fc.double({ min: 0.05, max: 5, noNaN: true }),
          async (weights, beta) => {
            const total = weights.reduce((x, y) => x + y, 0);
            const ref = tf.tensor1d(weights.map((w) => w / total));
            const r = tf.tensor1d(weights.map((w, i) => Math.sin(7 * w + i)));
            const pi = klRegularizedOptimum(ref, r, beta);
            const values = await pi.data();
            expect(Math.abs(Array.from(values).reduce((x, y) => x + y, 0) - 1)).toBeLessThan(1e-5);
            // log(π* ÷ π_ref) − r/β is the same constant (−log Z) for every action
            const offsets = await tf.sub(tf.log(tf.div(pi, ref)), tf.div(r, beta)).data();
            await expectTensorClose(offsets, new Array<number>(weights.length).fill(offsets[0]!), { atol: 1e-4, rtol: 1e-4 }, '−log Z');
            tf.dispose([ref, r, pi]);
          },
        ),
        runs,
      );
    });
  });
}
