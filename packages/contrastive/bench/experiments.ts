/**
 * `pnpm experiments`: runs the two exported experiments with their defaults on the wasm backend, writes
 * bench/results/experiments.json and re-renders BENCHMARKS.md and the experiments block of README.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, useBackend } from '@prep/test-utils/tensor';
import { machineLine } from '@prep/test-utils/bench';
import { batchSizeSweep, compareObjectives } from '../src/index.js';
import { render, resultsDir, runInfo, type ExperimentResults } from './render.js';

await useBackend('wasm');
let last = 0;
const progress = (p: { objective: string; batchSize: number; step: number; steps: number; loss: number }) => {
  if (performance.now() - last > 5000 || p.step === p.steps - 1) {
    last = performance.now();
    console.log(`  ${p.objective} batch ${p.batchSize}: step ${p.step + 1}/${p.steps}, loss ${p.loss.toFixed(3)}`);
  }
};
console.log('compareObjectives (defaults)');
const comparison = await compareObjectives({ onProgress: progress });
console.log('batchSizeSweep (defaults: 64 … 4096, as far as 60 s of training allows)');
const sweep = await batchSizeSweep({ onProgress: progress });
const results: ExperimentResults = { run: runInfo('pnpm experiments', `${tf.getBackend()} (Node)`, machineLine()), comparison, sweep };
writeFileSync(join(resultsDir, 'experiments.json'), `${JSON.stringify(results, null, 2)}\n`);
render();
console.log('BENCHMARKS.md and README.md rewritten');
