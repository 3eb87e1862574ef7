import { expect } from 'vitest';

/** Tolerances for element-wise comparison: |a − e| ≤ atol + rtol · |e|. */
export interface Tolerance {
  atol?: number;
  rtol?: number;
}

export interface CloseReport {
  ok: boolean;
  worstIndex: number;
  worstActual: number;
  worstExpected: number;
  worstExcess: number;
}

function sameNonFinite(a: number, e: number): boolean {
  return (Number.isNaN(a) && Number.isNaN(e)) || (!Number.isFinite(e) && a === e);
}

/** Compares two flat arrays and reports the element that exceeds its tolerance by most. */
export function compareArrays(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { atol = 1e-6, rtol = 1e-6 }: Tolerance = {},
): CloseReport {
  let worstIndex = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (sameNonFinite(a, e)) continue;
    const excess = Number.isNaN(a) || !Number.isFinite(e) ? Infinity : Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (excess > worstExcess || (excess === Infinity && worstExcess !== Infinity)) {
      worstExcess = excess;
      worstIndex = i;
    }
  }
  return {
    ok: worstIndex === -1,
    worstIndex,
    worstActual: worstIndex >= 0 ? (actual[worstIndex] as number) : NaN,
    worstExpected: worstIndex >= 0 ? (expected[worstIndex] as number) : NaN,
    worstExcess,
  };
}

/** Asserts two arrays (or numbers) are element-wise close; the failure names the worst element. */
export function expectArrayClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  tolerance: Tolerance = {},
  label = 'value',
): void {
  const a = typeof actual === 'number' ? [actual] : actual;
  const e = typeof expected === 'number' ? [expected] : expected;
  expect(a.length, `${label}: length`).toBe(e.length);
  const report = compareArrays(a, e, tolerance);
  if (!report.ok) {
    const { atol = 1e-6, rtol = 1e-6 } = tolerance;
    expect.fail(
      `${label}: element ${report.worstIndex} is ${report.worstActual}, expected ${report.worstExpected} ` +
        `(atol ${atol}, rtol ${rtol}; off by ${Math.abs(report.worstActual - report.worstExpected)})`,
    );
  }
}

/** Relative-error tolerance in units of double-precision epsilon, as stdlib writes it: k · EPS · |expected|. */
export function epsTolerance(k: number): Tolerance {
  return { atol: 0, rtol: k * Number.EPSILON };
}
