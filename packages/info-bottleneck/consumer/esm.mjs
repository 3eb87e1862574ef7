// Installed-tarball check: ESM import of @prep/info-bottleneck with the umbrella @tensorflow/tfjs, incl. tf.grad.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { binnedMutualInformation, infoNCEBound, InformationPlaneTracker, kdeMutualInformation, nwjBound, vibLoss } from '@prep/info-bottleneck';

await tf.setBackend('cpu');
const t = tf.tensor2d([[-0.9, 0.1], [0.5, 0.5], [0.95, -0.2], [0.5, 0.51]]);
const labels = [0, 0, 1, 1];
const binned = await binnedMutualInformation(t, labels);
assert.equal(binned.iXT, 1.5);
assert.ok(Math.abs(binned.iTY - 0.5) < 1e-12);
const kde = await kdeMutualInformation(tf.tensor2d([[0, 0], [0, 1], [5, 5], [5, 6]]), labels, { noiseVariance: 1e-3 });
assert.ok(Math.abs(kde.upper.iXT - 2) < 1e-6 && Math.abs(kde.lower.iTY - 1) < 1e-6);
assert.ok((await infoNCEBound(tf.mul(tf.eye(4), 20))) <= 2);
assert.ok(Math.abs(await nwjBound(tf.ones([4, 4]))) < 1e-6);
await assert.rejects(binnedMutualInformation(t, [0, 1]), RangeError);

const mean = tf.zeros([2, 3]);
const logVariance = tf.zeros([2, 3]);
const logits = tf.tensor2d([[2, 0], [0, 2]]);
const labelTensor = tf.tensor1d([0, 1], 'int32');
const { kl } = vibLoss({ mean, logVariance, logits, labels: labelTensor, beta: 0.5 });
assert.equal((await kl.data())[0], 0);
const g = tf.grad((m) => vibLoss({ mean: m, logVariance, logits, labels: labelTensor, beta: 0.5 }).loss)(tf.ones([2, 3]));
assert.deepEqual(Array.from(await g.data()).map((v) => Math.round(v * 1e6) / 1e6), [0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);

const tracker = new InformationPlaneTracker({ estimators: { b: { kind: 'binned', range: 'auto' } } });
tracker.record(0, [t], labels);
await tracker.flush();
assert.deepEqual(tracker.toJSON().epochs, [0]);
console.log('@prep/info-bottleneck ESM ok (estimators, tracker, vibLoss + tf.grad)');
