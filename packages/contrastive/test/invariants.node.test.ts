/** Invariants the question states (ln N, N·ln 2, ≈0 for orthonormal pairs, the clamp) and bad inputs. */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { expectBadInputs, expectRejectsNaming, expectThrowsNaming } from '@prep/test-utils';
import { describeBackends, disposeArgs, expectTensorClose, numTensors, seededTensor, tf } from '@prep/test-utils/tensor';
import {
  LearnableTemperature,
  chunkedClipLoss,
  chunkedSiglipLoss,
  classEmbeddings,
  clipLoss,
  denseLogitsBytes,
  pairwiseBCELoss,
  retrievalMetrics,
  siglipLoss,
  zeroShotClassify,
} from '../src/index.js';

const seeded = (shape: number[], seed: number) => seededTensor(shape, seed) as tf.Tensor2D;

const value = async (t: tf.Tensor): Promise<number> => {
  const v = (await t.data())[0]!;
  t.dispose();
  return v;
};

describeBackends('invariants', (backend) => {
  it(`all logits equal → CLIP loss = ln N, for any N, scale and bias, dense and chunked [${backend}]`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 24 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        async (n, scale, bias, chunkSize) => {
          // every image row is one vector and every text row another: all N² logits are equal
          const image = tf.tidy(() => tf.tile<tf.Tensor2D>(seeded([1, 5], n), [n, 1]));
          const text = tf.tidy(() => tf.tile<tf.Tensor2D>(seeded([1, 5], n + 1), [n, 1]));
          const tol = { atol: 2e-5 * (1 + scale), rtol: 1e-5 };
          await expectTensorClose(clipLoss(image, text, scale, { logitBias: bias }), Math.log(n), tol, 'dense');
          await expectTensorClose(chunkedClipLoss(image, text, scale, { logitBias: bias, chunkSize }), Math.log(n), tol, 'chunked');
          tf.dispose([image, text]);
        },
      ),
      { numRuns: 10, seed: 8 },
    );
  });

  it(`zero logits with b = 0 → SigLIP loss = N·ln 2 (every pair costs ln 2, the sum is divided by N) [${backend}]`, async () => {
    for (const n of [1, 2, 7, 33]) {
      const image = seeded([n, 4], 3);
      const text = seeded([n, 4], 4);
      // scale 0 makes every logit b = 0
      expect(await value(siglipLoss(image, text, 0, 0))).toBeCloseTo(n * Math.LN2, 4);
      expect(await value(chunkedSiglipLoss(image, text, 0, 0, { chunkSize: 5 }))).toBeCloseTo(n * Math.LN2, 4);
      // orthogonal embeddings (cos = 0 everywhere but the diagonal is not needed): normalize off, zero text
      const zeros = tf.zeros<tf.Rank.R2>([n, 4]);
      expect(await value(siglipLoss(image, zeros, 14, 0, { normalize: false }))).toBeCloseTo(n * Math.LN2, 4);
      tf.dispose([image, text, zeros]);
    }
  });

  it(`orthonormal matched pairs with a large scale → CLIP ≈ 0 and SigLIP ≈ 0 (s = 100, b = −50) [${backend}]`, async () => {
    for (const n of [2, 8, 16]) {
      const eye = tf.eye(n, 16);
      expect(await value(clipLoss(eye, eye, 100))).toBeLessThan(1e-6);
      expect(await value(chunkedClipLoss(eye, eye, 100, { chunkSize: 3 }))).toBeLessThan(1e-6);
      expect(await value(siglipLoss(eye, eye, 100, -50))).toBeLessThan(1e-6);
      expect(await value(chunkedSiglipLoss(eye, eye, 100, -50, { chunkSize: 3 }))).toBeLessThan(1e-6);
      // and the loss grows when the pairs are shuffled: the matching is what is rewarded
      const shifted = tf.concat([tf.slice(eye, [1, 0], [n - 1, 16]), tf.slice(eye, [0, 0], [1, 16])]);
      expect(await value(clipLoss(eye, shifted, 100))).toBeGreaterThan(50);
      tf.dispose([eye, shifted]);
    }
  });

  it(`LearnableTemperature.clamp keeps log-scale in [0, ln max] and leaves values inside unchanged [${backend}]`, async () => {
    const temperature = new LearnableTemperature();
    const custom = new LearnableTemperature({ init: 10, max: 50 });
    await fc.assert(
      fc.asyncProperty(fc.double({ min: -50, max: 50, noNaN: true }), async (v) => {
        for (const [t, max] of [[temperature, 100], [custom, 50]] as const) {
          const assigned = tf.scalar(v);
          t.logScale.assign(assigned);
          assigned.dispose();
          t.clamp();
          const clamped = (await t.logScale.data())[0]!;
          expect(clamped).toBeLessThanOrEqual(Math.fround(Math.log(max)));
          expect(clamped).toBeGreaterThanOrEqual(0);
          if (v >= 0 && v <= Math.log(max) * 0.999) expect(clamped).toBeCloseTo(v, 5);
        }
      }),
      { numRuns: 30, seed: 8 },
    );
    await expectTensorClose(custom.max, 50, { atol: 0, rtol: 0 }, 'max');
    temperature.dispose();
    custom.dispose();
  });

  it(`symmetry, scale invariance of normalised inputs, N = 1, zero rows, huge logits [${backend}]`, async () => {
    const image = seeded([9, 6], 21);
    const text = seeded([9, 6], 22);
    // CLIP and SigLIP are symmetric in the two towers
    expect(await value(clipLoss(image, text, 14))).toBeCloseTo(await value(clipLoss(text, image, 14)), 5);
    expect(await value(siglipLoss(image, text, 10, -10))).toBeCloseTo(await value(siglipLoss(text, image, 10, -10)), 5);
    // rows are normalised: scaling a row by a positive number changes nothing
    const scaled = tf.mul<tf.Tensor2D>(image, tf.tensor2d([1, 2, 3, 0.5, 7, 1e3, 1e-3, 4, 9], [9, 1]));
    expect(await value(chunkedClipLoss(scaled, text, 14, { chunkSize: 4 }))).toBeCloseTo(await value(clipLoss(image, text, 14)), 4);
    // N = 1: CLIP's softmax has one entry (loss 0); SigLIP is −log σ(s·cos + b)
    const one = tf.slice(image, [0, 0], [1, 6]);
    expect(await value(chunkedClipLoss(one, one, 14, { chunkSize: 1 }))).toBeCloseTo(0, 5);
    expect(await value(chunkedSiglipLoss(one, one, 10, -10, { chunkSize: 1 }))).toBeCloseTo(Math.log1p(Math.exp(0)), 5);
    // a zero row normalises to zero and its gradient is finite (0), not NaN
    const withZero = tf.concat([tf.zeros([1, 6]), tf.slice(image, [1, 0], [8, 6])]);
    for (const f of [
      (i: tf.Tensor) => clipLoss(i as tf.Tensor2D, text, 14),
      (i: tf.Tensor) => chunkedClipLoss(i as tf.Tensor2D, text, 14, { chunkSize: 4 }),
      (i: tf.Tensor) => chunkedSiglipLoss(i as tf.Tensor2D, text, 10, -10, { chunkSize: 4 }),
    ]) {
      const g = tf.grad(f)(withZero);
      expect(Array.from(await g.data()).every(Number.isFinite)).toBe(true);
      g.dispose();
    }
    // logits of size 1e4 (normalize off): the log-sum-exps are shifted, so the losses stay finite
    const big = tf.mul<tf.Tensor2D>(image, 100);
    const chunkedBig = await value(chunkedClipLoss(big, text, 100, { chunkSize: 4, normalize: false }));
    expect(Number.isFinite(chunkedBig)).toBe(true);
    expect(chunkedBig).toBeCloseTo(await value(clipLoss(big, text, 100, { normalize: false })), 0);
    expect(Number.isFinite(await value(chunkedSiglipLoss(big, text, 100, 0, { chunkSize: 4, normalize: false })))).toBe(true);
    tf.dispose([image, text, scaled, one, withZero, big]);
  });

  it(`the CLIP bias cancels: loss unchanged and its gradient exactly 0 (chunked) [${backend}]`, async () => {
    const image = seeded([10, 4], 31);
    const text = seeded([10, 4], 32);
    const bias = tf.scalar(-7);
    const [dBias] = tf.grads((b: tf.Tensor) => chunkedClipLoss(image, text, 14, { logitBias: b as tf.Scalar, chunkSize: 3 }))([bias]);
    expect((await dBias!.data())[0]).toBe(0);
    expect(await value(chunkedClipLoss(image, text, 14, { logitBias: bias, chunkSize: 3 }))).toBeCloseTo(await value(clipLoss(image, text, 14)), 5);
    tf.dispose([image, text, bias, dBias!]);
  });

  it(`denseLogitsBytes: N² · 4 bytes; 4 GiB at CLIP's 32,768 [${backend}]`, () => {
    expect(denseLogitsBytes(32768)).toBe(4 * 2 ** 30);
    expect(denseLogitsBytes(4096, { bytesPerElement: 2 })).toBe(32 * 2 ** 20);
    expect(denseLogitsBytes(1)).toBe(4);
  });
});

