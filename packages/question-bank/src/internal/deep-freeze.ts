/**
 * Freezes a plain-data value and everything reachable from it, so that the shared question objects
 * cannot be edited by one caller under another. Returns the same value, typed as read-only at the top.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
