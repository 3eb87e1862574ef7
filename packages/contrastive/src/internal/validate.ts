/** Internal argument checks for the contrastive ops. Not exported from the index. */
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
 * Converts `value` (a tensor or nested array) to a float32 tensor of the given rank, or throws a TypeError
 * (wrong kind) / RangeError (wrong rank or empty) naming the function and the argument. A converted or
 * cast tensor is created in the caller's scope, so call this inside `tf.tidy`.
 */
export function floatTensor<R extends tf.Rank>(value: unknown, fn: string, arg: string, rank: number, what = ''): tf.Tensor<R> {
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
    throw new TypeError(`${fn}: '${arg}' must be a tensor of rank ${rank}${what}; got ${got(value)}`);
  }
  if (t.dtype !== 'float32' && t.dtype !== 'int32') {
    throw new TypeError(`${fn}: '${arg}' must have dtype float32 (or int32, which is cast); got ${t.dtype}`);
  }
  if (t.rank !== rank) {
    throw new RangeError(`${fn}: '${arg}' must have rank ${rank}${what}; got shape [${t.shape.join(', ')}]`);
  }
  if (t.size === 0) {
    throw new RangeError(`${fn}: '${arg}' must not be empty; got shape [${t.shape.join(', ')}]`);
  }
  return (t.dtype === 'float32' ? t : tf.cast(t, 'float32')) as tf.Tensor<R>;
}

/** An `[N, dim]` embedding matrix as float32. Call inside `tf.tidy`. */
export function embeddingMatrix(value: unknown, fn: string, arg: string): tf.Tensor2D {
  return floatTensor<tf.Rank.R2>(value, fn, arg, 2, ' [N, dim]');
}

/** Image and text embeddings of one batch of pairs: both `[N, dim]` with the same N and dim. */
export function pairedEmbeddings(imageEmb: unknown, textEmb: unknown, fn: string): [tf.Tensor2D, tf.Tensor2D] {
  const image = embeddingMatrix(imageEmb, fn, 'imageEmb');
  const text = embeddingMatrix(textEmb, fn, 'textEmb');
  if (text.shape[0] !== image.shape[0] || text.shape[1] !== image.shape[1]) {
    throw new RangeError(
      `${fn}: 'textEmb' must have the shape of 'imageEmb' [${image.shape.join(', ')}] (row i of each is pair i); got [${text.shape.join(', ')}]`,
    );
  }
  return [image, text];
}

/**
 * A number or a one-element float tensor (a `Scalar`, e.g. a learnable `Variable`), as a rank-0 float32
 * tensor created in the caller's scope. Gradients flow back to a given tensor.
 */
export function scalarArg(value: unknown, fn: string, arg: string): tf.Scalar {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${fn}: '${arg}' must be a finite number; got ${value}`);
    return tf.scalar(value);
  }
  const t = asTensor(value);
  if (!t) throw new TypeError(`${fn}: '${arg}' must be a number or a scalar tensor; got ${got(value)}`);
  if (t.isDisposed) throw new TypeError(`${fn}: '${arg}' is a disposed tensor`);
  if (t.dtype !== 'float32' && t.dtype !== 'int32') {
    throw new TypeError(`${fn}: '${arg}' must have dtype float32 (or int32, which is cast); got ${t.dtype}`);
  }
  if (t.size !== 1) throw new RangeError(`${fn}: '${arg}' must be a scalar (one element); got shape [${t.shape.join(', ')}]`);
  const f = t.dtype === 'float32' ? t : tf.cast(t, 'float32');
  return f.rank === 0 ? (f as tf.Scalar) : tf.reshape<tf.Rank.R0>(f, []);
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

/** A finite number, optionally positive, an integer and/or bounded below. */
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

/** The `chunkSize` option of the chunked ops: a positive integer. */
export function chunkSizeOption(value: unknown, fn: string): number {
  if (value === undefined) throw new TypeError(`${fn}: 'options.chunkSize' is required (a positive integer); got undefined`);
  return numberOption(value, fn, 'options.chunkSize', { positive: true, integer: true });
}

/** An AbortSignal or undefined. */
export function signalOption(value: unknown, fn: string): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || typeof (value as AbortSignal).aborted !== 'boolean') {
    throw new TypeError(`${fn}: 'options.signal' must be an AbortSignal; got ${got(value)}`);
  }
  return value as AbortSignal;
}

/** A callback or undefined. */
export function callbackOption<F>(value: unknown, fn: string, arg: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new TypeError(`${fn}: '${arg}' must be a function; got ${got(value)}`);
  return value as F;
}
