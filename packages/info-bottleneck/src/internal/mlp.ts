/** Internal: a small fully connected network on tfjs-core variables, for the experiments. */
import * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from './random.js';

/** Hidden-layer nonlinearity of the experiments. */
export type Activation = 'tanh' | 'relu';

/** Dense layers `sizes[0] → sizes[1] → … → sizes.at(-1)`. */
export interface Mlp {
  weights: tf.Variable<tf.Rank.R2>[];
  biases: tf.Variable<tf.Rank.R1>[];
}

/**
 * Creates the layers with weights ~ N(0, 1/fanIn) (as Saxe et al.'s networks, the same for tanh and ReLU)
 * and zero biases, drawn from `random`.
 */
export function createMlp(sizes: readonly number[], random: SeededRandom): Mlp {
  const weights: tf.Variable<tf.Rank.R2>[] = [];
  const biases: tf.Variable<tf.Rank.R1>[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!;
    const fanOut = sizes[l + 1]!;
    // In a tidy: a variable keeps its initial value's data, the initial tensor itself is released.
    weights.push(tf.tidy(() => tf.variable(tf.tensor2d(random.normals(fanIn * fanOut, 1 / Math.sqrt(fanIn)), [fanIn, fanOut]))));
    biases.push(tf.tidy(() => tf.variable(tf.zeros<tf.Rank.R1>([fanOut]))));
  }
  return { weights, biases };
}

/** Every trainable variable of the network. */
export function variablesOf(mlp: Mlp): tf.Variable[] {
  return [...mlp.weights, ...mlp.biases];
}

/**
 * Runs the network: each hidden layer is activation(x·W + b); the last layer gives logits. Returns the
 * hidden activations and the logits (tensors in the caller's scope).
 */
export function forward(mlp: Mlp, x: tf.Tensor2D, activation: Activation): { hidden: tf.Tensor2D[]; logits: tf.Tensor2D } {
  const hidden: tf.Tensor2D[] = [];
  let h = x;
  const last = mlp.weights.length - 1;
  for (let l = 0; l <= last; l++) {
    const z = tf.add<tf.Tensor2D>(tf.matMul(h, mlp.weights[l]!), mlp.biases[l]!);
    if (l === last) return { hidden, logits: z };
    h = activation === 'tanh' ? tf.tanh(z) : tf.relu(z);
    hidden.push(h);
  }
  throw new Error('forward: a network needs at least one layer');
}

/** Mean softmax cross-entropy of `logits` `[rows, classes]` against one-hot `targets`. */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean<tf.Scalar>(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1)));
}

/** Fraction of rows whose largest logit is the label. */
export async function accuracy(logits: tf.Tensor2D, labels: Int32Array): Promise<number> {
  const predicted = tf.argMax(logits, 1);
  const values = await predicted.data();
  predicted.dispose();
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (values[i] === labels[i]) hits++;
  return hits / labels.length;
}

/** Throws the signal's reason when it was aborted (AbortSignal.throwIfAborted, with a fallback). */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  if (typeof signal.throwIfAborted === 'function') signal.throwIfAborted();
  throw new Error('aborted');
}

/** Gives the event loop a turn (so progress can render and an abort can arrive in a browser). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
