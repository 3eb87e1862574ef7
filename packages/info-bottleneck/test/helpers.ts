/** Test helpers local to this package: fixtures and an async bad-input loop. */
import { expect } from 'vitest';
import { expectRejectsNaming, loadFixture } from '@prep/test-utils';
import { numTensors, tf } from '@prep/test-utils/tensor';
import raw from './fixtures/info_bottleneck.json';

export interface BinnedCase {
  name: string;
  kind: 'tanh' | 'relu';
  shape: [number, number];
  activations: number[];
  labels: number[];
  bins: number;
  range: [number, number] | 'auto';
  expected: { iXT: number; iTY: number };
}
export interface KdeCase {
  name: string;
  kind: 'tanh' | 'relu';
  shape: [number, number];
  activations: number[];
  labels: number[];
  noiseVariance: number;
  expected: { upper: { iXT: number; iTY: number }; lower: { iXT: number; iTY: number } };
}
export interface BoundsCase {
  name: string;
  n: number;
  scores: number[];
  infoNCE: number;
  nwj: number;
}
export interface VibCase {
  name: string;
  batch: number;
  latent: number;
  classes: number;
  beta: number;
  mean: number[];
  logVariance: number[];
  logits: number[];
  labels: number[];
  crossEntropy: number;
  kl: number;
  loss: number;
  dMean: number[];
  dLogVariance: number[];
  dLogits: number[];
}
export interface Fixture {
  binned: BinnedCase[];
  kde: KdeCase[];
  bounds: BoundsCase[];
  vib: VibCase[];
}

export const fixture = loadFixture<Fixture>(raw);

/**
 * For an async function: each bad value in place of an argument rejects with a TypeError/RangeError naming
 * the function and the argument, and leaves the number of live tensors unchanged.
 */
export async function expectBadInputsAsync(spec: {
  fn: (...args: never[]) => Promise<unknown>;
  fnName: string;
  validArgs: () => unknown[];
  argNames: readonly string[];
  cases: Record<string, readonly unknown[]>;
  cleanup: (args: unknown[]) => void;
}): Promise<number> {
  let attempts = 0;
  for (const [argName, values] of Object.entries(spec.cases)) {
    const position = spec.argNames.indexOf(argName);
    expect(position, `unknown argument ${argName}`).toBeGreaterThanOrEqual(0);
    for (const bad of values) {
      const before = numTensors();
      const args = spec.validArgs();
      const called = [...args];
      called[position] = bad;
      try {
        await expectRejectsNaming(() => (spec.fn as (...a: unknown[]) => Promise<unknown>)(...called), spec.fnName, argName);
      } finally {
        spec.cleanup(args);
      }
      expect(numTensors(), `${spec.fnName}: leak after bad '${argName}'`).toBe(before);
      attempts++;
    }
  }
  return attempts;
}

/** A 2-D float32 tensor from a fixture's flat values. */
export function tensor2d(values: number[], shape: [number, number]): tf.Tensor2D {
  return tf.tensor2d(values, shape, 'float32');
}
