/**
 * Every op on the lane's backends (cpu + wasm in Node, webgl + webgpu in Chromium) at one small size
 * ([8, 4] embeddings, chunks of 4), so the browser lane compiles few shaders: numpy values and gradients,
 * and no leaked tensors. The larger suites are in *.node.test.ts.
 */
import { expect, it } from 'vitest';
import { describeBackends, expectNoLeak, expectTensorClose, isBrowser, numTensors, tf } from '@prep/test-utils/tensor';
import {
  LearnableTemperature,
  classEmbeddings,
  pairwiseBCELoss,
  retrievalMetrics,
  zeroShotClassify,
} from '../src/index.js';
import { caseInputs, fixture, lossCase, lossFn, valueAndGrads } from './helpers.js';

// float32 against float64 numpy. GPU shaders (webgl, webgpu through SwiftShader) use their own exp/log,
// accurate to a few float32 ulps, so the browser lane gets 10× the Node tolerances.
const widen = isBrowser ? 10 : 1;
const lossTol = { atol: 1e-5 * widen, rtol: 1e-5 * widen };
const gradTol = { atol: 2e-6 * widen, rtol: 1e-4 * widen };
const scalarGradTol = { atol: 1e-5 * widen, rtol: 1e-4 * widen };

describeBackends('contrastive ops', (backend) => {
  it(`clipLoss, chunkedClipLoss, siglipLoss, chunkedSiglipLoss match numpy with gradients, leak nothing [${backend}]`, async () => {
    expect(tf.getBackend()).toBe(backend);
    for (const name of ['clip, browser size', 'siglip, browser size']) {
      const c = lossCase(name);
      for (const chunkSize of [null, 4]) {
        const inputs = caseInputs(c);
        const before = numTensors();
        const { value, grads } = valueAndGrads(lossFn(c, chunkSize), inputs);
        expect(numTensors(), 'value + 4 gradients, nothing else').toBe(before + 5);
        const label = `${name} ${chunkSize === null ? 'dense' : 'chunked'}`;
        await expectTensorClose(value, c.loss, lossTol, `${label} loss`);
        await expectTensorClose(grads[0]!, tf.tensor2d(c.dImage, [c.n, c.dim]), gradTol, `${label} dImage`);
        await expectTensorClose(grads[1]!, tf.tensor2d(c.dText, [c.n, c.dim]), gradTol, `${label} dText`);
        await expectTensorClose(grads[2]!, c.dScale, scalarGradTol, `${label} dScale`);
        await expectTensorClose(grads[3]!, c.dBias, scalarGradTol, `${label} dBias`);
        tf.dispose([value, ...grads]);
        // forward only (no tape): the value alone
        const forwardOnly = await expectNoLeak(() => lossFn(c, chunkSize)(...inputs));
        expect(forwardOnly[0]).toBeCloseTo(c.loss, 3);
        tf.dispose(inputs);
      }
    }
  });

  it(`pairwiseBCELoss matches numpy with gradients (repeated rows scatter-add), leaks nothing [${backend}]`, async () => {
    const c = fixture.pairwise.find((x) => x.name.includes('browser size'))!;
    const image = tf.tensor2d(c.image, [c.numImages, c.dim]);
    const text = tf.tensor2d(c.text, [c.numTexts, c.dim]);
    const pairs = { i: Int32Array.from(c.i), t: Int32Array.from(c.t), label: Float32Array.from(c.label) };
    const inputs = [image, text, tf.scalar(c.scale), tf.scalar(c.bias)];
    const before = numTensors();
    const { value, grads } = tf.valueAndGrads((i: tf.Tensor, t: tf.Tensor, s: tf.Tensor, b: tf.Tensor) =>
      pairwiseBCELoss(i as tf.Tensor2D, t as tf.Tensor2D, pairs, s as tf.Scalar, b as tf.Scalar),
    )(inputs);
    expect(numTensors()).toBe(before + 5);
    await expectTensorClose(value, c.loss, lossTol, 'loss');
    await expectTensorClose(grads[0]!, tf.tensor2d(c.dImage, [c.numImages, c.dim]), gradTol, 'dImage');
    await expectTensorClose(grads[1]!, tf.tensor2d(c.dText, [c.numTexts, c.dim]), gradTol, 'dText');
    await expectTensorClose(grads[2]!, c.dScale, scalarGradTol, 'dScale');
    await expectTensorClose(grads[3]!, c.dBias, scalarGradTol, 'dBias');
    tf.dispose([value, ...grads, ...inputs]);
  });

  it(`zeroShotClassify, classEmbeddings: worked examples, int32 predictions, ties to the lower class [${backend}]`, async () => {
    const images = tf.tensor2d([[0.9, 0.1], [0.2, 0.8], [1, 1]]);
    const classes = tf.tensor2d([[1, 0], [0, 1]]);
    const { probs, predictions } = zeroShotClassify(images, classes, { logitScale: 10 });
    expect(predictions.dtype).toBe('int32');
    expect(Array.from(await predictions.data())).toEqual([0, 1, 0]);
    // softmax(10 · cos) over two classes: sigmoid of the difference of the cosines
    const cos = (x: number, y: number) => [x / Math.hypot(x, y), y / Math.hypot(x, y)] as const;
    const expected = [[0.9, 0.1], [0.2, 0.8], [1, 1]].flatMap(([x, y]) => {
      const [a, b] = cos(x!, y!);
      const p = 1 / (1 + Math.exp(-10 * (a - b)));
      return [p, 1 - p];
    });
    await expectTensorClose(probs, tf.tensor2d(expected, [3, 2]), { atol: 1e-6, rtol: 1e-5 }, 'probs');
    await expectNoLeak(() => {
      const result = zeroShotClassify(images, classes);
      return [result.probs, result.predictions];
    });
    // class 0: templates [3, 0] and [0, 4] normalise to e1 and e2, average (½, ½), renormalise to (1, 1)/√2
    const templates = tf.tensor3d([[[3, 0], [0, 4]], [[1, 1], [2, 2]]]);
    const perClass = await expectNoLeak(() => classEmbeddings(templates));
    expect(Array.from(perClass).map((v) => v.toFixed(6))).toEqual(Array(4).fill(Math.SQRT1_2.toFixed(6)));
    tf.dispose([images, classes, probs, predictions, templates]);
  });

  it(`retrievalMetrics: all-ones ties (8×4, chunks of 4), rank 1 for identical pairs, leaks nothing [${backend}]`, async () => {
    const ones = tf.ones<tf.Rank.R2>([8, 4]);
    const before = numTensors();
    const ties = await retrievalMetrics(ones, ones, { chunkSize: 4 });
    expect(numTensors()).toBe(before);
    // every score ties: query i has the i candidates of lower index ahead of its match, 0-based ranks 0..7
    for (const direction of [ties.imageToText, ties.textToImage]) {
      expect(direction.meanRank).toBe(4.5);
      expect(direction.medianRank).toBe(4); // ⌊median(0..7) = 3.5⌋ + 1
      expect(direction.recall).toEqual({ 1: 1 / 8, 5: 5 / 8, 10: 1 });
    }
    const distinct = tf.tidy(() => tf.add<tf.Tensor2D>(tf.eye(8, 4), tf.mul(tf.ones([8, 4]), 0.01)));
    const self = await retrievalMetrics(distinct, distinct, { chunkSize: 4, ks: [1] });
    // rows 4..7 are identical: of those, only row 4 has no tying candidate of lower index
    expect(self.imageToText.recall[1]).toBe(5 / 8);
    expect(self.textToImage.recall[1]).toBe(5 / 8);
    tf.dispose([ones, distinct]);
  });

  it(`LearnableTemperature: starts at 1/0.07, gradient through exp, clamp to [1, 100] [${backend}]`, async () => {
    const before = numTensors();
    const temperature = new LearnableTemperature();
    const initial = temperature.scale();
    await expectTensorClose(initial, 1 / 0.07, { atol: 0, rtol: 1e-6 }, 'init');
    const big = tf.scalar(7);
    temperature.logScale.assign(big);
    temperature.clamp();
    expect((await temperature.logScale.data())[0]).toBeLessThanOrEqual(Math.fround(Math.log(100)));
    const g = tf.grad(() => tf.sum(temperature.scale()))(temperature.logScale);
    await expectTensorClose(g, 100, { atol: 0, rtol: 1e-5 }, 'd scale / d logScale = scale');
    tf.dispose([initial, big, g]);
    temperature.dispose();
    expect(numTensors()).toBe(before);
  });
});
