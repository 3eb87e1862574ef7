import { expect, it } from 'vitest';
import { expectBadInputs, expectThrowsNaming } from '@prep/test-utils';
import { describeBackends, disposeArgs, expectMatchesCpu, expectTensorClose, numTensors, seededTensor, tf } from '@prep/test-utils/tensor';
import { MoELayer, type MoEApplyResult } from '../src/index.js';
import { denseDispatchForward } from '../bench/dense-dispatch.js';
import { assignWeights, fixture, type LayerCase } from './helpers.js';

// float32 against float64 through two products of width ≤ 8: forward ~1e-6; gradients one product more.
const forwardTol = { atol: 1e-5, rtol: 1e-4 };
const gradTol = { atol: 1e-4, rtol: 1e-3 };

function disposeResult(r: MoEApplyResult): void {
  tf.dispose([r.output, r.auxLoss, r.zLoss, r.tokensPerExpert]);
}

function layerFor(c: LayerCase): MoELayer {
  return new MoELayer({
    dModel: c.dModel,
    dHidden: c.dHidden,
    numExperts: c.numExperts,
    k: c.k,
    router: c.router,
    normalize: c.normalize,
    activation: c.activation,
    jitter: 0,
    ...(c.capacityFactor === null ? {} : { capacityFactor: c.capacityFactor }),
  });
}

