// Every op on every backend of the lane (cpu + wasm in Node, webgl + webgpu in Chromium), against numpy,
// with small shapes and few `it`s: each new shape compiles shaders on SwiftShader. The exhaustive suites
// are the *.node.test.ts files.
import { expect, it } from 'vitest';
import { describeBackends, expectTensorClose, tf } from '@prep/test-utils/tensor';
import { MoELayer, SynchronousReadError, expertLoad, routerZLoss, squaredDeviationLoss, switchLoadBalancingLoss, topKRouting } from '../src/index.js';
import { assignWeights, fixture } from './helpers.js';

const lossTol = { atol: 1e-5, rtol: 1e-4 };
const gradTol = { atol: 1e-4, rtol: 1e-3 };

describeBackends('@prep/moe on this backend', (backend) => {
  it(`losses, routing and load: the HF Switch numbers and numpy cases (masked, with capacity) [${backend}]`, async () => {
    expect(tf.getBackend()).toBe(backend);
    tf.engine().startScope(); // frees the inline results below
    const probs = tf.tensor2d([[0.35490513, 0.60419905], [0.4275843, 0.23061597], [0.32985854, 0.43953657], [0.25099766, 0.27730572], [0.7678207, 0.71474564]]);
    const hfIndices = tf.tensor2d([[0], [1], [1], [0], [0]], [5, 1], 'int32');
    await expectTensorClose(switchLoadBalancingLoss(probs, hfIndices), 0.8741045, { atol: 1e-5, rtol: 0 }, 'HF balance loss');
    const c = fixture.losses[2]!; // top-2 with a padding mask
    const p = tf.tensor2d(c.probs, [c.tokens, c.numExperts]);
    const z = tf.tensor2d(c.logits, [c.tokens, c.numExperts]);
    const idx = tf.tensor2d(c.indices, [c.tokens, c.k], 'int32');
    const mask = tf.tensor1d(c.mask!, 'int32');
    await expectTensorClose(switchLoadBalancingLoss(p, idx, { mask }), c.switch, lossTol, 'switch');
    await expectTensorClose(squaredDeviationLoss(idx, c.numExperts, { mask }), c.squaredDeviation, lossTol, 'squared deviation');
    await expectTensorClose(routerZLoss(z, { mask }), c.zLoss, lossTol, 'z-loss');
    await expectTensorClose(tf.grad((q: tf.Tensor) => routerZLoss(q, { mask }))(z), tf.tensor2d(c.dZDLogits, [c.tokens, c.numExperts]), gradTol, 'd z');
    const load = await expertLoad(idx, c.numExperts, { mask });
    expect(load.counts.reduce((a, b) => a + b, 0)).toBe(c.k * c.mask!.reduce((a, b) => a + b, 0));
    const r = fixture.routing[3]!; // top-3, capacity 0.75, padding
    const logits = tf.tensor2d(r.logits, [r.tokens, r.numExperts]);
    const routed = topKRouting(logits, r.k, { capacityFactor: r.capacityFactor!, normalize: r.normalize, mask: tf.tensor1d(r.mask!, 'int32') });
    expect(Array.from(await routed.indices.data())).toEqual(r.indices);
    expect(Array.from(await routed.keep.data())).toEqual(r.keep);
    await expectTensorClose(routed.weights, tf.tensor2d(r.weights, [r.tokens, r.k]), lossTol, 'weights');
    tf.engine().endScope();
  });

  it('MoELayer: route() + apply({ routing }) matches numpy, forward and every gradient; applyAsync agrees', async () => {
    const c = fixture.layers[2]!; // top-2, capacity 0.75, padding, gelu
    const layer = new MoELayer({ dModel: c.dModel, dHidden: c.dHidden, numExperts: c.numExperts, k: c.k, capacityFactor: c.capacityFactor!, activation: c.activation, jitter: 0 });
    assignWeights(layer, c);
    const x = tf.tensor2d(c.x, [c.tokens, c.dModel]);
    const upstream = tf.tensor2d(c.upstream, [c.tokens, c.dModel]);
    const mask = tf.tensor1d(c.mask!, 'int32');
    const routing = await layer.route(x, { training: true, mask });
    const objective = () => {
      const out = layer.apply(x, { training: true, mask, routing });
      return tf.addN([tf.sum(tf.mul(out.output, upstream)), tf.mul(out.auxLoss, c.balanceCoefficient), tf.mul(out.zLoss, c.zCoefficient)]) as tf.Scalar;
    };
    const { value, grads } = tf.variableGrads(objective, layer.trainableWeights);
    await expectTensorClose(value, c.loss, lossTol, 'loss');
    await expectTensorClose(grads[layer.routerWeights.name]!, tf.tensor2d(c.dRouter, [c.dModel, c.numExperts]), gradTol, 'd router');
    const size = c.dModel * c.dHidden;
    for (let e = 0; e < c.numExperts; e++) {
      const { w1, w2 } = layer.expertWeights[e]!;
      await expectTensorClose(grads[w1.name]!, tf.tensor2d(c.dW1.slice(e * size, (e + 1) * size), [c.dModel, c.dHidden]), gradTol, `dW1[${e}]`);
      await expectTensorClose(grads[w2.name]!, tf.tensor2d(c.dW2.slice(e * size, (e + 1) * size), [c.dHidden, c.dModel]), gradTol, `dW2[${e}]`);
    }
    const dx = tf.grad((input: tf.Tensor) => {
      const out = layer.apply(input, { training: true, mask, routing });
      return tf.addN([tf.sum(tf.mul(out.output, upstream)), tf.mul(out.auxLoss, c.balanceCoefficient), tf.mul(out.zLoss, c.zCoefficient)]);
    })(x);
    await expectTensorClose(dx, tf.tensor2d(c.dx, [c.tokens, c.dModel]), gradTol, 'dx');
    const inference = await layer.applyAsync(x, { mask });
    expect(inference.droppedTokens).toBe(0); // evaluation drops nothing
    tf.dispose([x, upstream, mask, value, dx, ...Object.values(grads), inference.output, inference.auxLoss, inference.zLoss, inference.tokensPerExpert]);
    layer.dispose();
  });

  it('MoELayer: expert choice matches numpy; apply without routing reads synchronously except on WebGPU', async () => {
    const c = fixture.layers[3]!;
    const layer = new MoELayer({ dModel: c.dModel, dHidden: c.dHidden, numExperts: c.numExperts, k: c.k, router: 'expert-choice', capacityFactor: 1 });
    assignWeights(layer, c);
    const x = tf.tensor2d(c.x, [c.tokens, c.dModel]);
    const r = await layer.applyAsync(x, { training: true });
    await expectTensorClose(r.output, tf.tensor2d(c.out, [c.tokens, c.dModel]), lossTol, 'expert-choice output');
    expect(Array.from(await r.tokensPerExpert.data())).toEqual(c.tokensPerExpert);
    if (backend === 'webgpu') {
      expect(() => layer.apply(x)).toThrow(SynchronousReadError);
    } else {
      const direct = layer.apply(x, { training: true });
      await expectTensorClose(direct.output, r.output, { atol: 0, rtol: 0 }, 'sync read');
      tf.dispose([direct.output, direct.auxLoss, direct.zLoss, direct.tokensPerExpert]);
    }
    tf.dispose([x, r.output, r.auxLoss, r.zLoss, r.tokensPerExpert]);
    layer.dispose();
  });

});
