/** Internal argument checks shared by the functions of this package. Not exported from the index. */

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined) {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value;
}

/** Describes a received value for an error message. */
export function got(value: unknown): string {
  return describe(value);
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'function') return false;
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return true;
  const length = (value as { length?: unknown }).length;
  return typeof length === 'number' && Number.isInteger(length) && length >= 0;
}

/**
 * Copies an array-like of finite numbers into a Float64Array, or throws: TypeError for a value that is
 * not an array of numbers, RangeError for too few elements or a non-finite entry.
 */
export function finiteArray(value: unknown, fn: string, arg: string, minLength = 1): Float64Array {
  if (!isArrayLike(value)) {
    throw new TypeError(`${fn}: '${arg}' must be an array-like of numbers; got ${describe(value)}`);
  }
  const n = value.length;
  if (n < minLength) {
    throw new RangeError(`${fn}: '${arg}' must have at least ${minLength} element${minLength === 1 ? '' : 's'}; got ${n}`);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = value[i];
    if (typeof v !== 'number') {
      throw new TypeError(`${fn}: '${arg}[${i}]' must be a number; got ${describe(v)}`);
    }
    if (!Number.isFinite(v)) {
      throw new RangeError(`${fn}: '${arg}[${i}]' must be finite; got ${v}`);
    }
    out[i] = v;
  }
  return out;
}

/** A finite number, optionally within bounds (open or closed). */
export function finiteNumber(
  value: unknown,
  fn: string,
  arg: string,
  range: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean } = {},
): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: '${arg}' must be a number; got ${describe(value)}`);
  const { min, max, minExclusive = false, maxExclusive = false, integer = false } = range;
  const below = min !== undefined && (minExclusive ? value <= min : value < min);
  const above = max !== undefined && (maxExclusive ? value >= max : value > max);
  if (!Number.isFinite(value) || below || above || (integer && !Number.isInteger(value))) {
    const lo = min === undefined ? '' : `${minExclusive ? '>' : '≥'} ${min}`;
    const hi = max === undefined ? '' : `${maxExclusive ? '<' : '≤'} ${max}`;
    const what = [integer ? 'an integer' : 'a finite number', [lo, hi].filter(Boolean).join(' and ')].filter(Boolean).join(' ');
    throw new RangeError(`${fn}: '${arg}' must be ${what}; got ${value}`);
  }
  return value;
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], fn: string, arg: string): T {
  if (typeof value !== 'string') {
    throw new TypeError(`${fn}: '${arg}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${describe(value)}`);
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${fn}: '${arg}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got '${value}'`);
  }
  return value as T;
}

/** An options object (or undefined). */
export function optionsObject<T extends object>(value: unknown, fn: string, arg = 'options'): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${fn}: '${arg}' must be an object; got ${describe(value)}`);
  }
  return value;
}

/** The alternative hypotheses every test accepts. */
export const ALTERNATIVES = ['two-sided', 'less', 'greater'] as const;

/** `options.alternative`, default 'two-sided'. */
export function alternativeOption(value: unknown, fn: string): 'two-sided' | 'less' | 'greater' {
  return value === undefined ? 'two-sided' : oneOf(value, ALTERNATIVES, fn, 'options.alternative');
}

/** A probability strictly inside (0, 1), such as a confidence level or a significance level. */
export function openUnitOption(value: unknown, fallback: number, fn: string, arg: string): number {
  return value === undefined ? fallback : finiteNumber(value, fn, arg, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
}

/** A plain function argument. */
export function functionArg<T extends (...args: never[]) => unknown>(value: unknown, fn: string, arg: string): T {
  if (typeof value !== 'function') throw new TypeError(`${fn}: '${arg}' must be a function; got ${describe(value)}`);
  return value as T;
}

/** A boolean option (undefined gives the fallback). */
export function booleanOption(value: unknown, fallback: boolean, fn: string, arg: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${fn}: '${arg}' must be a boolean; got ${describe(value)}`);
  return value;
}

/** Two samples of equal length (paired data); the error names `y`. */
export function pairedArrays(x: unknown, y: unknown, fn: string, minLength = 1): [Float64Array, Float64Array] {
  const xs = finiteArray(x, fn, 'x', minLength);
  const ys = finiteArray(y, fn, 'y', minLength);
  if (xs.length !== ys.length) {
    throw new RangeError(`${fn}: 'y' must have the same length as 'x' (paired samples); got ${ys.length} and ${xs.length}`);
  }
  return [xs, ys];
}
