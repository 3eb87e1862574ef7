// Installed-tarball check: the published types, under moduleResolution node16 and bundler.
import * as tf from '@tensorflow/tfjs';
import {
  MoELayer,
  expertLoad,
  moeCost,
  topKRouting,
  type ExpertLoad,
  type MoEApplyResult,
  type MoECost,
  type MoERouting,
  type TopKRoutingResult,
} from '@prep/moe';

const logits = tf.zeros([4, 3]);
const routed: TopKRoutingResult = topKRouting(logits, 2, { capacityFactor: 1.25, training: true });
export const indices: tf.Tensor2D = routed.indices;
const layer = new MoELayer({ dModel: 8, dHidden: 16, numExperts: 4, k: 2, router: 'noisy-topk' });
const result: MoEApplyResult = layer.apply(tf.zeros([4, 8]), { training: false });
export const variables: tf.Variable[] = layer.trainableWeights;
export const routing: Promise<MoERouting> = layer.route(tf.zeros([4, 8]));
export const load: Promise<ExpertLoad> = expertLoad(routed.indices, 3);
export const cost: MoECost = moeCost({ dModel: 8, dHidden: 16, numExperts: 4, k: 2, tokens: 4 });
export const grad = tf.grad((x: tf.Tensor) => tf.sum(layer.apply(x).output))(tf.zeros([4, 8]));
export const out: tf.Tensor2D = result.output;
// @ts-expect-error: router must be one of the three kinds
new MoELayer({ dModel: 8, dHidden: 16, numExperts: 4, k: 2, router: 'hash' });
