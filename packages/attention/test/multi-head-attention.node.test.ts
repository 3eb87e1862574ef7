import { expect, it } from 'vitest';
import { expectThrowsNaming } from '@prep/test-utils';
import { describeBackends, expectTensorClose, numTensors, seededTensor, tf } from '@prep/test-utils/tensor';
import { MultiHeadAttention, scaledDotProductAttention } from '../src/index.js';

describeBackends('MultiHeadAttention', (backend) => {
  it('is the projections around scaledDotProductAttention (grouped-query, cross-attention, mask)', async () => {
    const mha = new MultiHeadAttention({ modelDim: 12, numHeads: 4, numKVHeads: 2, headDim: 5, seed: 3 });
    expect(mha.queryKernel.shape).toEqual([12, 20]);
    expect(mha.keyKernel.shape).toEqual([12, 10]);
    expect(mha.outputKernel.shape).toEqual([20, 12]);
    expect(mha.trainableWeights).toHaveLength(8);
    // Non-zero biases so that the reference must add them too.
    mha.biases.forEach((b, i) => b.assign(tf.fill(b.shape, 0.1 * (i + 1))));
    const x = seededTensor([2, 6, 12], 1);
    const context = seededTensor([2, 9, 12], 2);
    const mask = tf.tensor([1, 1, 0, 1, 1, 1, 1, 0, 1], [9], 'int32');
    const ours = mha.apply(x, { context, mask });
    const reference = tf.tidy(() => {
      const project = (t: tf.Tensor, w: tf.Tensor, b: tf.Tensor, heads: number) => {
        const [batch, n] = t.shape as [number, number];
        const y = tf.add(tf.matMul(tf.reshape(t, [batch * n, 12]), w), b);
        return tf.transpose(tf.reshape(y, [batch, n, heads, 5]), [0, 2, 1, 3]);
      };
      const [bq, bk, bv, bo] = mha.biases;
      const attended = scaledDotProductAttention(
        project(x, mha.queryKernel, bq!, 4),
        project(context, mha.keyKernel, bk!, 2),
        project(context, mha.valueKernel, bv!, 2),
        { mask },
      );
      const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [12, 20]);
      return tf.reshape(tf.add(tf.matMul(merged, mha.outputKernel), bo!), [2, 6, 12]);
    });
    await expectTensorClose(ours, reference, { atol: 1e-5, rtol: 1e-5 }, 'block vs composition');
    tf.dispose([x, context, mask, ours, reference]);
    mha.dispose();
  });

  it('has gradients for every weight (tf.variableGrads), and leaks nothing', async () => {
    const before = numTensors();
    const mha = new MultiHeadAttention({ modelDim: 8, numHeads: 2, numKVHeads: 1, seed: 2 });
    const x = seededTensor([1, 4, 8], 4);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(mha.apply(x))), mha.trainableWeights);
    expect(Object.keys(grads)).toHaveLength(8);
    for (const g of Object.values(grads)) {
      const size = tf.tidy(() => tf.sum(tf.abs(g)));
      expect((await size.data())[0]).toBeGreaterThan(0);
      size.dispose();
    }
    tf.dispose([value, x, ...Object.values(grads)]);
    mha.dispose();
    expect(numTensors()).toBe(before);
  });

  it('the same seed gives the same weights; causal blocks the future', async () => {
    const a = new MultiHeadAttention({ modelDim: 8, numHeads: 2, seed: 7, causal: true });
    const b = new MultiHeadAttention({ modelDim: 8, numHeads: 2, seed: 7 });
    await expectTensorClose(a.queryKernel, b.queryKernel, { atol: 0, rtol: 0 });
    const x = seededTensor([1, 5, 8], 8);
    const changed = tf.concat([tf.slice(x, [0, 0, 0], [1, 4, 8]), tf.ones([1, 1, 8])], 1);
    const y1 = a.apply(x);
    const y2 = a.apply(changed);
    // Changing the last token changes no earlier output.
    await expectTensorClose(tf.slice(y1, [0, 0, 0], [1, 4, 8]), tf.slice(y2, [0, 0, 0], [1, 4, 8]), { atol: 1e-6, rtol: 1e-6 });
    tf.dispose([x, changed, y1, y2]);
    a.dispose();
    b.dispose();
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});

