import { expect, it } from 'vitest';
import fc from 'fast-check';
import { expectArrayClose } from '@prep/test-utils';
import { describeBackends, disposeArgs, isBrowser, numTensors, seededValues, tf } from '@prep/test-utils/tensor';
import { infoNCEBound, nwjBound } from '../src/index.js';
import { expectBadInputsAsync, fixture } from './helpers.js';

// float32 log-sum-exp against float64: ~1e-7 relative per row; the NWJ marginal term is an exp of a
// float32 log-sum (relative error ≈ 1e-7·|logSum|). Tolerances in bits.
const tol = { atol: 2e-5, rtol: 2e-6 };

describeBackends('infoNCEBound and nwjBound', (backend) => {
  it('match numpy (Poole et al. definitions) on random critics, incl. a masked (−∞) negative', async () => {
    for (const c of fixture.bounds) {
      const s = tf.tensor2d(c.scores, [c.n, c.n]);
      expectArrayClose(await infoNCEBound(s), c.infoNCE, tol, `InfoNCE ${c.name}`);
      expectArrayClose(await nwjBound(s), c.nwj, tol, `NWJ ${c.name}`);
      s.dispose();
    }
  });

  it('InfoNCE never exceeds log N, whatever the scores (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(isBrowser ? fc.constant(8) : fc.integer({ min: 1, max: 24 }), fc.double({ min: 0.01, max: 1e4, noNaN: true }), fc.integer({ min: 1, max: 1e6 }), async (n, scale, seed) => {
        const s = tf.tensor2d(seededValues(n * n, seed, -scale, scale), [n, n]);
        const sharp = tf.add<tf.Tensor2D>(s, tf.mul(tf.eye(n), scale * 10)); // positives far above the negatives
        const a = await infoNCEBound(s, { units: 'nats' });
        const b = await infoNCEBound(sharp, { units: 'nats' });
        tf.dispose([s, sharp]);
        expect(a).toBeLessThanOrEqual(Math.log(n));
        expect(b).toBeLessThanOrEqual(Math.log(n));
        expect(b).toBeGreaterThanOrEqual(a - 1e-4 * (1 + Math.abs(a)));
      }),
      { numRuns: isBrowser ? 8 : 30, seed: 3 }, // browser lane: N = 8 only (each new N compiles shaders on SwiftShader)
    );
  });

  it('limits: a perfect critic reaches log N; a constant critic gives 0 for both bounds', async () => {
    const perfect = tf.mul<tf.Tensor2D>(tf.eye(8), 100);
    expectArrayClose(await infoNCEBound(perfect), 3, { atol: 1e-6, rtol: 0 }, 'log2 8');
    const constant = tf.fill<tf.Rank.R2>([8, 8], 2.5);
    expectArrayClose(await infoNCEBound(constant), 0, { atol: 1e-6, rtol: 0 }, 'InfoNCE constant');
    // NWJ at f ≡ c: c − e^(c−1), maximal (0) at c = 1
    expectArrayClose(await nwjBound(constant, { units: 'nats' }), 2.5 - Math.exp(1.5), { atol: 1e-5, rtol: 1e-6 }, 'NWJ constant');
    expectArrayClose(await infoNCEBound(tf.tensor2d([[3]])), 0, { atol: 0, rtol: 0 }, 'N = 1');
    tf.dispose([perfect, constant]);
  });

  it('creates no tensors', async () => {
    const s = tf.tensor2d(seededValues(64, 4), [8, 8]);
    const before = numTensors();
    await infoNCEBound(s);
    await nwjBound(s);
    expect(numTensors()).toBe(before);
    s.dispose();
  });

  it('reject bad inputs naming the argument, leaking nothing', async () => {
    for (const [fn, fnName] of [
      [infoNCEBound, 'infoNCEBound'],
      [nwjBound, 'nwjBound'],
    ] as const) {
      const attempts = await expectBadInputsAsync({
        fn,
        fnName,
        validArgs: () => [tf.tensor2d([[1, 0], [0, 1]])],
        argNames: ['scores', 'options'],
        cases: {
          scores: [null, [[1, 0], [0, 1]], tf.zeros([2, 3]), tf.zeros([4]), tf.zeros([0, 0]), tf.tensor2d([[NaN, 0], [0, 1]]), tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'bool')],
          options: [null, 'nats', { units: 'nat' }, { units: 1 }],
        },
        cleanup: disposeArgs,
      });
      expect(attempts).toBe(11);
    }
    await expect(nwjBound(tf.tensor2d([[1]]))).rejects.toThrow(/nwjBound: 'scores' must be at least \[2, 2\]/);
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});
