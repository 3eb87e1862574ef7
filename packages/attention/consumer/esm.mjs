// Installed-tarball check: ESM import of @prep/attention with the umbrella @tensorflow/tfjs, incl. tf.grad.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { scaledDotProductAttention } from '@prep/attention';

await tf.setBackend('cpu');
const q = tf.tensor4d([1, 0, 0, 1, 1, 1, 0, 2], [1, 1, 4, 2]);
const out = scaledDotProductAttention(q, q, q, { causal: true });
assert.deepEqual(out.shape, [1, 1, 4, 2]);
// causal: the first query sees only the first key, so its output is the first value row
assert.deepEqual(Array.from((await out.data()).slice(0, 2)), [1, 0]);
const dq = tf.grad((x) => tf.sum(scaledDotProductAttention(x, q, q)))(q);
assert.deepEqual(dq.shape, [1, 1, 4, 2]);
assert.ok(Array.from(await dq.data()).every(Number.isFinite));
assert.throws(() => scaledDotProductAttention(q, q, tf.zeros([1, 1, 3, 2])), RangeError);
console.log('@prep/attention ESM ok (forward + tf.grad)');