describeBackends('MoELayer', (backend) => {
  it(`matches numpy: output, losses, tokens per expert and every gradient (x, router, W1, W2) [${backend}]`, async () => {
    expect(tf.getBackend()).toBe(backend);
    for (const c of fixture.layers) {
      const layer = layerFor(c);
      assignWeights(layer, c);
      const x = tf.tensor2d(c.x, [c.tokens, c.dModel]);
      const upstream = tf.tensor2d(c.upstream, [c.tokens, c.dModel]);
      const mask = c.mask ? tf.tensor1d(c.mask, 'int32') : undefined;
      const options = { training: true, ...(mask ? { mask } : {}) };
      const before = numTensors();
      const r = layer.apply(x, options);
      expect(numTensors()).toBe(before + 4);
      await expectTensorClose(r.output, tf.tensor2d(c.out, [c.tokens, c.dModel]), forwardTol, `${c.name}: output`);
      await expectTensorClose(r.auxLoss, c.auxLoss, forwardTol, `${c.name}: auxLoss`);
      await expectTensorClose(r.zLoss, c.zLoss, forwardTol, `${c.name}: zLoss`);
      expect(Array.from(await r.tokensPerExpert.data()), `${c.name}: tokensPerExpert`).toEqual(c.tokensPerExpert);
      disposeResult(r);

      const objective = (input: tf.Tensor2D): tf.Scalar => {
        const out = layer.apply(input, options);
        return tf.addN([tf.sum(tf.mul(out.output, upstream)), tf.mul(out.auxLoss, c.balanceCoefficient), tf.mul(out.zLoss, c.zCoefficient)]) as tf.Scalar;
      };
      const dx = tf.grad((input: tf.Tensor) => objective(input as tf.Tensor2D))(x);
      await expectTensorClose(dx, tf.tensor2d(c.dx, [c.tokens, c.dModel]), gradTol, `${c.name}: dx`);
      const { value, grads } = tf.variableGrads(() => objective(x), layer.trainableWeights);
      await expectTensorClose(value, c.loss, forwardTol, `${c.name}: loss`);
      await expectTensorClose(grads[layer.routerWeights.name]!, tf.tensor2d(c.dRouter, [c.dModel, c.numExperts]), gradTol, `${c.name}: d router`);
      const size = c.dModel * c.dHidden;
      for (let e = 0; e < c.numExperts; e++) {
        const { w1, w2 } = layer.expertWeights[e]!;
        const g1 = grads[w1.name] ?? tf.zerosLike(w1);
        const g2 = grads[w2.name] ?? tf.zerosLike(w2);
        await expectTensorClose(g1, tf.tensor2d(c.dW1.slice(e * size, (e + 1) * size), [c.dModel, c.dHidden]), gradTol, `${c.name}: dW1[${e}]`);
        await expectTensorClose(g2, tf.tensor2d(c.dW2.slice(e * size, (e + 1) * size), [c.dHidden, c.dModel]), gradTol, `${c.name}: dW2[${e}]`);
      }
      tf.dispose([x, upstream, mask, dx, value, ...Object.values(grads)]);
      layer.dispose();
    }
  });

  it('Megablocks: one expert, top-1, capacity factor 1 equals a dense MLP (forward and weight gradients); large capacity drops nothing', async () => {
    const x = seededTensor([24, 6], 31);
    const dense = new MoELayer({ dModel: 6, dHidden: 10, numExperts: 1, k: 1, capacityFactor: 1, seed: 4 });
    const { w1, w2 } = dense.expertWeights[0]!;
    const mlp = (input: tf.Tensor) => tf.matMul(tf.relu(tf.matMul(input, w1)), w2);
    const r = dense.apply(x, { training: true });
    await expectTensorClose(r.output, mlp(x), forwardTol, 'one expert = MLP');
    expect(r.droppedTokens).toBe(0);
    const sparse = tf.variableGrads(() => tf.sum(tf.square(dense.apply(x, { training: true }).output)), [w1, w2]);
    const reference = tf.variableGrads(() => tf.sum(tf.square(mlp(x))), [w1, w2]);
    await expectTensorClose(sparse.grads[w1.name]!, reference.grads[w1.name]!, forwardTol, 'dW1');
    await expectTensorClose(sparse.grads[w2.name]!, reference.grads[w2.name]!, forwardTol, 'dW2');
    // Capacity factor E: capacity ceil(E·k·T/E) = k·T ≥ T, so nothing can be dropped.
    const capped = new MoELayer({ dModel: 6, dHidden: 10, numExperts: 4, k: 2, capacityFactor: 4, seed: 5, jitter: 0 });
    const free = new MoELayer({ dModel: 6, dHidden: 10, numExperts: 4, k: 2, seed: 5, jitter: 0 });
    const a = capped.apply(x, { training: true });
    const b = free.apply(x, { training: true });
    await expectTensorClose(a.output, b.output, { atol: 0, rtol: 0 }, 'large capacity = no dropping');
    expect(a.droppedTokens).toBe(0);
    expect(Array.from(await a.tokensPerExpert.data()).reduce((s, n) => s + n, 0)).toBe(48);
    tf.dispose([x, sparse.value, reference.value, ...Object.values(sparse.grads), ...Object.values(reference.grads)]);
    [r, a, b].forEach(disposeResult);
    [dense, capped, free].forEach((l) => l.dispose());
  });

  it('evaluation drops nothing: decoding one token gives its row of the full-sequence result; equals dense one-hot dispatch', async () => {
    const layer = new MoELayer({ dModel: 8, dHidden: 12, numExperts: 6, k: 2, capacityFactor: 0.5, seed: 9 });
    const x = seededTensor([10, 8], 41);
    const full = layer.apply(x);
    expect(full.droppedTokens).toBe(0);
    await expectTensorClose(full.output, denseDispatchForward(layer, x), forwardTol, 'sparse = dense dispatch');
    const rows = await full.output.array();
    for (const t of [0, 3, 9]) {
      const one = layer.apply(tf.slice(x, [t, 0], [1, 8]));
      await expectTensorClose(one.output, tf.tensor2d([rows[t]!]), forwardTol, `token ${t} alone`);
      disposeResult(one);
    }
    // In training the capacity applies (0.5 · 2 · 10 / 6 → 2 per expert) and tokens are dropped.
    const train = layer.apply(x, { training: true });
    const kept = Array.from(await train.tokensPerExpert.data());
    expect(Math.max(...kept)).toBeLessThanOrEqual(2);
    expect(kept.reduce((sum, n) => sum + n, 0)).toBeLessThan(20); // of k·T = 20 assignments
    [full, train].forEach(disposeResult);
    x.dispose();
    layer.dispose();
  });

  it('ports HF Mixtral test_load_balancing_loss: ≈ k under uniform routing, unchanged by 1000 masked padding tokens', async () => {
    const layer = new MoELayer({ dModel: 16, dHidden: 8, numExperts: 8, k: 2, seed: 2, routerInitStd: 0.02 });
    const x = seededTensor([91, 16], 51);
    const r = layer.apply(x);
    // HF asserts aux_loss ≈ 2 with rtol = atol = 1e-2 for a randomly initialised model.
    const aux = (await r.auxLoss.data())[0]!;
    expect(Math.abs(aux - 2)).toBeLessThanOrEqual(1e-2 + 1e-2 * 2);
    const padded = tf.concat([seededTensor([1000, 16], 52), x]);
    const mask = tf.concat([tf.zeros([1000], 'int32'), tf.ones([91], 'int32')]);
    const p = layer.apply(padded, { mask });
    await expectTensorClose(p.auxLoss, r.auxLoss, { atol: 1e-4, rtol: 1e-4 }, 'aux unchanged by padding');
    await expectTensorClose(p.zLoss, r.zLoss, { atol: 1e-4, rtol: 1e-4 }, 'z unchanged by padding');
    await expectTensorClose(tf.slice(p.output, [1000, 0], [91, 16]), r.output, forwardTol, 'real tokens unchanged');
    expect(Array.from(await tf.any(tf.notEqual(tf.slice(p.output, [0, 0], [1000, 16]), 0)).data())).toEqual([0]);
    expect(p.routedCounts).toEqual(r.routedCounts);
    // Without the mask the padding counts, and the loss moves (HF: assertNotAlmostEqual).
    const unmasked = layer.apply(padded);
    // HF uses assertNotAlmostEqual (7 places); 1e-5 is 40× float32's resolution at 2.
    expect(Math.abs((await unmasked.auxLoss.data())[0]! - aux)).toBeGreaterThan(1e-5);
    [r, p, unmasked].forEach(disposeResult);
    tf.dispose([x, padded, mask]);
    layer.dispose();
  });

  it('trains with a tfjs optimizer: Variables, a learned noise scale (noisy top-k), expert choice balanced by construction', async () => {
    const layer = new MoELayer({ dModel: 6, dHidden: 8, numExperts: 4, k: 2, router: 'noisy-topk', seed: 6 });
    expect(layer.trainableWeights.every((v) => v instanceof tf.Variable && v.trainable)).toBe(true);
    expect(layer.trainableWeights).toHaveLength(2 + 2 * 4);
    expect(layer.numParams).toBe(6 * 4 * 2 + 4 * 2 * 6 * 8);
    const x = seededTensor([16, 6], 61);
    const target = seededTensor([16, 6], 62);
    const noiseBefore = await layer.noiseWeights!.data();
    const optimizer = tf.train.adam(0.05);
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      const cost = optimizer.minimize(() => {
        const out = layer.apply(x, { training: true });
        return tf.addN([tf.losses.meanSquaredError(target, out.output), tf.mul(out.auxLoss, 1e-2), tf.mul(out.zLoss, 1e-3)]) as tf.Scalar;
      }, true, layer.trainableWeights)!;
      losses.push((await cost.data())[0]!);
      cost.dispose();
    }
    expect(losses[4]!).toBeLessThan(losses[0]!);
    expect(Array.from(await layer.noiseWeights!.data())).not.toEqual(Array.from(noiseBefore));
    optimizer.dispose();
    const chooser = new MoELayer({ dModel: 6, dHidden: 8, numExperts: 4, k: 2, router: 'expert-choice', capacityFactor: 1, seed: 7 });
    const ec = chooser.apply(x, { training: true });
    expect(Array.from(await ec.tokensPerExpert.data())).toEqual([8, 8, 8, 8]);
    expect((await ec.auxLoss.data())[0]).toBe(0);
    [ec].forEach(disposeResult);
    tf.dispose([x, target]);
    [layer, chooser].forEach((l) => l.dispose());
  });

  it('is reproducible from its seed, seed 0 included', async () => {
    for (const seed of [0, 1]) {
      const a = new MoELayer({ dModel: 4, dHidden: 6, numExperts: 3, k: 2, router: 'noisy-topk', seed });
      const b = new MoELayer({ dModel: 4, dHidden: 6, numExperts: 3, k: 2, router: 'noisy-topk', seed });
      for (let i = 0; i < a.trainableWeights.length; i++) {
        await expectTensorClose(a.trainableWeights[i]!, b.trainableWeights[i]!, { atol: 0, rtol: 0 }, `seed ${seed}: weight ${i}`);
      }
      const x = seededTensor([7, 4], 5);
      const ra = a.apply(x, { training: true });
      const rb = b.apply(x, { training: true });
      await expectTensorClose(ra.output, rb.output, { atol: 0, rtol: 0 }, `seed ${seed}: training output`);
      [ra, rb].forEach(disposeResult);
      x.dispose();
      a.dispose();
      b.dispose();
    }
  });

  it('agrees with the cpu backend; leaks nothing forward or backward', async () => {
    await expectMatchesCpu(() => {
      const layer = new MoELayer({ dModel: 16, dHidden: 24, numExperts: 8, k: 2, capacityFactor: 1.25, seed: 12 });
      const x = seededTensor([48, 16], 71);
      const r = layer.apply(x, { training: true });
      const out = [r.output, r.auxLoss, r.zLoss, tf.cast(r.tokensPerExpert, 'float32')];
      layer.dispose();
      return out;
    });
    const created = numTensors();
    new MoELayer({ dModel: 4, dHidden: 6, numExperts: 3, k: 2, router: 'noisy-topk' }).dispose();
    expect(numTensors(), 'construct + dispose').toBe(created);
    const layer = new MoELayer({ dModel: 4, dHidden: 6, numExperts: 3, k: 2, capacityFactor: 1, seed: 3 });
    expect(numTensors()).toBe(created + layer.trainableWeights.length);
    const x = seededTensor([9, 4], 81);
    const before = numTensors();
    disposeResult(layer.apply(x, { training: true }));
    disposeResult(layer.apply(x));
    const g = tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }).output), layer.trainableWeights);
    tf.dispose([g.value, ...Object.values(g.grads)]);
    expect(numTensors()).toBe(before);
    x.dispose();
    layer.dispose();
  });
});

