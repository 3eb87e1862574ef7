import { FixedKLController } from '../kl-controller.js';
import { labelPreferences, type LabelStats, type PreferenceItem } from '../label-preferences.js';
import { ensembleJudge, positionSwapJudge, type JudgeVerdict, type PairwiseJudge } from '../pairwise-judge.js';
import { createRandom, deriveSeed } from '../internal/random.js';
import { throwIfAborted } from '../internal/pool.js';
import { callbackOption, numberOption, optionsObject, signalOption } from '../internal/validate.js';
import { rewardModelSummary, toySetup, type ExperimentProgress, type RewardModelSummary } from './beta-experiment.js';
import { fitRewardModel, trueReward, type Sequence } from './toy-task.js';
import { pointOf, trainDPO, trainPPO, type TrainingPoint } from './toy-training.js';

/** Options of {@link runRlaifExperiment}. */
export interface RlaifExperimentOptions {
  /** Seed of every random draw and of every judge's noise; default 0. */
  seed?: number;
  /** KL coefficient of every PPO and DPO run; default 0.05 (the best PPO β of the β experiment). */
  beta?: number;
  /** PPO batches per variant; default 100. */
  ppoSteps?: number;
  /** DPO steps per variant; default 100. */
  dpoSteps?: number;
  /** Sequences per PPO batch; default 64. */
  batchSize?: number;
  /** Pairs to label; default 512. */
  preferencePairs?: number;
  /** Temperature of the simulated human labels; default 1. */
  labelNoise?: number;
  /** Score the biased AI judge adds per word: its verbosity bias; default 0.5. */
  verbosityBias?: number;
  /** Score the biased AI judge adds to the response in the first slot; default 0.5. */
  positionBias?: number;
  /** Standard deviation of each AI judge's noise on the score difference; default 1. */
  judgeNoise?: number;
  /** minConfidence of the confidence-filtered variant; default 0.5. */
  minConfidence?: number;
  /** Standard deviation of each normalized reward model on reference samples; default 0.1. */
  rewardStd?: number;
  /** Adam steps (learning rate 0.1, full batch) fitting the reward model; default 150. */
  rewardModelSteps?: number;
  /** Adam learning rate of the policies; default 0.05. */
  learningRate?: number;
  /** Steps between recorded points; default 10. */
  recordEvery?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ExperimentProgress) => void;
}

/** Labels of one variant: the package's statistics plus how the labels relate to truth and to length. */
export interface RlaifLabelSummary extends LabelStats {
  /** Share of kept pairs (with a strict true preference) whose chosen response has the higher true reward. */
  trueAgreement: number;
  /** Among kept pairs of different lengths, the share whose chosen response is the longer one. */
  longerChosenShare: number;
}

/** A policy run of one variant, summarized. */
export interface RlaifRun {
  points: TrainingPoint[];
  final: TrainingPoint;
}

/** One labeling setup and what its labels did to the reward model and the policies. */
export interface RlaifVariant {
  name: string;
  description: string;
  labels: RlaifLabelSummary;
  rewardModel: RewardModelSummary;
  ppo: RlaifRun;
  dpo: RlaifRun;
  /** Differences of the final policies from the human-label variant: how much bias reached the policy. */
  versusHuman: { ppoMeanLength: number; ppoTrueReward: number; dpoMeanLength: number; dpoTrueReward: number };
}

/** Plot-ready result of {@link runRlaifExperiment}. */
export interface RlaifExperimentResult {
  config: {
    seed: number;
    beta: number;
    ppoSteps: number;
    dpoSteps: number;
    batchSize: number;
    preferencePairs: number;
    labelNoise: number;
    verbosityBias: number;
    positionBias: number;
    judgeNoise: number;
    minConfidence: number;
    rewardStd: number;
  };
  reference: TrainingPoint;
  /** Among reference pairs of different lengths, the share where the longer one has the higher true reward. */
  truthLongerShare: number;
  variants: RlaifVariant[];
  elapsedMs: number;
}

/** The simulated human labeler as a judge: Bradley-Terry on the true reward. */
function humanJudge(seed: number, labelNoise: number): PairwiseJudge<Sequence, number> {
  return (prompt, a, b) => {
    const u = createRandom(deriveSeed(seed, 7, prompt, a, b)).uniform();
    const p = 1 / (1 + Math.exp(-(trueReward(a) - trueReward(b)) / labelNoise));
    return Promise.resolve({ preferred: u < p ? 0 : 1 });
  };
}

/**
 * A simulated AI judge: it sees the true reward plus `verbosity` per word, adds `position` to whichever response
 * is in the first slot, and perceives the difference with Gaussian noise; confidence = tanh(|Δ|/2).
 */
function aiJudge(seed: number, id: number, verbosity: number, position: number, noise: number): PairwiseJudge<Sequence, number> {
  return (prompt, a, b) => {
    const perceived = (s: Sequence): number => trueReward(s) + verbosity * s.length;
    const delta = perceived(a) - perceived(b) + position + noise * createRandom(deriveSeed(seed, id, prompt, a, b)).normal();
    const verdict: JudgeVerdict = delta === 0 ? { preferred: -1 } : { preferred: delta > 0 ? 0 : 1, confidence: Math.tanh(Math.abs(delta) / 2) };
    return Promise.resolve(verdict);
  };
}

