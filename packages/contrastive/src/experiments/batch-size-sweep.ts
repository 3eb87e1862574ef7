import { SyntheticWorld } from './synthetic-world.js';
import type { TrainingProgress } from './compare-objectives.js';
import { callbackOption, numberOption, objectiveOf, plainConfig, resolveCommon, type WorldAndModelOptions } from './options.js';
import { evaluateTwoTower, makeEvalSet, trainTwoTower, type Objective } from './two-tower.js';
import { got } from '../internal/validate.js';

/** Options of {@link batchSizeSweep}. */
export interface BatchSizeSweepOptions extends WorldAndModelOptions {
  /** Batch sizes to train at, run in increasing order (default 64, 128, …, 4096). */
  batchSizes?: number[];
  /** Optimizer steps at every batch size (default 40), so larger batches also see more pairs. */
  steps?: number;
  /** The objective (default 'clip'). */
  objective?: Objective;
  /**
   * Stop before a batch size whose projected training time would end past this budget (default 60 000 ms,
   * "as far as a minute allows"). The projection assumes time per step grows linearly from the last
   * measured batch size (it grows faster for the largest, so a run can overshoot a little).
   * `Infinity` runs every batch size.
   */
  timeBudgetMs?: number;
  /** Called after every step. */
  onProgress?: (progress: TrainingProgress) => void;
}

/** One measured point of {@link batchSizeSweep}. */
export interface BatchSizePoint {
  batchSize: number;
  steps: number;
  /** steps × batchSize. */
  pairsSeen: number;
  /** In-batch negatives per positive: batchSize − 1. */
  negativesPerPositive: number;
  zeroShotAccuracy: number;
  /** Image→text recall@1, 5, 10 on the held-out pairs. */
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  finalLoss: number;
  trainMs: number;
}

/** The source's batch-size table, carried as the source states it. */
export interface SourceBatchSizeClaim {
  /** What the source says the numbers are. */
  metric: string;
  points: { batchSize: number; label: string; accuracy: number }[];
  /** Why we print it beside our measurement without a verdict. */
  caveat: string;
}

/** What {@link batchSizeSweep} resolves to: plain JSON. */
export interface BatchSizeSweep {
  config: Record<string, number | string | number[]>;
  objective: Objective;
  chance: number;
  points: BatchSizePoint[];
  /** Batch sizes not run because the time budget would have been exceeded. */
  skipped: number[];
  source: SourceBatchSizeClaim;
}

/**
 * The table of the question's source (ImageNet zero-shot top-1 by batch size), as the source gives it, with
 * the caveat that we cannot verify it; {@link batchSizeSweep} returns it beside its measured points.
 *
 * @example
 * ```ts
 * import { SOURCE_BATCH_SIZE_TABLE } from '@prep/contrastive';
 * SOURCE_BATCH_SIZE_TABLE.points.map((p) => `${p.label}: ${p.accuracy}`); // ['256: 0.345', …, '32K (CLIP): 0.762']
 * ```
 */
export const SOURCE_BATCH_SIZE_TABLE: SourceBatchSizeClaim = {
  metric: 'ImageNet zero-shot top-1 accuracy (as stated by the source)',
  points: [
    { batchSize: 256, label: '256', accuracy: 0.345 },
    { batchSize: 1024, label: '1K', accuracy: 0.482 },
    { batchSize: 4096, label: '4K', accuracy: 0.637 },
    { batchSize: 16384, label: '16K', accuracy: 0.721 },
    { batchSize: 32768, label: '32K (CLIP)', accuracy: 0.762 },
  ],
  caveat:
    'Unverifiable here: it needs ImageNet and CLIP-scale training. The source cites no experiment for it; CLIP trained ' +
    'all its models at 32,768 and we know of no published batch-size ablation with these numbers (76.2% is the ' +
    'zero-shot ImageNet accuracy CLIP reports for its largest model, ViT-L/14 at 336 px). Our points come from a ' +
    'synthetic task and small encoders: they show the direction of the effect, not ImageNet numbers.',
};

const FN = 'batchSizeSweep';

