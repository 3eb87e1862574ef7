/** Internal: PPO and DPO on the toy task, built from the package's own losses. */
import * as tf from '@tensorflow/tfjs-core';
import { dpoLoss } from '../dpo-loss.js';
import { gae } from '../gae.js';
import { klEstimate } from '../kl-estimate.js';
import { klPenalizedRewards } from '../kl-penalized-rewards.js';
import type { KLController } from '../kl-controller.js';
import { ppoPolicyLoss } from '../ppo-policy-loss.js';
import { ppoValueLoss } from '../ppo-value-loss.js';
import { whiten } from '../whiten.js';
import { throwIfAborted } from '../internal/pool.js';
import type { Random } from '../internal/random.js';
import {
  EOS,
  MAX_LENGTH,
  VOCAB,
  encodeBatch,
  exactProxy,
  exactStats,
  proxyScore,
  referenceLogits,
  sampleSequences,
  softmaxRows,
  tokenLogprobs,
  type RewardModel,
  type Sequence,
} from './toy-task.js';

/** One measurement of a policy during training; exact expectations, no sampling noise. */
export interface TrainingPoint {
  /** Optimizer step (PPO: batches; DPO: full-batch updates). */
  step: number;
  /** E_π[reward-model score]: what the optimizer sees. */
  proxyReward: number;
  /** E_π[true reward]: what we wanted. */
  trueReward: number;
  /** KL(π ‖ π_ref) of whole sequences, nats. */
  kl: number;
  /** E_π[length in words]. */
  meanLength: number;
  /** β in force at this step. */
  beta: number;
}

/** Exact point of a policy given as position-wise probabilities. */
export function pointOf(probs: ArrayLike<number>, refProbs: ArrayLike<number>, model: RewardModel, step: number, beta: number): TrainingPoint {
  const stats = exactStats(probs, refProbs);
  return { step, proxyReward: exactProxy(model, stats.counts), trueReward: stats.trueReward, kl: stats.kl, meanLength: stats.meanLength, beta };
}

async function readProbs(logits: tf.Tensor2D): Promise<Float32Array> {
  const probs = tf.softmax(logits);
  const values = (await probs.data()) as Float32Array;
  probs.dispose();
  return values;
}

/**
 * The exact maximizer of E_π[proxy] − β·KL(π ‖ π_ref) in the toy's policy class, by a backward soft-value
 * recursion: π*_t(v) ∝ π_ref,t(v)·exp(w_v/β + V_{t+1}) for words, ∝ π_ref,t(EOS) for the end, with
 * V_t = log Σ_v (the same weights) and V_MAX_LENGTH = 0. This is {@link klRegularizedOptimum} applied per
 * position with the continuation value folded into the reward.
 */
export function optimumProbs(model: RewardModel, beta: number): Float64Array {
  const ref = softmaxRows(referenceLogits());
  const out = new Float64Array(MAX_LENGTH * VOCAB);
  let next = 0;
  for (let t = MAX_LENGTH - 1; t >= 0; t--) {
    const logits = new Float64Array(VOCAB);
    for (let v = 0; v < VOCAB; v++) {
      logits[v] = Math.log(ref[t * VOCAB + v]!) + (v === EOS ? 0 : model.weights[v - 1]! / beta + next);
    }
    const max = Math.max(...logits);
    let sum = 0;
    for (let v = 0; v < VOCAB; v++) sum += Math.exp(logits[v]! - max);
    for (let v = 0; v < VOCAB; v++) out[t * VOCAB + v] = Math.exp(logits[v]! - max) / sum;
    next = max + Math.log(sum);
  }
  return out;
}

/** Settings of one PPO run. */
export interface PPORunSettings {
  model: RewardModel;
  controller: KLController;
  steps: number;
  batchSize: number;
  learningRate: number;
  epochs: number;
  recordEvery: number;
  random: Random;
  signal: AbortSignal | undefined;
  onStep?: (step: number) => void;
}

/**
 * PPO as TRL v0.8.6 runs it, on the toy task: sample a batch, per-token rewards −β·KL̂ plus the proxy score
 * at the last token ({@link klPenalizedRewards}), GAE (γ 1, λ 0.95), whitened advantages, `epochs` passes of
 * the clipped policy loss + 0.1 × clipped value loss, then the controller sees the batch's mean sequence KL.
 */
