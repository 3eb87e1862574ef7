/**
 * The baseline the benchmark and the tests compare MoELayer with: dense one-hot dispatch. Every expert
 * runs on every token and the outputs are masked by the [T, E] combine weights (zero where a token was
 * not routed to the expert, or dropped). Same result as MoELayer.apply in eval mode, E/k times the work.
 */
import * as tf from '@tensorflow/tfjs-core';
import { topKRouting, type MoELayer } from '../src/index.js';
import { columnsOf, oneHotFloat } from '../src/internal/assignments.js';

export function denseDispatchForward(layer: MoELayer, input: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const x = input as tf.Tensor2D;
    const [tokens] = x.shape;
    const experts = layer.numExperts;
    const logits: tf.Tensor2D = tf.matMul(x, layer.routerWeights);
    const routing = topKRouting(logits, layer.k, {
      training: false,
      normalize: layer.normalize,
      ...(layer.evalCapacityFactor === undefined ? {} : { evalCapacityFactor: layer.evalCapacityFactor }),
    });
    const gates = tf.mul(routing.weights, tf.cast(routing.keep, 'float32'));
    let combine: tf.Tensor = tf.zeros([tokens, experts]);
    const columns = columnsOf(routing.indices);
    const gateColumns = columnsOf(gates as tf.Tensor2D);
    columns.forEach((column, j) => {
      combine = tf.add(combine, tf.mul(oneHotFloat(column, experts), tf.reshape(gateColumns[j]!, [tokens, 1])));
    });
    const perExpert = columnsOf(combine as tf.Tensor2D);
    // Expert by expert, freeing each expert's [T, dHidden] activations before the next one.
    let out: tf.Tensor = tf.zeros([tokens, layer.dModel]);
    layer.expertWeights.forEach(({ w1, w2 }, e) => {
      const next = tf.tidy(() => tf.add(out, tf.mul(tf.matMul(tf.relu(tf.matMul(x, w1)), w2), tf.reshape(perExpert[e]!, [tokens, 1]))));
      out.dispose();
      out = next;
    });
    return out as tf.Tensor2D;
  });
}
