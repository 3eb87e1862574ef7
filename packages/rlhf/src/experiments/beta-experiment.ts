import { AdaptiveKLController, FixedKLController } from '../kl-controller.js';
import { createRandom, deriveSeed, type Random } from '../internal/random.js';
import { throwIfAborted } from '../internal/pool.js';
import { callbackOption, got, numberArg, numberOption, optionsObject, signalOption } from '../internal/validate.js';
import {
  LENGTH_LIMIT,
  LENGTH_PENALTY,
  MAX_LENGTH,
  WORD_QUALITY,
  fitRewardModel,
  referenceLogits,
  sampleSequences,
  softmaxRows,
  trueReward,
  type RewardModel,
  type Sequence,
} from './toy-task.js';
import { optimumProbs, pointOf, trainDPO, trainPPO, type TrainingPoint } from './toy-training.js';

export type { TrainingPoint } from './toy-training.js';

/** The β grid of question 2: `[0.001, 0.01, 0.02, 0.05, 0.1, 0.5]`, the default of {@link runBetaExperiment}. */
export const DEFAULT_BETAS: readonly number[] = [0.001, 0.01, 0.02, 0.05, 0.1, 0.5];

/** Progress of the experiments: a phase, the run within it and the step within the run. */
export interface ExperimentProgress {
  phase: string;
  run: number;
  runs: number;
  step: number;
  steps: number;
}

/** Options of {@link runBetaExperiment}. */
export interface BetaExperimentOptions {
  /** Seed of every random draw; default 0. */
  seed?: number;
  /** KL coefficients to sweep; default {@link DEFAULT_BETAS}. */
  betas?: readonly number[];
  /** PPO batches per run; default 100. */
  ppoSteps?: number;
  /** DPO full-batch steps per run; default 100. */
  dpoSteps?: number;
  /** Sequences per PPO batch; default 64. */
  batchSize?: number;
  /** Preference pairs for the reward model and DPO; default 512. */
  preferencePairs?: number;
  /** Temperature τ of the simulated human labels, P(a ≻ b) = σ((r(a) − r(b))/τ); default 1. */
  labelNoise?: number;
  /** Standard deviation of the normalized reward model on reference samples; default 0.1 (see README). */
  rewardStd?: number;
  /** Adam steps (learning rate 0.1, full batch) fitting the reward model; default 150. */
  rewardModelSteps?: number;
  /** Adam learning rate of the policy; default 0.05. */
  learningRate?: number;
  /** Target KL (nats) of the adaptive-controller run; default 1. */
  adaptiveTarget?: number;
  /** Initial β of the adaptive run; default 0.02 (a β that overshoots the target when fixed). */
  adaptiveInitBeta?: number;
  /** Horizon (samples) of the adaptive run; default 256 (β may move 5% per batch of 64). */
  adaptiveHorizon?: number;
  /** Steps between recorded points; default 5. */
  recordEvery?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ExperimentProgress) => void;
}

/** How a run ended, by fixed rules on exact expectations (see {@link runBetaExperiment}). */
export type RunVerdict = 'reward hacking' | 'under-optimisation' | 'balanced';

/** One training run: the recorded points and a summary. */
export interface TrainingRun {
  method: 'ppo' | 'dpo';
  controller: 'fixed' | 'adaptive';
  /** β (fixed runs) or the initial β (adaptive run). */
  beta: number;
  points: TrainingPoint[];
  final: TrainingPoint;
  /** The recorded point with the highest true reward. */
  peakTrue: TrainingPoint;
  verdict: RunVerdict;
}

/** The adaptive-controller run: no verdict (the controller, not the objective, sets its KL). */
export interface AdaptiveRun extends Omit<TrainingRun, 'verdict'> {
  /** Target KL, nats. */
  target: number;
  horizon: number;
  /** Mean exact KL over the recorded points of the second half of the run. */
  meanKLLastHalf: number;
  /** Share of second-half points whose KL lies within a factor 2 of the target. */
  withinFactor2Share: number;
}

/** The reward model the policies optimize. */
export interface RewardModelSummary {
  /** Normalized score per word, best word first. */
  weights: number[];
  /** Quality of each word in the true reward. */
  trueQuality: number[];
  /** Pairwise accuracy on held-out reference pairs, against the true reward. */
  heldOutAccuracy: number;
  /** Score gained per extra word of average reference quality (the loophole: the true reward penalizes length). */
  lengthSlope: number;
}

