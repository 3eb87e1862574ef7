/**
 * CI-sized runs of the exported experiments (the full runs are in bench/run.ts and BENCHMARKS.md). wasm only:
 * the experiments run the package's ops, whose backend parity the op suites already check.
 */
import { expect, it } from 'vitest';
import { expectThrowsNaming } from '@prep/test-utils';
import { describeBackends, numTensors } from '@prep/test-utils/tensor';
import { runBetaExperiment, runRlaifExperiment, type ExperimentProgress } from '../src/index.js';

describeBackends(
  'experiments',
  () => {
    it('runBetaExperiment: plot-ready JSON, seeded, leak-free, with progress; small β drifts further than large β', async () => {
      const before = numTensors();
      const progress: ExperimentProgress[] = [];
      const options = { seed: 5, betas: [0.001, 0.5], ppoSteps: 8, dpoSteps: 6, batchSize: 32, preferencePairs: 64, rewardModelSteps: 60, recordEvery: 4 };
      const result = await runBetaExperiment({ ...options, onProgress: (p) => progress.push(p) });
      expect(numTensors()).toBe(before);
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
      expect(result.config).toMatchObject({ seed: 5, betas: [0.001, 0.5], ppoSteps: 8, maxLength: 8, lengthLimit: 4 });
      expect(result.ppo.map((r) => r.beta)).toEqual([0.001, 0.5]);
      expect(result.ppo[0]!.points.map((p) => p.step)).toEqual([0, 4, 8]);
      expect(result.dpo[0]!.points.map((p) => p.step)).toEqual([0, 4, 6]);
      expect(result.adaptive.points[0]!.beta).toBe(0.02);
      for (const run of [...result.ppo, ...result.dpo]) {
        // every run starts at the reference policy (float32 probabilities vs the float64 reference)
        expect(run.points[0]!.trueReward).toBeCloseTo(result.reference.trueReward, 6);
        expect(run.points[0]!.kl).toBeLessThan(1e-6);
        expect(['reward hacking', 'under-optimisation', 'balanced']).toContain(run.verdict);
      }
      const [small, large] = result.ppo as [(typeof result.ppo)[0], (typeof result.ppo)[0]];
      expect(small.final.kl).toBeGreaterThan(large.final.kl);
      expect(small.final.proxyReward - result.reference.proxyReward).toBeGreaterThan(large.final.proxyReward - result.reference.proxyReward);
      // the exact optimum drifts monotonically less as β grows
      expect(result.optimum[0]!.kl).toBeGreaterThan(result.optimum[1]!.kl);
      expect(result.rewardModel.heldOutAccuracy).toBeGreaterThan(0.6);
      expect(progress.length).toBeGreaterThan(20);
      expect(progress.at(-1)).toMatchObject({ phase: 'ppo adaptive β', step: 8, steps: 8 });
      // seeded: the same options give the same numbers
      const again = await runBetaExperiment({ ...options, betas: [0.5], dpoSteps: 1 });
      expect(again.ppo[0]!.points[1]).toEqual(result.ppo[1]!.points[1]);
    });

    it('runRlaifExperiment: the judge’s verbosity bias shows in its labels; position swap abstains; no leaks', async () => {
      const before = numTensors();
      const result = await runRlaifExperiment({ seed: 2, preferencePairs: 160, rewardModelSteps: 60, ppoSteps: 4, dpoSteps: 3, batchSize: 32, recordEvery: 2 });
      expect(numTensors()).toBe(before);
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
      const byName = new Map(result.variants.map((v) => [v.name, v]));
      const human = byName.get('human labels')!;
      const judge = byName.get('AI judge')!;
      const swapped = byName.get('AI judge + position swap')!;
      expect(result.variants).toHaveLength(6);
      expect(human.versusHuman).toEqual({ ppoMeanLength: 0, ppoTrueReward: 0, dpoMeanLength: 0, dpoTrueReward: 0 });
      expect(judge.labels.longerChosenShare).toBeGreaterThan(human.labels.longerChosenShare);
      expect(judge.rewardModel.lengthSlope).toBeGreaterThan(human.rewardModel.lengthSlope);
      expect(judge.labels.abstained).toBe(0);
      expect(swapped.labels.abstained).toBeGreaterThan(0);
      expect(swapped.labels.meanAgreement).toBeLessThan(1);
      expect(human.labels.referenceAgreement).toBeGreaterThan(0.6);
      for (const v of result.variants) expect(v.ppo.points.map((p) => p.step)).toEqual([0, 2, 4]);
    });

    it('experiments stop on abort and validate their options before any work', async () => {
      const controller = new AbortController();
      const pending = runBetaExperiment({ ppoSteps: 50, preferencePairs: 16, rewardModelSteps: 5, signal: controller.signal, onProgress: (p) => p.step === 2 && controller.abort(new Error('stop')) });
      await expect(pending).rejects.toThrow('stop');
      await expect(runRlaifExperiment({ signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
      expectThrowsNaming(() => runBetaExperiment({ betas: [0.1, -1] }), 'runBetaExperiment', 'options.betas[1]', [RangeError]);
      expectThrowsNaming(() => runBetaExperiment({ betas: 0.1 as never }), 'runBetaExperiment', 'options.betas', [TypeError]);
      expectThrowsNaming(() => runBetaExperiment({ ppoSteps: 0 }), 'runBetaExperiment', 'options.ppoSteps', [RangeError]);
      expectThrowsNaming(() => runBetaExperiment('fast' as never), 'runBetaExperiment', 'options', [TypeError]);
      expectThrowsNaming(() => runRlaifExperiment({ minConfidence: 2 }), 'runRlaifExperiment', 'options.minConfidence', [RangeError]);
      expectThrowsNaming(() => runRlaifExperiment({ beta: 0 }), 'runRlaifExperiment', 'options.beta', [RangeError]);
      expectThrowsNaming(() => runRlaifExperiment({ onProgress: 3 as never }), 'runRlaifExperiment', 'options.onProgress', [TypeError]);
    });
  },
  ['wasm'],
);
