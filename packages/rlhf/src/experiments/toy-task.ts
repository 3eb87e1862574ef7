/**
 * The toy RLHF task behind the experiments: a policy over short token sequences, a "true" reward with a
 * length penalty, and a reward model that cannot see that penalty. Internal; the experiments export results.
 */
import * as tf from '@tensorflow/tfjs-core';
import { bradleyTerryLoss } from '../bradley-terry-loss.js';
import type { Random } from '../internal/random.js';

/** Token 0 ends the sequence; tokens 1..WORDS are words. */
export const EOS = 0;
/** Word tokens, by quality from best to worst. */
export const WORD_QUALITY = [1, 0.5, 0, -0.5, -1] as const;
export const WORDS = WORD_QUALITY.length;
export const VOCAB = WORDS + 1;
/** Longest sequence, in words; also the number of policy positions. */
export const MAX_LENGTH = 8;
/** Length beyond which the true reward penalizes every extra word quadratically. */
export const LENGTH_LIMIT = 4;
/** Penalty coefficient c of c·max(0, n − LENGTH_LIMIT)². */
export const LENGTH_PENALTY = 0.75;

/** A sampled sequence: word tokens only (EOS not included), length 0..MAX_LENGTH. */
export type Sequence = number[];

/**
 * Reference (SFT) policy logits `[MAX_LENGTH, VOCAB]`: every position prefers the middling words, and the
 * end-of-sequence logit grows with the position, so samples are 0–5 words long (mean ≈ 3) and rarely reach
 * the length where the true reward starts to penalize.
 */
export function referenceLogits(): Float32Array {
  const eosByPosition = [-2, 0, 0.5, 1.5, 2.5, 2.5, 2.5, 2.5];
  const words = [0, 0.3, 0.5, 0.3, 0];
  const out = new Float32Array(MAX_LENGTH * VOCAB);
  for (let t = 0; t < MAX_LENGTH; t++) {
    out[t * VOCAB + EOS] = eosByPosition[t]!;
    for (let k = 0; k < WORDS; k++) out[t * VOCAB + 1 + k] = words[k]!;
  }
  return out;
}

/** Row-wise softmax of `[MAX_LENGTH, VOCAB]` logits, in float64. */
export function softmaxRows(logits: ArrayLike<number>): Float64Array {
  const out = new Float64Array(MAX_LENGTH * VOCAB);
  for (let t = 0; t < MAX_LENGTH; t++) {
    let max = -Infinity;
    for (let v = 0; v < VOCAB; v++) max = Math.max(max, logits[t * VOCAB + v]!);
    let sum = 0;
    for (let v = 0; v < VOCAB; v++) sum += Math.exp(logits[t * VOCAB + v]! - max);
    for (let v = 0; v < VOCAB; v++) out[t * VOCAB + v] = Math.exp(logits[t * VOCAB + v]! - max) / sum;
  }
  return out;
}

/** Word counts `[WORDS]` of a sequence. */
export function wordCounts(sequence: Sequence): number[] {
  const counts = new Array<number>(WORDS).fill(0);
  for (const token of sequence) counts[token - 1]! += 1;
  return counts;
}

/** The true reward: summed word quality minus the length penalty. */
export function trueReward(sequence: Sequence): number {
  let quality = 0;
  for (const token of sequence) quality += WORD_QUALITY[token - 1]!;
  const excess = Math.max(0, sequence.length - LENGTH_LIMIT);
  return quality - LENGTH_PENALTY * excess * excess;
}

/** Samples `count` sequences from position-wise probabilities `[MAX_LENGTH, VOCAB]`. */
export function sampleSequences(probs: ArrayLike<number>, count: number, random: Random): Sequence[] {
  const out: Sequence[] = [];
  const row = new Float64Array(VOCAB);
  for (let i = 0; i < count; i++) {
    const sequence: Sequence = [];
    for (let t = 0; t < MAX_LENGTH; t++) {
      for (let v = 0; v < VOCAB; v++) row[v] = probs[t * VOCAB + v]!;
      const token = random.categorical(row);
      if (token === EOS) break;
      sequence.push(token);
    }
    out.push(sequence);
  }
  return out;
}

