// Installed-tarball check: CommonJS require of @prep/attention with the umbrella @tensorflow/tfjs.
const assert = require('node:assert/strict');
const tf = require('@tensorflow/tfjs');
const { scaledDotProductAttention, chunkedAttention, linearAttention, attentionCost, scoreMatrixBytes } = require('@prep/attention');

(async () => {
  await tf.setBackend('cpu');
  const q = tf.randomNormal([2, 4, 3, 8]);
  const kv = tf.randomNormal([2, 2, 5, 8]);
  const out = scaledDotProductAttention(q, kv, kv);
  assert.deepEqual(out.shape, [2, 4, 3, 8]);
  const g = tf.grad((x) => tf.sum(scaledDotProductAttention(q, x, kv)))(kv);
  assert.deepEqual(g.shape, [2, 2, 5, 8]);
  const gc = tf.grad((x) => tf.sum(chunkedAttention(q, x, kv, { chunkSize: 2 })))(kv);
  assert.ok((await tf.max(tf.abs(tf.sub(g, gc))).data())[0] < 1e-4);
  assert.deepEqual(linearAttention(q, kv, kv, { causal: true }).shape, [2, 4, 3, 8]);
  assert.ok(attentionCost({ variant: 'chunked', n: 64, headDim: 8 }).flops > 0);
  assert.equal(scoreMatrixBytes({ n: 100000 }), 4e10);
  console.log('@prep/attention CJS ok (forward + tf.grad, chunked custom gradient)');
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
