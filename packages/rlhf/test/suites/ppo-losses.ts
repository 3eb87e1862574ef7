import { expect, it } from 'vitest';
import { describeBackends, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { ppoPolicyLoss, ppoValueLoss } from '../../src/index.js';
import { fixture, forwardTol } from '../fixture.js';
import { expectOptionErrors, t } from '../helpers.js';

/** Registers the suite (called by a test file; a module of its own keeps one concept per file). */
export function ppoLossesSuite(): void {
  describeBackends('ppoPolicyLoss and ppoValueLoss', (backend) => {
    it('policy loss, clip fraction and approx KL match numpy (TRL v0.8.6 PPOTrainer.loss)', async () => {
      for (const c of fixture.ppoPolicyLoss) {
        const logprobs = t(c.logprobs, c.shape) as tf.Tensor2D;
        const oldLogprobs = t(c.oldLogprobs, c.shape) as tf.Tensor2D;
        const advantages = t(c.advantages, c.shape) as tf.Tensor2D;
        const mask = c.mask ? (t(c.mask, c.shape) as tf.Tensor2D) : undefined;
        const before = numTensors();
        const out = ppoPolicyLoss({ logprobs, oldLogprobs, advantages, clipRange: c.clipRange, ...(mask ? { mask } : {}) });
        expect(numTensors()).toBe(before + 3);
        await expectTensorClose(out.loss, c.loss, forwardTol, `${c.name}: loss`);
        await expectTensorClose(out.clipFraction, c.clipFraction, { atol: 1e-6, rtol: 0 }, `${c.name}: clipFraction`);
        await expectTensorClose(out.approxKL, c.approxKL, forwardTol, `${c.name}: approxKL`);
        tf.dispose([out.loss, out.clipFraction, out.approxKL, logprobs, oldLogprobs, advantages, mask]);
      }
    });

    it('value loss matches numpy', async () => {
      for (const c of fixture.ppoValueLoss) {
        const values = t(c.values, c.shape) as tf.Tensor2D;
        const oldValues = t(c.oldValues, c.shape) as tf.Tensor2D;
        const returns = t(c.returns, c.shape) as tf.Tensor2D;
        const mask = c.mask ? (t(c.mask, c.shape) as tf.Tensor2D) : undefined;
        const before = numTensors();
        const loss = ppoValueLoss({ values, oldValues, returns, clipRange: c.clipRange, ...(mask ? { mask } : {}) });
        expect(numTensors()).toBe(before + 1);
        await expectTensorClose(loss, c.loss, forwardTol, c.name);
        tf.dispose([loss, values, oldValues, returns, mask]);
      }
    });

    it('at ρ = 1 the policy loss is −mean(A) with nothing clipped; an all-masked batch gives 0', async () => {
      const c = fixture.ppoPolicyLoss[0]!; // its shape [4, 6]: no new shaders in the browser lane
      const logp = t(c.logprobs, c.shape) as tf.Tensor2D;
      const adv = t(c.advantages, c.shape) as tf.Tensor2D;
      const out = ppoPolicyLoss({ logprobs: logp, oldLogprobs: logp, advantages: adv });
      await expectTensorClose(out.loss, -c.advantages.reduce((a, b) => a + b, 0) / c.advantages.length, forwardTol, 'loss');
      await expectTensorClose(out.clipFraction, 0, { atol: 0, rtol: 0 }, 'clipFraction');
      await expectTensorClose(out.approxKL, 0, { atol: 0, rtol: 0 }, 'approxKL');
      const none = tf.zeros(c.shape);
      const empty = ppoPolicyLoss({ logprobs: logp, oldLogprobs: adv, advantages: adv, mask: none as tf.Tensor2D });
      await expectTensorClose(empty.loss, 0, { atol: 0, rtol: 0 }, 'all masked');
      tf.dispose([logp, adv, none, out.loss, out.clipFraction, out.approxKL, empty.loss, empty.clipFraction, empty.approxKL]);
    });

    it(`runs on ${backend}`, () => {
      expect(tf.getBackend()).toBe(backend);
    });
  });

  describeBackends('ppo losses bad input', () => {
    it('ppoPolicyLoss names the option for each wrong kind, shape or value, and leaks nothing', () => {
      const valid = () => ({ logprobs: tf.zeros([2, 3]), oldLogprobs: tf.zeros([2, 3]), advantages: tf.zeros([2, 3]), mask: tf.ones([2, 3]) });
      expect(
        expectOptionErrors(ppoPolicyLoss, 'ppoPolicyLoss', valid, [
          ['logprobs', undefined],
          ['logprobs', tf.zeros([6])],
          ['oldLogprobs', tf.zeros([2, 2])],
          ['advantages', 'A'],
          ['advantages', tf.zeros([3, 3])],
          ['mask', tf.ones([2])],
          ['clipRange', -0.2],
          ['clipRange', Infinity],
          ['clipRange', '0.2'],
        ]),
      ).toBe(9);
    });
    it('ppoValueLoss names the option for each wrong kind, shape or value, and leaks nothing', () => {
      const valid = () => ({ values: tf.zeros([2, 3]), oldValues: tf.zeros([2, 3]), returns: tf.zeros([2, 3]) });
      expect(
        expectOptionErrors(ppoValueLoss, 'ppoValueLoss', valid, [
          ['values', null],
          ['values', tf.zeros([2, 3, 1])],
          ['oldValues', tf.zeros([1, 3])],
          ['returns', {}],
          ['returns', tf.zeros([2, 4])],
          ['mask', tf.ones([3, 2])],
          ['clipRange', -1],
          ['clipRange', NaN],
        ]),
      ).toBe(8);
    });
  });
}
