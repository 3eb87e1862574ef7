import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { badNumberArrays, expectArrayClose, expectBadInputs, expectThrowsNaming, loadFixture } from '@prep/test-utils';
import { cohensD, cohensDz, hedgesG, tTestPaired, tTestStudent } from '../src/index.js';
import { hedgesCorrection } from '../src/effect-size.js';
import raw from './fixtures/effect.json';

const fx = loadFixture<{
  cases: { x: number[]; y: number[]; d: number; gApprox: number; gExact: number | null; dz?: number }[];
  hedgesFactor: { df: number; exact: number }[];
}>(raw);

// References are exact (mpmath, 40 digits) moments; tolerance 1e-13 relative.
const tol = { atol: 1e-15, rtol: 1e-13 };

describe('effect sizes against exact values (sizes 2 … 500)', () => {
  it("Cohen's d, Hedges' g (approximate and exact gamma factor), Cohen's d_z", () => {
    for (const c of fx.cases) {
      const label = `nx=${c.x.length} ny=${c.y.length}`;
      expectArrayClose(cohensD(c.x, c.y), c.d, tol, `d ${label}`);
      expectArrayClose(hedgesG(c.x, c.y), c.gApprox, tol, `g ${label}`);
      if (c.gExact !== null) expectArrayClose(hedgesG(c.x, c.y, { correction: 'exact' }), c.gExact, tol, `g exact ${label}`);
      if (c.dz !== undefined) expectArrayClose(cohensDz(c.x, c.y), c.dz, tol, `dz ${label}`);
    }
  });
  it("Hedges' exact factor J(df) = Γ(df/2) / (√(df/2) Γ((df − 1)/2)) for df = 2 … 1e5", () => {
    for (const r of fx.hedgesFactor) expectArrayClose(hedgesCorrection(r.df, 'exact'), r.exact, { atol: 0, rtol: 1e-14 }, `df=${r.df}`);
    // the approximation is within 0.3% of the exact factor from nx + ny = 6 on, 0.04% from 12 on
    for (const df of [4, 10, 100]) expect(Math.abs(hedgesCorrection(df, 'approximate') / hedgesCorrection(df, 'exact') - 1)).toBeLessThan(df < 10 ? 3e-3 : 4e-4);
  });
  it('relations: t = d_z √n (paired), t = d / √(1/nx + 1/ny) (Student); g = J·d', () => {
    const x = [71.2, 70.8, 71.5, 70.9, 71.1];
    const y = [70.9, 70.6, 71.0, 70.8, 70.7];
    expectArrayClose(tTestPaired(x, y).statistic, cohensDz(x, y) * Math.sqrt(5), { atol: 0, rtol: 1e-13 });
    const u = [1.2, 3.4, 2.2, 5.1];
    expectArrayClose(tTestStudent(x, u).statistic, cohensD(x, u) / Math.sqrt(1 / 5 + 1 / 4), { atol: 0, rtol: 1e-13 });
    expectArrayClose(hedgesG([5, 6, 7], [3, 4, 5]), 1.6, { atol: 0, rtol: 1e-15 });
  });
  it('numerical traps: a 1e9 offset keeps the effect; zero variance gives ±Infinity or NaN', () => {
    // noise in multiples of 2⁻⁷, so 1e9 + noise is stored exactly and only the arithmetic is tested
    const base = [5, -2, 3, -6, 1].map((k) => k / 128);
    const other = [1, 0, -3, -2, 2].map((k) => k / 128);
    const plain = cohensD(base, other);
    expectArrayClose(cohensD(base.map((v) => 1e9 + v), other.map((v) => 1e9 + v)), plain, { atol: 0, rtol: 1e-12 });
    expectArrayClose(cohensDz(base.map((v) => 1e9 + v), other.map((v) => 1e9 + v)), cohensDz(base, other), { atol: 0, rtol: 1e-12 });
    expect(cohensD([2, 2], [1, 1])).toBe(Infinity);
    expect(cohensD([1, 1], [1, 1])).toBeNaN();
    expect(cohensDz([2, 3], [1, 2])).toBe(Infinity);
  });
});

describe('properties', () => {
  const score = fc.integer({ min: -1000, max: 1000 }).map((v) => v / 100);
  const sample = fc.array(score, { minLength: 2, maxLength: 25 });
  it('swapping x and y negates d and g; |g| < |d|; d is shift- and scale-invariant', () => {
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: -100, max: 100 }), fc.integer({ min: 1, max: 50 }), (x, y, shift, scale) => {
        const d = cohensD(x, y);
        if (!Number.isFinite(d)) return;
        expect(cohensD(y, x)).toBeCloseTo(-d, 10);
        expect(Math.abs(hedgesG(x, y))).toBeLessThanOrEqual(Math.abs(d));
        const moved = cohensD(x.map((v) => v * scale + shift), y.map((v) => v * scale + shift));
        expect(moved).toBeCloseTo(d, 8);
      }),
    );
  });
});

describe('bad input', () => {
  it('names the function and the argument', () => {
    for (const [fn, fnName] of [
      [cohensD, 'cohensD'],
      [hedgesG, 'hedgesG'],
      [cohensDz, 'cohensDz'],
    ] as const) {
      expectBadInputs({ fn, fnName, validArgs: () => [[1, 2, 3], [2, 3, 5]], argNames: ['x', 'y'], cases: { x: badNumberArrays, y: badNumberArrays } });
    }
    expectThrowsNaming(() => cohensD([1], [2]), 'cohensD', 'y');
    expectThrowsNaming(() => cohensDz([1, 2, 3], [1, 2]), 'cohensDz', 'y');
    expectThrowsNaming(() => hedgesG([1, 2], [3], { correction: 'exact' }), 'hedgesG', 'y');
    expectThrowsNaming(() => hedgesG([1, 2], [3, 4], { correction: 'fast' as 'exact' }), 'hedgesG', 'options.correction');
    expectThrowsNaming(() => hedgesG([1, 2], [3, 4], null as never), 'hedgesG', 'options');
  });
});
