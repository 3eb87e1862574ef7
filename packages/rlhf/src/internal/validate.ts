/** Internal argument checks of the tensor ops (plus the tensor-free ones of args.ts). Not exported from the index. */
import * as tf from '@tensorflow/tfjs-core';
import { got } from './args.js';

export * from './args.js';

/** `value` as a tensor of unknown rank, or null. */
export function asTensor(value: unknown): tf.Tensor | null {
  return value instanceof tf.Tensor ? (value as tf.Tensor) : null;
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