/** Exact expectations under a position-wise policy (no sampling noise). */
export interface ExactStats {
  /** E[count of each word] `[WORDS]`. */
  counts: number[];
  /** P(length = n), n = 0..MAX_LENGTH. */
  lengths: number[];
  meanLength: number;
  /** KL(π ‖ π_ref) of whole sequences, nats. */
  kl: number;
  /** E[true reward]. */
  trueReward: number;
}

/**
 * Exact statistics of the sequence distribution: position t is reached with probability
 * alive_t = Π_{s<t}(1 − π_s(EOS)), so E[count_k] = Σ_t alive_t·π_t(k) and the sequence KL is
 * Σ_t alive_t·KL(π_t ‖ π_ref,t).
 */
export function exactStats(probs: ArrayLike<number>, refProbs: ArrayLike<number>): ExactStats {
  const counts = new Array<number>(WORDS).fill(0);
  const lengths = new Array<number>(MAX_LENGTH + 1).fill(0);
  let alive = 1;
  let kl = 0;
  for (let t = 0; t < MAX_LENGTH; t++) {
    let stepKL = 0;
    for (let v = 0; v < VOCAB; v++) {
      const p = probs[t * VOCAB + v]!;
      if (p > 0) stepKL += p * Math.log(p / refProbs[t * VOCAB + v]!);
    }
    kl += alive * stepKL;
    for (let k = 0; k < WORDS; k++) counts[k]! += alive * probs[t * VOCAB + 1 + k]!;
    lengths[t]! += alive * probs[t * VOCAB + EOS]!;
    alive *= 1 - probs[t * VOCAB + EOS]!;
  }
  lengths[MAX_LENGTH]! += alive;
  let quality = 0;
  for (let k = 0; k < WORDS; k++) quality += WORD_QUALITY[k]! * counts[k]!;
  let penalty = 0;
  let meanLength = 0;
  lengths.forEach((p, n) => {
    const excess = Math.max(0, n - LENGTH_LIMIT);
    penalty += p * LENGTH_PENALTY * excess * excess;
    meanLength += p * n;
  });
  return { counts, lengths, meanLength, kl: Math.max(0, kl), trueReward: quality - penalty };
}

/**
 * Policy-position tensors of a batch: tokens `[B, MAX_LENGTH]` (the words, then EOS, then EOS padding) and
 * the mask `[B, MAX_LENGTH]` (1 for each word and for the EOS that ended the sequence).
 */
export function encodeBatch(sequences: readonly Sequence[]): { tokens: tf.Tensor2D; mask: tf.Tensor2D } {
  const tokens = new Int32Array(sequences.length * MAX_LENGTH);
  const mask = new Float32Array(sequences.length * MAX_LENGTH);
  sequences.forEach((sequence, b) => {
    sequence.forEach((token, t) => {
      tokens[b * MAX_LENGTH + t] = token;
      mask[b * MAX_LENGTH + t] = 1;
    });
    if (sequence.length < MAX_LENGTH) mask[b * MAX_LENGTH + sequence.length] = 1; // the EOS decision
  });
  return {
    tokens: tf.tensor2d(tokens, [sequences.length, MAX_LENGTH], 'int32'),
    mask: tf.tensor2d(mask, [sequences.length, MAX_LENGTH]),
  };
}

/** Per-token log-probabilities `[B, MAX_LENGTH]` of `tokens` under position-wise logits `[MAX_LENGTH, VOCAB]`. */
export function tokenLogprobs(logits: tf.Tensor2D, tokens: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const logSoftmax = tf.logSoftmax(logits); // [L, V]
    const oneHot = tf.cast(tf.oneHot(tokens, VOCAB), 'float32'); // [B, L, V]
    return tf.sum(tf.mul(oneHot, tf.expandDims(logSoftmax, 0)), 2);
  });
}

