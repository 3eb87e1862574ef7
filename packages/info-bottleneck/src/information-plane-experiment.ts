import * as tf from '@tensorflow/tfjs-core';
import { InformationPlaneTracker, type InformationPlaneJSON } from './information-plane-tracker.js';
import { subset, twelveBitDataset } from './internal/datasets.js';
import { accuracy, checkAborted, createMlp, crossEntropy, forward, variablesOf, yieldToEventLoop, type Activation } from './internal/mlp.js';
import { SeededRandom } from './internal/random.js';
import { arrayOption, got, numberOption, optionsObject } from './internal/validate.js';

/** Options of {@link informationPlaneExperiment}; every field has a browser-sized default. */
export interface InformationPlaneExperimentOptions {
  /** Seed of the initial weights, the train/test split, the MI rows and the minibatches (default 1). */
  seed?: number;
  /** Hidden nonlinearities to compare, each trained from the same initial weights (default `['tanh', 'relu']`). */
  activations?: readonly Activation[];
  /** Hidden layer widths (default `[10, 7, 5, 4, 3]`, Shwartz-Ziv & Tishby's network); the output has 2 units. */
  hiddenSizes?: readonly number[];
  /** Training epochs (default 600). */
  epochs?: number;
  /** Adam learning rate (default 0.005). */
  learningRate?: number;
  /** Minibatch size (default 0 = the whole training set, i.e. full-batch gradient descent). */
  batchSize?: number;
  /** Fraction of the 4096 inputs used for training (default 0.8); the rest measure test accuracy. */
  trainFraction?: number;
  /** Number of epochs at which MI is measured, log-spaced from 0 to `epochs` (default 12). */
  records?: number;
  /** Rows (of the 4096 inputs, drawn once from the seed) the estimators see (default 1024; 4096 = all). */
  miSamples?: number;
  /** Number of bin edges for both binned estimators (default 30, as IDNNs). */
  bins?: number;
  /** σ² of the KDE estimator (default 1e-3, as Saxe et al. for this network). */
  noiseVariance?: number;
  /** Called after each recorded epoch. */
  onProgress?: (progress: ExperimentProgress) => void;
  /** Stops the run (the returned Promise rejects with the signal's reason; every tensor is released). */
  signal?: AbortSignal;
}

/** What {@link InformationPlaneExperimentOptions.onProgress} receives. */
export interface ExperimentProgress {
  /** Which part runs, e.g. `'tanh'` or `'β = 0.01'`. */
  stage: string;
  epoch: number;
  epochs: number;
  /** Overall completion in [0, 1]. */
  fraction: number;
}

/** How much one layer's I(X;T) fell after its peak, under one estimator. */
export interface CompressionRow {
  activation: Activation;
  series: string;
  layer: number;
  peakIXT: number;
  peakEpoch: number;
  finalIXT: number;
  /** peakIXT − finalIXT (bits). */
  drop: number;
  /** drop ≥ max(0.1 bit, 5 % of the peak). */
  compressed: boolean;
  finalITY: number;
}

/** One line of {@link InformationPlaneExperimentResult.summary}. */
export interface InformationPlaneSummaryRow {
  activation: Activation;
  series: string;
  hiddenLayersCompressed: number;
  hiddenLayers: number;
  hiddenMeanDrop: number;
  hiddenMaxDrop: number;
  outputDrop: number;
}

/** One activation's run. */
export interface InformationPlaneRun {
  activation: Activation;
  /** At each recorded epoch: training loss (nats) and accuracies. */
  training: { epochs: number[]; loss: number[]; trainAccuracy: number[]; testAccuracy: number[] };
  /** The tracker's output: per layer (hidden layers, then the softmax output), per series, per epoch. */
  plane: InformationPlaneJSON;
  compression: CompressionRow[];
  timeMs: number;
}

