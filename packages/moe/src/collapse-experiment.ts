import * as tf from '@tensorflow/tfjs-core';
import { summarizeCounts } from './expert-load.js';
import { functionOption, numberOption, optionalNumber, optionsObject, got } from './internal/validate.js';
import { MoELayer, type MoERouter } from './moe-layer.js';

/** The five runs of the collapse experiment. */
export type CollapseRunName = 'none' | 'balance' | 'noise' | 'capacity' | 'all';

/** The settings of one run. */
export interface CollapseRunSettings {
  name: CollapseRunName;
  /** Human-readable label for tables and plots. */
  label: string;
  router: MoERouter;
  /** Coefficient of the Switch load-balancing loss (0: off). */
  balanceCoefficient: number;
  /** Coefficient of the router z-loss (0: off). */
  zLossCoefficient: number;
  /** Training capacity factor (null: no dropping). */
  capacityFactor: number | null;
}

/** The runs in order: no cure, each cure alone, all together. */
export const COLLAPSE_RUNS: readonly CollapseRunSettings[] = Object.freeze([
  { name: 'none', label: 'no balancing', router: 'softmax-topk', balanceCoefficient: 0, zLossCoefficient: 0, capacityFactor: null },
  { name: 'balance', label: 'balancing loss (1e-2)', router: 'softmax-topk', balanceCoefficient: 1e-2, zLossCoefficient: 0, capacityFactor: null },
  { name: 'noise', label: 'router noise (noisy top-k)', router: 'noisy-topk', balanceCoefficient: 0, zLossCoefficient: 0, capacityFactor: null },
  { name: 'capacity', label: 'capacity factor 1.25', router: 'softmax-topk', balanceCoefficient: 0, zLossCoefficient: 0, capacityFactor: 1.25 },
  { name: 'all', label: 'all together (+ z-loss 1e-3)', router: 'noisy-topk', balanceCoefficient: 1e-2, zLossCoefficient: 1e-3, capacityFactor: 1.25 },
] as CollapseRunSettings[]);

