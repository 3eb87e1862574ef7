// Installed-tarball check: CommonJS require of @prep/rlhf with the umbrella @tensorflow/tfjs.
const assert = require('node:assert/strict');
const tf = require('@tensorflow/tfjs');
const { bradleyTerryLoss, ppoPolicyLoss, whiten, JudgeError, ensembleJudge } = require('@prep/rlhf');

(async () => {
  await tf.setBackend('cpu');
  const loss = bradleyTerryLoss(tf.tensor1d([0, 0]), tf.tensor1d([0, 0]));
  assert.ok(Math.abs((await loss.data())[0] - Math.LN2) < 1e-6);
  const old = tf.tensor2d([[-1, -1]]);
  const adv = tf.tensor2d([[1, -1]]);
  const g = tf.grad((x) => ppoPolicyLoss({ logprobs: x, oldLogprobs: old, advantages: adv }).loss)(tf.tensor2d([[-1, -1]]));
  assert.deepEqual(Array.from(await g.data()), [-0.5, 0.5]);
  const w = await whiten(tf.tensor1d([1, 2, 3])).data();
  assert.ok(Math.abs(w[0] + 1) < 1e-6);
  const failing = async () => {
    throw new Error('down');
  };
  await assert.rejects(ensembleJudge([failing], { onFailure: 'throw' })('q', 'a', 'b'), JudgeError);
  console.log('@prep/rlhf CJS ok (forward + tf.grad + judges)');
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
