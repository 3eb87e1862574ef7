/**
 * Internal argument checks that need no tensors (the async RLAIF helpers and the controllers use only these,
 * so they do not load tfjs). Not exported from the index.
 */

/** Whether a value looks like a tfjs tensor (checked without importing tfjs). */
function isTensorShaped(value: unknown): value is { dtype: string; shape: number[] } {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as { shape?: unknown }).shape) &&
    typeof (value as { dtype?: unknown }).dtype === 'string'
  );
}

/** Describes a received value for an error message. */
export function got(value: unknown): string {
  if (value === null) return 'null';
  if (isTensorShaped(value)) return `a ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
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

/** An options object or undefined. */
export function optionsObject<T extends object>(value: unknown, fn: string, arg = 'options'): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isTensorShaped(value)) {
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
