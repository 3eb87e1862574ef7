// Installed-tarball check: ESM import of @prep/rlhf with the umbrella @tensorflow/tfjs, incl. tf.grad.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  AdaptiveKLController,
  dpoLoss,
  gae,
  klEstimate,
  klRegularizedOptimum,
  labelPreferences,
  positionSwapJudge,
} from '@prep/rlhf';

await tf.setBackend('cpu');
// TRL v0.8.6 test_ppo_trainer_kl_penalty vectors
const logp = tf.tensor2d([[0.5, 0.2, 0.1], [0.6, 0.2, 0.1]]);
const ref = tf.tensor2d([[0.4, 0.3, 0.0], [0.7, 0.1, 0.3]]);
const k1 = Array.from(await klEstimate(logp, ref, 'k1').data());
assert.ok(Math.abs(k1[5] - -0.2) < 1e-6);
// DPO at initialization is ln 2, and its gradient flows
const same = tf.tensor1d([-3, -5]);
const { loss } = dpoLoss({ policyChosenLogps: same, policyRejectedLogps: same, refChosenLogps: same, refRejectedLogps: same });
assert.ok(Math.abs((await loss.data())[0] - Math.LN2) < 1e-6);
// (a separate tensor: differentiating with respect to `same` would move all four inputs at once)
const g = tf.grad((x) => dpoLoss({ policyChosenLogps: x, policyRejectedLogps: same, refChosenLogps: same, refRejectedLogps: same }).loss)(tf.tensor1d([-3, -5]));
assert.deepEqual(g.shape, [2]);
assert.ok((await g.data()).every((v) => v < 0)); // raising the chosen log-probability lowers the loss
const { advantages } = gae({ rewards: tf.tensor2d([[0, 0, 1]]), values: tf.zeros([1, 3]), gamma: 1, lambda: 1 });
assert.deepEqual(Array.from(await advantages.data()), [1, 1, 1]);
const pi = await klRegularizedOptimum([0.5, 0.5], [1, 0], 1).data();
assert.ok(Math.abs(pi[0] - Math.E / (Math.E + 1)) < 1e-6);
const ctl = new AdaptiveKLController({ initKL: 0.1, target: 6, horizon: 10000 });
ctl.update(12, 256);
assert.ok(Math.abs(ctl.value - 0.100512) < 1e-12);
const judge = positionSwapJudge(async () => ({ preferred: 0 }));
const { stats } = await labelPreferences([{ prompt: 'q', a: 'x', b: 'y' }], judge);
assert.equal(stats.abstained, 1);
assert.throws(() => gae({ rewards: tf.zeros([1, 3]), values: tf.zeros([1, 2]), gamma: 1, lambda: 1 }), RangeError);
console.log('@prep/rlhf ESM ok (ops + tf.grad + judges)');