/**
 * The RLAIF experiment of question 9: the pairs of the β experiment are labeled by simulated humans and by
 * a simulated AI judge with a verbosity bias and a position bias, alone, with {@link positionSwapJudge},
 * as {@link ensembleJudge}s, and with a {@link labelPreferences} confidence filter. Each label set trains a
 * Bradley-Terry reward model (then PPO at a fixed β) and DPO directly. The result shows how much of the
 * judge's bias survives each defence: in the labels (share of longer responses chosen, agreement with the
 * true reward), in the reward model (its length slope) and in the final policies (length and true reward,
 * as differences from the human-label variant).
 *
 * Variants: human labels; AI judge; AI judge + position swap; ensemble of three biased judges (independent
 * noise) + swap; mixed ensemble (one biased, two unbiased judges) + swap; AI judge + swap with
 * `minConfidence`. Seeded; runs in a browser; about twice the work of {@link runBetaExperiment}'s PPO sweep.
 *
 * @param options - see {@link RlaifExperimentOptions}
 * @returns plot-ready JSON (see {@link RlaifExperimentResult})
 * @throws TypeError / RangeError for a bad option (synchronously); the promise rejects with the abort
 *   reason when `signal` aborts
 * @example
 * ```ts
 * import '@tensorflow/tfjs';
 * import { runRlaifExperiment } from '@prep/rlhf';
 * const result = await runRlaifExperiment({ seed: 1, ppoSteps: 20, dpoSteps: 20 });
 * result.variants.map((v) => [v.name, v.labels.longerChosenShare, v.versusHuman.ppoMeanLength]);
 * ```
 */
