import * as tf from '@tensorflow/tfjs';
import { DEFAULT_BALANCE_COEFFICIENT, DEFAULT_Z_LOSS_COEFFICIENT } from '@prep/moe';
import type { TinyLM } from './model.js';
import { SeededRandom } from './random.js';

/** Options of {@link train}. */
export interface TrainOptions {
  /** Optimizer steps. Default 600. */
  steps?: number;
  /** Sequences per batch. Default 16. */
  batchSize?: number;
  /** Tokens per sequence (≤ the model's maxPositions). Default min(128, maxPositions). */
  seqLen?: number;
  /** Peak Adam learning rate (linear warm-up over 5 % of the steps, cosine decay to 10 %). Default 3e-3. */
  learningRate?: number;
  /** Weight of the Switch load-balancing loss. Default 1e-2 (`DEFAULT_BALANCE_COEFFICIENT`). */
  balanceCoefficient?: number;
  /** Weight of the router z-loss. Default 1e-3 (`DEFAULT_Z_LOSS_COEFFICIENT`). */
  zLossCoefficient?: number;
  /** Clip the global gradient norm to this (0 = no clipping). Default 1. */
  clipNorm?: number;
  /** Seed of the batch positions. Default 0. */
  seed?: number;
  /** Held-out tokens for the validation loss (evaluated every `evalEvery` steps and at the end). */
  validationTokens?: Int32Array;
  /** Steps between validation losses. Default max(1, steps / 10). */
  evalEvery?: number;
  /** Validation windows of seqLen tokens (evenly spaced over validationTokens). Default 32. */
  evalWindows?: number;
  /** Called after every step with the step's numbers (may return a promise, awaited). */
  onProgress?: (progress: TrainProgress) => void | Promise<void>;
  /** Stops after the current step when aborted; the result then has `aborted: true`. */
  signal?: AbortSignal;
}

/** One step's numbers, as {@link TrainOptions.onProgress} receives them (plot-ready). */
export interface TrainProgress {
  /** Steps done (1-based). */
  step: number;
  /** Steps planned. */
  steps: number;
  /** The objective: crossEntropy + balance·auxLoss + z·zLoss. */
  loss: number;
  /** Next-token cross-entropy in nats per character. */
  crossEntropy: number;
  /** Switch load-balancing loss (mean over blocks; k = 2 when balanced, HF's convention). */
  auxLoss: number;
  /** Router z-loss (mean over blocks). */
  zLoss: number;
  /** Learning rate of this step. */
  learningRate: number;
  /** Training tokens per second so far. */
  tokensPerSecond: number;
  /** Time since the start. */
  elapsedMs: number;
  /** Estimated time to the last step. */
  etaMs: number;
  /** Per block, each expert's share of this step's router assignments (sums to 1 per block). */
  expertShare: number[][];
  /** Fraction of assignments dropped by expert capacity in this step. */
  droppedFraction: number;
  /** Validation cross-entropy (nats per character) when evaluated at this step, else null. */
  validationLoss: number | null;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** Steps run. */
  steps: number;
  /** Every step's numbers. */
  history: TrainProgress[];
  /** Mean cross-entropy of the last 10 % of steps (training batches). */
  finalCrossEntropy: number;
  /** Validation cross-entropy at the end, or null without validation tokens. */
  validationLoss: number | null;
  /** Training tokens per second over the run. */
  tokensPerSecond: number;
  /** Wall time of the run. */
  elapsedMs: number;
  /** Whether the signal stopped the run early. */
  aborted: boolean;
}

/** Adam whose learning rate a schedule can set between steps. */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(value: number): void {
    this.learningRate = value;
  }
}

const FN = 'train';

function intOption(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${FN}: 'options.${name}' must be a number; got ${typeof value}`);
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${FN}: 'options.${name}' must be an integer ≥ ${min}; got ${value}`);
  return value;
}

