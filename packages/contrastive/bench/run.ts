/**
 * `pnpm bench`: the performance targets of issue 8 on the wasm backend, each beside its baseline from the
 * same run. Writes bench/results/performance.json and re-renders BENCHMARKS.md.
 *
 *   N = 32,768, dim 256: chunked CLIP (and SigLIP with --siglip) loss + gradients, peak tensor memory
 *   N = 4,096, dim 256:  chunked vs dense forward + backward time
 *   retrievalMetrics:    N = 4,096 against the full-matrix baseline, and N = 32,768
 *
 * Flags: --quick (smaller sizes, prints only, for trying the script), --siglip (also SigLIP at N = 32,768).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { profileTensors, seededValues, tf, useBackend } from '@prep/test-utils/tensor';
import { machineLine } from '@prep/test-utils/bench';
import { chunkedClipLoss, chunkedSiglipLoss, clipLoss, denseLogitsBytes, retrievalMetrics, siglipLoss } from '../src/index.js';
import { render, resultsDir, runInfo, type PerformanceResults } from './render.js';

const quick = process.argv.includes('--quick');
const withSiglip = process.argv.includes('--siglip');

await useBackend('wasm');
tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false); // tf.profile would otherwise read back every kernel's output

const DIM = 256;
const LARGE_N = quick ? 4096 : 32768;
const LARGE_CHUNK = 512;
const VERSUS_N = quick ? 1024 : 4096;
const VERSUS_CHUNK = 512;
const RETRIEVAL_CHUNK = 1024;

/**
 * Median wall time and median CPU time of this process (user + system) over `repeats` runs after `warmup`.
 * On a shared machine the wall time includes waiting for a core; the CPU time is what the work itself took.
 */
async function timed(fn: () => Promise<unknown>, { repeats = 3, warmup = 1 } = {}): Promise<{ wallMs: number; cpuMs: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

function embeddings(n: number, seed: number): tf.Tensor2D {
  return tf.tensor2d(seededValues(n * DIM, seed), [n, DIM]);
}

type Loss = (i: tf.Tensor, t: tf.Tensor, s: tf.Tensor) => tf.Scalar;
const losses = (chunkSize: number): Record<string, { chunked: Loss; dense: Loss }> => ({
  CLIP: {
    chunked: (i, t, s) => chunkedClipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, { chunkSize }),
    dense: (i, t, s) => clipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar),
  },
  SigLIP: {
    chunked: (i, t, s) => chunkedSiglipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, -10, { chunkSize }),
    dense: (i, t, s) => siglipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, -10),
  },
});

const results: PerformanceResults = {
  run: runInfo(`pnpm bench${quick ? ' -- --quick' : ''}${withSiglip ? ' -- --siglip' : ''}`, 'wasm (Node, SIMD, one thread)', machineLine()),
  loadAverage: loadavg()[0]!,
  large: [],
  versus: [],
  retrieval: [],
};

// 1. CLIP's batch: value + gradients w.r.t. both embeddings and the scale, one profiled call.
for (const name of withSiglip ? ['CLIP', 'SigLIP'] : ['CLIP']) {
  const image = embeddings(LARGE_N, 1);
  const text = embeddings(LARGE_N, 2);
  const scale = tf.scalar(1 / 0.07);
  const loss = losses(LARGE_CHUNK)[name]!.chunked;
  const c0 = process.cpuUsage();
  const start = performance.now();
  const profile = await profileTensors(() => tf.grads(loss)([image, text, scale]));
  const timeTaken = performance.now() - start;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  results.large.push({
    n: LARGE_N,
    dim: DIM,
    chunkSize: LARGE_CHUNK,
    loss: `chunked ${name}`,
    timeMs: timeTaken,
    cpuMs,
    peakBytes: profile.peakBytes,
    largestElements: profile.largestOutputElements,
    largestShape: profile.largestOutputShape,
    denseMatrixBytes: denseLogitsBytes(LARGE_N),
  });
  console.log(`${name} N=${LARGE_N}: ${(timeTaken / 1000).toFixed(1)} s wall, ${(cpuMs / 1000).toFixed(1)} s CPU, peak ${(profile.peakBytes / 2 ** 20).toFixed(0)} MiB, largest [${profile.largestOutputShape.join(', ')}]`);
  tf.dispose([image, text, scale]);
}