/** Plot-ready result of {@link informationPlaneExperiment}. */
export interface InformationPlaneExperimentResult {
  experiment: 'information-plane';
  config: Required<Omit<InformationPlaneExperimentOptions, 'onProgress' | 'signal'>>;
  dataset: { name: string; inputs: number; positives: number; train: number; test: number; miRows: number };
  /** Series: `binned` (fixed [−1, 1] range as IDNNs), `binnedAuto` (range adapted per record), `kde.upper`, `kde.lower`. */
  series: string[];
  runs: InformationPlaneRun[];
  /**
   * Per activation and series: how many hidden layers compressed, their mean and largest drop of I(X;T)
   * after its peak (bits), and the drop of the softmax output layer (which falls towards H(Y) for either
   * activation once the classifier is confident, so it is reported apart).
   */
  summary: InformationPlaneSummaryRow[];
}

const FN = 'informationPlaneExperiment';

function resolve(options: unknown) {
  const o = optionsObject<InformationPlaneExperimentOptions>(options, FN);
  const activations = arrayOption(o.activations ?? ['tanh', 'relu'], FN, 'options.activations').map((a, i) => {
    if (a !== 'tanh' && a !== 'relu') throw new RangeError(`${FN}: 'options.activations[${i}]' must be 'tanh' or 'relu'; got ${got(a)}`);
    return a;
  });
  const hiddenSizes = arrayOption(o.hiddenSizes ?? [10, 7, 5, 4, 3], FN, 'options.hiddenSizes').map((h, i) =>
    numberOption(h, FN, `options.hiddenSizes[${i}]`, { integer: true, min: 1 }),
  );
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new TypeError(`${FN}: 'options.onProgress' must be a function; got ${got(o.onProgress)}`);
  const trainFraction = o.trainFraction === undefined ? 0.8 : numberOption(o.trainFraction, FN, 'options.trainFraction', { positive: true });
  if (trainFraction >= 1) throw new RangeError(`${FN}: 'options.trainFraction' must be below 1; got ${trainFraction}`);
  const miSamples = o.miSamples === undefined ? 1024 : numberOption(o.miSamples, FN, 'options.miSamples', { integer: true, min: 2 });
  if (miSamples > 4096) throw new RangeError(`${FN}: 'options.miSamples' must be at most 4096; got ${miSamples}`);
  return {
    seed: o.seed === undefined ? 1 : numberOption(o.seed, FN, 'options.seed', { integer: true }),
    activations: activations as readonly Activation[],
    hiddenSizes: hiddenSizes as readonly number[],
    epochs: o.epochs === undefined ? 600 : numberOption(o.epochs, FN, 'options.epochs', { integer: true, min: 1 }),
    learningRate: o.learningRate === undefined ? 0.005 : numberOption(o.learningRate, FN, 'options.learningRate', { positive: true }),
    batchSize: o.batchSize === undefined ? 0 : numberOption(o.batchSize, FN, 'options.batchSize', { integer: true, min: 0 }),
    trainFraction,
    records: o.records === undefined ? 12 : numberOption(o.records, FN, 'options.records', { integer: true, min: 2 }),
    miSamples,
    bins: o.bins === undefined ? 30 : numberOption(o.bins, FN, 'options.bins', { integer: true, min: 2 }),
    noiseVariance: o.noiseVariance === undefined ? 1e-3 : numberOption(o.noiseVariance, FN, 'options.noiseVariance', { positive: true }),
    onProgress: o.onProgress,
    signal: o.signal,
  };
}

/**
 * The epochs at which {@link informationPlaneExperiment} measures MI: 0, `epochs`, and about `count − 2`
 * log-spaced epochs between (rounded; duplicates dropped), so early training, where most happens, is
 * sampled densely.
 *
 * @param epochs - the last epoch, a positive integer
 * @param count - the number of epochs wanted (fewer come back when rounding makes some coincide)
 * @returns distinct integers in [0, epochs], ascending, starting with 0 and ending with `epochs`
 * @throws never (callers pass validated integers)
 * @example
 * ```ts
 * import { recordEpochs } from '@prep/info-bottleneck';
 * recordEpochs(600, 12); // [0, 1, 3, 6, 12, 24, 45, 87, 166, 316, 600]
 * ```
 */
