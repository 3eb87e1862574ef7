// Installed-tarball check: CommonJS require of @prep/info-bottleneck with the umbrella @tensorflow/tfjs.
const assert = require('node:assert/strict');
const tf = require('@tensorflow/tfjs');
const { binnedMutualInformation, kdeMutualInformation, vibLoss, reparameterize } = require('@prep/info-bottleneck');

(async () => {
  await tf.setBackend('cpu');
  const t = tf.tensor2d([[1.5], [2.5], [3.5], [4.5]]);
  const labels = [0, 0, 1, 1];
  assert.deepEqual(await binnedMutualInformation(t, labels), { iXT: 0, iTY: 0 }); // ReLU range problem
  assert.deepEqual(await binnedMutualInformation(t, labels, { range: 'auto' }), { iXT: 2, iTY: 1 });
  const kde = await kdeMutualInformation(t, labels, { noiseVariance: 1e-4, units: 'nats' });
  assert.ok(Math.abs(kde.upper.iXT - Math.log(4)) < 1e-5);
  const mean = tf.randomNormal([4, 2], 0, 1, 'float32', 1);
  const logVariance = tf.zeros([4, 2]);
  const w = tf.randomNormal([2, 3], 0, 1, 'float32', 2);
  const g = tf.grad((m) => {
    const z = reparameterize(m, logVariance, 3);
    return vibLoss({ mean: m, logVariance, logits: tf.matMul(z, w), labels: tf.tensor1d([0, 1, 2, 0], 'int32'), beta: 0.1 }).loss;
  })(mean);
  assert.deepEqual(g.shape, [4, 2]);
  assert.ok(Array.from(await g.data()).every(Number.isFinite));
  console.log('@prep/info-bottleneck CJS ok (binning range, KDE, vibLoss through reparameterize + tf.grad)');
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
