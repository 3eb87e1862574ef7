// Installed-tarball check: ESM import of @prep/attention with the umbrella @tensorflow/tfjs, incl. tf.grad.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  scaledDotProductAttention,
  chunkedAttention,
  linearAttention,
  LinearAttentionState,
  slidingWindowAttention,
  bigBirdAttention,
  attentionCost,
  MultiHeadAttention,
} from '@prep/attention';

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

// chunked = exact, and its custom gradient runs
const x = tf.randomNormal([1, 2, 9, 4], 0, 1, 'float32', 1);
const diff = tf.max(tf.abs(tf.sub(chunkedAttention(x, x, x, { chunkSize: 4, causal: true }), scaledDotProductAttention(x, x, x, { causal: true }))));
assert.ok((await diff.data())[0] < 1e-5);
const dx = tf.grad((y) => tf.sum(chunkedAttention(y, x, x, { chunkSize: 4 })))(x);
assert.deepEqual(dx.shape, [1, 2, 9, 4]);

// linear attention: batch causal = streaming state
const batch = linearAttention(x, x, x, { featureMap: 'favor+', numFeatures: 16, causal: true });
const state = new LinearAttentionState({ featureMap: 'favor+', numFeatures: 16 });
const steps = [];
for (let t = 0; t < 9; t++) {
  const token = tf.slice(x, [0, 0, t, 0], [1, 2, 1, 4]);
  steps.push(state.step(token, token, token));
}
assert.ok((await tf.max(tf.abs(tf.sub(tf.concat(steps, 2), batch))).data())[0] < 1e-4);
state.dispose();

assert.deepEqual(slidingWindowAttention(x, x, x, { window: 2, globalTokens: [0] }).shape, [1, 2, 9, 4]);
assert.deepEqual(bigBirdAttention(x, x, x, { blockSize: 3, numRandomBlocks: 1, seed: 0 }).shape, [1, 2, 9, 4]);
assert.equal(attentionCost({ variant: 'standard', n: 10, headDim: 4 }).flops, 4 * 100 * 4 + 5 * 100 + 40);

const mha = new MultiHeadAttention({ modelDim: 8, numHeads: 2, seed: 1 });
const input = tf.randomNormal([1, 5, 8], 0, 1, 'float32', 7);
const optimizer = tf.train.sgd(0.01);
const before = optimizer.minimize(() => tf.sum(tf.square(mha.apply(input))), true).dataSync()[0];
const after = optimizer.minimize(() => tf.sum(tf.square(mha.apply(input))), true).dataSync()[0];
assert.ok(after < before);
mha.dispose();
console.log('@prep/attention ESM ok (forward, custom and built-in gradients, state, cost, trainable block)');