/**
 * Zero-shot accuracy and recall@k against batch size: trains the two encoders of {@link compareObjectives}
 * with one objective (CLIP by default, through the chunked loss so that large batches fit) at each batch
 * size for the same number of steps, from the same initial weights and data stream, and evaluates them on
 * the same held-out pairs. Larger batches give each positive more in-batch negatives (and more of the hard
 * ones: classes of the same superclass), and also see more pairs in total; both are reported.
 *
 * The result carries the source's ImageNet table ({@link SOURCE_BATCH_SIZE_TABLE}) beside the measured
 * points, with the caveat that it cannot be checked here. Runs on any backend; stops early when the time
 * budget would be exceeded (the skipped sizes are listed).
 *
 * @param options - see {@link BatchSizeSweepOptions}; every option has a default
 * @returns plot-ready JSON: the measured points, the skipped sizes and the source's table
 * @throws (rejects with) TypeError / RangeError for bad options; the signal's reason when aborted
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import '@tensorflow/tfjs-backend-wasm';
 * import { batchSizeSweep } from '@prep/contrastive';
 * await tf.setBackend('wasm');
 * const sweep = await batchSizeSweep({ batchSizes: [64, 256, 1024], steps: 40 });
 * sweep.points.map((p) => [p.batchSize, p.zeroShotAccuracy]);
 * ```
 */
export async function batchSizeSweep(options?: BatchSizeSweepOptions): Promise<BatchSizeSweep> {
  const { opts, common } = resolveCommon(options, FN);
  let batchSizes = [64, 128, 256, 512, 1024, 2048, 4096];
  if (opts['batchSizes'] !== undefined) {
    const list = opts['batchSizes'];
    if (!Array.isArray(list)) throw new TypeError(`${FN}: 'options.batchSizes' must be an array of integers ≥ 2; got ${got(list)}`);
    if (list.length === 0) throw new RangeError(`${FN}: 'options.batchSizes' must not be empty`);
    batchSizes = list.map((b, i) => numberOption(b, FN, `options.batchSizes[${i}]`, { integer: true, min: 2 })).sort((a, b) => a - b);
  }
  const steps = opts['steps'] === undefined ? 40 : numberOption(opts['steps'], FN, 'options.steps', { integer: true, min: 1 });
  const objective = opts['objective'] === undefined ? 'clip' : objectiveOf(opts['objective'], FN, 'options.objective');
  const budget = opts['timeBudgetMs'];
  let timeBudgetMs = 60_000;
  if (budget !== undefined) {
    if (typeof budget !== 'number') throw new TypeError(`${FN}: 'options.timeBudgetMs' must be a number; got ${got(budget)}`);
    if (!(budget > 0)) throw new RangeError(`${FN}: 'options.timeBudgetMs' must be positive; got ${budget}`);
    timeBudgetMs = budget;
  }
  const onProgress = callbackOption<(p: TrainingProgress) => void>(opts['onProgress'], FN, 'options.onProgress');

  const world = new SyntheticWorld(common);
  const evalSet = makeEvalSet(world, common.evalSize, common.templates, common.seed);
  const points: BatchSizePoint[] = [];
  const skipped: number[] = [];
  let spentMs = 0;
  let lastMsPerPair = 0;
  for (const batchSize of batchSizes) {
    const projectedMs = lastMsPerPair * batchSize * steps;
    if (points.length > 0 && spentMs + projectedMs > timeBudgetMs) {
      skipped.push(batchSize);
      continue;
    }
    const model = await trainTwoTower(world, {
      ...common,
      objective,
      batchSize,
      steps,
      onStep: onProgress ? (step, loss) => onProgress({ objective, batchSize, step, steps, loss }) : undefined,
    });
    try {
      const evaluation = await evaluateTwoTower(world, model, evalSet);
      const i2t = evaluation.retrieval.imageToText.recall;
      points.push({
        batchSize,
        steps,
        pairsSeen: batchSize * steps,
        negativesPerPositive: batchSize - 1,
        zeroShotAccuracy: evaluation.zeroShotAccuracy,
        recallAt1: i2t[1]!,
        recallAt5: i2t[5]!,
        recallAt10: i2t[10]!,
        finalLoss: model.lossCurve[model.lossCurve.length - 1]!,
        trainMs: model.trainMs,
      });
      spentMs += model.trainMs;
      lastMsPerPair = model.trainMs / (batchSize * steps);
    } finally {
      model.dispose();
    }
  }
  const config = plainConfig(common);
  return {
    config: { ...config, batchSizes, steps, timeBudgetMs: Number.isFinite(timeBudgetMs) ? timeBudgetMs : -1 },
    objective,
    chance: 1 / common.classes,
    points,
    skipped,
    source: SOURCE_BATCH_SIZE_TABLE,
  };
}
