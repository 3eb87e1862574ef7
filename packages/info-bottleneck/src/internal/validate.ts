/** Internal argument checks shared by the estimators and losses. Not exported from the index. */
import * as tf from '@tensorflow/tfjs-core';

/** Units of an information quantity: bits (log base 2) or nats (natural log). */
export type InformationUnits = 'bits' | 'nats';

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

/**
 * Checks that `value` is a live float32/int32 tensor of the given rank with no zero-sized dimension and
 * returns it (not cast: callers cast inside their own `tf.tidy`). TypeError for the wrong kind or dtype,
 * RangeError for the wrong rank or an empty tensor.
 */
export function checkTensor<R extends tf.Rank>(value: unknown, fn: string, arg: string, rank: number): tf.Tensor<R> {
  const t = asTensor(value);
  if (!t) throw new TypeError(`${fn}: '${arg}' must be a tensor of rank ${rank}; got ${got(value)}`);
  if (t.isDisposed) throw new TypeError(`${fn}: '${arg}' is a disposed tensor`);
  if (t.dtype !== 'float32' && t.dtype !== 'int32') {
    throw new TypeError(`${fn}: '${arg}' must have dtype float32 (or int32, which is cast); got ${t.dtype}`);
  }
  if (t.rank !== rank) throw new RangeError(`${fn}: '${arg}' must have rank ${rank}; got shape [${t.shape.join(', ')}]`);
  if (t.size === 0) throw new RangeError(`${fn}: '${arg}' must not be empty; got shape [${t.shape.join(', ')}]`);
  return t as tf.Tensor<R>;
}

/** `t` as float32 (a cast is created in the caller's scope). */
export function asFloat<T extends tf.Tensor>(t: T): T {
  return (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));
}

/** An options object or undefined. */
export function optionsObject<T extends object>(value: unknown, fn: string, arg = 'options'): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof tf.Tensor) {
    throw new TypeError(`${fn}: '${arg}' must be an object; got ${got(value)}`);
  }
  return value;
}

/** A finite number, optionally positive, an integer and/or at least `min`. */
export function numberOption(
  value: unknown,
  fn: string,
  arg: string,
  { positive = false, integer = false, min }: { positive?: boolean; integer?: boolean; min?: number } = {},
): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: '${arg}' must be a number; got ${got(value)}`);
  const bad =
    !Number.isFinite(value) || (positive && value <= 0) || (integer && !Number.isInteger(value)) || (min !== undefined && value < min);
  if (bad) {
    const want = [positive ? 'positive' : '', integer ? 'integer' : 'finite number', min !== undefined ? `≥ ${min}` : '']
      .filter(Boolean)
      .join(' ');
    throw new RangeError(`${fn}: '${arg}' must be a ${want}; got ${value}`);
  }
  return value;
}

/** The `units` option: 'bits' (default) or 'nats'. */
export function unitsOption(value: unknown, fn: string, arg = 'options.units'): InformationUnits {
  if (value === undefined) return 'bits';
  if (typeof value !== 'string') throw new TypeError(`${fn}: '${arg}' must be 'bits' or 'nats'; got ${got(value)}`);
  if (value !== 'bits' && value !== 'nats') throw new RangeError(`${fn}: '${arg}' must be 'bits' or 'nats'; got ${JSON.stringify(value)}`);
  return value;
}

/** Converts a quantity in nats to the requested units. */
export function fromNats(valueNats: number, units: InformationUnits): number {
  return units === 'nats' ? valueNats : valueNats / Math.LN2;
}

/** Class labels of `count` rows, compacted to ids 0..numClasses−1, with the count of each class. */
export interface Labels {
  /** Compact class id of each row. */
  ids: Int32Array;
  /** Rows per class, by compact id. */
  counts: number[];
  /** The original label value of each compact id (ascending). */
  values: number[];
}

/**
 * Validates labels given as an Int32Array or a plain array of integers, one per row, and compacts them.
 * TypeError for the wrong kind, RangeError for the wrong length or a non-integer entry.
 */
export function labelsArray(value: unknown, count: number, fn: string, arg = 'labels'): Labels {
  let list: ArrayLike<unknown>;
  if (value instanceof Int32Array) list = value;
  else if (Array.isArray(value)) list = value as unknown[];
  else throw new TypeError(`${fn}: '${arg}' must be an Int32Array or an array of integers; got ${got(value)}`);
  if (list.length !== count) {
    throw new RangeError(`${fn}: '${arg}' must have one label per row (${count}); got length ${list.length}`);
  }
  const raw = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const v = list[i];
    if (typeof v !== 'number') throw new TypeError(`${fn}: '${arg}[${i}]' must be an integer; got ${got(v)}`);
    if (!Number.isInteger(v)) throw new RangeError(`${fn}: '${arg}[${i}]' must be an integer; got ${v}`);
    raw[i] = v;
  }
  const values = [...new Set(raw)].sort((a, b) => a - b);
  const idOf = new Map(values.map((v, i) => [v, i]));
  const ids = new Int32Array(count);
  const counts = new Array<number>(values.length).fill(0);
  for (let i = 0; i < count; i++) {
    const id = idOf.get(raw[i]!)!;
    ids[i] = id;
    counts[id]! += 1;
  }
  return { ids, counts, values };
}

/** A non-empty array option (any readonly array), copied; TypeError when not an array, RangeError when empty. */
export function arrayOption(value: unknown, fn: string, arg: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${fn}: '${arg}' must be an array; got ${got(value)}`);
  const list = value as unknown[];
  if (list.length === 0) throw new RangeError(`${fn}: '${arg}' must not be empty`);
  return [...list];
}
