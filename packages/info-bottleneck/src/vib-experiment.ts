import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentProgress } from './information-plane-experiment.js';
import { nuisanceMixtureDataset } from './internal/datasets.js';
import { accuracy, checkAborted, createMlp, forward, variablesOf, yieldToEventLoop } from './internal/mlp.js';
import { SeededRandom } from './internal/random.js';
import { arrayOption, got, numberOption, optionsObject } from './internal/validate.js';
import { reparameterize } from './reparameterize.js';
import { vibLoss } from './vib-loss.js';

/** Options of {@link vibExperiment}; every field has a browser-sized default. */
export interface VibExperimentOptions {
  /** Seed of the data, the weights, the minibatches and the noise ε (default 1). */
  seed?: number;
  /** The β values to train with, one model each (default `[1e-4, 1e-3, 1e-2, 1e-1, 0.3, 1]`). */
  betas?: readonly number[];
  /** Training epochs per β (default 30). */
  epochs?: number;
  /** Dimension of z (default 2). */
  latentDim?: number;
  /** Width of the encoder's hidden ReLU layer (default 32). */
  hiddenSize?: number;
  /** Adam learning rate (default 0.01). */
  learningRate?: number;
  /** Minibatch size (default 128). */
  batchSize?: number;
  /** Training rows (default 1024). */
  trainSize?: number;
  /** Test rows (default 1024). */
  testSize?: number;
  /** Called after each epoch. */
  onProgress?: (progress: ExperimentProgress) => void;
  /** Stops the run (the returned Promise rejects with the signal's reason; every tensor is released). */
  signal?: AbortSignal;
}

/** The trained model for one β, measured on the test set. */
export interface VibExperimentRow {
  beta: number;
  trainAccuracy: number;
  /** Accuracy of the decoder applied to μ(x). */
  testAccuracy: number;
  /** Upper bound on I(Z;X): the mean KL(q(z|x) ‖ N(0, I)) over the test set, in bits. */
  iZXUpper: number;
  /** Lower bound on I(Z;Y): H(Y) − cross-entropy of the decoder on sampled z, over the test set, in bits. */
  iZYLower: number;
  /** Test cross-entropy with sampled z (nats) and the final training loss (nats). */
  crossEntropy: number;
  finalLoss: number;
  /** Training loss (nats) after each epoch. */
  lossHistory: number[];
}

/** Plot-ready result of {@link vibExperiment}. */
export interface VibExperimentResult {
  experiment: 'vib';
  config: Required<Omit<VibExperimentOptions, 'onProgress' | 'signal'>>;
  dataset: { name: string; features: number; informative: number; classes: number; hYBits: number };
  rows: VibExperimentRow[];
  timeMs: number;
}

const FN = 'vibExperiment';

function resolve(options: unknown) {
  const o = optionsObject<VibExperimentOptions>(options, FN);
  const betas = arrayOption(o.betas ?? [1e-4, 1e-3, 1e-2, 1e-1, 0.3, 1], FN, 'options.betas').map((b, i) => numberOption(b, FN, `options.betas[${i}]`, { min: 0 }));
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new TypeError(`${FN}: 'options.onProgress' must be a function; got ${got(o.onProgress)}`);
  const int = (v: unknown, name: string, fallback: number, min: number) => (v === undefined ? fallback : numberOption(v, FN, `options.${name}`, { integer: true, min }));
  return {
    config: {
      seed: o.seed === undefined ? 1 : numberOption(o.seed, FN, 'options.seed', { integer: true }),
      betas: betas as readonly number[],
      epochs: int(o.epochs, 'epochs', 30, 1),
      latentDim: int(o.latentDim, 'latentDim', 2, 1),
      hiddenSize: int(o.hiddenSize, 'hiddenSize', 32, 1),
      learningRate: o.learningRate === undefined ? 0.01 : numberOption(o.learningRate, FN, 'options.learningRate', { positive: true }),
      batchSize: int(o.batchSize, 'batchSize', 128, 1),
      trainSize: int(o.trainSize, 'trainSize', 1024, 2),
      testSize: int(o.testSize, 'testSize', 1024, 2),
    },
    onProgress: o.onProgress,
    signal: o.signal,
  };
}

/**
 * A deep VIB classifier (Alemi et al.) trained once per β on a synthetic 4-class task whose inputs carry 6
 * nuisance dimensions of pure noise besides 4 informative ones: the encoder x → 32 ReLU → (μ, log σ²) of z,
 * z = μ + σ·ε, a linear softmax decoder, loss = cross-entropy + β·KL (see {@link vibLoss}). For each β it
 * reports test accuracy and the two variational bounds the loss optimises, I(Z;X) ≤ E[KL] and
 * I(Z;Y) ≥ H(Y) − CE (in bits, on the test set): as β grows, the encoder keeps fewer bits of X and, past
 * some point, loses bits about Y too.
 *
 * Runs on the active backend and needs gradients (in Node, import the umbrella `@tensorflow/tfjs`). The
 * defaults are sized for a browser tab; all randomness comes from `seed`.
 *
 * @param options - see {@link VibExperimentOptions}; all optional
 * @returns a Promise of a {@link VibExperimentResult}, one row per β
 * @throws TypeError/RangeError (as a rejected Promise) for bad options; the signal's reason when aborted
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { vibExperiment } from '@prep/info-bottleneck';
 * const { rows } = await vibExperiment({ betas: [1e-3, 1], epochs: 10 });
 * rows.map((r) => [r.beta, r.testAccuracy, r.iZXUpper, r.iZYLower]);
 * ```
 */
