import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends, expectNoLeak, expectTensorClose, tf } from '@prep/test-utils/tensor';
import { expectThrowsNaming } from '@prep/test-utils';
import { TinyLM, type TinyLMBlock } from '../src/index.js';
import { tinyModel, tokensFor, TINY } from './helpers.js';

/** The model written out with the packages' own layer calls: MultiHeadAttention.apply and MoELayer.apply. */
function referenceLogits(model: TinyLM, tokens: number[][]): tf.Tensor3D {
  return tf.tidy(() => {
    const norm = (x: tf.Tensor, gain: tf.Tensor) => tf.mul(tf.div(x, tf.sqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-5))), gain);
    const [batch, seq] = [tokens.length, tokens[0]!.length];
    const d = model.config.dModel;
    let x = tf.add(tf.gather(model.tokenEmbedding, tf.tensor2d(tokens, undefined, 'int32')), tf.slice(model.positionEmbedding, [0, 0], [seq, d]));
    model.blocks.forEach((block: TinyLMBlock) => {
      x = tf.add(x, block.attention.apply(norm(x, block.attentionNorm), { causal: true }));
      x = tf.add(x, tf.reshape(block.moe.apply(tf.reshape(norm(x, block.ffnNorm), [batch * seq, d])).output, [batch, seq, d]));
    });
    return tf.reshape(tf.matMul(tf.reshape(norm(x, model.finalNorm), [batch * seq, d]), model.tokenEmbedding, false, true), [batch, seq, model.config.vocabSize]);
  });
}