/** Options of {@link collapseExperiment}. */
export interface CollapseExperimentOptions {
  /** Seed of the data, the weights and the noise (default 0). */
  seed?: number;
  /** Training steps per run (default 200). */
  steps?: number;
  /** Tokens per training batch (default 256). */
  tokens?: number;
  /** Experts (default 16). */
  numExperts?: number;
  /** Experts per token (default 1: Switch routing, where collapse is starkest). */
  k?: number;
  /** Token clusters ("domains"), each with its own target map (default 16). */
  domains?: number;
  /** Model width (default 16). */
  dModel?: number;
  /** Expert hidden width (default 8: one expert is too small to fit every domain). */
  dHidden?: number;
  /** Router logit head start of expert 0 at initialisation (default 3). */
  routerBias?: number;
  /** Adam learning rate (default 0.01). */
  learningRate?: number;
  /** Steps between recorded points (default 10). */
  recordEvery?: number;
  /** Which runs to do (default all five, {@link COLLAPSE_RUNS}). */
  runs?: readonly CollapseRunName[];
  /** Called after each recorded point. */
  onProgress?: (progress: { run: CollapseRunName; runIndex: number; runs: number; step: number; steps: number; topShare: number }) => void;
  /** Stops between steps; the Promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** One recorded point of a run. */
export interface CollapsePoint {
  step: number;
  /** Share of the router's assignments per expert on this step's batch (before capacity dropping). */
  shares: number[];
  /** The largest share. */
  topShare: number;
  /** Task loss (mean squared error) on this step's batch. */
  taskLoss: number;
}

/** One run: settings, the recorded curve and the final evaluation. */
export interface CollapseRun {
  settings: CollapseRunSettings;
  points: CollapsePoint[];
  /** Evaluation on a held-out batch, inference mode (no noise, no dropping). */
  final: {
    shares: number[];
    topShare: number;
    topExpert: number;
    deadExperts: number;
    coefficientOfVariation: number;
    /** Entropy of the shares over ln E: 1 = even, 0 = one expert. */
    normalizedEntropy: number;
    taskLoss: number;
  };
}

/** Plot-ready result of {@link collapseExperiment}. */
export interface CollapseExperimentResult {
  config: Required<Omit<CollapseExperimentOptions, 'onProgress' | 'signal' | 'runs'>> & { runs: CollapseRunName[]; backend: string };
  runs: CollapseRun[];
  /** Markdown table: run, top-expert share, dead experts, CV, normalised entropy, final task loss. */
  table: string;
}

const FN = 'collapseExperiment';

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * The synthetic multi-domain task: `domains` token clusters in `dModel` dimensions (coordinate 0 is a
 * constant 1, a bias feature the router can use), each with its own random linear target map. One
 * expert cannot fit all maps at once; experts that specialise per domain can.
 */
function makeTask(seed: number, domains: number, dModel: number) {
  const random = mulberry32(seed);
  const centers = Array.from({ length: domains }, () => Array.from({ length: dModel }, () => gaussian(random)));
  const maps = Array.from({ length: domains }, () => Array.from({ length: dModel * dModel }, () => gaussian(random) / Math.sqrt(dModel)));
  const batch = (tokens: number, batchSeed: number): { x: Float32Array; y: Float32Array } => {
    const r = mulberry32(batchSeed);
    const x = new Float32Array(tokens * dModel);
    const y = new Float32Array(tokens * dModel);
    for (let t = 0; t < tokens; t++) {
      const c = Math.floor(r() * domains);
      const row = x.subarray(t * dModel, (t + 1) * dModel);
      for (let i = 0; i < dModel; i++) row[i] = centers[c]![i]! + 0.3 * gaussian(r);
      row[0] = 1;
      const a = maps[c]!;
      for (let i = 0; i < dModel; i++) {
        let s = 0;
        for (let j = 0; j < dModel; j++) s += a[i * dModel + j]! * row[j]!;
        y[t * dModel + i] = s;
      }
    }
    return { x, y };
  };
  return { batch };
}

/**
 * Expert collapse and its cures, measured: trains a 16-expert MoE layer on a synthetic multi-domain
 * regression task with the router initialised to favour expert 0, five times — with no cure, with the
 * Switch load-balancing loss, with a noisy top-k router, with a capacity limit, and with all of them (plus
 * the z-loss) — and records each expert's share of the tokens over the steps and the task loss.
 *
 * The layer output is added to the input (a residual block) and fitted to the domain's target by mean
 * squared error with Adam. Same data, initial weights and seed for every run. Shares count the router's
 * choices before capacity dropping, so a capacity limit that merely drops the overflow still shows as
 * collapse. The question's source says one expert ends with about 78% of the tokens; this measures it.
 *
 * @param options - sizes, steps, seed, runs, callbacks; see {@link CollapseExperimentOptions}
 * @returns a Promise of the plot-ready {@link CollapseExperimentResult}
 * @throws (as a rejected Promise) TypeError/RangeError for bad options; the signal's reason when aborted
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { collapseExperiment } from '@prep/moe';
 * const result = await collapseExperiment({ steps: 100, seed: 1 });
 * console.log(result.table);
 * result.runs[0].final.topShare; // share of the top expert without any cure
 * ```
 */
export async function collapseExperiment(options?: CollapseExperimentOptions): Promise<CollapseExperimentResult> {
  const opts = optionsObject<CollapseExperimentOptions>(options, FN);
  const seed = optionalNumber(opts.seed, FN, 'options.seed', { integer: true }) ?? 0;
  const steps = optionalNumber(opts.steps, FN, 'options.steps', { integer: true, min: 1 }) ?? 200;
  const tokens = optionalNumber(opts.tokens, FN, 'options.tokens', { integer: true, min: 1 }) ?? 256;
  const numExperts = optionalNumber(opts.numExperts, FN, 'options.numExperts', { integer: true, min: 2 }) ?? 16;
  const k = optionalNumber(opts.k, FN, 'options.k', { integer: true, min: 1, max: numExperts }) ?? 1;
  const domains = optionalNumber(opts.domains, FN, 'options.domains', { integer: true, min: 1 }) ?? 16;
  const dModel = optionalNumber(opts.dModel, FN, 'options.dModel', { integer: true, min: 2 }) ?? 16;
  const dHidden = optionalNumber(opts.dHidden, FN, 'options.dHidden', { integer: true, min: 1 }) ?? 8;
  const routerBias = optionalNumber(opts.routerBias, FN, 'options.routerBias') ?? 3;
  const learningRate = optionalNumber(opts.learningRate, FN, 'options.learningRate', { positive: true }) ?? 0.01;
  const recordEvery = optionalNumber(opts.recordEvery, FN, 'options.recordEvery', { integer: true, min: 1 }) ?? 10;
  const onProgress = functionOption<NonNullable<CollapseExperimentOptions['onProgress']>>(opts.onProgress, FN, 'options.onProgress');
  const signal = opts.signal;
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) {
    throw new TypeError(`${FN}: 'options.signal' must be an AbortSignal; got ${got(signal)}`);
  }
  let runNames: CollapseRunName[] = COLLAPSE_RUNS.map((r) => r.name);
  if (opts.runs !== undefined) {
    if (!Array.isArray(opts.runs) || opts.runs.length === 0) throw new TypeError(`${FN}: 'options.runs' must be a non-empty array of run names; got ${got(opts.runs)}`);
    for (const name of opts.runs) {
      if (!COLLAPSE_RUNS.some((r) => r.name === name)) {
        throw new RangeError(`${FN}: 'options.runs' may hold ${COLLAPSE_RUNS.map((r) => `'${r.name}'`).join(', ')}; got ${JSON.stringify(name)}`);
      }
    }
    runNames = [...(opts.runs as readonly CollapseRunName[])];
  }
  numberOption(dModel, FN, 'options.dModel', { integer: true, min: 2 });