describeBackends('bad inputs: TypeError for the wrong kind, RangeError for a bad shape or value, naming the argument', () => {
  const emb = () => [seededTensor([4, 3], 1), seededTensor([4, 3], 2)];
  // built inside each test (and disposed there), so every backend gets its own
  const badEmbeddings = () => ['x', null, undefined, 5, [], {}, tf.zeros([4]), tf.zeros([0, 3]), tf.zeros([4, 3, 1]), tf.zeros([5, 3]), tf.zeros([4, 2]), tf.tensor([['a']])];
  const badScalars = () => ['1', null, undefined, NaN, Infinity, {}, [1], tf.zeros([2]), tf.tensor(['a'])];
  const badOptionObjects = ['x', 3, null, [], true];
  const tensorsIn = (...lists: unknown[][]) => lists.flat().filter((x): x is tf.Tensor => x instanceof tf.Tensor);
  const common = { cleanup: disposeArgs, liveCount: numTensors };

  it('clipLoss, chunkedClipLoss, siglipLoss, chunkedSiglipLoss', () => {
    const [images, texts, scales, biases] = [badEmbeddings(), badEmbeddings(), badScalars(), badScalars()];
    const loss = { imageEmb: images, textEmb: texts, logitScale: scales };
    let attempts = expectBadInputs({
      fn: clipLoss,
      fnName: 'clipLoss',
      validArgs: () => [...emb(), 14],
      argNames: ['imageEmb', 'textEmb', 'logitScale', 'options'],
      cases: { ...loss, options: [...badOptionObjects, { normalize: 'yes' }, { logitBias: NaN }, { logitBias: '1' }, { logitBias: scales[7] }] },
      ...common,
    });
    attempts += expectBadInputs({
      fn: chunkedClipLoss,
      fnName: 'chunkedClipLoss',
      validArgs: () => [...emb(), 14, { chunkSize: 2 }],
      argNames: ['imageEmb', 'textEmb', 'logitScale', 'options'],
      cases: {
        ...loss,
        options: [...badOptionObjects, undefined, {}, { chunkSize: 0 }, { chunkSize: -2 }, { chunkSize: 1.5 }, { chunkSize: '4' }, { chunkSize: Infinity }, { chunkSize: 2, normalize: 1 }, { chunkSize: 2, logitBias: null }],
      },
      ...common,
    });
    attempts += expectBadInputs({
      fn: siglipLoss,
      fnName: 'siglipLoss',
      validArgs: () => [...emb(), 10, -10],
      argNames: ['imageEmb', 'textEmb', 'logitScale', 'logitBias', 'options'],
      cases: { ...loss, logitBias: biases, options: [...badOptionObjects, { normalize: 'no' }] },
      ...common,
    });
    attempts += expectBadInputs({
      fn: chunkedSiglipLoss,
      fnName: 'chunkedSiglipLoss',
      validArgs: () => [...emb(), 10, -10, { chunkSize: 3 }],
      argNames: ['imageEmb', 'textEmb', 'logitScale', 'logitBias', 'options'],
      cases: { ...loss, logitBias: biases, options: [...badOptionObjects, undefined, { chunkSize: 0 }, { chunkSize: NaN }, { chunkSize: 3, normalize: null }] },
      ...common,
    });
    expect(attempts).toBeGreaterThan(120);
    tf.dispose(tensorsIn(images, texts, scales, biases));
  });

  it('zeroShotClassify, classEmbeddings, pairwiseBCELoss', () => {
    const [images, classes, scales, biases] = [badEmbeddings(), badEmbeddings().slice(0, 9), badScalars(), badScalars()];
    let attempts = expectBadInputs({
      fn: zeroShotClassify,
      fnName: 'zeroShotClassify',
      validArgs: () => [seededTensor([5, 3], 1), seededTensor([2, 3], 2)],
      argNames: ['imageEmb', 'classEmb', 'options'],
      cases: {
        imageEmb: images.filter((x) => !(x instanceof tf.Tensor && (x as tf.Tensor).shape[0] === 5)),
        classEmb: [...classes, tf.zeros([2, 4])],
        options: [...badOptionObjects, { logitScale: 0 }, { logitScale: -1 }, { logitScale: NaN }, { logitScale: '100' }, { normalize: 0 }],
      },
      ...common,
    });
    const templates = ['x', null, 3, [], tf.zeros([2, 3]), tf.zeros([2, 0, 3]), tf.tensor([[['a']]]), tf.zeros([1, 1, 1, 1])];
    attempts += expectBadInputs({
      fn: classEmbeddings,
      fnName: 'classEmbeddings',
      validArgs: () => [seededTensor([2, 3, 4], 1)],
      argNames: ['templateEmbeddings'],
      cases: { templateEmbeddings: templates },
      ...common,
    });
    const pairs = { i: Int32Array.from([0, 1]), t: Int32Array.from([1, 1]), label: Float32Array.from([1, 0]) };
    attempts += expectBadInputs({
      fn: pairwiseBCELoss,
      fnName: 'pairwiseBCELoss',
      validArgs: () => [seededTensor([2, 3], 1), seededTensor([3, 3], 2), pairs, 10, -5],
      argNames: ['imageEmb', 'textEmb', 'pairs', 'logitScale', 'logitBias', 'options'],
      cases: {
        imageEmb: ['x', null, tf.zeros([3]), tf.zeros([0, 3])],
        textEmb: [5, tf.zeros([3, 2])],
        pairs: [
          null, 'pairs', [], {},
          { ...pairs, i: Float32Array.from([0, 1]) },
          { ...pairs, t: [0.5, 1] },
          { ...pairs, label: 'yes' },
          { i: new Int32Array(0), t: new Int32Array(0), label: new Float32Array(0) },
          { ...pairs, t: Int32Array.from([1]) },
          { ...pairs, i: Int32Array.from([0, 2]) },
          { ...pairs, t: Int32Array.from([-1, 0]) },
          { ...pairs, label: Float32Array.from([1, 2]) },
          { ...pairs, label: Float32Array.from([NaN, 0]) },
        ],
        logitScale: scales,
        logitBias: biases,
        options: [...badOptionObjects, { normalize: 'x' }],
      },
      ...common,
    });
    expect(attempts).toBeGreaterThan(60);
    tf.dispose(tensorsIn(images, classes, scales, biases, templates));
  });

  it('LearnableTemperature refuses bad options and creates no variable; denseLogitsBytes', () => {
    const before = numTensors();
    for (const [options, arg] of [
      ['x', 'options'], [3, 'options'], [{ init: 0.5 }, 'options.init'], [{ init: 200 }, 'options.init'], [{ init: NaN }, 'options.init'],
      [{ max: 0.5 }, 'options.max'], [{ max: '100' }, 'options.max'], [{ init: 50, max: 20 }, 'options.init'], [{ trainable: 'yes' }, 'options.trainable'],
    ] as const) {
      expectThrowsNaming(() => new LearnableTemperature(options as never), 'LearnableTemperature', arg);
    }
    expect(numTensors()).toBe(before);
    for (const n of [0, -1, 1.5, NaN, Infinity]) expectThrowsNaming(() => denseLogitsBytes(n), 'denseLogitsBytes', 'batchSize', [RangeError]);
    expectThrowsNaming(() => denseLogitsBytes('4' as never), 'denseLogitsBytes', 'batchSize', [TypeError]);
    expectThrowsNaming(() => denseLogitsBytes(4, { bytesPerElement: 0 }), 'denseLogitsBytes', 'options.bytesPerElement', [RangeError]);
  });

  it('retrievalMetrics rejects (async) naming the argument, and leaks nothing', async () => {
    const image = seededTensor([4, 3], 1);
    const text = seededTensor([4, 3], 2);
    const before = numTensors();
    const cases: [unknown, unknown, unknown, string][] = [
      ['x', text, undefined, 'imageEmb'], [image, null, undefined, 'textEmb'], [image, tf.zeros([5, 3]), undefined, 'textEmb'],
      [tf.zeros([4]), text, undefined, 'imageEmb'], [image, text, 'x', 'options'], [image, text, { ks: 5 }, 'options.ks'],
      [image, text, { ks: [] }, 'options.ks'], [image, text, { ks: [1, 0] }, 'options.ks[1]'], [image, text, { ks: [2.5] }, 'options.ks[0]'],
      [image, text, { chunkSize: 0 }, 'options.chunkSize'], [image, text, { normalize: 'no' }, 'options.normalize'],
    ];
    for (const [i, t, o, arg] of cases) {
      await expectRejectsNaming(() => retrievalMetrics(i as tf.Tensor2D, t as tf.Tensor2D, o as never), 'retrievalMetrics', arg);
    }
    tf.dispose(cases.flatMap(([i, t]) => [i, t]).filter((x): x is tf.Tensor => x instanceof tf.Tensor && x !== image && x !== text));
    expect(numTensors()).toBe(before);
    tf.dispose([image, text]);
  });
});