export async function trainPPO(settings: PPORunSettings): Promise<TrainingPoint[]> {
  const { model, controller, steps, batchSize, epochs, recordEvery, random, signal } = settings;
  const refLogitsValues = referenceLogits();
  const refProbs = softmaxRows(refLogitsValues);
  const refLogits = tf.tensor2d(refLogitsValues, [MAX_LENGTH, VOCAB]);
  const policy = tf.tidy(() => tf.variable(tf.tensor2d(refLogitsValues, [MAX_LENGTH, VOCAB]), true));
  const valueHead = tf.tidy(() => tf.variable(tf.zeros([1, MAX_LENGTH]), true));
  const optimizer = tf.train.adam(settings.learningRate);
  const ones = tf.ones([batchSize, 1]);
  const points: TrainingPoint[] = [];
  try {
    for (let step = 0; ; step++) {
      throwIfAborted(signal);
      const probs = await readProbs(policy);
      if (step % recordEvery === 0 || step === steps) points.push(pointOf(probs, refProbs, model, step, controller.value));
      if (step === steps) break;
      const sequences: Sequence[] = sampleSequences(probs, batchSize, random);
      const { tokens, mask } = encodeBatch(sequences);
      const scores = tf.tensor1d(sequences.map((s) => proxyScore(model, s)));
      const beta = controller.value;
      const [oldLogprobs, advantages, returns, oldValues, meanKL] = tf.tidy(() => {
        const old = tokenLogprobs(policy, tokens);
        const ref = tokenLogprobs(refLogits, tokens);
        const rewards = klPenalizedRewards({ logprobs: old, refLogprobs: ref, scores, mask, beta });
        const values = tf.mul<tf.Tensor2D>(ones, valueHead);
        const estimate = gae({ rewards, values, mask, gamma: 1, lambda: 0.95 });
        const whitened = whiten(estimate.advantages, { mask }) as tf.Tensor2D;
        const kl = tf.mean(tf.sum(tf.mul(klEstimate(old, ref, 'k1'), mask), 1));
        return [old, whitened, estimate.returns, values, kl] as const;
      });
      for (let epoch = 0; epoch < epochs; epoch++) {
        optimizer.minimize(() => {
          const logprobs = tokenLogprobs(policy, tokens);
          const values = tf.mul<tf.Tensor2D>(ones, valueHead);
          const { loss } = ppoPolicyLoss({ logprobs, oldLogprobs, advantages, mask });
          const valueLoss = ppoValueLoss({ values, oldValues, returns, mask });
          return tf.add<tf.Scalar>(loss, tf.mul(valueLoss, 0.1));
        });
      }
      const klValue = (await meanKL.data())[0]!;
      tf.dispose([tokens, mask, scores, oldLogprobs, advantages, returns, oldValues, meanKL]);
      controller.update(klValue, batchSize);
      settings.onStep?.(step + 1);
    }
  } finally {
    tf.dispose([refLogits, policy, valueHead, ones]);
    optimizer.dispose();
  }
  return points;
}

/** Settings of one DPO run. */
export interface DPORunSettings {
  model: RewardModel;
  pairs: readonly { chosen: Sequence; rejected: Sequence }[];
  beta: number;
  steps: number;
  learningRate: number;
  recordEvery: number;
  signal: AbortSignal | undefined;
  onStep?: (step: number) => void;
}

/** Offline DPO (sigmoid loss) on the preference pairs, full batch, Adam; the reward model only measures. */
export async function trainDPO(settings: DPORunSettings): Promise<TrainingPoint[]> {
  const { model, pairs, beta, steps, recordEvery, signal } = settings;
  const refLogitsValues = referenceLogits();
  const refProbs = softmaxRows(refLogitsValues);
  const policy = tf.tidy(() => tf.variable(tf.tensor2d(refLogitsValues, [MAX_LENGTH, VOCAB]), true));
  const chosen = encodeBatch(pairs.map((p) => p.chosen));
  const rejected = encodeBatch(pairs.map((p) => p.rejected));
  const sequenceLogps = (logits: tf.Tensor2D, batch: { tokens: tf.Tensor2D; mask: tf.Tensor2D }): tf.Tensor1D =>
    tf.sum(tf.mul(tokenLogprobs(logits, batch.tokens), batch.mask), 1);
  const [refChosen, refRejected] = tf.tidy(() => {
    const refLogits = tf.tensor2d(refLogitsValues, [MAX_LENGTH, VOCAB]);
    return [sequenceLogps(refLogits, chosen), sequenceLogps(refLogits, rejected)];
  });
  const optimizer = tf.train.adam(settings.learningRate);
  const points: TrainingPoint[] = [];
  try {
    for (let step = 0; ; step++) {
      throwIfAborted(signal);
      if (step % recordEvery === 0 || step === steps) points.push(pointOf(await readProbs(policy), refProbs, model, step, beta));
      if (step === steps) break;
      optimizer.minimize(
        () =>
          dpoLoss({
            policyChosenLogps: sequenceLogps(policy, chosen),
            policyRejectedLogps: sequenceLogps(policy, rejected),
            refChosenLogps: refChosen,
            refRejectedLogps: refRejected,
            beta,
          }).loss,
      );
      settings.onStep?.(step + 1);
    }
  } finally {
    tf.dispose([policy, chosen.tokens, chosen.mask, rejected.tokens, rejected.mask, refChosen, refRejected]);
    optimizer.dispose();
  }
  return points;
}
