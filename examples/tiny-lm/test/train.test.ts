import { expect, it } from 'vitest';
import { describeBackends, expectTensorClose, tf } from '@prep/test-utils/tensor';
import { expectRejectsNaming, expectThrowsNaming } from '@prep/test-utils';
import {
  CharTokenizer,
  evaluate,
  generateFables,
  loadCheckpoint,
  saveCheckpoint,
  TinyLM,
  train,
  unigramCrossEntropy,
  type TrainProgress,
} from '../src/index.js';
import { TINY, tokensFor } from './helpers.js';

const tokenizer = new CharTokenizer();
const corpus = tokenizer.encode(generateFables({ seed: 1, targetChars: 6000 }));
const OPTIONS = { steps: 8, batchSize: 4, seqLen: 24, learningRate: 1e-2, seed: 5 } as const;

describeBackends('train, evaluate, checkpoints', () => {
  it('lowers the loss on the fables, reproducibly, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const seen: TrainProgress[] = [];
    const model = new TinyLM({ ...TINY, seed: 1 });
    const initial = await evaluate(model, corpus, { seqLen: 24, windows: 4 });
    const result = await train(model, corpus, { ...OPTIONS, validationTokens: corpus, evalWindows: 4, evalEvery: 4, onProgress: (p) => void seen.push(p) });
    expect(result.steps).toBe(8);
    expect(seen.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(seen.filter((p) => p.validationLoss !== null).map((p) => p.step)).toEqual([4, 8]);
    expect(result.validationLoss).toBeLessThan(initial - 0.3); // from ≈ ln 96 = 4.56
    for (const p of seen) {
      expect(p.loss).toBeCloseTo(p.crossEntropy + 0.01 * p.auxLoss + 0.001 * p.zLoss, 4);
      for (const share of p.expertShare) expect(share.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(p.expertShare).toHaveLength(2);
      expect(p.tokensPerSecond).toBeGreaterThan(0);
    }
    // The same seeds give the same run (its first steps).
    const again = new TinyLM({ ...TINY, seed: 1 });
    const second = await train(again, corpus, { ...OPTIONS, steps: 3 });
    expect(second.history.map((p) => p.loss)).toEqual(result.history.slice(0, 3).map((p) => p.loss));
    model.dispose();
    again.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops when aborted; refuses bad options before any step', async () => {
    const model = new TinyLM({ ...TINY });
    const controller = new AbortController();
    const result = await train(model, corpus, { ...OPTIONS, onProgress: (p) => (p.step === 2 ? controller.abort() : undefined), signal: controller.signal });
    expect(result.aborted).toBe(true);
    expect(result.steps).toBe(2);
    const cases: [object, string][] = [
      [{ steps: 0 }, 'options.steps'],
      [{ batchSize: 1.5 }, 'options.batchSize'],
      [{ seqLen: 49 }, 'options.seqLen'],
      [{ learningRate: -1 }, 'options.learningRate'],
      [{ learningRate: '1' }, 'options.learningRate'],
      [{ validationTokens: [1, 2] }, 'options.validationTokens'],
      [{ onProgress: 3 }, 'options.onProgress'],
    ];
    for (const [bad, name] of cases) await expectRejectsNaming(() => train(model, corpus, { ...OPTIONS, ...bad }), 'train', name);
    await expectRejectsNaming(() => train(model, Int32Array.of(1, 2, 3), OPTIONS), 'train', 'tokens');
    await expectRejectsNaming(() => train(model, Int32Array.from({ length: 30 }, () => 96), OPTIONS), 'train', 'tokens[0]');
    model.dispose();
  });

  it('saves in the tfjs weights format and loads back the same logits', async () => {
    const model = new TinyLM({ ...TINY, seed: 4 });
    const { json, weightData } = await saveCheckpoint(model, { steps: 0 });
    expect(json.format).toBe('prep-tiny-lm');
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0]!.weights.map((w) => w.name)).toEqual(model.namedWeights().map((w) => w.name));
    expect(weightData.byteLength).toBe(model.numParams * 4);
    // tf.io reads the same bytes with the same manifest.
    const decoded = tf.io.decodeWeights(weightData, json.weightsManifest[0]!.weights);
    await expectTensorClose(decoded['embedding/tokens']!, model.tokenEmbedding, { atol: 0, rtol: 0 });
    tf.dispose(Object.values(decoded));
    const copy = loadCheckpoint(JSON.parse(JSON.stringify(json)) as typeof json, weightData);
    const tokens = [tokensFor(9, 2)];
    const a = model.forward(tokens);
    const b = copy.forward(tokens);
    await expectTensorClose(b.logits, a.logits, { atol: 0, rtol: 0 }, 'checkpoint round trip');
    tf.dispose([a.logits, a.auxLoss, a.zLoss, b.logits, b.auxLoss, b.zLoss]);
    expectThrowsNaming(() => loadCheckpoint({ ...json, format: 'other' } as never, weightData), 'loadCheckpoint', 'json', [TypeError]);
    expectThrowsNaming(() => loadCheckpoint(json, weightData.slice(4)), 'loadCheckpoint', 'weightData', [RangeError]);
    expectThrowsNaming(() => loadCheckpoint(json, new Uint8Array(4) as never), 'loadCheckpoint', 'weightData', [TypeError]);
    model.dispose();
    copy.dispose();
  });
});

it('unigramCrossEntropy is the add-one unigram cross-entropy', () => {
  // counts+1: token 0 → 3, token 1 → 2 of 5
  expect(unigramCrossEntropy(Int32Array.of(0, 0, 1), Int32Array.of(0, 1), 2)).toBeCloseTo(-(Math.log(0.6) + Math.log(0.4)) / 2, 14);
  expectThrowsNaming(() => unigramCrossEntropy(Int32Array.of(0), Int32Array.of(), 2), 'unigramCrossEntropy', 'evalTokens', [RangeError]);
  expectThrowsNaming(() => unigramCrossEntropy([0] as never, Int32Array.of(0), 2), 'unigramCrossEntropy', 'trainTokens', [TypeError]);
  expectThrowsNaming(() => unigramCrossEntropy(Int32Array.of(3), Int32Array.of(0), 2), 'unigramCrossEntropy', 'trainTokens[0]', [RangeError]);
  expectThrowsNaming(() => unigramCrossEntropy(Int32Array.of(0), Int32Array.of(0), 0), 'unigramCrossEntropy', 'vocabSize', [RangeError]);
});