describeBackends('the TSDoc examples give what their comments say', (backend) => {
  it(`clipLoss, siglipLoss, zeroShotClassify, classEmbeddings, retrievalMetrics, pairwiseBCELoss, denseLogitsBytes [${backend}]`, async () => {
    const image = tf.tensor2d([[1, 0], [0, 1]]);
    const reversed = tf.reverse(image, 0);
    expect(await value(clipLoss(image, image, 100))).toBeLessThan(1e-6);
    expect(await value(clipLoss(image, reversed, 100))).toBeCloseTo(100, 3);
    expect(await value(clipLoss(image, image, 0))).toBeCloseTo(Math.LN2, 6);
    expect(await value(siglipLoss(image, image, 10, -10))).toBeCloseTo(Math.LN2 + Math.log1p(Math.exp(-10)), 5);
    const { probs, predictions } = zeroShotClassify(tf.tensor2d([[0.9, 0.1], [0.2, 0.8]]), image);
    expect(predictions.arraySync()).toEqual([0, 1]);
    const perTemplate = tf.randomNormal<tf.Rank.R3>([10, 4, 64], 0, 1, 'float32', 1);
    const classes = classEmbeddings(perTemplate);
    expect(classes.shape).toEqual([10, 64]);
    await expectTensorClose(tf.norm(classes, 'euclidean', 1), tf.ones([10]), { atol: 1e-5, rtol: 0 }, 'unit rows');
    const rows = backend === 'cpu' ? 300 : 1000; // the example's 1000 rows on wasm; fewer on the slow cpu backend
    const retrievalImage = tf.randomNormal<tf.Rank.R2>([rows, 64], 0, 1, 'float32', 2);
    const retrievalText = tf.add<tf.Tensor2D>(retrievalImage, tf.randomNormal([rows, 64], 0, 0.5, 'float32', 3));
    const m = await retrievalMetrics(retrievalImage, retrievalText, { ks: [1, 5] });
    expect(m.imageToText.recall[1]).toBeGreaterThan(0.95);
    const pairs = { i: Int32Array.from([0, 1, 0, 1]), t: Int32Array.from([0, 1, 1, 0]), label: Float32Array.from([1, 1, 0, 0]) };
    expect(Number.isFinite(await value(pairwiseBCELoss(tf.randomNormal([4, 16]), tf.randomNormal([4, 16]), pairs, 10, -5)))).toBe(true);
    expect(denseLogitsBytes(32768) / 2 ** 30).toBe(4);
    tf.dispose([image, reversed, probs, predictions, perTemplate, classes, retrievalImage, retrievalText]);
  });
});
