import { expect, it } from 'vitest';
import { expectBadInputs, expectThrowsNaming } from '@prep/test-utils';
import { describeBackends, disposeArgs, expectNoLeak, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { bradleyTerryLoss } from '../../src/index.js';
import { fixture, forLane, forwardTol } from '../fixture.js';

/** Registers the suite (called by a test file; a module of its own keeps one concept per file). */
export function bradleyTerryLossSuite(): void {
  describeBackends('bradleyTerryLoss', (backend) => {
    it('matches numpy: margins (none, scalar, per pair), rewards of ±100, a single pair', async () => {
      for (const c of forLane(fixture.bradleyTerry)) {
        const chosen = tf.tensor1d(c.chosen);
        const rejected = tf.tensor1d(c.rejected);
        const margin = Array.isArray(c.margin) ? tf.tensor1d(c.margin) : c.margin;
        const before = numTensors();
        const loss = bradleyTerryLoss(chosen, rejected, margin === null ? undefined : { margin });
        expect(numTensors(), c.name).toBe(before + 1);
        expect(loss.shape).toEqual([]);
        await expectTensorClose(loss, c.loss, forwardTol, c.name);
        tf.dispose([loss, chosen, rejected, ...(margin instanceof tf.Tensor ? [margin] : [])]);
      }
    });

    it('is ln 2 for equal rewards, → 0 for a large positive margin of victory, never overflows', async () => {
      const zero = tf.zeros<tf.Rank.R1>([6]);
      const big = tf.fill<tf.Rank.R1>([6], 1e4);
      const small = tf.fill<tf.Rank.R1>([6], -1e4);
      await expectNoLeak(() => bradleyTerryLoss(zero, zero)).then((v) => expectTensorClose(v, Math.LN2, forwardTol, 'ties'));
      await expectNoLeak(() => bradleyTerryLoss(big, small)).then((v) => expectTensorClose(v, 0, { atol: 1e-7, rtol: 0 }, 'right by 2e4'));
      await expectNoLeak(() => bradleyTerryLoss(small, big)).then((v) => expectTensorClose(v, 2e4, { atol: 0, rtol: 1e-6 }, 'wrong by 2e4'));
      tf.dispose([zero, big, small]);
    });

    it(`runs on ${backend}`, () => {
      expect(tf.getBackend()).toBe(backend);
    });
  });

  describeBackends('bradleyTerryLoss bad input', () => {
    it('names the argument for each wrong kind or shape, and leaks nothing', () => {
      const attempts = expectBadInputs({
        fn: bradleyTerryLoss,
        fnName: 'bradleyTerryLoss',
        validArgs: () => [tf.tensor1d([1, 2, 3]), tf.tensor1d([0, 1, 2])],
        argNames: ['chosenRewards', 'rejectedRewards', 'options'],
        cases: {
          chosenRewards: [null, undefined, 'r', 3, [], tf.zeros([3, 1]), tf.zeros([0]), tf.tensor1d([1, 0, 1], 'bool')],
          rejectedRewards: [null, {}, tf.zeros([2]), tf.zeros([3, 1])],
          options: [null, 'margin', 5, { margin: 'x' }, { margin: NaN }, { margin: Infinity }, { margin: tf.zeros([2]) }, { margin: [[1, 2, 3]] }],
        },
        cleanup: disposeArgs,
        liveCount: numTensors,
      });
      expect(attempts).toBeGreaterThan(15);
      const c = tf.tensor1d([1, 2]);
      expectThrowsNaming(() => bradleyTerryLoss(c, c, { margin: tf.zeros([3]) }), 'bradleyTerryLoss', 'options.margin');
      c.dispose();
    });
  });
}
