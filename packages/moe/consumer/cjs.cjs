// Installed-tarball check: CommonJS require of @prep/moe with the umbrella @tensorflow/tfjs.
const assert = require('node:assert/strict');
const tf = require('@tensorflow/tfjs');
const { MoELayer, moeVsDense, squaredDeviationLoss } = require('@prep/moe');

(async () => {
  await tf.setBackend('cpu');
  const layer = new MoELayer({ dModel: 4, dHidden: 6, numExperts: 3, k: 1, seed: 2 });
  const x = tf.randomNormal([5, 4]);
  const g = tf.grad((input) => tf.sum(layer.apply(input).output))(x);
  assert.deepEqual(g.shape, [5, 4]);
  const loss = squaredDeviationLoss(tf.zeros([8, 1], 'int32'), 4);
  assert.ok(Math.abs((await loss.data())[0] - 0.75) < 1e-6);
  const r = moeVsDense({ dModel: 4096, dHidden: 16384, numExperts: 64, k: 2, tokens: 1 });
  assert.ok(r.paramsRatio > 64 && r.flopsRatio < 2.01);
  layer.dispose();
  console.log('@prep/moe CJS ok (forward + tf.grad, losses, cost)');
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