/** Plot-ready result of {@link runBetaExperiment}. */
export interface BetaExperimentResult {
  config: {
    seed: number;
    betas: number[];
    ppoSteps: number;
    dpoSteps: number;
    batchSize: number;
    preferencePairs: number;
    labelNoise: number;
    rewardStd: number;
    learningRate: number;
    maxLength: number;
    lengthLimit: number;
    lengthPenalty: number;
  };
  rewardModel: RewardModelSummary;
  /** The reference (SFT) policy: step 0 of every run. */
  reference: TrainingPoint;
  /** For each β, the exact maximizer of E[proxy] − β·KL in the policy class: where PPO is heading. */
  optimum: TrainingPoint[];
  ppo: TrainingRun[];
  dpo: TrainingRun[];
  /** PPO with the adaptive KL controller; `points[i].beta` traces β. */
  adaptive: AdaptiveRun;
  /** Wall time of the whole experiment, ms. */
  elapsedMs: number;
}

/** The simulated human labeler: Bradley-Terry on the true reward with temperature τ. */
export function humanPreference(a: Sequence, b: Sequence, labelNoise: number, random: Random): 0 | 1 {
  const p = 1 / (1 + Math.exp(-(trueReward(a) - trueReward(b)) / labelNoise));
  return random.uniform() < p ? 0 : 1;
}

/** Verdict rules, shared with the RLAIF experiment. */
export function verdictOf(reference: TrainingPoint, final: TrainingPoint, peak: TrainingPoint, bestTrueGain: number): RunVerdict {
  const proxyGain = final.proxyReward - reference.proxyReward;
  const trueGain = final.trueReward - reference.trueReward;
  const peakGain = peak.trueReward - reference.trueReward;
  const drop = peak.trueReward - final.trueReward;
  if (proxyGain > 0 && (trueGain < 0 || (drop > 0.5 * peakGain && drop > 0.25 * bestTrueGain))) return 'reward hacking';
  if (trueGain < 0.5 * bestTrueGain) return 'under-optimisation';
  return 'balanced';
}

function summarize(method: 'ppo' | 'dpo', controller: 'fixed' | 'adaptive', beta: number, points: TrainingPoint[]): Omit<TrainingRun, 'verdict'> {
  const final = points[points.length - 1]!;
  const peakTrue = points.reduce((best, p) => (p.trueReward > best.trueReward ? p : best), points[0]!);
  return { method, controller, beta, points, final, peakTrue };
}

/** Resolved settings shared by both experiments. */
export interface ToySetup {
  random: Random;
  refProbs: Float64Array;
  referenceSamples: Sequence[];
  heldOut: [Sequence, Sequence][];
  pairsFromReference: [Sequence, Sequence][];
}

/** Draws the reference samples and pairs both experiments start from. */
export function toySetup(seed: number, preferencePairs: number): ToySetup {
  const random = createRandom(seed);
  const refProbs = softmaxRows(referenceLogits());
  const draw = (n: number): [Sequence, Sequence][] => {
    const flat = sampleSequences(refProbs, 2 * n, random);
    return Array.from({ length: n }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]);
  };
  return {
    random,
    refProbs,
    pairsFromReference: draw(preferencePairs),
    heldOut: draw(500),
    referenceSamples: sampleSequences(refProbs, 2000, random),
  };
}

/** Reward-model summary for the JSON result. */
export function rewardModelSummary(model: RewardModel): RewardModelSummary {
  return { weights: model.weights, trueQuality: [...WORD_QUALITY], heldOutAccuracy: model.heldOutAccuracy, lengthSlope: model.lengthSlope };
}

