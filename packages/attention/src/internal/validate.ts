/** Internal argument checks for the attention ops. Not exported from the index. */
import * as tf from '@tensorflow/tfjs-core';

/** `value` as a tensor of unknown rank (instanceof narrows to Tensor<any>, which hides the shape type). */
export function asTensor(value: unknown): tf.Tensor | null {
  return value instanceof tf.Tensor ? (value as tf.Tensor) : null;
}

/** The shape of a tensor, as a plain list. */
export function shapeOf(t: tf.Tensor): number[] {
  return t.shape;
}

/** Describes a received value for an error message. */
export function got(value: unknown): string {
  if (value === null) return 'null';
  const tensor = asTensor(value);
  if (tensor) return `a ${tensor.dtype} tensor of shape [${shapeOf(tensor).join(', ')}]`;
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

/**
 * Converts `value` (a tensor or nested array) to a float32 tensor of the given rank, or throws a TypeError
 * (wrong kind) / RangeError (wrong rank or empty) naming the function and the argument. A converted or
 * cast tensor is created in the caller's scope, so call this inside `tf.tidy`.
 */
export function floatTensor<R extends tf.Rank>(value: unknown, fn: string, arg: string, rank: number): tf.Tensor<R> {
  let t: tf.Tensor;
  const given = asTensor(value);
  if (given) {
    if (given.isDisposed) throw new TypeError(`${fn}: '${arg}' is a disposed tensor`);
    t = given;
  } else if (isTensorLike(value)) {
    try {
      t = tf.tensor(value as tf.TensorLike);
    } catch (err) {
      throw new TypeError(`${fn}: '${arg}' must be a tensor or a nested array of numbers; ${(err as Error).message}`, { cause: err });
    }
  } else {
    throw new TypeError(`${fn}: '${arg}' must be a tensor of rank ${rank}; got ${got(value)}`);
  }
  if (t.dtype !== 'float32' && t.dtype !== 'int32') {
    throw new TypeError(`${fn}: '${arg}' must have dtype float32 (or int32, which is cast); got ${t.dtype}`);
  }
  if (t.rank !== rank) {
    throw new RangeError(`${fn}: '${arg}' must have rank ${rank}; got shape [${t.shape.join(', ')}]`);
  }
  if (t.size === 0) {
    throw new RangeError(`${fn}: '${arg}' must not be empty; got shape [${t.shape.join(', ')}]`);
  }
  return (t.dtype === 'float32' ? t : tf.cast(t, 'float32')) as tf.Tensor<R>;
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

/** A finite number, optionally positive and/or an integer. */
export function numberOption(
  value: unknown,
  fn: string,
  arg: string,
  { positive = false, integer = false, min }: { positive?: boolean; integer?: boolean; min?: number } = {},
): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: '${arg}' must be a number; got ${got(value)}`);
  const bad =
    !Number.isFinite(value) ||
    (positive && value <= 0) ||
    (integer && !Number.isInteger(value)) ||
    (min !== undefined && value < min);
  if (bad) {
    const want = [positive ? 'positive' : '', integer ? 'integer' : 'finite number', min !== undefined ? `≥ ${min}` : '']
      .filter(Boolean)
      .join(' ');
    throw new RangeError(`${fn}: '${arg}' must be a ${want}; got ${value}`);
  }
  return value;
}

/** Shapes of validated q, k, v for the attention ops. */
export interface AttentionDims {
  batch: number;
  headsQ: number;
  headsKV: number;
  nQ: number;
  nK: number;
  headDim: number;
  valueDim: number;
}

/** Checks that q `[b, hq, nq, d]`, k `[b, hkv, nk, d]`, v `[b, hkv, nk, dv]` fit together. */
export function attentionDims(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, fn: string): AttentionDims {
  const [batch, headsQ, nQ, headDim] = q.shape;
  const [kb, headsKV, nK, kd] = k.shape;
  const [vb, vh, vn, valueDim] = v.shape;
  if (kb !== batch || vb !== batch) {
    throw new RangeError(`${fn}: 'k' and 'v' must have the batch size of 'q' (${batch}); got ${kb} and ${vb}`);
  }
  if (kd !== headDim) throw new RangeError(`${fn}: 'k' must have headDim ${headDim} like 'q'; got shape [${k.shape.join(', ')}]`);
  if (vh !== headsKV || vn !== nK) {
    throw new RangeError(`${fn}: 'v' must have ${headsKV} heads and ${nK} keys like 'k'; got shape [${v.shape.join(', ')}]`);
  }
  if (headsQ % headsKV !== 0) {
    throw new RangeError(`${fn}: the heads of 'q' (${headsQ}) must be a multiple of the heads of 'k' (${headsKV})`);
  }
  return { batch, headsQ, headsKV, nQ, nK, headDim, valueDim };
}

/** The KV head that query head `h` reads: contiguous groups, as HF `repeat_kv`. */
export function kvHeadOf(h: number, headsQ: number, headsKV: number): number {
  return Math.floor((h * headsKV) / headsQ);
}
