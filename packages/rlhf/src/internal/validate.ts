/** Internal argument checks shared by the rlhf ops. Not exported from the index. */
import * as tf from '@tensorflow/tfjs-core';

/** `value` as a tensor of unknown rank, or null. */
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
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined) {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value;
}

function isTensorLike(value: unknown): boolean {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/**
 * Converts `value` (a tensor or nested array) to a float32 tensor, or throws a TypeError (wrong kind) /
 * RangeError (wrong rank, empty) naming the function and the argument. `rank` null accepts any rank ≥ 1.
 * A converted or cast tensor is created in the caller's scope, so call this inside `tf.tidy`.
 */
export function floatTensor<R extends tf.Rank = tf.Rank>(value: unknown, fn: string, arg: string, rank: number | null): tf.Tensor<R> {
  let t: tf.Tensor;
  const given = asTensor(value);
  const want = rank === null ? 'a tensor' : `a tensor of rank ${rank}`;
  if (given) {
    if (given.isDisposed) throw new TypeError(`${fn}: '${arg}' is a disposed tensor`);
    t = given;
  } else if (isTensorLike(value)) {
    try {
      t = tf.tensor(value as tf.TensorLike);
    } catch (err) {
      throw new TypeError(`${fn}: '${arg}' must be ${want} or a nested array of numbers; ${(err as Error).message}`, { cause: err });
    }
  } else {
    throw new TypeError(`${fn}: '${arg}' must be ${want}; got ${got(value)}`);
  }
  if (t.dtype !== 'float32' && t.dtype !== 'int32') {
    if (!given) t.dispose();
    throw new TypeError(`${fn}: '${arg}' must have dtype float32 (or int32, which is cast); got ${t.dtype}`);
  }
  if ((rank !== null && t.rank !== rank) || (rank === null && t.rank === 0)) {
    const shape = t.shape.join(', ');
    if (!given) t.dispose();
    throw new RangeError(`${fn}: '${arg}' must have rank ${rank ?? '≥ 1'}; got shape [${shape}]`);
  }
  if (t.size === 0) {
    const shape = t.shape.join(', ');
    if (!given) t.dispose();
    throw new RangeError(`${fn}: '${arg}' must not be empty; got shape [${shape}]`);
  }
  return (t.dtype === 'float32' ? t : tf.cast(t, 'float32')) as tf.Tensor<R>;
}

/** Throws a RangeError unless `t` has exactly `shape`. */
export function expectShape(t: tf.Tensor, shape: readonly number[], fn: string, arg: string, like: string): void {
  const same = t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
  if (!same) {
    throw new RangeError(`${fn}: '${arg}' must have the shape of '${like}' [${shape.join(', ')}]; got [${t.shape.join(', ')}]`);
  }
}

/**
 * A 0/1 (or boolean) mask of exactly `shape`, returned as float32 (1 = real token). Must be called inside
 * `tf.tidy`.
 */
export function maskTensor(value: unknown, shape: readonly number[], fn: string, like: string, arg = 'options.mask'): tf.Tensor {
  const given = asTensor(value);
  if (!given && !isTensorLike(value)) {
    throw new TypeError(`${fn}: '${arg}' must be a 0/1 or boolean tensor; got ${got(value)}`);
  }
  let mask: tf.Tensor;
  if (given) {
    if (given.isDisposed) throw new TypeError(`${fn}: '${arg}' is a disposed tensor`);
    mask = given;
  } else {
    try {
      mask = tf.tensor(value as tf.TensorLike);
    } catch (err) {
      throw new TypeError(`${fn}: '${arg}' must be a 0/1 or boolean tensor; ${(err as Error).message}`, { cause: err });
    }
  }
  if (mask.dtype !== 'bool' && mask.dtype !== 'int32' && mask.dtype !== 'float32') {
    if (!given) mask.dispose();
    throw new TypeError(`${fn}: '${arg}' must have dtype bool, int32 or float32; got ${mask.dtype}`);
  }
  const same = mask.shape.length === shape.length && mask.shape.every((d, i) => d === shape[i]);
  if (!same) {
    const maskShape = mask.shape.join(', ');
    if (!given) mask.dispose();
    throw new RangeError(`${fn}: '${arg}' must have the shape of '${like}' [${shape.join(', ')}]; got [${maskShape}]`);
  }
  return mask.dtype === 'float32' ? mask : tf.cast(mask, 'float32');
}

/** An options object or undefined. */
export function optionsObject<T extends object>(value: unknown, fn: string, arg = 'options'): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof tf.Tensor) {
    throw new TypeError(`${fn}: '${arg}' must be an object; got ${got(value)}`);
  }
  return value;
}