/**
 * The β experiment of question 2, seeded and small enough for a browser tab (well under a minute on wasm).
 *
 * A toy language model writes sequences of up to 8 words from a 5-word vocabulary, position by position
 * (tabular logits, initialized to a reference "SFT" policy that writes 0–5 words). The true reward sums word
 * quality and penalizes every word beyond 4 quadratically. Simulated humans label 512 pairs of reference
 * samples with Bradley-Terry noise on the true reward; a Bradley-Terry reward model, linear in word counts,
 * learns them — and cannot represent the length penalty, which the short reference samples hardly ever
 * show: the loophole, it over-rewards length. The reward model is normalized to std `rewardStd` on
 * reference samples (the toy's reward unit; see the README).
 *
 * Then, for each β: PPO (this package's klPenalizedRewards, gae, whiten, ppoPolicyLoss, ppoValueLoss) and
 * offline DPO (dpoLoss) on the same pairs; and one PPO run with the {@link AdaptiveKLController}. Every
 * recorded point holds exact expectations of the proxy reward, the true reward, KL(π ‖ π_ref) and the
 * length, computed from the policy's probabilities, not from samples.
 *
 * Verdicts, by fixed rules: 'reward hacking' when the proxy rose but the true reward ended below the
 * reference's, or fell from its peak by more than half of the peak's gain and more than a quarter of the
 * method's best gain; otherwise 'under-optimisation' when the true-reward gain is
 * below half of the best gain of that method; otherwise 'balanced'.
 *
 * @param options - see {@link BetaExperimentOptions}
 * @returns plot-ready JSON (see {@link BetaExperimentResult})
 * @throws TypeError / RangeError for a bad option (synchronously, before any work); the promise rejects
 *   with the abort reason when `signal` aborts
 * @example
 * ```ts
 * import '@tensorflow/tfjs';
 * import { runBetaExperiment } from '@prep/rlhf';
 * const result = await runBetaExperiment({ seed: 1, ppoSteps: 20, dpoSteps: 20 });
 * result.ppo.map((run) => [run.beta, run.final.trueReward, run.verdict]);
 * ```
 */
