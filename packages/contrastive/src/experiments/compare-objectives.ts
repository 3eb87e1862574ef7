import type { DirectionMetrics } from '../retrieval-metrics.js';
import { SyntheticWorld } from './synthetic-world.js';
import { callbackOption, numberOption, objectiveList, plainConfig, resolveCommon, type WorldAndModelOptions } from './options.js';
import { evaluateTwoTower, makeEvalSet, trainTwoTower, type Objective } from './two-tower.js';

export type { Objective } from './two-tower.js';

/** One training step, reported through `onProgress`. */
export interface TrainingProgress {
  objective: Objective;
  /** The batch size of the run (the sweep varies it). */
  batchSize: number;
  /** 0-based step. */
  step: number;
  steps: number;
  loss: number;
}

/** Options of {@link compareObjectives}. */
export interface CompareObjectivesOptions extends WorldAndModelOptions {
  /** Objectives to train, each from the same initial weights on the same data (default all three). */
  objectives?: Objective[];
  /** Optimizer steps per objective (default 300). */
  steps?: number;
  /** Pairs per step (default 256). */
  batchSize?: number;
  /** Called after every step. */
  onProgress?: (progress: TrainingProgress) => void;
}

/** The result of one objective in {@link compareObjectives}. */
export interface ObjectiveResult {
  objective: Objective;
  /** Held-out images assigned to their latent class by the zero-shot classifier. */
  zeroShotAccuracy: number;
  imageToText: DirectionMetrics;
  textToImage: DirectionMetrics;
  /** The loss after every step (plot-ready). */
  lossCurve: number[];
  /** The learned scale s and (SigLIP, BCE) bias at the end. */
  logitScale: number;
  logitBias: number | null;
  trainMs: number;
}

/** What {@link compareObjectives} resolves to: plain JSON. */
export interface ObjectiveComparison {
  config: Record<string, number | string | string[]>;
  /** Chance level of the zero-shot accuracy (1 / classes). */
  chance: number;
  results: ObjectiveResult[];
}

const FN = 'compareObjectives';

/**
 * The question's experiment, small enough for a browser tab: train two MLP encoders ("image" and "text"
 * towers) on synthetic paired features that share latent classes, once with CLIP's loss, once with
 * SigLIP's and once with the supervised pairwise BCE baseline, at equal compute (the same steps, batch
 * size, encoders, optimizer, initial weights and data), then report zero-shot classification accuracy and
 * recall@k on held-out pairs.
 *
 * The world: `superclasses` centres, `classes` prototypes scattered around them (classes of one superclass
 * are close), instances scattered around their prototype; each view is tanh of a fixed random projection
 * of the instance's latent, plus noise. Zero-shot: the class embedding is the text tower's output for
 * `templates` noisy text views of the class prototype, combined by {@link classEmbeddings}; an image is
 * assigned by {@link zeroShotClassify}. CLIP learns its temperature ({@link LearnableTemperature}, clamped
 * after each step); SigLIP learns s and b from 10 and −10; BCE learns s from 10 and b from 0, and sees each
 * positive with `negativesPerPositive` random in-batch negatives. CLIP and SigLIP use the chunked losses.
 *
 * Runs on any backend (no Node APIs); results vary slightly between backends (float32 rounding).
 *
 * @param options - see {@link CompareObjectivesOptions}; every option has a default
 * @returns plot-ready JSON: config, chance level, and per objective the accuracy, recall@k, ranks and the
 *   loss curve
 * @throws (rejects with) TypeError / RangeError for bad options; the signal's reason when aborted
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { compareObjectives } from '@prep/contrastive';
 * const { results } = await compareObjectives({ steps: 200, onProgress: (p) => console.log(p.objective, p.step, p.loss) });
 * for (const r of results) console.log(r.objective, r.zeroShotAccuracy, r.imageToText.recall[1]);
 * ```
 */
export async function compareObjectives(options?: CompareObjectivesOptions): Promise<ObjectiveComparison> {
  const { opts, common } = resolveCommon(options, FN);
  const objectives = objectiveList(opts['objectives'], FN, 'options.objectives', ['clip', 'siglip', 'pairwise-bce']);
  const steps = opts['steps'] === undefined ? 300 : numberOption(opts['steps'], FN, 'options.steps', { integer: true, min: 1 });
  const batchSize = opts['batchSize'] === undefined ? 256 : numberOption(opts['batchSize'], FN, 'options.batchSize', { integer: true, min: 2 });
  const onProgress = callbackOption<(p: TrainingProgress) => void>(opts['onProgress'], FN, 'options.onProgress');
  const world = new SyntheticWorld({ ...common, seed: common.seed });
  const evalSet = makeEvalSet(world, common.evalSize, common.templates, common.seed);
  const results: ObjectiveResult[] = [];
  for (const objective of objectives) {
    const model = await trainTwoTower(world, {
      ...common,
      objective,
      batchSize,
      steps,
      onStep: onProgress ? (step, loss) => onProgress({ objective, batchSize, step, steps, loss }) : undefined,
    });
    try {
      const evaluation = await evaluateTwoTower(world, model, evalSet);
      results.push({
        objective,
        zeroShotAccuracy: evaluation.zeroShotAccuracy,
        imageToText: evaluation.retrieval.imageToText,
        textToImage: evaluation.retrieval.textToImage,
        lossCurve: model.lossCurve,
        logitScale: Math.exp((await model.temperature.logScale.data())[0]!),
        logitBias: model.bias ? (await model.bias.data())[0]! : null,
        trainMs: model.trainMs,
      });
    } finally {
      model.dispose();
    }
  }
  const config = plainConfig(common);
  return { config: { ...config, objectives, steps, batchSize }, chance: 1 / common.classes, results };
}