  const task = makeTask(seed, domains, dModel);
  const heldOut = task.batch(4 * tokens, seed * 31 + 999_983);
  const runs: CollapseRun[] = [];
  for (const [runIndex, name] of runNames.entries()) {
    const settings = COLLAPSE_RUNS.find((r) => r.name === name)!;
    const layer = new MoELayer({
      dModel,
      dHidden,
      numExperts,
      k,
      router: settings.router,
      seed,
      jitter: 0,
      ...(settings.capacityFactor === null ? {} : { capacityFactor: settings.capacityFactor }),
    });
    // The head start: expert 0's logit is raised by `routerBias` through the constant feature.
    const headStart = new Float32Array(dModel * numExperts);
    headStart[0] = routerBias;
    const head = tf.tidy(() => tf.add<tf.Tensor2D>(layer.routerWeights, tf.tensor2d(headStart, [dModel, numExperts])));
    layer.routerWeights.assign(head);
    head.dispose();
    const optimizer = tf.train.adam(learningRate);
    const points: CollapsePoint[] = [];
    try {
      for (let step = 0; step < steps; step++) {
        if (signal?.aborted) throw signal.reason ?? new Error(`${FN}: aborted`);
        const { x, y } = task.batch(tokens, seed * 1_000_003 + step);
        const xt = tf.tensor2d(x, [tokens, dModel]);
        // Routing decisions read asynchronously (WebGPU has no synchronous read), then the training step.
        const routing = await layer.route(xt, { training: true });
        let routed: number[] = [];
        const taskLoss = tf.tidy(() => {
          const yt = tf.tensor2d(y, [tokens, dModel]);
          let lossOnly: tf.Scalar | null = null;
          const total = optimizer.minimize(
            () => {
              const out = layer.apply(xt, { training: true, routing });
              routed = out.routedCounts;
              const mse = tf.mean<tf.Scalar>(tf.square(tf.sub(tf.add(xt, out.output), yt)));
              lossOnly = tf.keep(tf.clone(mse));
              let loss: tf.Scalar = mse;
              if (settings.balanceCoefficient > 0) loss = tf.add(loss, tf.mul(out.auxLoss, settings.balanceCoefficient));
              if (settings.zLossCoefficient > 0) loss = tf.add(loss, tf.mul(out.zLoss, settings.zLossCoefficient));
              return loss;
            },
            true,
            layer.trainableWeights,
          );
          total?.dispose();
          return lossOnly!;
        });
        xt.dispose();
        if (step % recordEvery === 0 || step === steps - 1) {
          const shares = summarizeCounts(routed).fractions;
          const topShare = Math.max(...shares);
          points.push({ step, shares, topShare, taskLoss: (await taskLoss.data())[0]! });
          onProgress?.({ run: name, runIndex, runs: runNames.length, step, steps, topShare });
          // Yield to the event loop so a page stays responsive and an abort can land.
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
        taskLoss.dispose();
      }
      const heldX = tf.tensor2d(heldOut.x, [heldOut.x.length / dModel, dModel]);
      const heldRouting = await layer.route(heldX);
      const evaluation = tf.tidy(() => {
        const yt = tf.tensor2d(heldOut.y, [heldOut.y.length / dModel, dModel]);
        const out = layer.apply(heldX, { routing: heldRouting });
        return { routed: out.routedCounts, mse: tf.mean(tf.square(tf.sub(tf.add(heldX, out.output), yt))) };
      });
      heldX.dispose();
      const load = summarizeCounts(evaluation.routed);
      runs.push({
        settings,
        points,
        final: {
          shares: load.fractions,
          topShare: load.maxFraction,
          topExpert: load.topExpert,
          deadExperts: load.deadExperts,
          coefficientOfVariation: load.coefficientOfVariation,
          normalizedEntropy: load.entropy / Math.log(numExperts),
          taskLoss: (await evaluation.mse.data())[0]!,
        },
      });
      evaluation.mse.dispose();
    } finally {
      optimizer.dispose();
      layer.dispose();
    }
  }
  const config = { seed, steps, tokens, numExperts, k, domains, dModel, dHidden, routerBias, learningRate, recordEvery, runs: runNames, backend: tf.getBackend() };
  return { config, runs, table: collapseTable(runs) };
}

/**
 * The markdown table of a collapse experiment: one row per run with the final top-expert share, dead
 * experts, coefficient of variation, normalised entropy and task loss (held-out batch, inference mode).
 *
 * @param runs - `result.runs` of {@link collapseExperiment}
 * @returns a GitHub markdown table
 * @example
 * ```ts
 * import { collapseExperiment, collapseTable } from '@prep/moe';
 * const { runs } = await collapseExperiment({ steps: 50, runs: ['none', 'balance'] });
 * collapseTable(runs); // '| run | top-expert share | …'
 * ```
 */
export function collapseTable(runs: readonly CollapseRun[]): string {
  const header = '| run | top-expert share | dead experts | CV of load | entropy / ln E | task loss (held out) |';
  const rule = '| --- | --- | --- | --- | --- | --- |';
  const rows = runs.map(({ settings, final }) => {
    const percent = `${(100 * final.topShare).toFixed(1)}% (expert ${final.topExpert})`;
    return `| ${settings.label} | ${percent} | ${final.deadExperts} | ${final.coefficientOfVariation.toFixed(2)} | ${final.normalizedEntropy.toFixed(2)} | ${final.taskLoss.toFixed(4)} |`;
  });
  return [header, rule, ...rows].join('\n');
}
