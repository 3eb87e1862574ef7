/**
 * `pnpm bench` (wasm backend, Node): times the estimators against baselines measured in the same run, runs
 * both experiments, prints the tables and rewrites BENCHMARKS.md and the measured block of README.md.
 *
 *   tsx bench/run.ts           default: the experiments at their default (browser) size
 *   tsx bench/run.ts --long    adds a second information-plane run (lr 0.002, 1500 epochs) as a robustness check
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, useBackend } from '@prep/test-utils/tensor';
import { markdownTable, timeMs, writeBenchmarks, type BenchSection } from '@prep/test-utils/bench';
import {
  binnedMutualInformation,
  infoNCEBound,
  informationPlaneExperiment,
  kdeMutualInformation,
  vibExperiment,
  vibLoss,
  type InformationPlaneExperimentOptions,
  type InformationPlaneExperimentResult,
} from '../src/index.js';
import { SeededRandom } from '../src/internal/random.js';

const here = dirname(fileURLToPath(import.meta.url));
const long = process.argv.includes('--long');
const fmt = (v: number, digits = 2) => v.toFixed(digits);

/**
 * The same four numbers as kdeMutualInformation (upper and lower, I(X;T) and I(T;Y)) in plain float64
 * JavaScript: the O(N²·d) loops that ibsgd's numpy code vectorises, each distance used for both kernel widths.
 */
function kdeReference(values: Float32Array, n: number, d: number, labels: number[], variance: number): number[] {
  const sumLse = (rows: number[]): [number, number] => {
    let upper = 0;
    let lower = 0;
    for (const i of rows) {
      let su = 0;
      let sl = 0;
      for (const j of rows) {
        let dist = 0;
        for (let k = 0; k < d; k++) {
          const diff = values[i * d + k]! - values[j * d + k]!;
          dist += diff * diff;
        }
        su += Math.exp(-dist / (2 * variance));
        sl += Math.exp(-dist / (8 * variance));
      }
      upper += Math.log(su);
      lower += Math.log(sl);
    }
    return [upper, lower];
  };
  const all = Array.from({ length: n }, (_, i) => i);
  const [u, l] = sumLse(all);
  const classes = [...new Set(labels)];
  let condU = 0;
  let condL = 0;
  for (const y of classes) {
    const rows = all.filter((i) => labels[i] === y);
    const [cu, cl] = sumLse(rows);
    condU += (rows.length / n) * (Math.log(rows.length) - cu / rows.length);
    condL += (rows.length / n) * (Math.log(rows.length) - cl / rows.length);
  }
  const iU = Math.log(n) - u / n;
  const iL = Math.log(n) - l / n;
  return [iU, iU - condU, iL, iL - condL].map((v) => v / Math.LN2);
}

