/** Internal: two small MLP encoders trained with CLIP, SigLIP or the pairwise BCE baseline. */
import * as tf from '@tensorflow/tfjs-core';
import { chunkedClipLoss } from '../chunked-clip-loss.js';
import { chunkedSiglipLoss } from '../chunked-siglip-loss.js';
import { classEmbeddings } from '../class-embeddings.js';
import { LearnableTemperature } from '../learnable-temperature.js';
import { pairwiseBCELoss } from '../pairwise-bce-loss.js';
import { retrievalMetrics, type RetrievalMetrics } from '../retrieval-metrics.js';
import { zeroShotClassify } from '../zero-shot-classify.js';
import { Random } from '../internal/random.js';
import type { PairBatch, SyntheticWorld } from './synthetic-world.js';

/** The training objectives the experiments compare. */
export type Objective = 'clip' | 'siglip' | 'pairwise-bce';

export interface TrainOptions {
  objective: Objective;
  batchSize: number;
  steps: number;
  learningRate: number;
  hiddenDim: number;
  embedDim: number;
  negativesPerPositive: number;
  chunkSize: number;
  seed: number;
  signal: AbortSignal | undefined;
  onStep: ((step: number, loss: number) => void) | undefined;
}

/** A one-hidden-layer ReLU MLP. */
class Tower {
  readonly variables: tf.Variable[];
  private readonly w1: tf.Variable;
  private readonly b1: tf.Variable;
  private readonly w2: tf.Variable;
  private readonly b2: tf.Variable;

