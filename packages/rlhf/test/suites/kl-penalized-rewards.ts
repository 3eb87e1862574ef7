import { expect, it } from 'vitest';
import { describeBackends, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { klPenalizedRewards } from '../../src/index.js';
import { fixture, forwardTol } from '../fixture.js';
import { expectOptionErrors, t } from '../helpers.js';

/** Registers the suite (called by a test file; a module of its own keeps one concept per file). */
export function klPenalizedRewardsSuite(): void {
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
      // the fixtures' shape [4, 6] (a new shape would compile new shaders in the browser lane)
      const logprobs = tf.fill<tf.Rank.R2>([4, 6], -1);
      const refLogprobs = tf.fill<tf.Rank.R2>([4, 6], -2);
      const scores = tf.tensor1d([10, 20, 30, 40]);
      const maskRows = [
        [0, 1, 0, 0, 0, 0], // a hole: the last real token is position 1
        [1, 1, 1, 1, 1, 1],
        [0, 0, 0, 0, 0, 0], // nothing real: no score
        [0, 0, 1, 1, 1, 0], // masked prefix and right padding
      ];
      const mask = tf.tensor2d(maskRows, undefined, 'int32');
      const rewards = klPenalizedRewards({ logprobs, refLogprobs, scores, mask, beta: 0 });
      const expected = [
        [0, 10, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 20],
        [0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 40, 0],
      ];
      await expectTensorClose(rewards, expected.flat(), { atol: 0, rtol: 0 }, 'scores only');
      const penalized = klPenalizedRewards({ logprobs, refLogprobs, scores, beta: 0.5 }); // k1 = 1 everywhere
      const last = (score: number) => [-0.5, -0.5, -0.5, -0.5, -0.5, score - 0.5];
      await expectTensorClose(penalized, [...last(10), ...last(20), ...last(30), ...last(40)], forwardTol, 'no mask');
      tf.dispose([logprobs, refLogprobs, scores, mask, rewards, penalized]);
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
}