export function recordEpochs(epochs: number, count: number): number[] {
  const out = new Set<number>([0, epochs]);
  for (let i = 0; i < count - 1; i++) out.add(Math.round(Math.exp((Math.log(epochs + 1) * i) / Math.max(1, count - 2))) - 1);
  return [...out].filter((e) => e >= 0 && e <= epochs).sort((a, b) => a - b);
}

/** Peak and final I(X;T) of each layer under each series, and whether it fell after the peak. */
function compressionOf(activation: Activation, plane: InformationPlaneJSON): CompressionRow[] {
  const rows: CompressionRow[] = [];
  for (const series of plane.series) {
    plane.bySeries[series]!.forEach((column, layer) => {
      let peak = -Infinity;
      let peakEpoch = 0;
      column.iXT.forEach((v, i) => {
        if (v > peak) {
          peak = v;
          peakEpoch = column.epochs[i]!;
        }
      });
      const finalIXT = column.iXT.at(-1)!;
      const drop = peak - finalIXT;
      rows.push({ activation, series, layer, peakIXT: peak, peakEpoch, finalIXT, drop, compressed: drop >= Math.max(0.1, 0.05 * peak), finalITY: column.iTY.at(-1)! });
    });
  }
  return rows;
}

/**
 * Saxe et al.'s comparison at small scale: the same small network trained with tanh and with ReLU hidden
 * layers on a 12-bit task in the spirit of Shwartz-Ziv & Tishby's, with I(X;T) and I(T;Y) of every layer
 * tracked through training by binning (fixed [−1, 1] range as IDNNs, and a range adapted to the data) and by
 * the KDE upper/lower bounds. Returns plot-ready JSON and, per layer and estimator, how far I(X;T) fell
 * after its peak (the "compression phase" in question).
 *
 * Runs on the active backend and needs gradients (in Node, import the umbrella `@tensorflow/tfjs`). The
 * defaults (600 full-batch Adam epochs, MI on 1024 of the 4096 inputs at 12 epochs) take about a minute on
 * wasm; pass fewer `epochs` and `miSamples` for a quick look. Both activations start from the same initial
 * weights and see the same data.
 *
 * @param options - see {@link InformationPlaneExperimentOptions}; all optional
 * @returns a Promise of an {@link InformationPlaneExperimentResult}
 * @throws TypeError/RangeError (as a rejected Promise) for bad options; the signal's reason when aborted
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { informationPlaneExperiment } from '@prep/info-bottleneck';
 * const result = await informationPlaneExperiment({ epochs: 50, records: 6, miSamples: 256 });
 * result.summary; // per activation and estimator: layers whose I(X;T) fell after its peak
 * ```
 */