/** A required options object. */
export function requiredOptions<T extends object>(value: unknown, fn: string, arg = 'options'): Partial<T> {
  if (value === undefined) throw new TypeError(`${fn}: '${arg}' must be an object; got undefined`);
  return optionsObject<T>(value, fn, arg);
}

/** A boolean option. */
export function booleanOption(value: unknown, fn: string, arg: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${fn}: '${arg}' must be a boolean; got ${got(value)}`);
  return value;
}

/** Bounds for {@link numberArg}. */
export interface NumberBounds {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive upper bound. */
  below?: number;
  integer?: boolean;
}

/** A finite number within the given bounds; TypeError for a non-number, RangeError out of range. */
export function numberArg(value: unknown, fn: string, arg: string, bounds: NumberBounds = {}): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: '${arg}' must be a number; got ${got(value)}`);
  const { min, above, max, below, integer = false } = bounds;
  const bad =
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    (min !== undefined && value < min) ||
    (above !== undefined && value <= above) ||
    (max !== undefined && value > max) ||
    (below !== undefined && value >= below);
  if (bad) {
    const parts = [
      integer ? 'an integer' : 'a finite number',
      min !== undefined ? `≥ ${min}` : '',
      above !== undefined ? `> ${above}` : '',
      max !== undefined ? `≤ ${max}` : '',
      below !== undefined ? `< ${below}` : '',
    ].filter(Boolean);
    throw new RangeError(`${fn}: '${arg}' must be ${parts.join(' ')}; got ${value}`);
  }
  return value;
}

/** An optional number: the fallback when undefined, else as {@link numberArg}. */
export function numberOption(value: unknown, fn: string, arg: string, fallback: number, bounds: NumberBounds = {}): number {
  return value === undefined ? fallback : numberArg(value, fn, arg, bounds);
}

/** One of a fixed list of strings. */
export function enumOption<T extends string>(value: unknown, fn: string, arg: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') {
    throw new TypeError(`${fn}: '${arg}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${got(value)}`);
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${fn}: '${arg}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** A function argument. */
export function functionArg<F extends (...args: never[]) => unknown>(value: unknown, fn: string, arg: string): F {
  if (typeof value !== 'function') throw new TypeError(`${fn}: '${arg}' must be a function; got ${got(value)}`);
  return value as F;
}

/** An optional AbortSignal. */
export function signalOption(value: unknown, fn: string, arg = 'options.signal'): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const looksLikeSignal =
    value !== null && typeof value === 'object' && 'aborted' in value && typeof (value as AbortSignal).addEventListener === 'function';
  if (!looksLikeSignal) throw new TypeError(`${fn}: '${arg}' must be an AbortSignal; got ${got(value)}`);
  return value as AbortSignal;
}

/** An optional callback. */
export function callbackOption<F extends (...args: never[]) => unknown>(value: unknown, fn: string, arg: string): F | undefined {
  if (value === undefined) return undefined;
  return functionArg<F>(value, fn, arg);
}

/** A short description of a thrown value, for error messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? typeof error;
  } catch {
    return typeof error;
  }
}
