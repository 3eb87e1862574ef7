import type { ClaimResult } from './types.js';

/** |measured / expected − 1| ≤ tolerance (relative tolerance, e.g. 0.25 for "about X"). */
export function withinRelative(measured: number, expected: number, tolerance: number): boolean {
  return Number.isFinite(measured) && Math.abs(measured / expected - 1) <= tolerance;
}

/** Builds a measured result: the verdict is `holds` when `holds` is true, else `wrong`. */
export function decide(holds: boolean, measured: string, reason: string, value: ClaimResult['value']): ClaimResult {
  return { measured, verdict: holds ? 'holds' : 'wrong', reason, ...(value === undefined ? {} : { value }) };
}