describeBackends('TinyLM', () => {
  let model: TinyLM;
  beforeAll(() => {
    model = tinyModel();
  });
  afterAll(() => model.dispose());

  it('equals the same network written with MultiHeadAttention.apply (causal) and MoELayer.apply, without leaking', async () => {
    const tokens = [tokensFor(11, 1), tokensFor(11, 2), tokensFor(11, 3)];
    const expected = referenceLogits(model, tokens);
    await expectNoLeak(() => {
      const { logits, auxLoss, zLoss, routedCounts } = model.forward(tokens);
      expect(logits.shape).toEqual([3, 11, 96]);
      expect(routedCounts).toHaveLength(2);
      for (const counts of routedCounts) expect(counts.reduce((a, b) => a + b, 0)).toBe(3 * 11 * 2); // k = 2 per token
      tf.dispose([auxLoss, zLoss]);
      return logits;
    });
    const { logits, auxLoss, zLoss } = model.forward(tokens);
    await expectTensorClose(logits, expected, { atol: 5e-5, rtol: 5e-5 }, 'forward vs package layers');
    // Sequences of a batch do not see each other: the first row alone gives the same logits.
    const alone = model.forward([tokens[0]!]);
    await expectTensorClose(alone.logits, tf.slice(logits, [0, 0, 0], [1, 11, 96]), { atol: 5e-5, rtol: 5e-5 }, 'batch independence');
    tf.dispose([expected, logits, auxLoss, zLoss, alone.logits, alone.auxLoss, alone.zLoss]);
  });

  it('trains end to end: gradients of cross-entropy + MoE losses reach every variable', async () => {
    const tokens = tf.tensor2d([tokensFor(12, 4), tokensFor(12, 5)], undefined, 'int32');
    const { grads, value } = tf.variableGrads(() => {
      const { logits, auxLoss, zLoss } = model.forward(tokens, { training: true });
      const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.reshape(tokens, [24]), 96), tf.reshape(logits, [24, 96]));
      return tf.addN([ce, tf.mul(auxLoss, 0.01), tf.mul(zLoss, 0.001)]) as tf.Scalar;
    }, model.trainableWeights);
    expect(Number.isFinite((await value.data())[0])).toBe(true);
    const names = new Set(Object.keys(grads));
    for (const v of model.trainableWeights) {
      // An expert no token was routed to gets no gradient in this batch; every other weight must.
      if (!names.has(v.name)) continue;
      const norm = (await tf.norm(grads[v.name]!).data())[0]!;
      expect(Number.isFinite(norm)).toBe(true);
    }
    const expertWeights = model.blocks.flatMap((b) => b.moe.expertWeights.flatMap(({ w1, w2 }) => [w1, w2]));
    const dense = model.trainableWeights.filter((v) => !expertWeights.includes(v as never));
    for (const v of dense) expect(names.has(v.name), `gradient for ${v.name}`).toBe(true);
    expect(expertWeights.filter((v) => names.has(v.name)).length).toBeGreaterThanOrEqual(4);
    tf.dispose([tokens, value, ...Object.values(grads)]);
  });

  it('names its weights stably and loads them back; a refused load changes nothing', async () => {
    const names = model.namedWeights().map((w) => w.name);
    expect(names.slice(0, 3)).toEqual(['embedding/tokens', 'embedding/positions', 'blocks/0/attention_norm']);
    expect(names).toContain('blocks/1/moe/expert_3/w2');
    expect(new Set(names).size).toBe(names.length);
    expect(model.numParams).toBe(model.trainableWeights.reduce((s, v) => s + v.size, 0));
    const other = new TinyLM({ ...TINY, seed: 11 });
    const weights = Object.fromEntries(model.namedWeights().map(({ name, variable }) => [name, variable as tf.Tensor]));
    const bad = { ...weights, 'final_norm': tf.zeros([3]) };
    const before = await other.finalNorm.data();
    expectThrowsNaming(() => other.loadWeights(bad), 'TinyLM.loadWeights', 'final_norm', [RangeError]);
    const missing = { ...weights };
    delete missing['embedding/positions'];
    expectThrowsNaming(() => other.loadWeights(missing), 'TinyLM.loadWeights', 'embedding/positions', [RangeError]);
    expect(Array.from(await other.finalNorm.data())).toEqual(Array.from(before));
    other.loadWeights(weights);
    const a = model.forward([tokensFor(5, 9)]);
    const b = other.forward([tokensFor(5, 9)]);
    await expectTensorClose(b.logits, a.logits, { atol: 0, rtol: 0 }, 'loaded weights');
    tf.dispose([bad['final_norm'], a.logits, a.auxLoss, a.zLoss, b.logits, b.auxLoss, b.zLoss]);
    other.dispose();
  });

  it('refuses bad configs and inputs, naming them', () => {
    const before = tf.memory().numTensors;
    expectThrowsNaming(() => new TinyLM({ dModel: 0 }), 'TinyLM', 'config.dModel', [RangeError]);
    expectThrowsNaming(() => new TinyLM({ numLayers: 1.5 }), 'TinyLM', 'config.numLayers', [RangeError]);
    expectThrowsNaming(() => new TinyLM({ numHeads: '2' as never }), 'TinyLM', 'config.numHeads', [TypeError]);
    expectThrowsNaming(() => new TinyLM({ numHeads: 4, numKVHeads: 3 }), 'TinyLM', 'config.numKVHeads', [RangeError]);
    expectThrowsNaming(() => new TinyLM({ dModel: 30, numHeads: 4, numKVHeads: 2 }), 'TinyLM', 'config.dModel', [RangeError]);
    expectThrowsNaming(() => new TinyLM({ numExperts: 2, expertsPerToken: 3 }), 'TinyLM', 'config.expertsPerToken', [RangeError]);
    expectThrowsNaming(() => new TinyLM({ capacityFactor: -1 }), 'TinyLM', 'config.capacityFactor', [RangeError]);
    expect(tf.memory().numTensors).toBe(before);
    const f = 'TinyLM.forward';
    expectThrowsNaming(() => model.forward([[1, 96]]), f, 'tokens', [RangeError]);
    expectThrowsNaming(() => model.forward([new Array(49).fill(1)]), f, 'tokens', [RangeError]);
    expectThrowsNaming(() => model.forward('abc' as never), f, 'tokens', [TypeError]);
    const floats = tf.tensor2d([[1, 2]]);
    expectThrowsNaming(() => model.forward(floats), f, 'tokens', [TypeError]);
    floats.dispose();
    expectThrowsNaming(() => model.forward([[1, 2]], { training: 'yes' as never }), f, 'options.training', [TypeError]);
    const attend = () => tf.zeros<tf.Rank.R3>([1, 4, 4]);
    const c = 'TinyLM.forwardCached';
    expectThrowsNaming(() => model.forwardCached([], [], attend), c, 'tokens', [RangeError]);
    expectThrowsNaming(() => model.forwardCached([1, 2], [0], attend), c, 'positions', [RangeError]);
    expectThrowsNaming(() => model.forwardCached([1], [48], attend), c, 'positions[0]', [RangeError]);
    expectThrowsNaming(() => model.forwardCached([100], [0], attend), c, 'tokens[0]', [RangeError]);
    expectThrowsNaming(() => model.forwardCached([1.5], [0], attend), c, 'tokens[0]', [RangeError]);
    expect(tf.memory().numTensors).toBe(before);
    const gone = new TinyLM({ ...TINY });
    gone.dispose();
    expectThrowsNaming(() => gone.forward([[1]]), f, 'disposed', [TypeError]);
  });
});
