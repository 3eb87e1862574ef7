// Installed-tarball check: CommonJS require of @prep/paged-kv with the umbrella @tensorflow/tfjs.
const assert = require('node:assert/strict');
const tf = require('@tensorflow/tfjs');
const { KVCacheManager, PagedKVStore, pagedAttention, MaxLengthAllocator } = require('@prep/paged-kv');

(async () => {
  await tf.setBackend('cpu');
  const kv = new KVCacheManager({ numBlocks: 16, blockSize: 4 });
  kv.addSequence(7, [1, 2, 3]);
  assert.equal(kv.canAdmit(100), 'never');
  const store = new PagedKVStore(kv, { numLayers: 2, numKvHeads: 2, headDim: 8 });
  store.write(1, 7, tf.ones([3, 2, 8]), tf.ones([3, 2, 8]));
  const out = pagedAttention(tf.ones([1, 4, 8]), store, 1, [7]);
  assert.deepEqual(Array.from(await out.data()), new Array(32).fill(1));
  const g = tf.grad((x) => tf.sum(pagedAttention(x, store, 1, [7])))(tf.ones([1, 4, 8]));
  assert.deepEqual(g.shape, [1, 4, 8]);
  assert.equal(new MaxLengthAllocator({ capacityTokens: 204800, maxLength: 4000 }).numSlots, 51);
  console.log('@prep/paged-kv CJS ok (manager, store, kernel, tf.grad)');
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
