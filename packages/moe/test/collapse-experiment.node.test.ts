// The collapse experiment at CI size (Node lane only: dozens of training steps per run).
import { expect, it } from 'vitest';
import { expectRejectsNaming } from '@prep/test-utils';
import { describeBackends, tf } from '@prep/test-utils/tensor';
import { collapseExperiment, collapseTable, COLLAPSE_RUNS } from '../src/index.js';

describeBackends('collapseExperiment', (backend) => {
  it(`shows collapse without a cure and spreads the load with all cures, reproducibly [${backend}]`, async () => {
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const options = { seed: 3, steps: 40, tokens: 64, recordEvery: 10, runs: ['none', 'all'] as const, onProgress: (p: { step: number }) => progress.push(p.step) };
    const result = await collapseExperiment(options);
    expect(tf.memory().numTensors).toBe(before);
    expect(result.config.backend).toBe(backend);
    expect(result.runs.map((r) => r.settings.name)).toEqual(['none', 'all']);
    const [none, all] = result.runs;
    // Plot-ready: one point per record, E shares summing to 1.
    expect(none!.points.map((p) => p.step)).toEqual([0, 10, 20, 30, 39]);
    for (const p of none!.points) {
      expect(p.shares).toHaveLength(16);
      expect(p.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(Number.isFinite(p.taskLoss)).toBe(true);
    }
    expect(progress).toEqual([0, 10, 20, 30, 39, 0, 10, 20, 30, 39]);
    // The router's head start is never overcome without a cure: one expert takes every token.
    expect(none!.final.topShare).toBe(1);
    expect(none!.final.topExpert).toBe(0);
    expect(none!.final.deadExperts).toBe(15);
    // With noise, capacity, balancing and z-loss the load spreads.
    expect(all!.final.topShare).toBeLessThan(0.8);
    expect(all!.final.deadExperts).toBeLessThan(15);
    expect(result.table.split('\n')).toHaveLength(4);
    expect(collapseTable(result.runs)).toBe(result.table);
    // Seeded: the same options give the same numbers.
    const again = await collapseExperiment({ ...options, seed: 0, runs: ['none', 'all'], onProgress: undefined as never });
    const twice = await collapseExperiment({ ...options, seed: 0, runs: ['none', 'all'], onProgress: undefined as never });
    expect(twice.runs.map((r) => r.points)).toEqual(again.runs.map((r) => r.points));
    expect(twice.runs[1]!.final).toEqual(again.runs[1]!.final);
    expect((JSON.parse(JSON.stringify(result)) as typeof result).runs[0]!.final.topShare).toBe(1);
  });

  it('stops when aborted and rejects bad options', async () => {
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    const pending = collapseExperiment({
      steps: 50,
      tokens: 32,
      runs: ['none'],
      signal: controller.signal,
      onProgress: () => controller.abort(new Error('stop here')),
    });
    await expect(pending).rejects.toThrow('stop here');
    expect(tf.memory().numTensors).toBe(before);
    await expectRejectsNaming(() => collapseExperiment({ steps: 0 }), 'collapseExperiment', 'options.steps');
    await expectRejectsNaming(() => collapseExperiment({ runs: ['none', 'magic'] as never }), 'collapseExperiment', 'options.runs');
    await expectRejectsNaming(() => collapseExperiment({ runs: [] }), 'collapseExperiment', 'options.runs');
    await expectRejectsNaming(() => collapseExperiment({ k: 17 }), 'collapseExperiment', 'options.k');
    await expectRejectsNaming(() => collapseExperiment({ signal: 'stop' as never }), 'collapseExperiment', 'options.signal');
    await expectRejectsNaming(() => collapseExperiment({ onProgress: 1 as never }), 'collapseExperiment', 'options.onProgress');
    await expectRejectsNaming(() => collapseExperiment('fast' as never), 'collapseExperiment', 'options');
    expect(COLLAPSE_RUNS.map((r) => r.name)).toEqual(['none', 'balance', 'noise', 'capacity', 'all']);
  });
}, ['wasm']);