export async function vibExperiment(options?: VibExperimentOptions): Promise<VibExperimentResult> {
  const { config, onProgress, signal } = resolve(options);
  checkAborted(signal);
  const started = performance.now();
  const features = 10;
  const informative = 4;
  const classes = 4;
  const train = nuisanceMixtureDataset(config.trainSize, config.seed, { features, informative, classes });
  const test = nuisanceMixtureDataset(config.testSize, config.seed + 7919, { features, informative, classes });
  const counts = new Array<number>(classes).fill(0);
  for (const y of test.labels) counts[y]! += 1;
  const hYBits = -counts.reduce((s, c) => (c ? s + (c / test.rows) * Math.log2(c / test.rows) : s), 0);

  const rows: VibExperimentRow[] = [];
  const xTrain = tf.tensor2d(train.inputs, [train.rows, features]);
  const yTrain = tf.tensor1d(train.labels, 'int32');
  const xTest = tf.tensor2d(test.inputs, [test.rows, features]);
  const yTest = tf.tensor1d(test.labels, 'int32');
  try {
    for (const [betaIndex, beta] of config.betas.entries()) {
      const random = new SeededRandom(config.seed * 1000003 + betaIndex);
      // Encoder x → hidden (ReLU) → 2·latent; decoder z → classes. Same seed layout for every β.
      const encoder = createMlp([features, config.hiddenSize, 2 * config.latentDim], new SeededRandom(config.seed));
      const decoder = createMlp([config.latentDim, classes], new SeededRandom(config.seed + 1));
      const optimizer = tf.train.adam(config.learningRate);
      const vars = [...variablesOf(encoder), ...variablesOf(decoder)];
      const encode = (x: tf.Tensor2D) => {
        const out = forward(encoder, x, 'relu').logits;
        return {
          mean: tf.slice(out, [0, 0], [-1, config.latentDim]),
          logVariance: tf.slice(out, [0, config.latentDim], [-1, config.latentDim]),
        };
      };
      const decode = (z: tf.Tensor2D) => forward(decoder, z, 'relu').logits; // one linear layer: no activation applies
      const lossHistory: number[] = [];
      let noiseSeed = Math.floor(random.uniform() * 2 ** 30);
      try {
        for (let epoch = 1; epoch <= config.epochs; epoch++) {
          const perm = random.permutation(train.rows);
          let total = 0;
          let batches = 0;
          for (let start = 0; start < train.rows; start += config.batchSize) {
            const idx = perm.subarray(start, Math.min(train.rows, start + config.batchSize));
            const cost = tf.tidy(() => {
              const indices = tf.tensor1d(idx, 'int32');
              const xb = tf.gather(xTrain, indices);
              const yb = tf.gather(yTrain, indices);
              const seed = noiseSeed++;
              const lossOf = () => {
                const { mean, logVariance } = encode(xb);
                return vibLoss({ mean, logVariance, logits: decode(reparameterize(mean, logVariance, seed)), labels: yb, beta }).loss;
              };
              return optimizer.minimize(lossOf, true, vars) as tf.Scalar; // returnCost = true: never null
            });
            total += (await cost.data())[0]!;
            cost.dispose();
            batches++;
          }
          lossHistory.push(total / batches);
          checkAborted(signal);
          onProgress?.({ stage: `β = ${beta}`, epoch, epochs: config.epochs, fraction: (betaIndex + epoch / config.epochs) / config.betas.length });
          await yieldToEventLoop();
        }
        const measured = tf.tidy(() => {
          const { mean, logVariance } = encode(xTest);
          const sampled = vibLoss({ mean, logVariance, logits: decode(reparameterize(mean, logVariance, noiseSeed)), labels: yTest, beta });
          return { testLogits: decode(mean), trainLogits: decode(encode(xTrain).mean), crossEntropy: sampled.crossEntropy, kl: sampled.kl };
        });
        const [ce, kl] = [(await measured.crossEntropy.data())[0]!, (await measured.kl.data())[0]!];
        rows.push({
          beta,
          trainAccuracy: await accuracy(measured.trainLogits, train.labels),
          testAccuracy: await accuracy(measured.testLogits, test.labels),
          iZXUpper: kl / Math.LN2,
          iZYLower: hYBits - ce / Math.LN2,
          crossEntropy: ce,
          finalLoss: lossHistory.at(-1)!,
          lossHistory,
        });
        tf.dispose(measured);
      } finally {
        tf.dispose(vars);
        optimizer.dispose();
      }
    }
  } finally {
    tf.dispose([xTrain, yTrain, xTest, yTest]);
  }
  return {
    experiment: 'vib',
    config,
    dataset: { name: 'nuisance Gaussian mixture', features, informative, classes, hYBits },
    rows,
    timeMs: performance.now() - started,
  };
}
