// Installed-tarball check: CommonJS require of @prep/attention with the umbrella @tensorflow/tfjs.
const assert = require('node:assert/strict');
const tf = require('@tensorflow/tfjs');
const { scaledDotProductAttention } = require('@prep/attention');

(async () => {
  await tf.setBackend('cpu');
  const q = tf.randomNormal([2, 4, 3, 8]);
  const kv = tf.randomNormal([2, 2, 5, 8]);
  const out = scaledDotProductAttention(q, kv, kv);
  assert.deepEqual(out.shape, [2, 4, 3, 8]);
  const g = tf.grad((x) => tf.sum(scaledDotProductAttention(q, x, kv)))(kv);
  assert.deepEqual(g.shape, [2, 2, 5, 8]);
  console.log('@prep/attention CJS ok (forward + tf.grad)');
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
