/**
 * Experiments behind the README and the docs demos. They run on whatever backend is active (wasm in
 * Node, webgl/webgpu in a browser), take a seed, report progress, can be aborted, and return plain JSON.
 */
import * as tf from '@tensorflow/tfjs-core';
import { attentionCost, type AttentionCostOptions } from './attention-cost.js';
import { bigBirdAttention } from './big-bird-attention.js';
import { chunkedAttention } from './chunked-attention.js';
import { linearAttention, type FeatureMap } from './linear-attention.js';
import { scaledDotProductAttention } from './scaled-dot-product-attention.js';
import { slidingWindowAttention } from './sliding-window-attention.js';

/** Options of {@link favorApproximationExperiment}. */
export interface FavorApproximationOptions {
  /** Seed of the inputs and of the feature draws. Default 0. */
  seed?: number;
  /** Sequence length. Default 256. */
  n?: number;
  /** Head width. Default 16. */
  headDim?: number;
  /** Feature counts to compare. Default [16, 64, 256, 1024]. */
  featureCounts?: readonly number[];
  /** Independent feature draws per count (the estimator's error is random). Default 4. */
  trials?: number;
  /** Also run i.i.d. (non-orthogonal) features. Default true. */
  compareIid?: boolean;
  /** Called after each (count, draw). */
  onProgress?: (done: number, total: number) => void;
  /** Stops between draws (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** One point of {@link favorApproximationExperiment}. */
export interface FavorApproximationPoint {
  numFeatures: number;
  orthogonal: boolean;
  /** Mean over draws of max |FAVOR+ − exact| over the output. */
  meanMaxAbsError: number;
  /** Mean over draws of the mean |FAVOR+ − exact|. */
  meanAbsError: number;
}

/**
 * How the FAVOR+ estimate of softmax attention improves with the number of random features m: for each m
 * (orthogonal, and optionally i.i.d.), several seeded feature draws on the same seeded inputs, compared
 * with exact attention. Inputs are scaled like trained queries and keys (entries of N(0, 1)/2).
 *
 * @param options - see {@link FavorApproximationOptions}
 * @returns `{ n, headDim, points }`, plot-ready
 * @throws RangeError for sizes that are not positive integers; the signal's reason when aborted
 * @example
 * ```ts
 * import { favorApproximationExperiment } from '@prep/attention';
 * const { points } = await favorApproximationExperiment({ featureCounts: [16, 256], trials: 2 });
 * points.map((p) => [p.numFeatures, p.orthogonal, p.meanAbsError]);
 * ```
 */
export async function favorApproximationExperiment(
  options: FavorApproximationOptions = {},
): Promise<{ n: number; headDim: number; points: FavorApproximationPoint[] }> {
  const fn = 'favorApproximationExperiment';
  const n = positive(options.n ?? 256, fn, 'options.n');
  const headDim = positive(options.headDim ?? 16, fn, 'options.headDim');
  const trials = positive(options.trials ?? 4, fn, 'options.trials');
  const counts = (options.featureCounts ?? [16, 64, 256, 1024]).map((m, i) => positive(m, fn, `options.featureCounts[${i}]`));
  const seed = options.seed ?? 0;
  const kinds = options.compareIid === false ? [true] : [true, false];
  const [q, k, v] = [1, 2, 3].map((s) => tf.mul<tf.Tensor4D>(tf.randomNormal([1, 1, n, headDim], 0, 1, 'float32', seed * 7 + s), 0.5));
  const exact = scaledDotProductAttention(q!, k!, v!);
  const points: FavorApproximationPoint[] = [];
  const total = counts.length * kinds.length * trials;
  let done = 0;
  try {
    for (const orthogonal of kinds) {
      for (const numFeatures of counts) {
        let maxSum = 0;
        let meanSum = 0;
        for (let t = 0; t < trials; t++) {
          options.signal?.throwIfAborted();
          const errors = tf.tidy(() => {
            const approx = linearAttention(q!, k!, v!, { featureMap: 'favor+', numFeatures, orthogonal, seed: seed * 1000 + t });
            const diff = tf.abs(tf.sub(approx, exact));
            return tf.stack([tf.max(diff), tf.mean(diff)]);
          });
          const [maxErr, meanErr] = Array.from(await errors.data());
          errors.dispose();
          maxSum += maxErr!;
          meanSum += meanErr!;
          options.onProgress?.(++done, total);
          await yieldToEventLoop();
        }
        points.push({ numFeatures, orthogonal, meanMaxAbsError: maxSum / trials, meanAbsError: meanSum / trials });
      }
    }
  } finally {
    tf.dispose([q, k, v, exact]);
  }
  return { n, headDim, points };
}

/** A variant measured by {@link attentionScalingExperiment}. */
export type ScalingVariant =
  | { name: string; op: 'exact' }
  | { name: string; op: 'chunked'; chunkSize?: number }
  | { name: string; op: 'linear'; featureMap?: FeatureMap; numFeatures?: number }
  | { name: string; op: 'sliding-window'; window: number }
  | { name: string; op: 'bigbird'; blockSize: number; numRandomBlocks: number };

/** Options of {@link attentionScalingExperiment}. */
export interface AttentionScalingOptions {
  /** Sequence lengths. Default [512, 1024, 2048, 4096]. */
  sizes?: readonly number[];
  /** Variants. Default: exact, chunked, linear ELU, linear FAVOR+ (256), sliding window 256, BigBird 64/3. */
  variants?: readonly ScalingVariant[];
  /** Heads (batch 1). Default 8. */
  heads?: number;
  /** Head width. Default 64. */
  headDim?: number;
  /** Timed runs per case (median reported), after one warm-up run. Default 3. */
  repeats?: number;
  /** Stop repeating a case once its timed runs add up to this many ms (at least one run). Default no limit. */
  caseBudgetMs?: number;
  /**
   * Memory budget (bytes): a case whose modelled memory exceeds it is not run all at once; exact attention
   * is then timed on one head and scaled by the number of heads (status 'per-head'), and a case whose
   * single head would not fit either is reported as 'out-of-memory'. Default 3.6 GiB (wasm's heap).
   */
  memoryBudgetBytes?: number;
  /**
   * From this length on, time one head and multiply by the number of heads (status 'per-head'): every op
   * here runs the heads one after another, so this bounds the run time of long benchmarks. Default: never.
   */
  timeOneHeadFrom?: number;
  /** Return true to skip a case (for example to bound the run time); reported as 'skipped'. */
  skip?: (variant: ScalingVariant, n: number) => boolean;
  /** Seed of the inputs. Default 0. */
  seed?: number;
  onProgress?: (done: number, total: number, row: ScalingRow) => void;
  signal?: AbortSignal;
}

/** One measured case of {@link attentionScalingExperiment}. */
export interface ScalingRow {
  variant: string;
  n: number;
  status: 'ok' | 'per-head' | 'out-of-memory' | 'skipped';
  /** Median wall time of the forward pass in ms (all heads; scaled from one head when 'per-head'). */
  timeMs: number | null;
  /** tf.profile peak bytes of the forward pass (of one head when 'per-head'). */
  peakBytes: number | null;
  /** The cost model's prediction for the full case. */
  predictedFlops: number;
  predictedMemoryBytes: number;
  predictedWorkspaceBytes: number;
  /** Achieved GFLOP/s by the model's FLOP count (null when not run). */
  gflops: number | null;
  note?: string;
}

const DEFAULT_VARIANTS: readonly ScalingVariant[] = [
  { name: 'exact', op: 'exact' },
  { name: 'chunked', op: 'chunked' },
  { name: 'linear (elu)', op: 'linear', featureMap: 'elu' },
  { name: 'linear (favor+, 256)', op: 'linear', featureMap: 'favor+', numFeatures: 256 },
  { name: 'sliding window 256', op: 'sliding-window', window: 256 },
  { name: 'bigbird 64/r3', op: 'bigbird', blockSize: 64, numRandomBlocks: 3 },
];

/** Cost-model options for a variant. */
export function costOptionsFor(variant: ScalingVariant, n: number, heads: number, headDim: number): AttentionCostOptions {
  const base = { n, heads, headDim };
  switch (variant.op) {
    case 'exact':
      return { ...base, variant: 'standard' };
    case 'chunked':
      return { ...base, variant: 'chunked', ...(variant.chunkSize === undefined ? {} : { chunkSize: variant.chunkSize }) };
    case 'linear':
      return {
        ...base,
        variant: 'linear',
        ...(variant.featureMap === undefined ? {} : { featureMap: variant.featureMap }),
        ...(variant.numFeatures === undefined ? {} : { numFeatures: variant.numFeatures }),
      };
    case 'sliding-window':
      return { ...base, variant: 'sliding-window', window: variant.window };
    case 'bigbird':
      return { ...base, variant: 'bigbird', blockSize: variant.blockSize, numRandomBlocks: variant.numRandomBlocks };
  }
}

/** Runs a variant's op. */
export function runVariant(variant: ScalingVariant, q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D): tf.Tensor4D {
  switch (variant.op) {
    case 'exact':
      return scaledDotProductAttention(q, k, v);
    case 'chunked':
      return chunkedAttention(q, k, v, variant.chunkSize === undefined ? {} : { chunkSize: variant.chunkSize });
    case 'linear':
      return linearAttention(q, k, v, {
        ...(variant.featureMap === undefined ? {} : { featureMap: variant.featureMap }),
        ...(variant.numFeatures === undefined ? {} : { numFeatures: variant.numFeatures }),
      });
    case 'sliding-window':
      return slidingWindowAttention(q, k, v, { window: variant.window });
    case 'bigbird':
      return bigBirdAttention(q, k, v, { blockSize: variant.blockSize, numRandomBlocks: variant.numRandomBlocks, seed: 0 });
  }
}

/**
 * Time and peak memory of each attention variant against sequence length on the active backend, with the
 * cost model's prediction beside each measurement. Exact attention past the memory budget is timed head by
 * head; cases that cannot fit are reported as out of memory rather than attempted.
 *
 * @param options - see {@link AttentionScalingOptions}
 * @returns `{ backend, heads, headDim, rows }`, plot-ready
 * @throws the signal's reason when aborted
 * @example
 * ```ts
 * import { attentionScalingExperiment } from '@prep/attention';
 * const { rows } = await attentionScalingExperiment({ sizes: [256, 512], heads: 2, headDim: 32, repeats: 1 });
 * rows.map((r) => [r.variant, r.n, r.timeMs, r.peakBytes, r.predictedMemoryBytes]);
 * ```
 */
export async function attentionScalingExperiment(
  options: AttentionScalingOptions = {},
): Promise<{ backend: string; heads: number; headDim: number; rows: ScalingRow[] }> {
  const fn = 'attentionScalingExperiment';
  const sizes = (options.sizes ?? [512, 1024, 2048, 4096]).map((n, i) => positive(n, fn, `options.sizes[${i}]`));
  const variants = options.variants ?? DEFAULT_VARIANTS;
  const heads = positive(options.heads ?? 8, fn, 'options.heads');
  const headDim = positive(options.headDim ?? 64, fn, 'options.headDim');
  const repeats = positive(options.repeats ?? 3, fn, 'options.repeats');
  const budget = options.memoryBudgetBytes ?? 3.6 * 2 ** 30;
  const seed = options.seed ?? 0;
  const rows: ScalingRow[] = [];
  const total = sizes.length * variants.length;
  for (const n of sizes) {
    for (const variant of variants) {
      options.signal?.throwIfAborted();
      const cost = attentionCost(costOptionsFor(variant, n, heads, headDim));
      const oneHead = attentionCost(costOptionsFor(variant, n, 1, headDim));
      const row: ScalingRow = {
        variant: variant.name,
        n,
        status: 'ok',
        timeMs: null,
        peakBytes: null,
        predictedFlops: cost.flops,
        predictedMemoryBytes: cost.memoryBytes,
        predictedWorkspaceBytes: cost.workspaceBytes,
        gflops: null,
      };
      if (options.skip?.(variant, n)) {
        row.status = 'skipped';
      } else if (cost.memoryBytes > budget && (variant.op !== 'exact' || oneHead.memoryBytes > budget)) {
        row.status = 'out-of-memory';
        row.note = `modelled peak ${(cost.memoryBytes / 2 ** 30).toFixed(2)} GiB > budget ${(budget / 2 ** 30).toFixed(2)} GiB`;
      } else {
        const overBudget = cost.memoryBytes > budget;
        const perHead = heads > 1 && (overBudget || n >= (options.timeOneHeadFrom ?? Infinity));
        const h = perHead ? 1 : heads;
        const [q, k, v] = [1, 2, 3].map((s) => tf.randomNormal([1, h, n, headDim], 0, 1, 'float32', seed * 7 + s)) as tf.Tensor4D[];
        try {
          const run = async (): Promise<void> => {
            const out = runVariant(variant, q!, k!, v!);
            const probe = tf.sum(out);
            await probe.data();
            tf.dispose([out, probe]);
          };
          await run();
          const times: number[] = [];
          let spent = 0;
          for (let r = 0; r < repeats && spent < (options.caseBudgetMs ?? Infinity); r++) {
            const t0 = performance.now();
            await run();
            times.push(performance.now() - t0);
            spent += times[times.length - 1]!;
          }
          times.sort((a, b) => a - b);
          // tf.profile's peakBytes is absolute (every live tensor); report what the op adds to what was live.
          const liveBefore = tf.memory().numBytes;
          const profile = await tf.profile(() => runVariant(variant, q!, k!, v!));
          tf.dispose(profile.result);
          row.timeMs = times[Math.floor(times.length / 2)]! * (perHead ? heads : 1);
          row.peakBytes = profile.peakBytes - liveBefore;
          row.gflops = cost.flops / row.timeMs / 1e6;
          if (perHead) {
            row.status = 'per-head';
            row.note = overBudget
              ? `all heads at once would need ${(cost.memoryBytes / 2 ** 30).toFixed(2)} GiB: timed 1 of ${heads} heads, ×${heads}; peak of one head`
              : `timed 1 of ${heads} heads, ×${heads}; peak of one head`;
          }
        } catch (err) {
          row.status = 'out-of-memory';
          row.note = `failed: ${(err as Error).message}`;
        } finally {
          tf.dispose([q, k, v]);
        }
      }
      rows.push(row);
      options.onProgress?.(rows.length, total, row);
      await yieldToEventLoop();
    }
  }
  return { backend: tf.getBackend(), heads, headDim, rows };
}

function positive(value: unknown, fn: string, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${fn}: '${name}' must be a positive integer; got ${String(value)}`);
  }
  return value;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