export function runBetaExperiment(options?: BetaExperimentOptions): Promise<BetaExperimentResult> {
  const fn = 'runBetaExperiment';
  const opts = optionsObject<BetaExperimentOptions>(options, fn);
  const seed = numberOption(opts.seed, fn, 'options.seed', 0);
  const betasOption: unknown = opts.betas;
  if (betasOption !== undefined && !Array.isArray(betasOption)) {
    throw new TypeError(`${fn}: 'options.betas' must be an array of positive numbers; got ${got(betasOption)}`);
  }
  const betas = (betasOption ?? DEFAULT_BETAS) as readonly unknown[];
  if (betas.length === 0) throw new RangeError(`${fn}: 'options.betas' must not be empty`);
  const betaList = betas.map((b, i) => numberArg(b, fn, `options.betas[${i}]`, { above: 0 }));
  const ppoSteps = numberOption(opts.ppoSteps, fn, 'options.ppoSteps', 100, { integer: true, min: 1 });
  const dpoSteps = numberOption(opts.dpoSteps, fn, 'options.dpoSteps', 100, { integer: true, min: 1 });
  const batchSize = numberOption(opts.batchSize, fn, 'options.batchSize', 64, { integer: true, min: 2 });
  const preferencePairs = numberOption(opts.preferencePairs, fn, 'options.preferencePairs', 512, { integer: true, min: 8 });
  const labelNoise = numberOption(opts.labelNoise, fn, 'options.labelNoise', 1, { above: 0 });
  const rewardStd = numberOption(opts.rewardStd, fn, 'options.rewardStd', 0.1, { above: 0 });
  const rewardModelSteps = numberOption(opts.rewardModelSteps, fn, 'options.rewardModelSteps', 150, { integer: true, min: 1 });
  const learningRate = numberOption(opts.learningRate, fn, 'options.learningRate', 0.05, { above: 0 });
  const adaptiveTarget = numberOption(opts.adaptiveTarget, fn, 'options.adaptiveTarget', 1, { above: 0 });
  const adaptiveInitBeta = numberOption(opts.adaptiveInitBeta, fn, 'options.adaptiveInitBeta', 0.02, { above: 0 });
  const adaptiveHorizon = numberOption(opts.adaptiveHorizon, fn, 'options.adaptiveHorizon', 256, { above: 0 });
  const recordEvery = numberOption(opts.recordEvery, fn, 'options.recordEvery', 5, { integer: true, min: 1 });
  const signal = signalOption(opts.signal, fn);
  const onProgress = callbackOption<(p: ExperimentProgress) => void>(opts.onProgress, fn, 'options.onProgress');

  const run = async (): Promise<BetaExperimentResult> => {
    const started = performance.now();
    throwIfAborted(signal);
    const setup = toySetup(seed, preferencePairs);
    const { random, refProbs } = setup;
    const pairs = setup.pairsFromReference.map(([a, b]) =>
      humanPreference(a, b, labelNoise, random) === 0 ? { chosen: a, rejected: b } : { chosen: b, rejected: a },
    );
    onProgress?.({ phase: 'reward model', run: 0, runs: 1, step: 0, steps: 1 });
    const model = await fitRewardModel(pairs, setup.referenceSamples, setup.heldOut, { steps: rewardModelSteps, learningRate: 0.1, rewardStd });
    const reference = pointOf(refProbs, refProbs, model, 0, 0);
    const optimum = betaList.map((beta) => pointOf(optimumProbs(model, beta), refProbs, model, 0, beta));

    const totalRuns = 2 * betaList.length + 1;
    let runIndex = 0;
    const progress = (phase: string, steps: number) => (step: number) =>
      onProgress?.({ phase, run: runIndex, runs: totalRuns, step, steps });

    const ppoRaw: Omit<TrainingRun, 'verdict'>[] = [];
    for (const beta of betaList) {
      const points = await trainPPO({
        model,
        controller: new FixedKLController(beta),
        steps: ppoSteps,
        batchSize,
        learningRate,
        epochs: 4,
        recordEvery,
        random: createRandom(deriveSeed(seed, 'ppo', beta)),
        signal,
        onStep: progress(`ppo β=${beta}`, ppoSteps),
      });
      ppoRaw.push(summarize('ppo', 'fixed', beta, points));
      runIndex++;
    }
    const dpoRaw: Omit<TrainingRun, 'verdict'>[] = [];
    for (const beta of betaList) {
      const points = await trainDPO({ model, pairs, beta, steps: dpoSteps, learningRate, recordEvery, signal, onStep: progress(`dpo β=${beta}`, dpoSteps) });
      dpoRaw.push(summarize('dpo', 'fixed', beta, points));
      runIndex++;
    }
    const controller = new AdaptiveKLController({ initKL: adaptiveInitBeta, target: adaptiveTarget, horizon: adaptiveHorizon });
    const adaptivePoints = await trainPPO({
      model,
      controller,
      steps: ppoSteps,
      batchSize,
      learningRate,
      epochs: 4,
      recordEvery,
      random: createRandom(deriveSeed(seed, 'ppo adaptive', adaptiveInitBeta, adaptiveTarget, adaptiveHorizon)),
      signal,
      onStep: progress('ppo adaptive β', ppoSteps),
    });

    const withVerdicts = (runs: Omit<TrainingRun, 'verdict'>[]): TrainingRun[] => {
      const best = Math.max(0, ...runs.map((r) => r.final.trueReward - reference.trueReward));
      return runs.map((r) => ({ ...r, verdict: verdictOf(reference, r.final, r.peakTrue, best) }));
    };
    const ppo = withVerdicts(ppoRaw);
    const dpo = withVerdicts(dpoRaw);
    const adaptiveSummary = summarize('ppo', 'adaptive', adaptiveInitBeta, adaptivePoints);
    const lastHalf = adaptivePoints.filter((p) => p.step >= ppoSteps / 2);
    return {
      config: {
        seed,
        betas: betaList,
        ppoSteps,
        dpoSteps,
        batchSize,
        preferencePairs,
        labelNoise,
        rewardStd,
        learningRate,
        maxLength: MAX_LENGTH,
        lengthLimit: LENGTH_LIMIT,
        lengthPenalty: LENGTH_PENALTY,
      },
      rewardModel: rewardModelSummary(model),
      reference,
      optimum,
      ppo,
      dpo,
      adaptive: {
        ...adaptiveSummary,
        target: adaptiveTarget,
        horizon: adaptiveHorizon,
        meanKLLastHalf: lastHalf.reduce((s, p) => s + p.kl, 0) / Math.max(1, lastHalf.length),
        withinFactor2Share: lastHalf.filter((p) => p.kl >= adaptiveTarget / 2 && p.kl <= 2 * adaptiveTarget).length / Math.max(1, lastHalf.length),
      },
      elapsedMs: performance.now() - started,
    };
  };
  return run();
}
