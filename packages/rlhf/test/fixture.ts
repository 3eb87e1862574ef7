/** Typed access to test/fixtures/rlhf.json (written by gen_rlhf.py) and small tensor builders. */
import { loadFixture } from '@prep/test-utils';
import { isBrowser } from '@prep/test-utils/tensor';
import json from './fixtures/rlhf.json';

export interface BradleyTerryCase {
  /** 'node': a shape the browser lane leaves to Node (see gen_rlhf.py). */
  lanes: 'all' | 'node';
  name: string;
  chosen: number[];
  rejected: number[];
  margin: number | number[] | null;
  loss: number;
  dChosen: number[];
  dRejected: number[];
}
export interface KLEstimateCase {
  estimator: 'k1' | 'k2' | 'k3';
  shape: number[];
  logprobs: number[];
  refLogprobs: number[];
  upstream: number[];
  out: number[];
  dLogprobs: number[];
  dRefLogprobs: number[];
}
export interface RewardsCase {
  estimator: 'k1' | 'k2' | 'k3';
  beta: number;
  shape: [number, number];
  logprobs: number[];
  refLogprobs: number[];
  scores: number[];
  mask: number[] | null;
  rewards: number[];
}
export interface GAECase {
  /** 'node': a shape the browser lane leaves to Node (see gen_rlhf.py). */
  lanes: 'all' | 'node';
  name: string;
  shape: [number, number];
  gamma: number;
  lambda: number;
  rewards: number[];
  values: number[];
  mask: number[] | null;
  advantages: number[];
  returns: number[];
}
export interface PolicyCase {
  name: string;
  shape: [number, number];
  clipRange: number;
  logprobs: number[];
  oldLogprobs: number[];
  advantages: number[];
  mask: number[] | null;
  loss: number;
  clipFraction: number;
  approxKL: number;
  dLogprobs: number[];
}
export interface ValueCase {
  name: string;
  shape: [number, number];
  clipRange: number;
  values: number[];
  oldValues: number[];
  returns: number[];
  mask: number[] | null;
  loss: number;
  dValues: number[];
}
export interface WhitenCase {
  /** 'node': a shape the browser lane leaves to Node (see gen_rlhf.py). */
  lanes: 'all' | 'node';
  name: string;
  shape: number[];
  shiftMean: boolean;
  x: number[];
  mask: number[] | null;
  out: number[];
  upstream: number[];
  dX: number[];
}
export interface DPOCase {
  lossType: 'sigmoid' | 'ipo' | 'hinge' | 'robust';
  beta: number;
  labelSmoothing: number;
  policyChosen: number[];
  policyRejected: number[];
  refChosen: number[];
  refRejected: number[];
  loss: number;
  chosenRewards: number[];
  rejectedRewards: number[];
  dPolicyChosen: number[];
  dPolicyRejected: number[];
}
export interface OptimumCase {
  /** 'node': a shape the browser lane leaves to Node (see gen_rlhf.py). */
  lanes: 'all' | 'node';
  name: string;
  shape: number[];
  beta: number;
  refProbs: number[];
  rewards: number[];
  out: number[];
  upstream: number[];
  dRewards: number[];
}
export interface SchulmanRow {
  mu: number;
  trueKL: number;
  k1: { relativeBias: number; relativeStd: number };
  k2: { relativeBias: number; relativeStd: number };
  k3: { relativeBias: number; relativeStd: number };
}
export interface Fixture {
  bradleyTerry: BradleyTerryCase[];
  klEstimate: KLEstimateCase[];
  trlKLPenalty: { logprobs: number[]; refLogprobs: number[]; k1: number[][]; k2: number[][] };
  klPenalizedRewards: RewardsCase[];
  gae: GAECase[];
  ppoPolicyLoss: PolicyCase[];
  ppoValueLoss: ValueCase[];
  whiten: WhitenCase[];
  dpoLoss: DPOCase[];
  klRegularizedOptimum: OptimumCase[];
  adaptiveKLController: { initKL: number; target: number; horizon: number; updates: [number, number][]; values: number[] };
  schulmanTable: SchulmanRow[];
}

export const fixture = loadFixture<Fixture>(json);

/**
 * Tolerances against the float64 references. Inputs are float32-exact, so the forward error is float32
 * rounding through a few kernels (≈1e-6 relative); gradients go through more kernels and the references are
 * finite differences (error ≈1e-9).
 */
export const forwardTol = { atol: 2e-5, rtol: 2e-5 };
export const gradTol = { atol: 1e-4, rtol: 1e-4 };

/**
 * The fixture cases of this lane: every case in Node; in the browser only the cases of the shared shape, since
 * each new shape compiles new shaders on SwiftShader (the values differ case by case, not the shapes).
 */
export function forLane<T extends { lanes?: 'all' | 'node' }>(cases: readonly T[]): T[] {
  return isBrowser ? cases.filter((c) => c.lanes !== 'node') : [...cases];
}
