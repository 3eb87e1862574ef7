import { expect, it } from 'vitest';
import { expectThrowsNaming } from '@prep/test-utils';
import { describeBackends, expectTensorClose, numTensors, seededTensor, tf } from '@prep/test-utils/tensor';
import { MoELayer, type MoEApplyResult } from '../src/index.js';

function dispose(r: MoEApplyResult): void {
  tf.dispose([r.output, r.auxLoss, r.zLoss, r.tokensPerExpert]);
}

describeBackends('MoELayer.route / applyAsync', () => {
  it('route() + apply({ routing }) equals apply() with the same noise stream, for every router', async () => {
    for (const router of ['softmax-topk', 'noisy-topk', 'expert-choice'] as const) {
      const options = { dModel: 6, dHidden: 8, numExperts: 4, k: 2, router, capacityFactor: 1, seed: 9, jitter: 0.05 };
      const a = new MoELayer(options);
      const b = new MoELayer(options);
      const x = seededTensor([12, 6], 3);
      const mask = tf.tensor1d([1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1], 'int32');
      const before = numTensors();
      const routing = await b.route(x, { training: true, mask });
      expect(numTensors()).toBe(before);
      const direct = a.apply(x, { training: true, mask });
      const routed = b.apply(x, { training: true, mask, routing });
      await expectTensorClose(routed.output, direct.output, { atol: 0, rtol: 0 }, `${router}: output`);
      await expectTensorClose(routed.auxLoss, direct.auxLoss, { atol: 0, rtol: 0 }, `${router}: aux`);
      await expectTensorClose(routed.zLoss, direct.zLoss, { atol: 0, rtol: 0 }, `${router}: z`);
      expect(routed.routedCounts).toEqual(direct.routedCounts);
      // Both layers have used one training draw: the next calls agree too.
      const nextA = a.apply(x, { training: true });
      const nextB = await b.applyAsync(x, { training: true });
      await expectTensorClose(nextB.output, nextA.output, { atol: 0, rtol: 0 }, `${router}: next call`);
      [direct, routed, nextA, nextB].forEach(dispose);
      tf.dispose([x, mask]);
      a.dispose();
      b.dispose();
    }
  });

  it('refuses a routing from another layer, another batch size, another mode or mask', async () => {
    const layer = new MoELayer({ dModel: 4, dHidden: 4, numExperts: 3, k: 1 });
    const other = new MoELayer({ dModel: 4, dHidden: 4, numExperts: 3, k: 1 });
    const x = seededTensor([5, 4], 1);
    const shorter = seededTensor([4, 4], 2);
    const mask = tf.ones([5]);
    const routing = await layer.route(x);
    const foreign = await other.route(x);
    expectThrowsNaming(() => layer.apply(x, { routing: foreign }), 'MoELayer.apply', 'options.routing', [TypeError]);
    expectThrowsNaming(() => layer.apply(x, { routing: { ...routing } }), 'MoELayer.apply', 'options.routing', [TypeError]);
    expectThrowsNaming(() => layer.apply(shorter, { routing }), 'MoELayer.apply', 'options.routing', [RangeError]);
    expectThrowsNaming(() => layer.apply(x, { routing, training: true }), 'MoELayer.apply', 'options.routing', [RangeError]);
    expectThrowsNaming(() => layer.apply(x, { routing, mask }), 'MoELayer.apply', 'options.routing', [RangeError]);
    await expect(layer.route(tf.reshape(shorter, [16]))).rejects.toThrow(RangeError);
    tf.dispose([x, shorter, mask]);
    layer.dispose();
    other.dispose();
    await expect(layer.route(seededTensor([2, 4], 3))).rejects.toThrow(TypeError);
  });
});
