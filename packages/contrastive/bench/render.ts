/**
 * Renders BENCHMARKS.md (and the experiments block of README.md) from the JSON results that `pnpm bench`
 * (bench/results/performance.json) and `pnpm experiments` (bench/results/experiments.json) write, so that
 * neither overwrites the other's numbers and no number is typed in by hand.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, writeBenchmarks, type BenchSection } from '@prep/test-utils/bench';
import type { BatchSizeSweep, ObjectiveComparison } from '../src/index.js';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const resultsDir = join(packageDir, 'bench', 'results');

export interface RunInfo {
  date: string;
  machine: string;
  command: string;
  backend: string;
}

export interface PerformanceResults {
  run: RunInfo;
  /** The load average when the run started (1 min), to judge the wall times. */
  loadAverage: number;
  large: { n: number; dim: number; chunkSize: number; loss: string; timeMs: number; cpuMs: number; peakBytes: number; largestElements: number; largestShape: number[]; denseMatrixBytes: number }[];
  versus: { n: number; dim: number; chunkSize: number; loss: string; chunkedMs: number; denseMs: number; chunkedCpuMs: number; denseCpuMs: number; chunkedPeakBytes: number; densePeakBytes: number }[];
  retrieval: { n: number; dim: number; chunkSize: number; chunkedMs: number; chunkedCpuMs: number; fullMatrixMs: number | null; fullMatrixCpuMs: number | null; recallAt1: number }[];
}

export interface ExperimentResults {
  run: RunInfo;
  comparison: ObjectiveComparison;
  sweep: BatchSizeSweep;
}

export function readJson<T>(name: string): T | null {
  const path = join(resultsDir, name);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : null;
}

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const runLine = (run: RunInfo) => `Measured ${run.date} on ${run.machine}, backend ${run.backend}, with \`${run.command}\`.`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function experimentTables(e: ExperimentResults): { comparison: string; sweep: string; source: string } {
  const c = e.comparison;
  const comparison = markdownTable(
    ['objective', 'zero-shot accuracy', 'image→text R@1', 'R@5', 'R@10', 'text→image R@1', 'mean rank (i→t)', 'final loss', 'learned s', 'learned b', 'train time'],
    c.results.map((r) => [
      r.objective,
      pct(r.zeroShotAccuracy),
      pct(r.imageToText.recall[1]!),
      pct(r.imageToText.recall[5]!),
      pct(r.imageToText.recall[10]!),
      pct(r.textToImage.recall[1]!),
      r.imageToText.meanRank.toFixed(1),
      r.lossCurve[r.lossCurve.length - 1]!.toFixed(3),
      r.logitScale.toFixed(1),
      r.logitBias === null ? '–' : r.logitBias.toFixed(2),
      `${(r.trainMs / 1000).toFixed(1)} s`,
    ]),
  );
  const s = e.sweep;
  const sweep = markdownTable(
    ['batch size', 'negatives per positive', 'pairs seen', 'zero-shot accuracy', 'image→text R@1', 'R@5', 'R@10', 'train time'],
    [
      ...s.points.map((p) => [p.batchSize, p.negativesPerPositive, p.pairsSeen, pct(p.zeroShotAccuracy), pct(p.recallAt1), pct(p.recallAt5), pct(p.recallAt10), `${(p.trainMs / 1000).toFixed(1)} s`]),
      ...s.skipped.map((b) => [b, b - 1, '–', 'not run (time budget)', '–', '–', '–', '–']),
    ],
  );
  const source = markdownTable(
    ['batch size (source)', 'ImageNet zero-shot top-1 (source)', 'ours: synthetic zero-shot accuracy at that batch size'],
    s.source.points.map((p) => {
      const ours = s.points.find((x) => x.batchSize === p.batchSize);
      return [p.label, pct(p.accuracy), ours ? pct(ours.zeroShotAccuracy) : 'not measured'];
    }),
  );
  return { comparison, sweep, source };
}

function experimentSections(e: ExperimentResults): BenchSection[] {
  const t = experimentTables(e);
  const c = e.comparison.config;
  const s = e.sweep;
  return [
    {
      heading: 'Experiment: CLIP vs SigLIP vs pairwise BCE at equal compute',
      description:
        `${runLine(e.run)} \`compareObjectives()\` with its defaults: ${String(c['classes'])} latent classes in ${String(c['superclasses'])} superclasses, ` +
        `encoders ${String(c['imageDim'])}/${String(c['textDim'])} → ${String(c['hiddenDim'])} → ${String(c['embedDim'])}, ${String(c['steps'])} Adam steps of ${String(c['batchSize'])} pairs, ` +
        `seed ${String(c['seed'])}; accuracy and recall on ${String(c['evalSize'])} held-out pairs (chance ${pct(e.comparison.chance)}).`,
      table: t.comparison,
    },
    {
      heading: 'Experiment: accuracy against batch size (CLIP loss)',
      description:
        `${runLine(e.run)} \`batchSizeSweep()\`: ${s.points[0]?.steps ?? '?'} steps at every batch size, the same data stream, initial weights and held-out set; ` +
        `time budget ${String(s.config['timeBudgetMs'])} ms.`,
      table: t.sweep,
    },
    {
      heading: "The source's batch-size table beside ours",
      description: `${s.source.caveat}`,
      table: t.source,
    },
  ];
}