export function runRlaifExperiment(options?: RlaifExperimentOptions): Promise<RlaifExperimentResult> {
  const fn = 'runRlaifExperiment';
  const opts = optionsObject<RlaifExperimentOptions>(options, fn);
  const seed = numberOption(opts.seed, fn, 'options.seed', 0);
  const beta = numberOption(opts.beta, fn, 'options.beta', 0.05, { above: 0 });
  const ppoSteps = numberOption(opts.ppoSteps, fn, 'options.ppoSteps', 100, { integer: true, min: 1 });
  const dpoSteps = numberOption(opts.dpoSteps, fn, 'options.dpoSteps', 100, { integer: true, min: 1 });
  const batchSize = numberOption(opts.batchSize, fn, 'options.batchSize', 64, { integer: true, min: 2 });
  const preferencePairs = numberOption(opts.preferencePairs, fn, 'options.preferencePairs', 512, { integer: true, min: 8 });
  const labelNoise = numberOption(opts.labelNoise, fn, 'options.labelNoise', 1, { above: 0 });
  const verbosityBias = numberOption(opts.verbosityBias, fn, 'options.verbosityBias', 0.5);
  const positionBias = numberOption(opts.positionBias, fn, 'options.positionBias', 0.5);
  const judgeNoise = numberOption(opts.judgeNoise, fn, 'options.judgeNoise', 1, { min: 0 });
  const minConfidence = numberOption(opts.minConfidence, fn, 'options.minConfidence', 0.5, { min: 0, max: 1 });
  const rewardStd = numberOption(opts.rewardStd, fn, 'options.rewardStd', 0.1, { above: 0 });
  const rewardModelSteps = numberOption(opts.rewardModelSteps, fn, 'options.rewardModelSteps', 150, { integer: true, min: 1 });
  const learningRate = numberOption(opts.learningRate, fn, 'options.learningRate', 0.05, { above: 0 });
  const recordEvery = numberOption(opts.recordEvery, fn, 'options.recordEvery', 10, { integer: true, min: 1 });
  const signal = signalOption(opts.signal, fn);
  const onProgress = callbackOption<(p: ExperimentProgress) => void>(opts.onProgress, fn, 'options.onProgress');

  const biased = (id: number): PairwiseJudge<Sequence, number> => aiJudge(seed, id, verbosityBias, positionBias, judgeNoise);
  const unbiased = (id: number): PairwiseJudge<Sequence, number> => aiJudge(seed, id, 0, 0, judgeNoise);
  const variants: { name: string; description: string; judge: PairwiseJudge<Sequence, number>; minConfidence: number }[] = [
    { name: 'human labels', description: 'Bradley-Terry noise on the true reward', judge: humanJudge(seed, labelNoise), minConfidence: 0 },
    { name: 'AI judge', description: `+${verbosityBias}/word, +${positionBias} for slot a, noise ${judgeNoise}`, judge: biased(1), minConfidence: 0 },
    { name: 'AI judge + position swap', description: 'both orders; disagreement abstains', judge: positionSwapJudge(biased(1)), minConfidence: 0 },
    {
      name: 'ensemble of 3 biased judges + swap',
      description: 'majority of three judges with the same biases and independent noise',
      judge: positionSwapJudge(ensembleJudge([biased(1), biased(2), biased(3)])),
      minConfidence: 0,
    },
    {
      name: 'mixed ensemble (1 biased, 2 unbiased) + swap',
      description: 'majority of one biased and two unbiased judges',
      judge: positionSwapJudge(ensembleJudge([biased(1), unbiased(2), unbiased(3)])),
      minConfidence: 0,
    },
    {
      name: `AI judge + swap, minConfidence ${minConfidence}`,
      description: 'confident, position-consistent labels only',
      judge: positionSwapJudge(biased(1)),
      minConfidence,
    },
  ];

  const run = async (): Promise<RlaifExperimentResult> => {
    const started = performance.now();
    throwIfAborted(signal);
    const setup = toySetup(seed, preferencePairs);
    const { refProbs } = setup;
    const items: PreferenceItem<Sequence, number>[] = setup.pairsFromReference.map(([a, b], i) => {
      const diff = trueReward(a) - trueReward(b);
      return diff === 0 ? { prompt: i, a, b } : { prompt: i, a, b, reference: diff > 0 ? 0 : 1 };
    });
    let longerDiffer = 0;
    let longerBetter = 0;
    for (const { a, b, reference } of items) {
      if (a.length === b.length || reference === undefined) continue;
      longerDiffer++;
      if ((reference === 0) === a.length > b.length) longerBetter++;
    }
    const out: RlaifVariant[] = [];
    for (const [index, variant] of variants.entries()) {
      const progress = (phase: string, steps: number) => (step: number) =>
        onProgress?.({ phase: `${variant.name}: ${phase}`, run: index, runs: variants.length, step, steps });
      progress('labels', 1)(0);
      const labeled = await labelPreferences(items, variant.judge, { minConfidence: variant.minConfidence, concurrency: 8, ...(signal ? { signal } : {}) });
      const pairs = labeled.pairs.map((p) => ({ chosen: p.chosen, rejected: p.rejected }));
      let longerChosen = 0;
      let lengthsDiffer = 0;
      let truthHits = 0;
      let truthCounted = 0;
      for (const p of pairs) {
        if (p.chosen.length !== p.rejected.length) {
          lengthsDiffer++;
          if (p.chosen.length > p.rejected.length) longerChosen++;
        }
        const diff = trueReward(p.chosen) - trueReward(p.rejected);
        if (diff !== 0) {
          truthCounted++;
          if (diff > 0) truthHits++;
        }
      }
      const model = await fitRewardModel(pairs, setup.referenceSamples, setup.heldOut, { steps: rewardModelSteps, learningRate: 0.1, rewardStd });
      const ppoPoints = await trainPPO({
        model,
        controller: new FixedKLController(beta),
        steps: ppoSteps,
        batchSize,
        learningRate,
        epochs: 4,
        recordEvery,
        random: createRandom(deriveSeed(seed, 'rlaif ppo', variant.name)),
        signal,
        onStep: progress('ppo', ppoSteps),
      });
      const dpoPoints = await trainDPO({ model, pairs, beta, steps: dpoSteps, learningRate, recordEvery, signal, onStep: progress('dpo', dpoSteps) });
      out.push({
        name: variant.name,
        description: variant.description,
        labels: {
          ...labeled.stats,
          trueAgreement: truthCounted === 0 ? 0 : truthHits / truthCounted,
          longerChosenShare: lengthsDiffer === 0 ? 0 : longerChosen / lengthsDiffer,
        },
        rewardModel: rewardModelSummary(model),
        ppo: { points: ppoPoints, final: ppoPoints[ppoPoints.length - 1]! },
        dpo: { points: dpoPoints, final: dpoPoints[dpoPoints.length - 1]! },
        versusHuman: { ppoMeanLength: 0, ppoTrueReward: 0, dpoMeanLength: 0, dpoTrueReward: 0 },
      });
    }
    const human = out[0]!;
    for (const v of out) {
      v.versusHuman = {
        ppoMeanLength: v.ppo.final.meanLength - human.ppo.final.meanLength,
        ppoTrueReward: v.ppo.final.trueReward - human.ppo.final.trueReward,
        dpoMeanLength: v.dpo.final.meanLength - human.dpo.final.meanLength,
        dpoTrueReward: v.dpo.final.trueReward - human.dpo.final.trueReward,
      };
    }
    return {
      config: {
        seed,
        beta,
        ppoSteps,
        dpoSteps,
        batchSize,
        preferencePairs,
        labelNoise,
        verbosityBias,
        positionBias,
        judgeNoise,
        minConfidence,
        rewardStd,
      },
      reference: pointOf(refProbs, refProbs, { weights: [0, 0, 0, 0, 0], offset: 0, heldOutAccuracy: 0, lengthSlope: 0 }, 0, 0),
      truthLongerShare: longerDiffer === 0 ? 0 : longerBetter / longerDiffer,
      variants: out,
      elapsedMs: performance.now() - started,
    };
  };
  return run();
}
