/**
 * Node-lane only: CI-sized runs of the two experiments (training on SwiftShader would cost the browser lane
 * far more than it checks). The full-sized runs are in bench/run.ts.
 */
import { expect, it } from 'vitest';
import { expectRejectsNaming } from '@prep/test-utils';
import { describeBackends, numTensors, tf } from '@prep/test-utils/tensor';
import { informationPlaneExperiment, recordEpochs, vibExperiment, type ExperimentProgress } from '../src/index.js';
import { twelveBitDataset } from '../src/internal/datasets.js';

const tiny = { epochs: 20, records: 3, miSamples: 64, hiddenSizes: [6, 4, 3], learningRate: 0.02 } as const;

describeBackends('experiments', () => {
  it('the twelve-bit task: 4096 distinct inputs, 2036 positives', () => {
    const data = twelveBitDataset();
    expect(data.rows).toBe(4096);
    expect(new Set(Array.from({ length: 4096 }, (_, r) => data.inputs.subarray(r * 12, r * 12 + 12).join(''))).size).toBe(4096);
    expect(data.labels.reduce((s, y) => s + y, 0)).toBe(2036);
    // The label depends only on which vertices are on: complementing every bit maps ‖s‖² to ‖Σv − s‖² = ‖s‖²
    // (the icosahedron's vertices sum to 0), so complementary inputs share their label.
    for (let i = 0; i < 4096; i += 37) expect(data.labels[4095 - i]).toBe(data.labels[i]);
  });

  it('recordEpochs: 0, log-spaced, the last epoch, distinct', () => {
    expect(recordEpochs(600, 12)).toEqual([...new Set(recordEpochs(600, 12))]);
    expect(recordEpochs(600, 12)[0]).toBe(0);
    expect(recordEpochs(600, 12).at(-1)).toBe(600);
    expect(recordEpochs(1, 5)).toEqual([0, 1]);
  });

  it('information plane: tanh and ReLU runs, every layer and estimator, plot-ready, seeded, no leak', async () => {
    const before = numTensors();
    const progress: ExperimentProgress[] = [];
    const result = await informationPlaneExperiment({ ...tiny, onProgress: (p) => progress.push(p) });
    expect(numTensors()).toBe(before);
    expect(result.series).toEqual(['binned', 'binnedAuto', 'kde.upper', 'kde.lower']);
    expect(result.runs.map((r) => r.activation)).toEqual(['tanh', 'relu']);
    expect(result.dataset).toMatchObject({ inputs: 4096, positives: 2036, miRows: 64 });
    for (const run of result.runs) {
      expect(run.plane.layers).toBe(4); // three hidden layers and the softmax output
      expect(run.plane.epochs).toEqual(recordEpochs(20, 3));
      expect(run.training.loss.at(-1)!).toBeLessThan(run.training.loss[0]!);
      for (const name of result.series) {
        for (const column of run.plane.bySeries[name]!) {
          for (const v of column.iXT) {
            expect(v).toBeGreaterThanOrEqual(-1e-9);
            expect(v).toBeLessThanOrEqual(6 + 1e-9); // log2 64
          }
          for (const v of column.iTY) expect(v).toBeLessThanOrEqual(1 + 1e-6);
        }
      }
      expect(run.compression).toHaveLength(4 * 4);
    }
    expect(result.summary).toHaveLength(2 * 4);
    expect(progress.at(-1)!.fraction).toBe(1);
    expect(progress.map((p) => p.fraction)).toEqual([...progress.map((p) => p.fraction)].sort((a, b) => a - b));
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    // same seed, same numbers; another seed, other numbers
    const again = await informationPlaneExperiment({ ...tiny, activations: ['relu'] });
    expect(again.runs[0]!.plane.records).toEqual(result.runs[1]!.plane.records);
    const other = await informationPlaneExperiment({ ...tiny, activations: ['relu'], seed: 2 });
    expect(other.runs[0]!.plane.records).not.toEqual(result.runs[1]!.plane.records);
  });

  it('VIB: one row per β; a large β squeezes I(Z;X) and I(Z;Y) to ~0; no leak', async () => {
    const before = numTensors();
    const result = await vibExperiment({ betas: [1e-3, 3], epochs: 8, trainSize: 256, testSize: 256, batchSize: 64 });
    expect(numTensors()).toBe(before);
    const [low, high] = result.rows;
    expect(result.rows.map((r) => r.beta)).toEqual([1e-3, 3]);
    expect(low!.iZXUpper).toBeGreaterThan(1);
    expect(high!.iZXUpper).toBeLessThan(0.2);
    expect(low!.iZYLower).toBeGreaterThan(high!.iZYLower + 0.3);
    expect(low!.testAccuracy).toBeGreaterThan(0.5); // 4 classes: chance is 0.25
    expect(low!.iZYLower).toBeLessThanOrEqual(result.dataset.hYBits);
    expect(low!.lossHistory).toHaveLength(8);
    expect(low!.lossHistory.at(-1)!).toBeLessThan(low!.lossHistory[0]!);
    expect(JSON.parse(JSON.stringify(result))).toEqual({ ...result });
  });

  it('both stop on an AbortSignal, releasing every tensor', async () => {
    const before = numTensors();
    const controller = new AbortController();
    const stopped = informationPlaneExperiment({ ...tiny, signal: controller.signal, onProgress: () => controller.abort(new Error('stop here')) });
    await expect(stopped).rejects.toThrow('stop here');
    expect(numTensors()).toBe(before);
    const vibController = new AbortController();
    const vibStopped = vibExperiment({ epochs: 3, trainSize: 64, testSize: 64, signal: vibController.signal, onProgress: () => vibController.abort(new Error('enough')) });
    await expect(vibStopped).rejects.toThrow('enough');
    expect(numTensors()).toBe(before);
    await expect(vibExperiment({ signal: AbortSignal.abort(new Error('before start')) })).rejects.toThrow('before start');
  });

  it('reject bad options naming them', async () => {
    const ipe = 'informationPlaneExperiment';
    await expectRejectsNaming(() => informationPlaneExperiment(3 as never), ipe, 'options');
    await expectRejectsNaming(() => informationPlaneExperiment({ activations: ['sigmoid' as never] }), ipe, 'options.activations[0]');
    await expectRejectsNaming(() => informationPlaneExperiment({ activations: [] }), ipe, 'options.activations');
    await expectRejectsNaming(() => informationPlaneExperiment({ epochs: 0 }), ipe, 'options.epochs');
    await expectRejectsNaming(() => informationPlaneExperiment({ miSamples: 5000 }), ipe, 'options.miSamples');
    await expectRejectsNaming(() => informationPlaneExperiment({ trainFraction: 1 }), ipe, 'options.trainFraction');
    await expectRejectsNaming(() => informationPlaneExperiment({ hiddenSizes: [3, 0] }), ipe, 'options.hiddenSizes[1]');
    await expectRejectsNaming(() => informationPlaneExperiment({ noiseVariance: -1 }), ipe, 'options.noiseVariance');
    await expectRejectsNaming(() => informationPlaneExperiment({ onProgress: 'log' as never }), ipe, 'options.onProgress');
    await expectRejectsNaming(() => vibExperiment({ betas: [] }), 'vibExperiment', 'options.betas');
    await expectRejectsNaming(() => vibExperiment({ betas: [-1] }), 'vibExperiment', 'options.betas[0]');
    await expectRejectsNaming(() => vibExperiment({ latentDim: 1.5 }), 'vibExperiment', 'options.latentDim');
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
}, ['wasm']);
