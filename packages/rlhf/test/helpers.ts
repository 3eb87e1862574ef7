/** Test helpers for option-object APIs: bad values per field, named errors, no leaks. */
import { expect } from 'vitest';
import { expectThrowsNaming } from '@prep/test-utils';
import { disposeArgs, numTensors, tf } from '@prep/test-utils/tensor';

/**
 * For each [field, bad value], calls `fn({ ...validOptions(), [field]: value })` and asserts a TypeError or
 * RangeError whose message names `fnName` and `options.<field>`, and that no tensor leaked. Returns the
 * number of attempts.
 */
export function expectOptionErrors(
  fn: (options: never) => unknown,
  fnName: string,
  validOptions: () => Record<string, unknown>,
  cases: readonly (readonly [string, unknown])[],
): number {
  for (const [field, value] of cases) {
    const before = numTensors();
    const options = validOptions();
    try {
      expectThrowsNaming(() => (fn as (o: unknown) => unknown)({ ...options, [field]: value }), fnName, `options.${field}`, undefined, `${field} = ${String(value)}`);
    } finally {
      disposeArgs(Object.values(options));
    }
    expect(numTensors(), `${fnName}: leak after bad options.${field}`).toBe(before);
  }
  disposeArgs(cases.map(([, value]) => value));
  return cases.length;
}

/** A float32 tensor of the given shape from a flat list. */
export function t(values: readonly number[], shape: readonly number[]): tf.Tensor {
  return tf.tensor(values, shape as number[], 'float32');
}
