import { expect } from 'vitest';

type ErrorKind = typeof TypeError | typeof RangeError | (new (...args: never[]) => Error);

/**
 * Asserts that `fn` throws an error of one of `kinds` whose message names the function and the argument.
 * Returns the error for further checks.
 */
export function expectThrowsNaming(
  fn: () => unknown,
  fnName: string,
  argName: string,
  kinds: readonly ErrorKind[] = [TypeError, RangeError],
  badValue?: string,
): Error {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  if (caught === undefined) expect.fail(`${fnName}: expected a throw for bad '${argName}'${badValue ? ` (${badValue})` : ''}, but it returned`);
  const err = caught as Error;
  const kindOk = kinds.some((k) => err instanceof k);
  expect(kindOk, `${fnName}/${argName}: got ${err?.constructor?.name}: ${err?.message}`).toBe(true);
  expect(err.message, `${fnName}/${argName}: message must name the function`).toContain(fnName);
  expect(err.message, `${fnName}/${argName}: message must name the argument`).toContain(argName);
  return err;
}

/** Same as {@link expectThrowsNaming} for a function that returns a Promise. */
export async function expectRejectsNaming(
  fn: () => Promise<unknown>,
  fnName: string,
  argName: string,
  kinds: readonly ErrorKind[] = [TypeError, RangeError],
): Promise<Error> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  if (caught === undefined) expect.fail(`${fnName}: expected a rejection for bad '${argName}', but it resolved`);
  const err = caught as Error;
  expect(kinds.some((k) => err instanceof k), `${fnName}/${argName}: got ${err?.constructor?.name}: ${err?.message}`).toBe(true);
  expect(err.message).toContain(fnName);
  expect(err.message).toContain(argName);
  return err;
}

function describeValue(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'shape' in value && Array.isArray(value.shape)) {
    return `tensor of shape [${(value.shape as number[]).join(', ')}]`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Wrong kinds for a numeric argument. */
export const badNumbers: readonly unknown[] = ['1', null, undefined, NaN, Infinity, -Infinity, {}, [1]];
/** Wrong kinds and values for an array-of-numbers argument. */
export const badNumberArrays: readonly unknown[] = ['1,2,3', null, undefined, 42, [], [1, NaN, 3], [1, Infinity], [1, '2', 3]];

export interface BadInputSpec {
  /** Function under test, called with positional arguments. */
  fn: (...args: never[]) => unknown;
  /** Name that every error message must contain. */
  fnName: string;
  /** Builds a fresh list of valid arguments (tensors may be created here). */
  validArgs: () => unknown[];
  /** Argument names, by position, as the error message must spell them. */
  argNames: readonly string[];
  /** Per argument name, the bad values to try in its place. */
  cases: Record<string, readonly unknown[]>;
  /** Called after each attempt with the arguments, to release what `validArgs` created. */
  cleanup?: (args: unknown[]) => void;
  /** Called around each attempt; returns a count that must not change (e.g. live tensors). */
  liveCount?: () => number;
}

/**
 * Feeds every argument a list of wrong kinds and shapes and asserts a TypeError/RangeError that names
 * the function and the argument, and (when `liveCount` is given) that nothing was leaked.
 */
export function expectBadInputs(spec: BadInputSpec): number {
  let attempts = 0;
  for (const [argName, values] of Object.entries(spec.cases)) {
    const position = spec.argNames.indexOf(argName);
    if (position < 0) throw new Error(`expectBadInputs: unknown argument '${argName}'`);
    for (const bad of values) {
      const before = spec.liveCount?.();
      const args = spec.validArgs();
      const called = [...args];
      called[position] = bad;
      try {
        expectThrowsNaming(() => (spec.fn as (...a: unknown[]) => unknown)(...called), spec.fnName, argName, undefined, describeValue(bad));
      } finally {
        spec.cleanup?.(args);
      }
      if (before !== undefined) {
        expect(spec.liveCount?.(), `${spec.fnName}: leak after bad '${argName}'`).toBe(before);
      }
      attempts++;
    }
  }
  return attempts;
}
