/** Internal argument checks for the MoE ops. Not exported from the index. */
import * as tf from '@tensorflow/tfjs-core';

/** `value` as a tensor of unknown rank (instanceof narrows to Tensor<any>, which hides the shape type). */
export function asTensor(value: unknown): tf.Tensor | null {
  return value instanceof tf.Tensor ? (value as tf.Tensor) : null;
}

/** Describes a received value for an error message. */
export function got(value: unknown): string {
  if (value === null) return 'null';
  const tensor = asTensor(value);
  if (tensor) return `a ${tensor.dtype} tensor of shape [${tensor.shape.join(', ')}]`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined) {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value;
}

function isTensorLike(value: unknown): boolean {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

function toTensor(value: unknown, fn: string, arg: string, what: string): tf.Tensor {
  const given = asTensor(value);
  if (given) {
    if (given.isDisposed) throw new TypeError(`${fn}: '${arg}' is a disposed tensor`);
    return given;
  }
  if (isTensorLike(value)) {
    try {
      return tf.tensor(value as tf.TensorLike);
    } catch (err) {
      throw new TypeError(`${fn}: '${arg}' must be ${what} or a nested array of numbers; ${(err as Error).message}`, { cause: err });
    }
  }
  throw new TypeError(`${fn}: '${arg}' must be ${what}; got ${got(value)}`);
}

/**
 * Converts `value` (a tensor or nested array) to a float32 tensor of the given rank, or throws a TypeError
 * (wrong kind) / RangeError (wrong rank or empty) naming the function and the argument. A converted or
 * cast tensor is created in the caller's scope, so call this inside `tf.tidy`.
 */
export function floatTensor<R extends tf.Rank>(value: unknown, fn: string, arg: string, rank: number): tf.Tensor<R> {
  const t = toTensor(value, fn, arg, `a float32 tensor of rank ${rank}`);
  if (t.dtype !== 'float32' && t.dtype !== 'int32') {
    throw new TypeError(`${fn}: '${arg}' must have dtype float32 (or int32, which is cast); got ${t.dtype}`);
  }
  if (t.rank !== rank) throw new RangeError(`${fn}: '${arg}' must have rank ${rank}; got shape [${t.shape.join(', ')}]`);
  if (t.size === 0) throw new RangeError(`${fn}: '${arg}' must not be empty; got shape [${t.shape.join(', ')}]`);
  return (t.dtype === 'float32' ? t : tf.cast(t, 'float32')) as tf.Tensor<R>;
}

/**
 * Converts `value` to an int32 index tensor of rank 2 `[tokens, k]` (float32 tensors holding integers are
 * accepted and cast). Values are not read (that would need a synchronous download); indices outside
 * `[0, numExperts)` count for no expert.
 */
export function indexTensor(value: unknown, fn: string, arg: string): tf.Tensor2D {
  const t = toTensor(value, fn, arg, 'an int32 tensor of rank 2 [tokens, k]');
  if (t.dtype !== 'int32' && t.dtype !== 'float32') {
    throw new TypeError(`${fn}: '${arg}' must have dtype int32; got ${t.dtype}`);
  }
  if (t.rank !== 2) throw new RangeError(`${fn}: '${arg}' must have rank 2 [tokens, k]; got shape [${t.shape.join(', ')}]`);
  if (t.size === 0) throw new RangeError(`${fn}: '${arg}' must not be empty; got shape [${t.shape.join(', ')}]`);
  return (t.dtype === 'int32' ? t : tf.cast(t, 'int32')) as tf.Tensor2D;
}

/**
 * Validates a padding mask `[tokens]` (bool, int32 or float32; nonzero = a real token) and returns it as a
 * float32 0/1 tensor `[tokens]`, created in the caller's scope.
 */
export function maskTensor(value: unknown, fn: string, tokens: number, arg = 'options.mask'): tf.Tensor1D {
  const t = toTensor(value, fn, arg, `a 0/1 or boolean tensor of shape [${tokens}]`);
  if (t.dtype !== 'bool' && t.dtype !== 'int32' && t.dtype !== 'float32') {
    throw new TypeError(`${fn}: '${arg}' must have dtype bool, int32 or float32; got ${t.dtype}`);
  }
  if (t.rank !== 1 || t.shape[0] !== tokens) {
    throw new RangeError(`${fn}: '${arg}' must have shape [${tokens}] (one entry per token); got shape [${t.shape.join(', ')}]`);
  }
  return tf.cast(tf.notEqual(t, 0), 'float32') as tf.Tensor1D;
}

/** An options object or undefined. */
export function optionsObject<T extends object>(value: unknown, fn: string, arg = 'options'): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof tf.Tensor) {
    throw new TypeError(`${fn}: '${arg}' must be an object; got ${got(value)}`);
  }
  return value;
}

/** A boolean option. */
export function booleanOption(value: unknown, fn: string, arg: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${fn}: '${arg}' must be a boolean; got ${got(value)}`);
  return value;
}

/** One of a list of strings. */
export function choiceOption<T extends string>(value: unknown, fn: string, arg: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new TypeError(`${fn}: '${arg}' must be one of ${choices.map((c) => `'${c}'`).join(', ')}; got ${got(value)}`);
  if (!(choices as readonly string[]).includes(value)) {
    throw new RangeError(`${fn}: '${arg}' must be one of ${choices.map((c) => `'${c}'`).join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** A finite number, optionally positive, an integer, and/or bounded. */
export function numberOption(
  value: unknown,
  fn: string,
  arg: string,
  { positive = false, integer = false, min, max }: { positive?: boolean; integer?: boolean; min?: number; max?: number } = {},
): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: '${arg}' must be a number; got ${got(value)}`);
  const bad =
    !Number.isFinite(value) ||
    (positive && value <= 0) ||
    (integer && !Number.isInteger(value)) ||
    (min !== undefined && value < min) ||
    (max !== undefined && value > max);
  if (bad) {
    const want = [
      positive ? 'positive' : '',
      integer ? 'integer' : 'finite number',
      min !== undefined ? `≥ ${min}` : '',
      max !== undefined ? `≤ ${max}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    throw new RangeError(`${fn}: '${arg}' must be a ${want}; got ${value}`);
  }
  return value;
}

/** An optional number option: undefined stays undefined. */
export function optionalNumber(
  value: unknown,
  fn: string,
  arg: string,
  constraints: { positive?: boolean; integer?: boolean; min?: number; max?: number } = {},
): number | undefined {
  return value === undefined ? undefined : numberOption(value, fn, arg, constraints);
}

/** A function option (callbacks). */
export function functionOption<F>(value: unknown, fn: string, arg: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new TypeError(`${fn}: '${arg}' must be a function; got ${got(value)}`);
  return value as F;
}

/**
 * A seed for tfjs's random ops. tfjs treats a seed of 0 as "no seed" (`seed ? seed : Math.random()`),
 * so every seed is shifted by one half: integer seeds stay distinct and 0 stays reproducible.
 */
export function tfSeed(seed: number): number {
  return seed + 0.5;
}