describeBackends('MultiHeadAttention bad input', () => {
  it('names the option or argument, and a refused call changes nothing', () => {
    const fn = 'MultiHeadAttention';
    expectThrowsNaming(() => new MultiHeadAttention(undefined as never), fn, 'options');
    expectThrowsNaming(() => new MultiHeadAttention({ numHeads: 2 } as never), fn, 'options.modelDim');
    expectThrowsNaming(() => new MultiHeadAttention({ modelDim: 8, numHeads: 0 }), fn, 'options.numHeads');
    expectThrowsNaming(() => new MultiHeadAttention({ modelDim: 8, numHeads: 4, numKVHeads: 3 }), fn, 'options.numKVHeads');
    expectThrowsNaming(() => new MultiHeadAttention({ modelDim: 10, numHeads: 4 }), fn, 'options.modelDim');
    expectThrowsNaming(() => new MultiHeadAttention({ modelDim: 8, numHeads: 2, attention: 'sparse' as never }), fn, 'options.attention');
    expectThrowsNaming(() => new MultiHeadAttention({ modelDim: 8, numHeads: 2, attention: 'sliding-window' }), fn, 'options.window');
    expectThrowsNaming(() => new MultiHeadAttention({ modelDim: 8, numHeads: 2, useBias: 1 as never }), fn, 'options.useBias');
    const before = numTensors();
    const mha = new MultiHeadAttention({ modelDim: 8, numHeads: 2, attention: 'linear' });
    const x = seededTensor([1, 3, 8], 1);
    const apply = `${fn}.apply`;
    expectThrowsNaming(() => mha.apply(seededTensor([1, 3, 6], 2)), apply, 'input');
    expectThrowsNaming(() => mha.apply(x, { context: seededTensor([2, 3, 8], 3) }), apply, 'options.context');
    expectThrowsNaming(() => mha.apply(x, { mask: tf.ones([3]) }), apply, 'options.mask');
    expectThrowsNaming(() => mha.apply(x, { causal: 'yes' as never }), apply, 'options.causal');
    mha.dispose();
    expectThrowsNaming(() => mha.apply(x), apply, 'disposed', [TypeError]);
    x.dispose();
    // The bad tensors made above for the calls are the only ones left.
    expect(numTensors()).toBe(before + 3);
  });
});

// Training loops are Node-lane only: in the browser lane every optimizer kernel compiles a shader.
describeBackends('MultiHeadAttention training', () => {
  it('trains with a tfjs optimizer for every attention variant (the loss falls), and leaks nothing', async () => {
    for (const attention of ['exact', 'chunked', 'linear', 'sliding-window'] as const) {
      const before = numTensors();
      const mha = new MultiHeadAttention({ modelDim: 8, numHeads: 2, causal: true, attention, window: 4, chunkSize: 3, seed: 1 });
      const x = seededTensor([2, 6, 8], 5);
      const target = seededTensor([2, 6, 8], 6);
      const optimizer = tf.train.adam(0.05);
      const losses: number[] = [];
      for (let step = 0; step < 6; step++) {
        const loss = optimizer.minimize(() => tf.losses.meanSquaredError(target, mha.apply(x)), true, mha.trainableWeights)!;
        losses.push((await loss.data())[0]!);
        loss.dispose();
      }
      expect(losses[5]!, `${attention}: ${losses.map((l) => l.toFixed(3)).join(' ')}`).toBeLessThan(0.85 * losses[0]!);
      optimizer.dispose();
      mha.dispose();
      tf.dispose([x, target]);
      expect(numTensors(), attention).toBe(before);
    }
  });

});
