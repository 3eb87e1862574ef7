// Installed-tarball check: CommonJS require of @prep/contrastive with the umbrella @tensorflow/tfjs.
const assert = require('node:assert/strict');
const tf = require('@tensorflow/tfjs');
const { chunkedSiglipLoss, siglipLoss, zeroShotClassify, classEmbeddings } = require('@prep/contrastive');

(async () => {
  await tf.setBackend('cpu');
  const image = tf.randomNormal([9, 6], 0, 1, 'float32', 3);
  const text = tf.randomNormal([9, 6], 0, 1, 'float32', 4);
  const dense = siglipLoss(image, text, 10, -10).dataSync()[0];
  const chunked = chunkedSiglipLoss(image, text, 10, -10, { chunkSize: 4 }).dataSync()[0];
  assert.ok(Math.abs(dense - chunked) < 1e-4, `${dense} vs ${chunked}`);
  const g = tf.grad((t) => chunkedSiglipLoss(image, t, 10, -10, { chunkSize: 4 }))(text);
  assert.deepEqual(g.shape, [9, 6]);
  const classes = classEmbeddings(tf.randomNormal([3, 2, 6], 0, 1, 'float32', 5));
  const { predictions } = zeroShotClassify(image, classes);
  assert.equal(predictions.dtype, 'int32');
  console.log('@prep/contrastive CJS ok (forward + tf.grad, zero-shot)');
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