function numberOption(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${FN}: 'options.${name}' must be a number; got ${typeof value}`);
  if (!Number.isFinite(value) || value < min) throw new RangeError(`${FN}: 'options.${name}' must be a finite number ≥ ${min}; got ${value}`);
  return value;
}

function checkTokens(tokens: unknown, name: string, vocabSize: number, minLength: number): Int32Array {
  if (!(tokens instanceof Int32Array)) throw new TypeError(`${FN}: '${name}' must be an Int32Array of token ids; got ${String(tokens)}`);
  if (tokens.length < minLength) throw new RangeError(`${FN}: '${name}' must hold at least ${minLength} tokens (seqLen + 1); got ${tokens.length}`);
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]! < 0 || tokens[i]! >= vocabSize) throw new RangeError(`${FN}: '${name}[${i}]' must be a token id in [0, ${vocabSize}); got ${tokens[i]}`);
  }
  return tokens;
}

/** Mean next-token cross-entropy of logits `[B, T, V]` against int32 targets `[B, T]`. */
function crossEntropy(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [b, t, v] = logits.shape;
    const logProbs = tf.logSoftmax(tf.reshape(logits, [b * t, v]));
    return tf.neg(tf.mean(tf.sum(tf.mul(logProbs, tf.oneHot(tf.reshape(targets, [b * t]), v)), 1))) as tf.Scalar;
  });
}

function windows(tokens: Int32Array, starts: readonly number[], seqLen: number): { inputs: tf.Tensor2D; targets: tf.Tensor2D } {
  const x = new Int32Array(starts.length * seqLen);
  const y = new Int32Array(starts.length * seqLen);
  starts.forEach((s, i) => {
    x.set(tokens.subarray(s, s + seqLen), i * seqLen);
    y.set(tokens.subarray(s + 1, s + 1 + seqLen), i * seqLen);
  });
  return { inputs: tf.tensor2d(x, [starts.length, seqLen], 'int32'), targets: tf.tensor2d(y, [starts.length, seqLen], 'int32') };
}

/**
 * Mean next-token cross-entropy (nats per token) of the model on fixed windows of `tokens`, at inference
 * (no jitter, no capacity dropping).
 *
 * @param model - the model
 * @param tokens - token ids, at least seqLen + 1
 * @param options - `seqLen` (default min(128, maxPositions)), `windows` (default 32, evenly spaced), `batchSize` (default 16)
 * @returns a promise of the loss in nats
 * @throws TypeError / RangeError for bad tokens or options
 * @example
 * ```ts
 * const nats = await evaluate(model, tokenizer.encode(validationText));
 * ```
 */
export async function evaluate(model: TinyLM, tokens: Int32Array, options: { seqLen?: number; windows?: number; batchSize?: number } = {}): Promise<number> {
  const seqLen = intOption(options.seqLen, 'seqLen', Math.min(128, model.config.maxPositions), 1);
  checkTokens(tokens, 'tokens', model.config.vocabSize, seqLen + 1);
  const count = intOption(options.windows, 'windows', 32, 1);
  const batchSize = intOption(options.batchSize, 'batchSize', 16, 1);
  const span = tokens.length - seqLen - 1;
  const starts = Array.from({ length: count }, (_, i) => (count === 1 ? 0 : Math.round((i * span) / (count - 1))));
  let total = 0;
  for (let i = 0; i < starts.length; i += batchSize) {
    const part = starts.slice(i, i + batchSize);
    const { inputs, targets } = windows(tokens, part, seqLen);
    const { logits, auxLoss, zLoss } = model.forward(inputs);
    const ce = crossEntropy(logits, targets);
    total += (await ce.data())[0]! * part.length;
    tf.dispose([inputs, targets, logits, auxLoss, zLoss, ce]);
  }
  return total / starts.length;
}

/**
 * Cross-entropy (nats per token) of the unigram model fitted on `trainTokens` (add-one smoothing),
 * measured on `evalTokens`: the baseline a language model must beat.
 *
 * @param trainTokens - token ids the frequencies are counted on
 * @param evalTokens - token ids it is scored on
 * @param vocabSize - number of token ids
 * @returns the loss in nats
 * @throws TypeError / RangeError for bad tokens
 * @example
 * ```ts
 * unigramCrossEntropy(Int32Array.of(0, 0, 1), Int32Array.of(0, 1), 2); // −(ln 0.6 + ln 0.4) / 2 ≈ 0.714
 * ```
 */
export function unigramCrossEntropy(trainTokens: Int32Array, evalTokens: Int32Array, vocabSize: number): number {
  if (typeof vocabSize !== 'number' || !Number.isInteger(vocabSize) || vocabSize < 1) {
    throw new RangeError(`unigramCrossEntropy: 'vocabSize' must be a positive integer; got ${String(vocabSize)}`);
  }
  for (const [name, t] of [['trainTokens', trainTokens], ['evalTokens', evalTokens]] as const) {
    if (!(t instanceof Int32Array)) throw new TypeError(`unigramCrossEntropy: '${name}' must be an Int32Array; got ${String(t)}`);
    for (let i = 0; i < t.length; i++) {
      if (t[i]! < 0 || t[i]! >= vocabSize) throw new RangeError(`unigramCrossEntropy: '${name}[${i}]' must be in [0, ${vocabSize}); got ${t[i]}`);
    }
  }
  if (evalTokens.length === 0) throw new RangeError(`unigramCrossEntropy: 'evalTokens' must not be empty`);
  const counts = new Float64Array(vocabSize).fill(1);
  for (const t of trainTokens) counts[t]!++;
  const total = trainTokens.length + vocabSize;
  let nats = 0;
  for (const t of evalTokens) nats -= Math.log(counts[t]! / total);
  return nats / evalTokens.length;
}

/**
 * Trains a {@link TinyLM} on a token stream with Adam: random windows of `seqLen + 1` tokens (seeded),
 * the objective `crossEntropy + balance·auxLoss + z·zLoss` with the MoE layers' Switch load-balancing
 * and router z-losses, gradient clipping by global norm, warm-up then cosine decay. Runs on whatever
 * backend is active (wasm is the fast one in Node); no Node APIs, so it runs in a browser too.
 *
 * @param model - the model to train (its variables are updated in place)
 * @param tokens - training token ids, at least seqLen + 1
 * @param options - steps, sizes, learning rate, loss weights, seed, validation, callbacks (see {@link TrainOptions})
 * @returns a promise of the history and final numbers ({@link TrainResult})
 * @throws TypeError / RangeError for bad tokens or options (before any step)
 * @example
 * ```ts
 * import { TinyLM, CharTokenizer, generateFables, train } from '@prep/example-tiny-lm';
 * const tokenizer = new CharTokenizer();
 * const tokens = tokenizer.encode(generateFables({ targetChars: 20_000 }));
 * const model = new TinyLM({ maxPositions: 64 });
 * const result = await train(model, tokens, { steps: 20, seqLen: 64, onProgress: (p) => console.log(p.step, p.loss) });
 * ```
 */
export async function train(model: TinyLM, tokens: Int32Array, options: TrainOptions = {}): Promise<TrainResult> {
  if (options === null || typeof options !== 'object') throw new TypeError(`${FN}: 'options' must be an object; got ${String(options)}`);
  const { vocabSize, maxPositions } = model.config;
  const steps = intOption(options.steps, 'steps', 600, 1);
  const batchSize = intOption(options.batchSize, 'batchSize', 16, 1);
  const seqLen = intOption(options.seqLen, 'seqLen', Math.min(128, maxPositions), 1);
  if (seqLen > maxPositions) throw new RangeError(`${FN}: 'options.seqLen' must be at most the model's maxPositions (${maxPositions}); got ${seqLen}`);
  const peakRate = numberOption(options.learningRate, 'learningRate', 3e-3, 0);
  const balance = numberOption(options.balanceCoefficient, 'balanceCoefficient', DEFAULT_BALANCE_COEFFICIENT, 0);
  const zWeight = numberOption(options.zLossCoefficient, 'zLossCoefficient', DEFAULT_Z_LOSS_COEFFICIENT, 0);
  const clipNorm = numberOption(options.clipNorm, 'clipNorm', 1, 0);
  const seed = intOption(options.seed, 'seed', 0, 0);
  const evalEvery = intOption(options.evalEvery, 'evalEvery', Math.max(1, Math.floor(steps / 10)), 1);
  const evalWindows = intOption(options.evalWindows, 'evalWindows', 32, 1);
  checkTokens(tokens, 'tokens', vocabSize, seqLen + 1);
  const validation = options.validationTokens === undefined ? null : checkTokens(options.validationTokens, 'options.validationTokens', vocabSize, seqLen + 1);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new TypeError(`${FN}: 'options.onProgress' must be a function`);

  const rng = new SeededRandom(seed);
  const optimizer = new ScheduledAdam(peakRate, 0.9, 0.99, 1e-8);
  const weights = model.trainableWeights;
  const warmup = Math.max(1, Math.round(0.05 * steps));
  const rateAt = (step: number): number => {
    if (step < warmup) return (peakRate * (step + 1)) / warmup;
    const progress = (step - warmup) / Math.max(1, steps - warmup);
    return peakRate * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress)));
  };
  const history: TrainProgress[] = [];
  const start = performance.now();
  let aborted = false;
  let validationLoss: number | null = null;
  try {
    for (let step = 0; step < steps; step++) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      const starts = Array.from({ length: batchSize }, () => rng.int(tokens.length - seqLen));
      const { inputs, targets } = windows(tokens, starts, seqLen);
      const rate = rateAt(step);
      optimizer.setLearningRate(rate);
      let routed: number[][] = [];
      let dropped = 0;
      let parts: tf.Tensor1D | null = null;
      const { grads, value } = tf.variableGrads(() => {
        const out = model.forward(inputs, { training: true });
        routed = out.routedCounts;
        dropped = out.droppedTokens;
        const ce = crossEntropy(out.logits, targets);
        const total = tf.addN([ce, tf.mul(out.auxLoss, balance), tf.mul(out.zLoss, zWeight)]) as tf.Scalar;
        parts = tf.keep(tf.stack([total, ce, out.auxLoss, out.zLoss]) as tf.Tensor1D);
        return total;
      }, weights);
      tf.tidy(() => {
        // tfjs's Adam keys its moment estimates by position in this map, so every step must list every
        // variable in the same order: an expert that no token reached in this batch gets a zero gradient.
        let scaled: Record<string, tf.Tensor> = Object.fromEntries(weights.map((w) => [w.name, grads[w.name] ?? tf.zerosLike(w)]));
        if (clipNorm > 0) {
          const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
          const factor = tf.minimum(1, tf.div(clipNorm, tf.add(norm, 1e-6)));
          scaled = Object.fromEntries(Object.entries(scaled).map(([k, g]) => [k, tf.mul(g, factor)]));
        }
        optimizer.applyGradients(scaled as Parameters<ScheduledAdam["applyGradients"]>[0]);
      });
      const [loss, ce, aux, z] = Array.from(await (parts as unknown as tf.Tensor1D).data());
      tf.dispose([inputs, targets, value, parts as unknown as tf.Tensor, ...Object.values(grads)]);
      const elapsedMs = performance.now() - start;
      const done = step + 1;
      const evaluateNow = validation !== null && (done % evalEvery === 0 || done === steps);
      if (evaluateNow) validationLoss = await evaluate(model, validation, { seqLen, windows: evalWindows });
      const assignments = routed.map((counts) => counts.reduce((a, b) => a + b, 0));
      const progress: TrainProgress = {
        step: done,
        steps,
        loss: loss!,
        crossEntropy: ce!,
        auxLoss: aux!,
        zLoss: z!,
        learningRate: rate,
        tokensPerSecond: (done * batchSize * seqLen) / (elapsedMs / 1000),
        elapsedMs,
        etaMs: (elapsedMs / done) * (steps - done),
        expertShare: routed.map((counts, l) => counts.map((c) => c / Math.max(1, assignments[l]!))),
        droppedFraction: dropped / Math.max(1, assignments.reduce((a, b) => a + b, 0)),
        validationLoss: evaluateNow ? validationLoss : null,
      };
      history.push(progress);
      await options.onProgress?.(progress);
    }
  } finally {
    optimizer.dispose();
  }
  const elapsedMs = performance.now() - start;
  const tail = history.slice(-Math.max(1, Math.ceil(history.length / 10)));
  return {
    steps: history.length,
    history,
    finalCrossEntropy: tail.reduce((a, p) => a + p.crossEntropy, 0) / Math.max(1, tail.length),
    validationLoss,
    tokensPerSecond: (history.length * batchSize * seqLen) / (elapsedMs / 1000),
    elapsedMs,
    aborted,
  };
}
