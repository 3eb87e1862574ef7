import { expect, it } from 'vitest';
import { describeBackends, expectNoLeak, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { klPenalizedRewards } from '../src/index.js';
import { fixture, forwardTol } from './fixture.js';
import { expectOptionErrors, t } from './helpers.js';

describeBackends('klPenalizedRewards', (backend) => {
  it('matches numpy (TRL v0.8.6 compute_rewards) for k1/k2/k3, right padding, a masked prefix, no mask', async () => {
    for (const c of fixture.klPenalizedRewards) {
      const logprobs = t(c.logprobs, c.shape) as tf.Tensor2D;
      const refLogprobs = t(c.refLogprobs, c.shape) as tf.Tensor2D;
      const scores = tf.tensor1d(c.scores);
      const mask = c.mask ? (t(c.mask, c.shape) as tf.Tensor2D) : undefined;
      const before = numTensors();
      const rewards = klPenalizedRewards({ logprobs, refLogprobs, scores, beta: c.beta, estimator: c.estimator, ...(mask ? { mask } : {}) });
      expect(numTensors()).toBe(before + 1);
      await expectTensorClose(rewards, t(c.rewards, c.shape), forwardTol, `${c.estimator}${mask ? ' masked' : ''}`);
      tf.dispose([rewards, logprobs, refLogprobs, scores, mask]);
    }
  });

  it('puts the score on the last real token; a row with no real token gets none; β = 0 leaves only scores', async () => {
    const logprobs = tf.tensor2d([[-1, -1, -1], [-1, -1, -1], [-1, -1, -1]]);
    const refLogprobs = tf.tensor2d([[-2, -2, -2], [-2, -2, -2], [-2, -2, -2]]);
    const scores = tf.tensor1d([10, 20, 30]);
    const mask = tf.tensor2d([[0, 1, 0], [1, 1, 1], [0, 0, 0]], undefined, 'int32');
    const rewards = klPenalizedRewards({ logprobs, refLogprobs, scores, mask, beta: 0 });
    await expectTensorClose(rewards, tf.tensor2d([[0, 10, 0], [0, 0, 20], [0, 0, 0]]), { atol: 0, rtol: 0 }, 'scores only');
    const penalized = klPenalizedRewards({ logprobs, refLogprobs, scores, beta: 0.5 }); // k1 = 1 everywhere
    await expectTensorClose(penalized, tf.tensor2d([[-0.5, -0.5, 9.5], [-0.5, -0.5, 19.5], [-0.5, -0.5, 29.5]]), forwardTol, 'no mask');
    tf.dispose([logprobs, refLogprobs, scores, mask, rewards, penalized]);
    // a single token per sequence (T = 1)
    const one = tf.tensor2d([[-1], [-2]]);
    const oneMask = tf.tensor2d([[1], [0]]);
    const oneScores = tf.tensor1d([3, 4]);
    const single = klPenalizedRewards({ logprobs: one, refLogprobs: one, scores: oneScores, mask: oneMask, beta: 0.1 });
    await expectTensorClose(single, [3, 0], { atol: 0, rtol: 0 }, 'T = 1');
    tf.dispose([one, oneMask, oneScores, single]);
  });

  it('leaks no tensor', async () => {
    const a = tf.tensor2d([[-1, -2, -3]]);
    const s = tf.tensor1d([1]);
    const m = tf.tensor2d([[1, 1, 0]]);
    await expectNoLeak(() => klPenalizedRewards({ logprobs: a, refLogprobs: a, scores: s, beta: 0.1 }));
    await expectNoLeak(() => klPenalizedRewards({ logprobs: a, refLogprobs: a, scores: s, mask: m, beta: 0.1, estimator: 'k3' }));
    tf.dispose([a, s, m]);
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});

describeBackends('klPenalizedRewards bad input', () => {
  it('names the option for each wrong kind, shape or value, and leaks nothing', () => {
    const valid = () => ({ logprobs: tf.zeros([2, 3]), refLogprobs: tf.zeros([2, 3]), scores: tf.zeros([2]), mask: tf.ones([2, 3]), beta: 0.1 });
    const attempts = expectOptionErrors(klPenalizedRewards, 'klPenalizedRewards', valid, [
      ['logprobs', null],
      ['logprobs', tf.zeros([2, 3, 1])],
      ['logprobs', tf.zeros([0, 3])],
      ['refLogprobs', 'ref'],
      ['refLogprobs', tf.zeros([2, 4])],
      ['scores', undefined],
      ['scores', tf.zeros([3])],
      ['scores', tf.zeros([2, 1])],
      ['mask', [1, 0]],
      ['mask', tf.ones([2, 2])],
      ['mask', 'all'],
      ['beta', -0.1],
      ['beta', NaN],
      ['beta', '0.1'],
      ['beta', undefined],
      ['estimator', 'k0'],
      ['estimator', 3],
    ]);
    expect(attempts).toBe(17);
    expect(() => klPenalizedRewards(undefined as never)).toThrow(TypeError);
  });
});
