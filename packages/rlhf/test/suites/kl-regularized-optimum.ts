import { expect, it } from 'vitest';
import { expectBadInputs } from '@prep/test-utils';
import { describeBackends, disposeArgs, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { klRegularizedOptimum } from '../../src/index.js';
import { fixture, forLane, forwardTol } from '../fixture.js';
import { t } from '../helpers.js';

/** Registers the suite (called by a test file; a module of its own keeps one concept per file). */
export function klRegularizedOptimumSuite(): void {
  describeBackends('klRegularizedOptimum', (backend) => {
    it('matches numpy: rows of actions, a zero-probability action, 1-D, r/β = 100s', async () => {
      for (const c of forLane(fixture.klRegularizedOptimum)) {
        const ref = t(c.refProbs, c.shape);
        const rewards = t(c.rewards, c.shape);
        const before = numTensors();
        const out = klRegularizedOptimum(ref, rewards, c.beta);
        expect(numTensors()).toBe(before + 1);
        await expectTensorClose(out, t(c.out, c.shape), forwardTol, c.name);
        tf.dispose([out, ref, rewards]);
      }
    });

    it('tends to π_ref as β → ∞ and to the argmax as β → 0', async () => {
      // the fixtures' shape [3, 5] (a new shape would compile new shaders in the browser lane)
      const refRow = [0.2, 0.5, 0.1, 0.15, 0.05];
      const rewardRow = [1, 0, 2, -1, 0.5];
      const ref = tf.tensor2d([refRow, refRow, refRow]);
      const rewards = tf.tensor2d([rewardRow, rewardRow, rewardRow]);
      const flat = klRegularizedOptimum(ref, rewards, 1e6);
      const greedy = klRegularizedOptimum(ref, rewards, 1e-3);
      await expectTensorClose(flat, [...refRow, ...refRow, ...refRow], { atol: 1e-5, rtol: 1e-5 }, 'β → ∞');
      const argmax = [0, 0, 1, 0, 0];
      await expectTensorClose(greedy, [...argmax, ...argmax, ...argmax], { atol: 1e-6, rtol: 0 }, 'β → 0');
      tf.dispose([ref, rewards, flat, greedy]);
    });

    it(`runs on ${backend}`, () => {
      expect(tf.getBackend()).toBe(backend);
    });
  });

  describeBackends('klRegularizedOptimum bad input', () => {
    it('names the argument for each wrong kind, shape or value, and leaks nothing', () => {
      const attempts = expectBadInputs({
        fn: klRegularizedOptimum,
        fnName: 'klRegularizedOptimum',
        validArgs: () => [tf.tensor1d([0.5, 0.5]), tf.tensor1d([1, 0]), 0.1],
        argNames: ['refProbs', 'rewards', 'beta'],
        cases: {
          refProbs: [null, 'p', tf.scalar(1), tf.zeros([0])],
          rewards: [undefined, tf.zeros([3]), tf.zeros([2, 2])],
          beta: [0, -1, NaN, Infinity, '1', null],
        },
        cleanup: disposeArgs,
        liveCount: numTensors,
      });
      expect(attempts).toBe(13);
    });
  });
}
