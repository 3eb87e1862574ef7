/** Argument checks for the plain-TypeScript parts (no tfjs import here: the allocator core must stay pure). */

/** Describes a received value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects were described above
  return `${typeof value} ${String(value)}`;
}

/** A number that is an integer in [min, max]; TypeError for a non-number, RangeError otherwise. */
export function integerArg(value: unknown, fn: string, arg: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: '${arg}' must be a number; got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`${fn}: '${arg}' must be an integer ${range}; got ${value}`);
  }
  return value;
}

/** A finite number in [min, max]. */
export function numberArg(value: unknown, fn: string, arg: string, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: '${arg}' must be a number; got ${describe(value)}`);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${fn}: '${arg}' must be a finite number in [${min}, ${max}]; got ${value}`);
  }
  return value;
}

/** An options object (or undefined → {}). */
export function optionsArg<T extends object>(value: unknown, fn: string, arg = 'options'): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new TypeError(`${fn}: '${arg}' must be an object; got ${describe(value)}`);
  }
  return value;
}

/** A boolean option. */
export function booleanArg(value: unknown, fn: string, arg: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${fn}: '${arg}' must be a boolean; got ${describe(value)}`);
  return value;
}

/** One of a fixed set of strings. */
export function choiceArg<T extends string>(value: unknown, fn: string, arg: string, choices: readonly T[]): T {
  if (typeof value !== 'string') throw new TypeError(`${fn}: '${arg}' must be one of ${choices.map((c) => `'${c}'`).join(', ')}; got ${describe(value)}`);
  if (!choices.includes(value as T)) {
    throw new RangeError(`${fn}: '${arg}' must be one of ${choices.map((c) => `'${c}'`).join(', ')}; got '${value}'`);
  }
  return value as T;
}

/** An array-like of numbers (array or typed array; not a string). */
export function arrayLikeArg(value: unknown, fn: string, arg: string): ArrayLike<unknown> {
  const ok =
    Array.isArray(value) ||
    (ArrayBuffer.isView(value) && !(value instanceof DataView)) ||
    (value !== null && typeof value === 'object' && typeof (value as { length?: unknown }).length === 'number');
  if (!ok) throw new TypeError(`${fn}: '${arg}' must be an array or typed array of numbers; got ${describe(value)}`);
  return value as ArrayLike<unknown>;
}

/** Largest token id we store (tokens live in an Int32Array). */
export const MAX_TOKEN = 0x7fffffff;

/**
 * Checks every token of `tokens` (integers in [0, 2³¹ − 1]) and returns them as an Int32Array copy.
 * TypeError for a non-number element, RangeError for a bad value.
 */
export function tokensArg(value: unknown, fn: string, arg: string): Int32Array {
  const list = arrayLikeArg(value, fn, arg);
  const out = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const t = list[i];
    if (typeof t !== 'number') throw new TypeError(`${fn}: '${arg}[${i}]' must be a number; got ${describe(t)}`);
    if (!Number.isInteger(t) || t < 0 || t > MAX_TOKEN) {
      throw new RangeError(`${fn}: '${arg}[${i}]' must be a token id, an integer in [0, ${MAX_TOKEN}]; got ${t}`);
    }
    out[i] = t;
  }
  return out;
}
