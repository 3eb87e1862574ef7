/** Shared fixture types and small helpers for the @prep/moe tests. */
import { loadFixture } from '@prep/test-utils';
import { tf } from '@prep/test-utils/tensor';
import raw from './fixtures/moe.json';
import type { MoELayer } from '../src/index.js';

export interface LossCase {
  name: string;
  tokens: number;
  numExperts: number;
  k: number;
  mask: number[] | null;
  logits: number[];
  probs: number[];
  indices: number[];
  switch: number;
  dSwitchDProbs: number[];
  squaredDeviation: number;
  zLoss: number;
  dZDLogits: number[];
}

export interface RoutingCase {
  name: string;
  tokens: number;
  numExperts: number;
  k: number;
  capacityFactor: number | null;
  normalize: boolean;
  capacity: number;
  mask: number[] | null;
  logits: number[];
  probs: number[];
  indices: number[];
  weights: number[];
  keep: number[];
  upstream: number[];
  dLogits: number[];
}

export interface LayerCase {
  name: string;
  router: 'softmax-topk' | 'expert-choice';
  tokens: number;
  dModel: number;
  dHidden: number;
  numExperts: number;
  k: number;
  capacityFactor: number | null;
  normalize: boolean;
  activation: 'relu' | 'gelu';
  capacity: number;
  balanceCoefficient: number;
  zCoefficient: number;
  mask: number[] | null;
  x: number[];
  routerWeights: number[];
  w1: number[];
  w2: number[];
  upstream: number[];
  out: number[];
  auxLoss: number;
  zLoss: number;
  loss: number;
  dx: number[];
  dRouter: number[];
  dW1: number[];
  dW2: number[];
  tokensPerExpert: number[];
  indices?: number[];
  keep?: number[];
}

export interface Fixture {
  hf: { switchLoss: number; zLoss: number };
  losses: LossCase[];
  routing: RoutingCase[];
  layers: LayerCase[];
}

export const fixture = loadFixture<Fixture>(raw);

/** Copies a fixture's weights into a layer (router, then per expert W1 and W2). */
export function assignWeights(layer: MoELayer, c: LayerCase): void {
  const { dModel, dHidden, numExperts } = c;
  tf.tidy(() => {
    layer.routerWeights.assign(tf.tensor2d(c.routerWeights, [dModel, numExperts]));
    for (let e = 0; e < numExperts; e++) {
      layer.expertWeights[e]!.w1.assign(tf.tensor2d(c.w1.slice(e * dModel * dHidden, (e + 1) * dModel * dHidden), [dModel, dHidden]));
      layer.expertWeights[e]!.w2.assign(tf.tensor2d(c.w2.slice(e * dModel * dHidden, (e + 1) * dModel * dHidden), [dHidden, dModel]));
    }
  });
}

/** Live-tensor and variable count check around an async body. */
export async function withoutLeaks(body: () => Promise<void> | void): Promise<void> {
  const before = tf.memory().numTensors;
  await body();
  if (tf.memory().numTensors !== before) {
    throw new Error(`leaked ${tf.memory().numTensors - before} tensor(s)`);
  }
}