/** A linear reward model over word counts, normalized on reference samples. */
export interface RewardModel {
  /** Score per word `[WORDS]` after normalization. */
  weights: number[];
  /** Constant added after normalization (so reference samples score 0 on average). */
  offset: number;
  /** Accuracy on held-out pairs against the true reward's ordering (ties skipped). */
  heldOutAccuracy: number;
  /** Increase of the score per extra word of average reference quality: the model's length slope. */
  lengthSlope: number;
}

/** Proxy (reward-model) score of one sequence. */
export function proxyScore(model: RewardModel, sequence: Sequence): number {
  let score = model.offset;
  for (const token of sequence) score += model.weights[token - 1]!;
  return score;
}

/** Exact E[proxy score] under a policy, from its expected word counts. */
export function exactProxy(model: RewardModel, counts: readonly number[]): number {
  return counts.reduce((sum, c, k) => sum + c * model.weights[k]!, model.offset);
}

/**
 * Fits a Bradley-Terry reward model, linear in word counts, on (chosen, rejected) pairs with Adam and
 * {@link bradleyTerryLoss}, then rescales it to mean 0 and standard deviation `rewardStd` on `referenceSamples`
 * (as lm-human-preferences normalizes its reward model before RL).
 */
export async function fitRewardModel(
  pairs: readonly { chosen: Sequence; rejected: Sequence }[],
  referenceSamples: readonly Sequence[],
  heldOut: readonly [Sequence, Sequence][],
  options: { steps: number; learningRate: number; rewardStd: number },
): Promise<RewardModel> {
  const weights = tf.tidy(() => tf.variable(tf.zeros([WORDS, 1]), true));
  const chosen = tf.tensor2d(pairs.map((p) => wordCounts(p.chosen)), [pairs.length, WORDS]);
  const rejected = tf.tensor2d(pairs.map((p) => wordCounts(p.rejected)), [pairs.length, WORDS]);
  const optimizer = tf.train.adam(options.learningRate);
  for (let step = 0; step < options.steps; step++) {
    optimizer.minimize(() =>
      bradleyTerryLoss(tf.reshape(tf.matMul(chosen, weights), [pairs.length]), tf.reshape(tf.matMul(rejected, weights), [pairs.length])),
    );
  }
  const raw = Array.from(await weights.data());
  tf.dispose([weights, chosen, rejected]);
  optimizer.dispose();
  const rawScores = referenceSamples.map((s) => s.reduce((sum, token) => sum + raw[token - 1]!, 0));
  const mean = rawScores.reduce((a, b) => a + b, 0) / rawScores.length;
  const variance = rawScores.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, rawScores.length - 1);
  const scale = options.rewardStd / Math.sqrt(variance || 1);
  const model: RewardModel = { weights: raw.map((w) => w * scale), offset: -mean * scale, heldOutAccuracy: 0, lengthSlope: 0 };
  let hits = 0;
  let counted = 0;
  for (const [a, b] of heldOut) {
    const truth = trueReward(a) - trueReward(b);
    if (truth === 0) continue;
    counted++;
    if (Math.sign(proxyScore(model, a) - proxyScore(model, b)) === Math.sign(truth)) hits++;
  }
  model.heldOutAccuracy = counted === 0 ? 0 : hits / counted;
  // Mean weight under the reference's word mix: the score gained by one more typical word.
  const refProbs = softmaxRows(referenceLogits());
  let slope = 0;
  let mass = 0;
  for (let k = 0; k < WORDS; k++) {
    const p = refProbs[1 + k]!;
    slope += p * model.weights[k]!;
    mass += p;
  }
  model.lengthSlope = slope / mass;
  return model;
}
