/**
 * Edge cases and leak checks with other shapes than the fixtures' (Node lane only: in the browser every new
 * shape compiles new shaders). The fixture suites already count tensors around every call.
 */
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeak, expectTensorClose, tf } from '@prep/test-utils/tensor';
import {
  bradleyTerryLoss,
  dpoLoss,
  gae,
  klEstimate,
  klPenalizedRewards,
  klRegularizedOptimum,
  ppoPolicyLoss,
  ppoValueLoss,
  whiten,
} from '../../src/index.js';

/** Registers the suite (called by a test file; a module of its own keeps one concept per file). */
export function edgeCasesSuite(): void {
  describeBackends('edge cases', () => {
    it('klPenalizedRewards with one token per sequence (T = 1)', async () => {
      const one = tf.tensor2d([[-1], [-2]]);
      const oneMask = tf.tensor2d([[1], [0]]);
      const scores = tf.tensor1d([3, 4]);
      const single = klPenalizedRewards({ logprobs: one, refLogprobs: one, scores, mask: oneMask, beta: 0.1 });
      await expectTensorClose(single, [3, 0], { atol: 0, rtol: 0 }, 'T = 1');
      const unmasked = klPenalizedRewards({ logprobs: one, refLogprobs: one, scores, beta: 0.1 });
      await expectTensorClose(unmasked, [3, 4], { atol: 0, rtol: 0 }, 'T = 1, no mask');
      tf.dispose([one, oneMask, scores, single, unmasked]);
    });

    it('every op leaks no tensor, from tensors and from plain arrays', async () => {
      const a = tf.tensor2d([[-1, -2, -3]]);
      const s = tf.tensor1d([1]);
      const m = tf.tensor2d([[1, 1, 0]]);
      await expectNoLeak(() => bradleyTerryLoss([1, 2], [0, 3], { margin: 0.5 }));
      for (const estimator of ['k1', 'k2', 'k3'] as const) await expectNoLeak(() => klEstimate([-1, -2], [-1, -1], estimator));
      await expectNoLeak(() => klPenalizedRewards({ logprobs: a, refLogprobs: a, scores: s, mask: m, beta: 0.1, estimator: 'k3' }));
      await expectNoLeak(() => {
        const out = gae({ rewards: a, values: a, mask: m, gamma: 0.9, lambda: 0.5 });
        return [out.advantages, out.returns];
      });
      await expectNoLeak(() => {
        const out = ppoPolicyLoss({ logprobs: a, oldLogprobs: a, advantages: a, mask: m, clipRange: 0.1 });
        return [out.loss, out.clipFraction, out.approxKL];
      });
      await expectNoLeak(() => ppoValueLoss({ values: a, oldValues: a, returns: a, mask: m }));
      await expectNoLeak(() => whiten([1, 2, 3, 4]));
      await expectNoLeak(() => whiten(a, { mask: m, shiftMean: false }));
      for (const lossType of ['sigmoid', 'ipo', 'hinge', 'robust'] as const) {
        await expectNoLeak(() => {
          const out = dpoLoss({ policyChosenLogps: [-1, -2], policyRejectedLogps: [-2, -1], refChosenLogps: [-2, -1], refRejectedLogps: [-1, -2], lossType } as never);
          return [out.loss, out.chosenRewards, out.rejectedRewards];
        });
      }
      await expectNoLeak(() => klRegularizedOptimum([0.5, 0, 0.5], [1, 2, 3], 0.5));
      tf.dispose([a, s, m]);
    });

    it('whiten of an all-masked tensor is 0, of one real value is 0 (+ its value without mean shift)', async () => {
      const x = tf.tensor2d([[5, 7], [1, 2]]);
      const none = tf.zeros([2, 2]);
      const one = tf.tensor2d([[0, 1], [0, 0]]);
      const allMasked = whiten(x, { mask: none });
      const single = whiten(x, { mask: one });
      const keepMean = whiten(x, { mask: one, shiftMean: false });
      await expectTensorClose(allMasked, [0, 0, 0, 0], { atol: 0, rtol: 0 }, 'all masked');
      await expectTensorClose(single, [0, 0, 0, 0], { atol: 0, rtol: 0 }, 'one real value');
      await expectTensorClose(keepMean, [0, 7, 0, 0], { atol: 0, rtol: 0 }, 'one real value, mean kept');
      tf.dispose([x, none, one, allMasked, single, keepMean]);
      expect(() => whiten([3])).toThrow(RangeError);
    });
  });
}
