/** CI-sized runs of the exported experiments: shape of the JSON, determinism, learning, abort, options. */
import { expect, it } from 'vitest';
import { expectRejectsNaming } from '@prep/test-utils';
import { describeBackends, numTensors } from '@prep/test-utils/tensor';
import { SOURCE_BATCH_SIZE_TABLE, batchSizeSweep, compareObjectives, type TrainingProgress } from '../src/index.js';

const tiny = { classes: 4, superclasses: 2, latentDim: 4, imageDim: 8, textDim: 6, hiddenDim: 16, embedDim: 8, evalSize: 48, templates: 2 };

describeBackends('experiments (CI size)', (backend) => {
  it(`compareObjectives: three objectives at equal compute, plot-ready JSON, deterministic, leaks nothing [${backend}]`, async () => {
    const before = numTensors();
    const progress: TrainingProgress[] = [];
    const run = await compareObjectives({ ...tiny, steps: 6, batchSize: 12, onProgress: (p) => progress.push(p) });
    expect(numTensors()).toBe(before);
    expect(run.results.map((r) => r.objective)).toEqual(['clip', 'siglip', 'pairwise-bce']);
    expect(run.chance).toBe(0.25);
    expect(progress).toHaveLength(18);
    expect(progress[0]).toMatchObject({ objective: 'clip', batchSize: 12, step: 0, steps: 6 });
    for (const r of run.results) {
      expect(r.lossCurve).toHaveLength(6);
      expect(r.lossCurve.every(Number.isFinite)).toBe(true);
      expect(r.zeroShotAccuracy).toBeGreaterThanOrEqual(0);
      expect(r.zeroShotAccuracy).toBeLessThanOrEqual(1);
      expect(Object.keys(r.imageToText.recall)).toEqual(['1', '5', '10']);
      expect(r.logitScale).toBeGreaterThanOrEqual(1);
      expect(r.logitScale).toBeLessThanOrEqual(100.001);
      expect(r.logitBias === null).toBe(r.objective === 'clip');
    }
    expect(JSON.parse(JSON.stringify(run))).toEqual(run); // plain JSON
    const again = await compareObjectives({ ...tiny, steps: 6, batchSize: 12 });
    expect(again.results.map((r) => r.lossCurve)).toEqual(run.results.map((r) => r.lossCurve));
  });

  it(`compareObjectives: every objective learns (loss falls, accuracy above chance after 60 steps) [${backend}]`, async () => {
    const run = await compareObjectives({ ...tiny, steps: 60, batchSize: 16, learningRate: 0.01 });
    for (const r of run.results) {
      const head = r.lossCurve.slice(0, 10).reduce((a, b) => a + b) / 10;
      const tail = r.lossCurve.slice(-10).reduce((a, b) => a + b) / 10;
      expect(tail, `${r.objective}: loss ${head} → ${tail}`).toBeLessThan(head);
      expect(r.zeroShotAccuracy, r.objective).toBeGreaterThan(run.chance);
    }
  });

  it(`batchSizeSweep: points in increasing batch size, the source table beside them, time budget, abort [${backend}]`, async () => {
    const sweep = await batchSizeSweep({ ...tiny, batchSizes: [16, 8], steps: 4, timeBudgetMs: Infinity });
    expect(sweep.points.map((p) => [p.batchSize, p.pairsSeen, p.negativesPerPositive])).toEqual([[8, 32, 7], [16, 64, 15]]);
    expect(sweep.skipped).toEqual([]);
    expect(sweep.source).toEqual(SOURCE_BATCH_SIZE_TABLE);
    expect(sweep.source.points.map((p) => p.accuracy)).toEqual([0.345, 0.482, 0.637, 0.721, 0.762]);
    for (const p of sweep.points) expect(p.recallAt1).toBeLessThanOrEqual(p.recallAt5);
    // a budget smaller than the first run skips the rest
    const short = await batchSizeSweep({ ...tiny, batchSizes: [8, 16, 32], steps: 3, timeBudgetMs: 1e-6 });
    expect(short.points.map((p) => p.batchSize)).toEqual([8]);
    expect(short.skipped).toEqual([16, 32]);
    // abort between steps
    const controller = new AbortController();
    const before = numTensors();
    const aborted = batchSizeSweep({
      ...tiny,
      batchSizes: [8],
      steps: 50,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.step === 2) controller.abort(new Error('stop here'));
      },
    });
    await expect(aborted).rejects.toThrow('stop here');
    expect(numTensors()).toBe(before);
  });

  it(`bad options reject naming the option [${backend}]`, async () => {
    await expectRejectsNaming(() => compareObjectives({ steps: 0 }), 'compareObjectives', 'options.steps');
    await expectRejectsNaming(() => compareObjectives({ objectives: ['clip', 'triplet' as never] }), 'compareObjectives', 'options.objectives[1]');
    await expectRejectsNaming(() => compareObjectives({ batchSize: 1 }), 'compareObjectives', 'options.batchSize');
    await expectRejectsNaming(() => compareObjectives({ classes: 4, superclasses: 8 }), 'compareObjectives', 'options.superclasses');
    await expectRejectsNaming(() => compareObjectives({ signal: 'stop' as never }), 'compareObjectives', 'options.signal');
    await expectRejectsNaming(() => compareObjectives('fast' as never), 'compareObjectives', 'options');
    await expectRejectsNaming(() => batchSizeSweep({ batchSizes: [] }), 'batchSizeSweep', 'options.batchSizes');
    await expectRejectsNaming(() => batchSizeSweep({ batchSizes: [64, 1.5] }), 'batchSizeSweep', 'options.batchSizes[1]');
    await expectRejectsNaming(() => batchSizeSweep({ timeBudgetMs: -1 }), 'batchSizeSweep', 'options.timeBudgetMs');
    await expectRejectsNaming(() => batchSizeSweep({ objective: 'infonce' as never }), 'batchSizeSweep', 'options.objective');
    await expectRejectsNaming(() => batchSizeSweep({ onProgress: 3 as never }), 'batchSizeSweep', 'options.onProgress');
  });
});
