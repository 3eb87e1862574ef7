// Installed-tarball check: ESM import of @prep/paged-kv with the umbrella @tensorflow/tfjs, incl. tf.grad.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { KVCacheManager, OutOfBlocksError, PagedKVStore, pagedAttention, pagedAttentionReference, simulateWorkload } from '@prep/paged-kv';

await tf.setBackend('cpu');
const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4, enablePrefixCaching: true });
const store = new PagedKVStore(kv, { numLayers: 1, numKvHeads: 1, headDim: 4 });
assert.equal(store.usesWasm, true); // Node has WebAssembly SIMD
kv.addSequence(0, [1, 2, 3, 4, 5]);
store.write(0, 0, tf.randomNormal([5, 1, 4]), tf.randomNormal([5, 1, 4]));
kv.fork(0, 1);
const cow = kv.appendToken(1, 6);
assert.deepEqual(cow, { copyFrom: 1, copyTo: 2 });
assert.deepEqual(Array.from(kv.toPageTable([0, 1]).lastPageLen), [1, 2]);
store.copyBlock(cow);
store.write(0, 1, tf.randomNormal([1, 1, 4]), tf.randomNormal([1, 1, 4]));
const q = tf.randomNormal([2, 2, 4]);
const out = pagedAttention(q, store, 0, [0, 1]);
const ref = pagedAttentionReference(q, store, 0, [0, 1]);
assert.ok(Math.max(...(await tf.abs(tf.sub(out, ref)).data())) < 1e-5);
const dq = tf.grad((x) => tf.sum(pagedAttention(x, store, 0, [0, 1])))(q);
assert.deepEqual(dq.shape, [2, 2, 4]);
assert.throws(() => kv.addSequence(2, new Array(40).fill(0)), OutOfBlocksError);
const report = await simulateWorkload({ steps: 60, capacityTokens: 8192 });
assert.equal(report.allocators.length, 3);
console.log('@prep/paged-kv ESM ok (manager, store, wasm kernel, tf.grad, simulator)');
