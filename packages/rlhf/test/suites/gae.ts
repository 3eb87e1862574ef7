import { expect, it } from 'vitest';
import { describeBackends, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { gae } from '../../src/index.js';
import { fixture, forLane, forwardTol } from '../fixture.js';
import { expectOptionErrors, t } from '../helpers.js';

/** Registers the suite (called by a test file; a module of its own keeps one concept per file). */
export function gaeSuite(): void {
  describeBackends('gae', (backend) => {
    it('matches numpy (TRL v0.8.6 compute_advantages): masks, λ 0 and 1, one step, 300 steps across blocks', async () => {
      for (const c of forLane(fixture.gae)) {
        const rewards = t(c.rewards, c.shape) as tf.Tensor2D;
        const values = t(c.values, c.shape) as tf.Tensor2D;
        const mask = c.mask ? (t(c.mask, c.shape) as tf.Tensor2D) : undefined;
        const before = numTensors();
        const { advantages, returns } = gae({ rewards, values, gamma: c.gamma, lambda: c.lambda, ...(mask ? { mask } : {}) });
        expect(numTensors()).toBe(before + 2);
        // 300 steps: sums of up to 300 float32 terms, so the absolute tolerance grows with the horizon.
        const tol = c.shape[1] > 100 ? { atol: 2e-4, rtol: 1e-4 } : forwardTol;
        await expectTensorClose(advantages, t(c.advantages, c.shape), tol, `${c.name}: advantages`);
        await expectTensorClose(returns, t(c.returns, c.shape), tol, `${c.name}: returns`);
        tf.dispose([advantages, returns, rewards, values, mask]);
      }
    });

    it(`runs on ${backend}`, () => {
      expect(tf.getBackend()).toBe(backend);
    });
  });

  describeBackends('gae bad input', () => {
    it('names the option for each wrong kind, shape or value, and leaks nothing', () => {
      const valid = () => ({ rewards: tf.zeros([2, 3]), values: tf.zeros([2, 3]), mask: tf.ones([2, 3]), gamma: 1, lambda: 0.95 });
      const attempts = expectOptionErrors(gae, 'gae', valid, [
        ['rewards', null],
        ['rewards', tf.zeros([3])],
        ['values', tf.zeros([2, 4])],
        ['values', 'v'],
        ['mask', tf.ones([3, 2])],
        ['mask', tf.tensor2d([['a', 'b', 'c'], ['a', 'b', 'c']], undefined, 'string')],
        ['gamma', 1.01],
        ['gamma', -0.1],
        ['gamma', undefined],
        ['lambda', 2],
        ['lambda', NaN],
        ['lambda', '0.9'],
      ]);
      expect(attempts).toBe(12);
    });
  });
}