function performanceSections(p: PerformanceResults): BenchSection[] {
  const load =
    ` The 1-minute load average was ${p.loadAverage.toFixed(1)} on this machine's cores when the run started: other work shared them, so wall times ` +
    'include waiting for a core; CPU time (user + system of this process, one thread) is the better measure of the work, and the ratios use it.';
  const large = markdownTable(
    ['loss', 'N', 'dim', 'chunk', 'forward + all gradients: CPU time', 'wall time', 'peak tensor memory', 'target', 'largest tensor any kernel made', 'one dense N×N float32 matrix'],
    p.large.map((r) => [
      r.loss,
      r.n,
      r.dim,
      r.chunkSize,
      seconds(r.cpuMs),
      seconds(r.timeMs),
      mib(r.peakBytes),
      r.peakBytes <= GiB ? '≤ 1 GiB: met' : '≤ 1 GiB: MISSED',
      `[${r.largestShape.join(', ')}] (${mib(4 * r.largestElements)})`,
      `${(r.denseMatrixBytes / GiB).toFixed(0)} GiB`,
    ]),
  );
  const versus = markdownTable(
    ['loss', 'N', 'dim', 'chunk', 'chunked fwd+bwd (CPU / wall)', 'dense fwd+bwd (CPU / wall)', 'chunked / dense (CPU)', 'target', 'chunked / dense (wall)', 'chunked peak', 'dense peak'],
    p.versus.map((r) => {
      const ratio = r.chunkedCpuMs / r.denseCpuMs;
      return [
        r.loss,
        r.n,
        r.dim,
        r.chunkSize,
        `${seconds(r.chunkedCpuMs)} / ${seconds(r.chunkedMs)}`,
        `${seconds(r.denseCpuMs)} / ${seconds(r.denseMs)}`,
        ratio.toFixed(2),
        ratio <= 1.5 ? '≤ 1.5: met' : '≤ 1.5: MISSED',
        (r.chunkedMs / r.denseMs).toFixed(2),
        mib(r.chunkedPeakBytes),
        mib(r.densePeakBytes),
      ];
    }),
  );
  const retrieval = markdownTable(
    ['N', 'dim', 'chunk', 'retrievalMetrics, chunked (CPU / wall)', 'full matrix + a sort per row in JS, as open_clip `_full_matrix_metrics` (CPU / wall)', 'ratio (CPU)', 'image→text R@1'],
    p.retrieval.map((r) => [
      r.n,
      r.dim,
      r.chunkSize,
      `${seconds(r.chunkedCpuMs)} / ${seconds(r.chunkedMs)}`,
      r.fullMatrixMs === null || r.fullMatrixCpuMs === null ? `not run (needs a ${(4 * r.n * r.n / GiB).toFixed(0)} GiB matrix)` : `${seconds(r.fullMatrixCpuMs)} / ${seconds(r.fullMatrixMs)}`,
      r.fullMatrixCpuMs === null ? '–' : (r.chunkedCpuMs / r.fullMatrixCpuMs).toFixed(2),
      pct(r.recallAt1),
    ]),
  );
  return [
    {
      heading: "CLIP's batch on one machine: N = 32,768",
      description:
        `${runLine(p.run)}${load} The chunked losses with their gradients with respect to both embeddings and the scale ` +
        '(one `tf.grads` call, inputs L2-normalised inside). Peak tensor memory is `tf.profile`\'s peakBytes over the whole call, including the inputs.',
      table: large,
    },
    {
      heading: 'Chunked against dense at N = 4,096',
      description:
        `${runLine(p.run)}${load} Medians of three runs of value + gradients (embeddings and scale). The dense losses are the open_clip formulas on the ` +
        'full N×N matrix, differentiated by tfjs autodiff except the matrix product and the log-sum-exps, whose textbook gradients we give without transposed ' +
        "operands (tfjs's own matMul gradient multiplies transposed operands, which made the whole dense gradient 4–15× slower on wasm when we measured it).",
      table: versus,
    },
    {
      heading: 'Retrieval metrics in chunks',
      description:
        `${runLine(p.run)}${load} recall@1/5/10, mean and median rank in both directions, for noisy copies (text = image + 4 × noise); ` +
        'the baseline builds the N×N score matrix, reads it and sorts each row, and must find the same recall@1.',
      table: retrieval,
    },
  ];
}

/** Rewrites BENCHMARKS.md from whatever results exist, and the README's experiments block. */
export function render(): void {
  const performance = readJson<PerformanceResults>('performance.json');
  const experiments = readJson<ExperimentResults>('experiments.json');
  const sections = [...(performance ? performanceSections(performance) : []), ...(experiments ? experimentSections(experiments) : [])];
  const latest = performance ?? experiments;
  writeBenchmarks(join(packageDir, 'BENCHMARKS.md'), {
    title: '@prep/contrastive benchmarks',
    command: 'pnpm bench (performance) and pnpm experiments (experiments), in packages/contrastive',
    backend: latest?.run.backend ?? 'wasm',
    intro:
      'Written by `bench/render.ts` from `bench/results/*.json`; each section says when and where it was measured. Timings come from a shared ' +
      'machine and are noisy; ratios are measured in one run. CI never fails on speed.',
    sections,
  });
  if (experiments) {
    const readmePath = join(packageDir, 'README.md');
    const readme = readFileSync(readmePath, 'utf8');
    const start = '<!-- experiments:start -->';
    const end = '<!-- experiments:end -->';
    const i = readme.indexOf(start);
    const j = readme.indexOf(end);
    if (i >= 0 && j > i) {
      const t = experimentTables(experiments);
      const block = [
        start,
        `_${runLine(experiments.run)} Written by \`pnpm experiments\`._`,
        '',
        t.comparison,
        '',
        t.sweep,
        '',
        t.source,
        '',
        end,
      ].join('\n');
      writeFileSync(readmePath, readme.slice(0, i) + block + readme.slice(j + end.length));
    }
  }
}

export function runInfo(command: string, backend: string, machine: string): RunInfo {
  return { date: new Date().toISOString().slice(0, 10), machine, command, backend };
}
