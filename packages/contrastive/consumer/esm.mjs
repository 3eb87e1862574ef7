// Installed-tarball check: ESM import of @prep/contrastive with the umbrella @tensorflow/tfjs, incl. tf.grad.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { chunkedClipLoss, clipLoss, LearnableTemperature, retrievalMetrics, denseLogitsBytes } from '@prep/contrastive';

await tf.setBackend('cpu');
const image = tf.randomNormal([12, 8], 0, 1, 'float32', 1);
const text = tf.randomNormal([12, 8], 0, 1, 'float32', 2);
const temperature = new LearnableTemperature();
const dense = clipLoss(image, text, temperature.scale()).dataSync()[0];
const chunked = chunkedClipLoss(image, text, temperature.scale(), { chunkSize: 5 }).dataSync()[0];
assert.ok(Math.abs(dense - chunked) < 1e-4, `${dense} vs ${chunked}`);
// gradient through the chunked loss's custom gradient, w.r.t. the image embeddings and the log-scale
const [dImage, dLogScale] = tf.grads((i, l) => chunkedClipLoss(i, text, tf.exp(l), { chunkSize: 5 }))([image, temperature.logScale]);
assert.deepEqual(dImage.shape, [12, 8]);
assert.ok(Number.isFinite(dLogScale.dataSync()[0]));
const metrics = await retrievalMetrics(image, image, { ks: [1] });
assert.equal(metrics.imageToText.recall[1], 1);
assert.equal(denseLogitsBytes(32768), 4 * 2 ** 30);
assert.throws(() => chunkedClipLoss(image, text, 10, { chunkSize: 0 }), RangeError);
console.log('@prep/contrastive ESM ok (forward, custom gradient, retrieval)');
