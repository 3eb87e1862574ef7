/**
 * tf.grad through every loss and op, against float64 finite differences from gen_rlhf.py. Node lane only
 * (cpu and wasm): the browser lane checks the forward values on webgl and webgpu.
 */
import { expect, it } from 'vitest';
import { describeBackends, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { bradleyTerryLoss, dpoLoss, klEstimate, klRegularizedOptimum, ppoPolicyLoss, ppoValueLoss, whiten } from '../../src/index.js';
import { fixture, gradTol } from '../fixture.js';
import { t } from '../helpers.js';

/** Registers the suite (called by a test file; a module of its own keeps one concept per file). */
export function gradientsSuite(): void {
  describeBackends('gradients', (backend) => {
    it('bradleyTerryLoss: d/d chosen and d/d rejected', async () => {
      for (const c of fixture.bradleyTerry) {
        const chosen = tf.tensor1d(c.chosen);
        const rejected = tf.tensor1d(c.rejected);
        const margin = Array.isArray(c.margin) ? tf.tensor1d(c.margin) : c.margin;
        const options = margin === null ? undefined : { margin };
        const before = numTensors();
        const [dc, dr] = tf.grads((a: tf.Tensor, b: tf.Tensor) => bradleyTerryLoss(a as tf.Tensor1D, b as tf.Tensor1D, options))([chosen, rejected]);
        expect(numTensors()).toBe(before + 2);
        await expectTensorClose(dc!, c.dChosen, gradTol, `${c.name}: dChosen`);
        await expectTensorClose(dr!, c.dRejected, gradTol, `${c.name}: dRejected`);
        tf.dispose([dc!, dr!, chosen, rejected, ...(margin instanceof tf.Tensor ? [margin] : [])]);
      }
    });

    it('klEstimate: k1, k2, k3 in both inputs', async () => {
      for (const c of fixture.klEstimate) {
        const logp = t(c.logprobs, c.shape);
        const ref = t(c.refLogprobs, c.shape);
        const upstream = t(c.upstream, c.shape);
        const [dl, dr] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(klEstimate(a, b, c.estimator), upstream)))([logp, ref]);
        await expectTensorClose(dl!, c.dLogprobs, gradTol, `${c.estimator}: dLogprobs`);
        await expectTensorClose(dr!, c.dRefLogprobs, gradTol, `${c.estimator}: dRefLogprobs`);
        tf.dispose([dl, dr, logp, ref, upstream]);
      }
    });

    it('ppoPolicyLoss: d/d logprobs through ratio, clip and max, masked', async () => {
      for (const c of fixture.ppoPolicyLoss) {
        const logprobs = t(c.logprobs, c.shape) as tf.Tensor2D;
        const oldLogprobs = t(c.oldLogprobs, c.shape) as tf.Tensor2D;
        const advantages = t(c.advantages, c.shape) as tf.Tensor2D;
        const mask = c.mask ? (t(c.mask, c.shape) as tf.Tensor2D) : undefined;
        const g = tf.grad((x: tf.Tensor) => ppoPolicyLoss({ logprobs: x as tf.Tensor2D, oldLogprobs, advantages, clipRange: c.clipRange, ...(mask ? { mask } : {}) }).loss)(logprobs);
        await expectTensorClose(g, c.dLogprobs, gradTol, c.name);
        tf.dispose([g, logprobs, oldLogprobs, advantages, mask]);
      }
    });

    it('ppoValueLoss: d/d values through the clipped error', async () => {
      for (const c of fixture.ppoValueLoss) {
        const values = t(c.values, c.shape) as tf.Tensor2D;
        const oldValues = t(c.oldValues, c.shape) as tf.Tensor2D;
        const returns = t(c.returns, c.shape) as tf.Tensor2D;
        const mask = c.mask ? (t(c.mask, c.shape) as tf.Tensor2D) : undefined;
        const g = tf.grad((x: tf.Tensor) => ppoValueLoss({ values: x as tf.Tensor2D, oldValues, returns, clipRange: c.clipRange, ...(mask ? { mask } : {}) }))(values);
        await expectTensorClose(g, c.dValues, gradTol, c.name);
        tf.dispose([g, values, oldValues, returns, mask]);
      }
    });

    it('whiten: d/dx with and without a mask', async () => {
      for (const c of fixture.whiten) {
        const x = t(c.x, c.shape);
        const mask = c.mask ? t(c.mask, c.shape) : undefined;
        const upstream = t(c.upstream, c.shape);
        const g = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(whiten(z, { shiftMean: c.shiftMean, ...(mask ? { mask } : {}) }), upstream)))(x);
        // the 1e3-offset case differentiates through a float32 mean of ~1e3: looser
        const tol = c.name.includes('offset') ? { atol: 2e-3, rtol: 2e-3 } : { atol: 2e-4, rtol: 2e-4 };
        await expectTensorClose(g, c.dX, tol, c.name);
        tf.dispose([g, x, mask, upstream]);
      }
    });

    it('dpoLoss: d/d policy log-probabilities for all four loss types', async () => {
      for (const c of fixture.dpoLoss) {
        const inputs = [c.policyChosen, c.policyRejected, c.refChosen, c.refRejected].map((v) => tf.tensor1d(v));
        const [pc, pr, rc, rr] = inputs as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const [dc, dr] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          dpoLoss({
            policyChosenLogps: a as tf.Tensor1D,
            policyRejectedLogps: b as tf.Tensor1D,
            refChosenLogps: rc,
            refRejectedLogps: rr,
            beta: c.beta,
            lossType: c.lossType,
            labelSmoothing: c.labelSmoothing,
          }).loss,
        )([pc, pr]);
        const label = `${c.lossType} β=${c.beta}`;
        // IPO's gradient 2(z − 1/2β)/n carries the float32 error of z (log-probabilities near −60): ≈1e-5 absolute
        await expectTensorClose(dc!, c.dPolicyChosen, { atol: 2e-4, rtol: 2e-4 }, `${label}: dChosen`);
        await expectTensorClose(dr!, c.dPolicyRejected, { atol: 2e-4, rtol: 2e-4 }, `${label}: dRejected`);
        tf.dispose([dc, dr, ...inputs]);
      }
    });

    it('klRegularizedOptimum: d/d rewards, including an action outside the support', async () => {
      for (const c of fixture.klRegularizedOptimum) {
        const ref = t(c.refProbs, c.shape);
        const rewards = t(c.rewards, c.shape);
        const upstream = t(c.upstream, c.shape);
        const g = tf.grad((r: tf.Tensor) => tf.sum(tf.mul(klRegularizedOptimum(ref, r, c.beta), upstream)))(rewards);
        const values = await g.data();
        expect(Array.from(values).every(Number.isFinite), c.name).toBe(true);
        // r/β up to 100: softmax gradients scale with 1/β, so tolerances are relative to 1/β
        await expectTensorClose(g, c.dRewards, { atol: 2e-4 / Math.min(1, c.beta), rtol: 2e-4 }, c.name);
        tf.dispose([g, ref, rewards, upstream]);
      }
    });

    it(`runs on ${backend}`, () => {
      expect(tf.getBackend()).toBe(backend);
    });
  });
}