// 2. Chunked against dense at N = 4096.
{
  const image = embeddings(VERSUS_N, 3);
  const text = embeddings(VERSUS_N, 4);
  const scale = tf.scalar(1 / 0.07);
  for (const [name, pair] of Object.entries(losses(VERSUS_CHUNK))) {
    const run = (f: Loss) => async () => {
      const grads = tf.grads(f)([image, text, scale]);
      await grads[2]!.data();
      tf.dispose(grads);
    };
    const chunked = await timed(run(pair.chunked), { repeats: 3, warmup: 1 });
    const dense = await timed(run(pair.dense), { repeats: 3, warmup: 1 });
    const chunkedPeak = await profileTensors(() => tf.grads(pair.chunked)([image, text, scale]));
    const densePeak = await profileTensors(() => tf.grads(pair.dense)([image, text, scale]));
    results.versus.push({
      n: VERSUS_N,
      dim: DIM,
      chunkSize: VERSUS_CHUNK,
      loss: name,
      chunkedMs: chunked.wallMs,
      denseMs: dense.wallMs,
      chunkedCpuMs: chunked.cpuMs,
      denseCpuMs: dense.cpuMs,
      chunkedPeakBytes: chunkedPeak.peakBytes,
      densePeakBytes: densePeak.peakBytes,
    });
    console.log(`${name} N=${VERSUS_N}: chunked ${chunked.wallMs.toFixed(0)} ms (CPU ${chunked.cpuMs.toFixed(0)}), dense ${dense.wallMs.toFixed(0)} ms (CPU ${dense.cpuMs.toFixed(0)}), CPU ratio ${(chunked.cpuMs / dense.cpuMs).toFixed(2)}`);
  }
  tf.dispose([image, text, scale]);
}

// 3. Retrieval metrics: the full-matrix baseline as open_clip's `_full_matrix_metrics` (scores, then a sort per row).
async function fullMatrixRecallAt1(image: tf.Tensor2D, text: tf.Tensor2D): Promise<number> {
  const n = image.shape[0];
  const scores = tf.tidy(() => {
    const unit = (x: tf.Tensor2D) => tf.div(x, tf.norm(x, 'euclidean', 1, true));
    return tf.matMul(unit(image), tf.transpose(unit(text)));
  });
  const values = await scores.data();
  scores.dispose();
  const order = new Int32Array(n);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const row = values.subarray(i * n, (i + 1) * n);
    for (let j = 0; j < n; j++) order[j] = j;
    order.sort((a, b) => row[b]! - row[a]! || a - b);
    if (order[0] === i) hits++;
  }
  return hits / n;
}

for (const n of [VERSUS_N, LARGE_N]) {
  const image = embeddings(n, 5);
  const text = tf.tidy(() => tf.add<tf.Tensor2D>(image, tf.mul(embeddings(n, 6), 4))); // noisy copies: an imperfect ranking
  let recallAt1 = 0;
  const chunked = await timed(async () => {
    recallAt1 = (await retrievalMetrics(image, text, { chunkSize: RETRIEVAL_CHUNK })).imageToText.recall[1]!;
  }, { repeats: 1, warmup: n === LARGE_N ? 0 : 1 });
  let full: { wallMs: number; cpuMs: number } | null = null;
  if (n === VERSUS_N) {
    let baselineRecall = 0;
    full = await timed(async () => {
      baselineRecall = await fullMatrixRecallAt1(image, text);
    }, { repeats: 1, warmup: 0 });
    if (Math.abs(baselineRecall - recallAt1) > 1e-9) throw new Error(`retrieval baseline disagrees: ${baselineRecall} vs ${recallAt1}`);
  }
  results.retrieval.push({
    n,
    dim: DIM,
    chunkSize: RETRIEVAL_CHUNK,
    chunkedMs: chunked.wallMs,
    chunkedCpuMs: chunked.cpuMs,
    fullMatrixMs: full?.wallMs ?? null,
    fullMatrixCpuMs: full?.cpuMs ?? null,
    recallAt1,
  });
  console.log(`retrieval N=${n}: chunked ${(chunked.wallMs / 1000).toFixed(2)} s (CPU ${(chunked.cpuMs / 1000).toFixed(2)})${full === null ? '' : `, full matrix ${(full.wallMs / 1000).toFixed(2)} s (CPU ${(full.cpuMs / 1000).toFixed(2)})`}`);
  tf.dispose([image, text]);
}

if (quick) {
  console.log('quick run: nothing written (BENCHMARKS.md unchanged)');
} else {
  writeFileSync(join(resultsDir, 'performance.json'), `${JSON.stringify(results, null, 2)}\n`);
  render();
  console.log('BENCHMARKS.md rewritten');
}