async function estimatorSection(): Promise<BenchSection> {
  const rows: (string | number)[][] = [];
  for (const [n, d] of [
    [1024, 10],
    [4096, 10],
  ] as const) {
    const values = new SeededRandom(n).normals(n * d);
    for (let i = 0; i < values.length; i++) values[i] = Math.tanh(values[i]!);
    const t = tf.tensor2d(values, [n, d]);
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    // σ² = 0.1: wide enough that the kernels overlap and the estimate is not simply log2 N.
    const ours = await timeMs(() => kdeMutualInformation(t, labels, { noiseVariance: 0.1 }), { repeats: 3, warmup: 1 });
    const reference = await timeMs(() => kdeReference(values, n, d, labels, 0.1), { repeats: 1, warmup: 0 });
    const got = await kdeMutualInformation(t, labels, { noiseVariance: 0.1 });
    const expected = kdeReference(values, n, d, labels, 0.1);
    const worst = Math.max(...[got.upper.iXT, got.upper.iTY, got.lower.iXT, got.lower.iTY].map((v, i) => Math.abs(v - expected[i]!)));
    rows.push([
      `kdeMutualInformation N=${n} d=${d}, σ² = 0.1`,
      fmt(ours, 1),
      `plain-JS float64 loops, same four numbers: ${fmt(reference, 1)}`,
      `${fmt(reference / ours, 1)}×`,
      `upper I(X;T) = ${fmt(got.upper.iXT, 3)} bits; max |Δ| = ${worst.toExponential(1)} bits`,
    ]);
    const binned = await timeMs(() => binnedMutualInformation(t, labels), { repeats: 5, warmup: 1 });
    rows.push([`binnedMutualInformation N=${n} d=${d}`, fmt(binned, 1), `the KDE estimate above: ${fmt(ours, 1)}`, `${fmt(ours / binned, 1)}×`, '']);
    t.dispose();
  }
  for (const n of [256, 1024]) {
    const scores = tf.tensor2d(new SeededRandom(7).normals(n * n), [n, n]);
    const wasm = await timeMs(() => infoNCEBound(scores), { repeats: 5 });
    await useBackend('cpu');
    const onCpu = tf.tensor2d(new SeededRandom(7).normals(n * n), [n, n]);
    const cpu = await timeMs(() => infoNCEBound(onCpu), { repeats: 3 });
    onCpu.dispose();
    await useBackend('wasm');
    rows.push([`infoNCEBound N=${n}`, fmt(wasm, 2), `cpu backend: ${fmt(cpu, 2)}`, `${fmt(cpu / wasm, 1)}×`, '']);
    scores.dispose();
  }
  const vibTime = async () => {
    const make = () => ({
      mean: tf.tensor2d(new SeededRandom(1).normals(256 * 16), [256, 16]),
      logVariance: tf.tensor2d(new SeededRandom(2).normals(256 * 16, 0.3), [256, 16]),
      logits: tf.tensor2d(new SeededRandom(3).normals(256 * 10), [256, 10]),
      labels: tf.tensor1d(Array.from({ length: 256 }, (_, i) => i % 10), 'int32'),
    });
    const o = make();
    const ms = await timeMs(async () => {
      const g = tf.grads((m: tf.Tensor, lv: tf.Tensor, lg: tf.Tensor) =>
        vibLoss({ mean: m as tf.Tensor2D, logVariance: lv as tf.Tensor2D, logits: lg as tf.Tensor2D, labels: o.labels, beta: 0.01 }).loss,
      )([o.mean, o.logVariance, o.logits]);
      await g[0]!.data();
      tf.dispose(g);
    });
    tf.dispose([o.mean, o.logVariance, o.logits, o.labels]);
    return ms;
  };
  const vibWasm = await vibTime();
  await useBackend('cpu');
  const vibCpu = await vibTime();
  await useBackend('wasm');
  rows.push(['vibLoss forward + tf.grads, batch 256, latent 16, 10 classes', fmt(vibWasm, 2), `cpu backend: ${fmt(vibCpu, 2)}`, `${fmt(vibCpu / vibWasm, 1)}×`, '']);
  return {
    heading: 'Estimators',
    description:
      'Median wall time in ms on wasm. Baselines from the same run: plain float64 JavaScript loops computing the same four KDE numbers as ibsgd\'s numpy code (pairwise distances, both kernel widths, all rows and each class), the cpu backend, or the other estimator. Ratio = baseline / ours.',
    table: markdownTable(['operation', 'ours (ms)', 'baseline (ms)', 'ratio', 'check'], rows),
  };
}

function planeTables(result: InformationPlaneExperimentResult, label: string): BenchSection[] {
  const c = result.config;
  const setup = `${label}: network 12-${c.hiddenSizes.join('-')}-2, ${c.epochs} full-batch Adam epochs (lr ${c.learningRate}), seed ${c.seed}, ${result.dataset.train} training / ${result.dataset.test} test inputs, MI on ${result.dataset.miRows} inputs at ${result.runs[0]!.plane.epochs.length} epochs, ${c.bins} bins, KDE σ² = ${c.noiseVariance}.`;
  const training = markdownTable(
    ['activation', 'final loss (nats)', 'train acc', 'test acc', 'fitted (train acc ≥ 0.95) at epoch', 'run time (s)'],
    result.runs.map((run) => {
      const fitIndex = run.training.trainAccuracy.findIndex((a) => a >= 0.95);
      return [run.activation, fmt(run.training.loss.at(-1)!, 4), fmt(run.training.trainAccuracy.at(-1)!, 3), fmt(run.training.testAccuracy.at(-1)!, 3), fitIndex < 0 ? 'not fitted' : run.training.epochs[fitIndex]!, fmt(run.timeMs / 1000, 1)];
    }),
  );
  const summary = markdownTable(
    ['activation', 'estimator', 'hidden layers compressed', 'mean drop (bits)', 'largest drop (bits)', 'output-layer drop (bits)'],
    result.summary.map((s) => [s.activation, s.series, `${s.hiddenLayersCompressed} / ${s.hiddenLayers}`, fmt(s.hiddenMeanDrop), fmt(s.hiddenMaxDrop), fmt(s.outputDrop)]),
  );
  const perLayer = markdownTable(
    ['activation', 'estimator', ...result.runs[0]!.compression.filter((r) => r.series === 'binned').map((r) => `layer ${r.layer + 1}`)],
    result.runs.flatMap((run) =>
      result.series.map((series) => [
        run.activation,
        series,
        ...run.compression.filter((r) => r.series === series).map((r) => `${fmt(r.peakIXT)} @${r.peakEpoch} → ${fmt(r.finalIXT)}`),
      ]),
    ),
  );
  return [
    { heading: `Information plane (${label}): training`, description: setup, table: training },
    {
      heading: `Information plane (${label}): compression`,
      description:
        "For each hidden layer, the drop of I(X;T) from its peak over the recorded epochs to the last epoch; a layer counts as compressed when the drop is ≥ max(0.1 bit, 5 % of the peak). `binned` uses IDNNs' fixed [−1, 1] range, `binnedAuto` adapts the range to each record, `kde.*` are the Kolchinsky–Tracey bounds. The softmax output layer is listed apart: its I(X;T) falls towards H(Y) ≈ 1 bit for any activation once predictions are confident.",
      table: summary,
    },
    { heading: `Information plane (${label}): I(X;T) per layer, peak @epoch → final (bits)`, table: perLayer },
  ];
}

