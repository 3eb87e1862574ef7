import { expect, it } from 'vitest';
import { expectBadInputs } from '@prep/test-utils';
import { describeBackends, disposeArgs, expectNoLeak, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { klRegularizedOptimum } from '../src/index.js';
import { fixture, forwardTol } from './fixture.js';
import { t } from './helpers.js';

describeBackends('klRegularizedOptimum', (backend) => {
  it('matches numpy: rows of actions, a zero-probability action, 1-D, r/β = 100s', async () => {
    for (const c of fixture.klRegularizedOptimum) {
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
    const ref = tf.tensor1d([0.2, 0.5, 0.3]);
    const rewards = tf.tensor1d([1, 0, 2]);
    const flat = klRegularizedOptimum(ref, rewards, 1e6);
    const greedy = klRegularizedOptimum(ref, rewards, 1e-3);
    await expectTensorClose(flat, [0.2, 0.5, 0.3], { atol: 1e-5, rtol: 1e-5 }, 'β → ∞');
    await expectTensorClose(greedy, [0, 0, 1], { atol: 1e-6, rtol: 0 }, 'β → 0');
    tf.dispose([ref, rewards, flat, greedy]);
  });

  it('leaks no tensor', async () => {
    await expectNoLeak(() => klRegularizedOptimum([0.5, 0, 0.5], [1, 2, 3], 0.5));
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