describeBackends('MoELayer bad input', () => {
  it('the constructor and apply name the argument; a refused call changes nothing', () => {
    const make = (options: unknown) => () => new MoELayer(options as never);
    const cases: [unknown, string][] = [
      [undefined, 'options'],
      [null, 'options'],
      [{ dHidden: 4, numExperts: 2, k: 1 }, 'options.dModel'],
      [{ dModel: 0, dHidden: 4, numExperts: 2, k: 1 }, 'options.dModel'],
      [{ dModel: 4, dHidden: 2.5, numExperts: 2, k: 1 }, 'options.dHidden'],
      [{ dModel: 4, dHidden: 4, numExperts: '2', k: 1 }, 'options.numExperts'],
      [{ dModel: 4, dHidden: 4, numExperts: 2, k: 3 }, 'options.k'],
      [{ dModel: 4, dHidden: 4, numExperts: 2, k: 1, capacityFactor: 0 }, 'options.capacityFactor'],
      [{ dModel: 4, dHidden: 4, numExperts: 2, k: 1, router: 'hash' }, 'options.router'],
      [{ dModel: 4, dHidden: 4, numExperts: 2, k: 1, jitter: 1 }, 'options.jitter'],
      [{ dModel: 4, dHidden: 4, numExperts: 2, k: 1, activation: 'tanh' }, 'options.activation'],
      [{ dModel: 4, dHidden: 4, numExperts: 2, k: 1, seed: NaN }, 'options.seed'],
    ];
    const before = numTensors();
    for (const [options, arg] of cases) expectThrowsNaming(make(options), 'MoELayer', arg);
    expect(numTensors()).toBe(before);

    const layer = new MoELayer({ dModel: 4, dHidden: 4, numExperts: 3, k: 2, router: 'noisy-topk', seed: 1 });
    const attempts = expectBadInputs({
      fn: (x: unknown, options: unknown) => layer.apply(x as tf.Tensor2D, options as never),
      fnName: 'MoELayer.apply',
      validArgs: () => [seededTensor([5, 4], 1)],
      argNames: ['x', 'options'],
      cases: {
        x: [null, 'x', 3, tf.zeros([5]), tf.zeros([5, 3]), tf.zeros([0, 4]), tf.zeros([2, 5, 4])],
        options: [1, 'train', { training: 1 }, { mask: tf.ones([4]) }, { mask: [1, 0] }],
      },
      cleanup: disposeArgs,
      liveCount: numTensors,
    });
    expect(attempts).toBe(12);
    layer.dispose();
    expectThrowsNaming(() => layer.apply(tf.zeros([2, 4])), 'MoELayer.apply', 'disposed', [TypeError]);
  });

  it('a refused training call does not advance the noise stream', async () => {
    const x = seededTensor([6, 4], 2);
    const a = new MoELayer({ dModel: 4, dHidden: 4, numExperts: 3, k: 1, router: 'noisy-topk', seed: 5 });
    const b = new MoELayer({ dModel: 4, dHidden: 4, numExperts: 3, k: 1, router: 'noisy-topk', seed: 5 });
    const bad = tf.zeros([6, 5]);
    expect(() => b.apply(bad, { training: true })).toThrow(RangeError);
    const ra = a.apply(x, { training: true });
    const rb = b.apply(x, { training: true });
    await expectTensorClose(ra.auxLoss, rb.auxLoss, { atol: 0, rtol: 0 }, 'same noise');
    expect(ra.routedCounts).toEqual(rb.routedCounts);
    [ra, rb].forEach(disposeResult);
    tf.dispose([x, bad]);
    [a, b].forEach((l) => l.dispose());
  });
});
