// Installed-tarball check: ESM import of @prep/moe with the umbrella @tensorflow/tfjs, incl. tf.grad.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { MoELayer, moeCost, MIXTRAL_8X7B, routerZLoss, switchLoadBalancingLoss, topKRouting } from '@prep/moe';

await tf.setBackend('cpu');
const logits = tf.tensor2d([[2, 1, 0, 0], [2, 0, 1, 0], [2, 0, 0, 1]]);
const r = topKRouting(logits, 1, { capacityFactor: 1 });
assert.deepEqual(await r.keep.array(), [[1], [0], [0]]);
const balance = switchLoadBalancingLoss(tf.fill([4, 2], 0.5), tf.tensor2d([[0], [1], [0], [1]], [4, 1], 'int32'));
assert.ok(Math.abs((await balance.data())[0] - 1) < 1e-6);
const dLogits = tf.grad((z) => routerZLoss(z))(logits);
assert.deepEqual(dLogits.shape, [3, 4]);

const layer = new MoELayer({ dModel: 4, dHidden: 8, numExperts: 4, k: 2, capacityFactor: 1.25, seed: 1 });
const x = tf.randomNormal([6, 4]);
const { output } = layer.apply(x, { training: true });
assert.deepEqual(output.shape, [6, 4]);
const { grads } = tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }).output), layer.trainableWeights);
assert.ok(Object.keys(grads).length > 0);
const routing = await layer.route(x);
assert.deepEqual(layer.apply(x, { routing }).output.shape, [6, 4]);
assert.equal(moeCost(MIXTRAL_8X7B).params, 46_702_792_704);
assert.throws(() => topKRouting(logits, 5), RangeError);
console.log('@prep/moe ESM ok (routing, losses, layer forward + tf.grad, cost)');