async function main(): Promise<void> {
  await useBackend('wasm');
  const started = performance.now();
  const sections: BenchSection[] = [await estimatorSection()];
  console.log(sections[0]!.table, '\n');

  const progress = (label: string) => (p: { stage: string; fraction: number }) => process.stdout.write(`\r${label} ${p.stage} ${(100 * p.fraction).toFixed(0)}%   `);
  const configs: [string, InformationPlaneExperimentOptions][] = [['default options', {}]];
  if (long) configs.push(['long run', { epochs: 1500, learningRate: 0.002, records: 13 }]);
  const planeSections: BenchSection[] = [];
  const planeTimes: [string, number][] = [];
  for (const [label, options] of configs) {
    const t0 = performance.now();
    const result = await informationPlaneExperiment({ ...options, onProgress: progress(label) });
    planeTimes.push([label, (performance.now() - t0) / 1000]);
    process.stdout.write('\n');
    planeSections.push(...planeTables(result, label));
  }
  const vib = await vibExperiment({ onProgress: progress('vib') });
  process.stdout.write('\n');
  const vibSection: BenchSection = {
    heading: 'Variational information bottleneck: β sweep',
    description: `Default options: ${vib.config.trainSize} training / ${vib.config.testSize} test rows of a 4-class Gaussian mixture with ${vib.dataset.informative} informative and ${vib.dataset.features - vib.dataset.informative} nuisance inputs (H(Y) = ${fmt(vib.dataset.hYBits, 3)} bits), encoder 10-${vib.config.hiddenSize}-(μ, log σ²) with z in ${vib.config.latentDim} dimensions, linear softmax decoder, ${vib.config.epochs} Adam epochs (lr ${vib.config.learningRate}), seed ${vib.config.seed}. I(Z;X) ≤ E[KL] and I(Z;Y) ≥ H(Y) − CE are measured on the test set; accuracy decodes μ. Ran in ${fmt(vib.timeMs / 1000, 1)} s.`,
    table: markdownTable(
      ['β', 'train acc', 'test acc', 'I(Z;X) upper (bits)', 'I(Z;Y) lower (bits)', 'final loss (nats)'],
      vib.rows.map((r) => [r.beta, fmt(r.trainAccuracy, 3), fmt(r.testAccuracy, 3), fmt(r.iZXUpper), fmt(r.iZYLower, 3), fmt(r.finalLoss, 3)]),
    ),
  };
  const timing: BenchSection = {
    heading: 'Experiment run times',
    description: 'Against the issue\'s target of "under a few minutes on wasm" (target: 180 s per experiment).',
    table: markdownTable(
      ['experiment', 'seconds', 'vs 180 s'],
      [...planeTimes.map(([label, s]) => [`informationPlaneExperiment (${label}, tanh + ReLU)`, fmt(s, 1), `${fmt(s / 180)}×`]), ['vibExperiment (default options)', fmt(vib.timeMs / 1000, 1), `${fmt(vib.timeMs / 180000)}×`]],
    ),
  };
  sections.push(timing, ...planeSections, vibSection);
  for (const s of sections.slice(1)) console.log(`\n## ${s.heading}\n${s.table}`);

  const command = long ? 'pnpm bench -- --long (tsx bench/run.ts --long)' : 'pnpm bench (tsx bench/run.ts)';
  writeBenchmarks(join(here, '..', 'BENCHMARKS.md'), {
    title: '@prep/info-bottleneck benchmarks',
    intro: 'Written by `bench/run.ts`; do not edit by hand. Timings on a shared machine are noisy; the experiment tables are deterministic for a given seed and backend.',
    command,
    backend: 'wasm (tfjs 4.22, SIMD, one thread)',
    sections,
  });
  const readmePath = join(here, '..', 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = '<!-- bench:experiments:start -->';
  const end = '<!-- bench:experiments:end -->';
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i >= 0 && j > i) {
    const compression = planeSections.find((s) => s.heading.includes('compression'))!;
    const block = [
      start,
      `_Measured by \`${command}\` on ${new Date().toISOString().slice(0, 10)}; see [BENCHMARKS.md](BENCHMARKS.md) for the setup and the per-layer numbers._`,
      '',
      `**${compression.heading}**`,
      '',
      compression.table,
      '',
      `**${vibSection.heading}**`,
      '',
      vibSection.table,
      end,
    ].join('\n');
    writeFileSync(readmePath, readme.slice(0, i) + block + readme.slice(j + end.length));
  }
  console.log(`\nbench done in ${fmt((performance.now() - started) / 1000, 1)} s`);
}

await main();