export async function informationPlaneExperiment(options?: InformationPlaneExperimentOptions): Promise<InformationPlaneExperimentResult> {
  const { onProgress, signal, ...config } = resolve(options);
  checkAborted(signal);
  const data = twelveBitDataset();
  const random = new SeededRandom(config.seed);
  const order = random.permutation(data.rows);
  const trainRows = Math.max(1, Math.round(config.trainFraction * data.rows));
  const train = subset(data, order.subarray(0, trainRows));
  const test = subset(data, order.subarray(trainRows));
  const miRows = subset(data, random.permutation(data.rows).subarray(0, config.miSamples));
  const initSeed = Math.floor(random.uniform() * 2 ** 31);
  const batchSeed = Math.floor(random.uniform() * 2 ** 31);
  const epochsToRecord = recordEpochs(config.epochs, config.records);
  const sizes = [data.features, ...config.hiddenSizes, data.classes];
  const series = ['binned', 'binnedAuto', 'kde.upper', 'kde.lower'];

  const runs: InformationPlaneRun[] = [];
  for (const [runIndex, activation] of config.activations.entries()) {
    const started = performance.now();
    const mlp = createMlp(sizes, new SeededRandom(initSeed));
    const optimizer = tf.train.adam(config.learningRate);
    const tracker = new InformationPlaneTracker({
      estimators: {
        binned: { kind: 'binned', bins: config.bins, range: [-1, 1] },
        binnedAuto: { kind: 'binned', bins: config.bins, range: 'auto' },
        kde: { kind: 'kde', noiseVariance: config.noiseVariance },
      },
    });
    const xTrain = tf.tensor2d(train.inputs, [train.rows, train.features]);
    const yTrain = tf.tidy(() => tf.oneHot(tf.tensor1d(train.labels, 'int32'), data.classes) as tf.Tensor2D);
    const xTest = tf.tensor2d(test.inputs, [test.rows, test.features]);
    const xMi = tf.tensor2d(miRows.inputs, [miRows.rows, miRows.features]);
    const miLabels = Array.from(miRows.labels);
    const training: InformationPlaneRun['training'] = { epochs: [], loss: [], trainAccuracy: [], testAccuracy: [] };
    const batchRandom = new SeededRandom(batchSeed);
    const batch = config.batchSize === 0 || config.batchSize >= train.rows ? train.rows : config.batchSize;
    try {
      let next = 0;
      for (let epoch = 0; epoch <= config.epochs; epoch++) {
        if (epoch > 0) {
          // One pass over the training set: full batch, or shuffled minibatches.
          const perm = batch === train.rows ? null : batchRandom.permutation(train.rows);
          for (let start = 0; start < train.rows; start += batch) {
            tf.tidy(() => {
              const idx = perm ? tf.tensor1d(perm.subarray(start, Math.min(train.rows, start + batch)), 'int32') : null;
              const xb = idx ? tf.gather(xTrain, idx) : xTrain;
              const yb = idx ? tf.gather(yTrain, idx) : yTrain;
              optimizer.minimize(() => crossEntropy(forward(mlp, xb, activation).logits, yb), false, variablesOf(mlp));
            });
          }
        }
        if (epoch === epochsToRecord[next]) {
          next++;
          checkAborted(signal);
          const { layers, trainLogits, testLogits, loss } = tf.tidy(() => {
            const mi = forward(mlp, xMi, activation);
            const trainOut = forward(mlp, xTrain, activation);
            return {
              layers: [...mi.hidden, tf.softmax(mi.logits)],
              trainLogits: trainOut.logits,
              testLogits: forward(mlp, xTest, activation).logits,
              loss: crossEntropy(trainOut.logits, yTrain),
            };
          });
          tracker.record(epoch, layers, miLabels);
          training.epochs.push(epoch);
          training.loss.push((await loss.data())[0]!);
          training.trainAccuracy.push(await accuracy(trainLogits, train.labels));
          training.testAccuracy.push(await accuracy(testLogits, test.labels));
          tf.dispose([layers, trainLogits, testLogits, loss]);
          await tracker.flush();
          onProgress?.({ stage: activation, epoch, epochs: config.epochs, fraction: (runIndex + epoch / config.epochs) / config.activations.length });
          await yieldToEventLoop();
        }
      }
    } finally {
      tf.dispose([xTrain, yTrain, xTest, xMi, ...variablesOf(mlp)]);
      optimizer.dispose();
    }
    const plane = tracker.toJSON();
    runs.push({ activation, training, plane, compression: compressionOf(activation, plane), timeMs: performance.now() - started });
  }

  const summary = runs.flatMap((run) =>
    series.map((name) => {
      const rows = run.compression.filter((r) => r.series === name);
      const hidden = rows.slice(0, -1); // the last layer is the softmax output
      return {
        activation: run.activation,
        series: name,
        hiddenLayersCompressed: hidden.filter((r) => r.compressed).length,
        hiddenLayers: hidden.length,
        hiddenMeanDrop: hidden.reduce((s, r) => s + r.drop, 0) / hidden.length,
        hiddenMaxDrop: Math.max(...hidden.map((r) => r.drop)),
        outputDrop: rows.at(-1)!.drop,
      };
    }),
  );
  return {
    experiment: 'information-plane',
    config,
    dataset: { name: 'twelve-bit icosahedron task', inputs: data.rows, positives: data.labels.reduce((s, y) => s + y, 0), train: train.rows, test: test.rows, miRows: miRows.rows },
    series,
    runs,
    summary,
  };
}