  constructor(inputDim: number, hiddenDim: number, outputDim: number, rng: Random) {
    const make = (values: Float32Array, shape: number[]) => {
      const t = tf.tensor(values, shape);
      const v = tf.variable(t, true);
      t.dispose();
      return v;
    };
    this.w1 = make(rng.normals(inputDim * hiddenDim, Math.sqrt(2 / inputDim)), [inputDim, hiddenDim]);
    this.b1 = make(new Float32Array(hiddenDim), [hiddenDim]);
    this.w2 = make(rng.normals(hiddenDim * outputDim, Math.sqrt(1 / hiddenDim)), [hiddenDim, outputDim]);
    this.b2 = make(new Float32Array(outputDim), [outputDim]);
    this.variables = [this.w1, this.b1, this.w2, this.b2];
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add<tf.Tensor2D>(tf.matMul(tf.relu(tf.add(tf.matMul(x, this.w1), this.b1)), this.w2), this.b2));
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

export interface TrainedModel {
  image: Tower;
  text: Tower;
  temperature: LearnableTemperature;
  bias: tf.Variable | null;
  lossCurve: number[];
  trainMs: number;
  dispose(): void;
}

function abortIfNeeded(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/** Random negatives: for each positive (i, i), `k` texts j ≠ i of the same batch. */
function labelledPairs(n: number, k: number, rng: Random) {
  const total = n * (1 + k);
  const i = new Int32Array(total);
  const t = new Int32Array(total);
  const label = new Float32Array(total);
  let p = 0;
  for (let a = 0; a < n; a++) {
    i[p] = a;
    t[p] = a;
    label[p++] = 1;
    for (let m = 0; m < k; m++) {
      i[p] = a;
      t[p] = n > 1 ? (a + 1 + rng.int(n - 1)) % n : a;
      label[p++] = n > 1 ? 0 : 1;
    }
  }
  return { i, t, label };
}

/** Trains both towers on fresh batches from `world`; the same seed gives the same data and init. */
export async function trainTwoTower(world: SyntheticWorld, o: TrainOptions): Promise<TrainedModel> {
  const { imageDim, textDim } = world.options;
  const initRng = new Random(o.seed);
  const dataRng = new Random(o.seed + 1);
  const pairRng = new Random(o.seed + 2);
  const image = new Tower(imageDim, o.hiddenDim, o.embedDim, initRng);
  const text = new Tower(textDim, o.hiddenDim, o.embedDim, initRng);
  // Each objective's usual init: CLIP s = 1/0.07; SigLIP s = 10, b = −10; logistic regression b = 0.
  const temperature = new LearnableTemperature({ init: o.objective === 'clip' ? 1 / 0.07 : 10 });
  let bias: tf.Variable | null = null;
  if (o.objective !== 'clip') {
    const initial = tf.scalar(o.objective === 'siglip' ? -10 : 0);
    bias = tf.variable(initial, true);
    initial.dispose();
  }
  const optimizer = tf.train.adam(o.learningRate);
  const varList = [...image.variables, ...text.variables, temperature.logScale, ...(bias ? [bias] : [])];
  const model: TrainedModel = {
    image,
    text,
    temperature,
    bias,
    lossCurve: [],
    trainMs: 0,
    dispose() {
      image.dispose();
      text.dispose();
      temperature.dispose();
      bias?.dispose();
    },
  };
  const start = performance.now();
  try {
    for (let step = 0; step < o.steps; step++) {
      abortIfNeeded(o.signal);
      const batch = world.sample(o.batchSize, dataRng);
      const pairs = o.objective === 'pairwise-bce' ? labelledPairs(o.batchSize, o.negativesPerPositive, pairRng) : null;
      const cost = optimizer.minimize(
        () => {
          const imageEmb = image.apply(tf.tensor2d(batch.image, [o.batchSize, imageDim]));
          const textEmb = text.apply(tf.tensor2d(batch.text, [o.batchSize, textDim]));
          const scale = temperature.scale();
          if (o.objective === 'clip') return chunkedClipLoss(imageEmb, textEmb, scale, { chunkSize: o.chunkSize });
          if (o.objective === 'siglip') return chunkedSiglipLoss(imageEmb, textEmb, scale, bias as tf.Scalar, { chunkSize: o.chunkSize });
          return pairwiseBCELoss(imageEmb, textEmb, pairs!, scale, bias as tf.Scalar);
        },
        true,
        varList,
      );
      temperature.clamp(); // after each optimizer step, as open_clip
      const loss = (await cost!.data())[0]!;
      cost!.dispose();
      model.lossCurve.push(loss);
      o.onStep?.(step, loss);
    }
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    optimizer.dispose();
  }
  model.trainMs = performance.now() - start;
  return model;
}

/** An evaluation set: held-out pairs with their classes, and each class's prompt templates. */
export interface EvalSet {
  pairs: PairBatch;
  size: number;
  templates: Float32Array;
  templateCount: number;
}

export function makeEvalSet(world: SyntheticWorld, size: number, templateCount: number, seed: number): EvalSet {
  const rng = new Random(seed ^ 0xe7a1);
  return { pairs: world.sample(size, rng), size, templates: world.templates(templateCount, rng), templateCount };
}

export interface Evaluation {
  zeroShotAccuracy: number;
  retrieval: RetrievalMetrics;
}

/** Zero-shot accuracy (class embeddings from the templates) and retrieval metrics on the held-out pairs. */
export async function evaluateTwoTower(world: SyntheticWorld, model: TrainedModel, set: EvalSet): Promise<Evaluation> {
  const { imageDim, textDim, classes } = world.options;
  const [imageEmb, textEmb, classEmb] = tf.tidy(() => {
    const img = model.image.apply(tf.tensor2d(set.pairs.image, [set.size, imageDim]));
    const txt = model.text.apply(tf.tensor2d(set.pairs.text, [set.size, textDim]));
    const prompts = model.text.apply(tf.tensor2d(set.templates, [classes * set.templateCount, textDim]));
    return [img, txt, classEmbeddings(tf.reshape(prompts, [classes, set.templateCount, -1]))];
  });
  try {
    const { probs, predictions } = zeroShotClassify(imageEmb, classEmb);
    const predicted = await predictions.data();
    tf.dispose([probs, predictions]);
    let correct = 0;
    for (let i = 0; i < set.size; i++) if (predicted[i] === set.pairs.labels[i]) correct++;
    const retrieval = await retrievalMetrics(imageEmb, textEmb, { ks: [1, 5, 10] });
    return { zeroShotAccuracy: correct / set.size, retrieval };
  } finally {
    tf.dispose([imageEmb, textEmb, classEmb]);
  }
}
