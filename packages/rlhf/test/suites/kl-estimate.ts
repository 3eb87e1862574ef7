import { expect, it } from 'vitest';
import { expectBadInputs } from '@prep/test-utils';
import { describeBackends, disposeArgs, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { klEstimate } from '../../src/index.js';
import { fixture, forwardTol } from '../fixture.js';
import { t } from '../helpers.js';

/** Registers the suite (called by a test file; a module of its own keeps one concept per file). */
export function klEstimateSuite(): void {
  describeBackends('klEstimate', (backend) => {
    it('matches numpy for k1, k2 and k3', async () => {
      for (const c of fixture.klEstimate) {
        const logp = t(c.logprobs, c.shape);
        const ref = t(c.refLogprobs, c.shape);
        const before = numTensors();
        const out = klEstimate(logp, ref, c.estimator);
        expect(numTensors()).toBe(before + 1);
        await expectTensorClose(out, t(c.out, c.shape), forwardTol, c.estimator);
        tf.dispose([out, logp, ref]);
      }
    });

    it("reproduces TRL v0.8.6 test_ppo_trainer_kl_penalty: 'kl' → k1, 'mse' → k2", async () => {
      const v = fixture.trlKLPenalty;
      const logp = t(v.logprobs, [2, 3]);
      const ref = t(v.refLogprobs, [2, 3]);
      // torch.allclose defaults: rtol 1e-5, atol 1e-8 — on float32 inputs the differences carry float32 rounding.
      const k1 = klEstimate(logp, ref, 'k1');
      const k2 = klEstimate(logp, ref, 'k2');
      await expectTensorClose(k1, v.k1.flat(), { atol: 1e-6, rtol: 1e-5 }, 'k1');
      await expectTensorClose(k2, v.k2.flat(), { atol: 1e-7, rtol: 1e-4 }, 'k2');
      tf.dispose([logp, ref, k1, k2]);
    });

    it('k2 and k3 are ≥ 0; all three are 0 where the log-probabilities agree', async () => {
      const logp = tf.tensor2d([[-1, -2, -0.5], [-3, -1, -0.1]]);
      const ref = tf.tensor2d([[-1, -1, -2], [-2.5, -4, -0.2]]);
      for (const estimator of ['k1', 'k2', 'k3'] as const) {
        const out = klEstimate(logp, ref, estimator);
        const values = await out.data();
        out.dispose();
        expect(values[0]).toBe(0);
        if (estimator !== 'k1') expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
      }
      tf.dispose([logp, ref]);
    });

    it('k3 keeps its precision for a tiny log-ratio (expm1) on cpu and wasm', async () => {
      // l = 1e-3: k3 = e^l − 1 − l = l²/2 + l³/6 + … = 5.0016670833e-7. cpu and wasm have a real expm1 (float32
      // error ≈ 1e-10 absolute, 2e-4 relative); webgl and webgpu compute exp(l) − 1, whose float32 rounding
      // (≈1.2e-7 absolute) is a quarter of the value: there we only bound the absolute error.
      const zeros = tf.zeros([2, 3]);
      const small = tf.fill([2, 3], 1e-3);
      const out = klEstimate(zeros, small, 'k3');
      const tiny = (await out.data())[0]!;
      tf.dispose([zeros, small]);
      if (backend === 'cpu' || backend === 'wasm') expect(Math.abs(tiny - 5.0016670833e-7) / 5.0016670833e-7).toBeLessThan(1e-3);
      else expect(Math.abs(tiny - 5.0016670833e-7)).toBeLessThan(5e-7);
      out.dispose();
    });

    it(`runs on ${backend}`, () => {
      expect(tf.getBackend()).toBe(backend);
    });
  });

  describeBackends('klEstimate bad input', () => {
    it('names the argument for each wrong kind or shape, and leaks nothing', () => {
      const attempts = expectBadInputs({
        fn: klEstimate,
        fnName: 'klEstimate',
        validArgs: () => [tf.zeros([2, 3]), tf.zeros([2, 3]), 'k1'],
        argNames: ['logprobs', 'refLogprobs', 'estimator'],
        cases: {
          logprobs: [null, undefined, 'x', 1, tf.scalar(1), tf.zeros([2, 0]), tf.zeros([3, 2])],
          refLogprobs: [null, {}, tf.zeros([2, 3, 1]), tf.zeros([2, 2])],
          estimator: [undefined, 'k4', 'KL', 2, null],
        },
        cleanup: disposeArgs,
        liveCount: numTensors,
      });
      expect(attempts).toBeGreaterThan(12);
    });
  });
}
