import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { badNumbers, expectArrayClose, expectBadInputs, loadFixture } from '@prep/test-utils';
import { adjustPValues, bonferroniAlpha, familywiseErrorRate, sidakAlpha, type PValueAdjustment } from '../src/index.js';
import raw from './fixtures/padjust.json';

const METHODS = ['bonferroni', 'holm', 'hochberg', 'bh', 'by'] as const;
const fx = loadFixture<{ cases: ({ p: number[] } & Record<(typeof METHODS)[number], number[]>)[]; scipyOrderCase: { p: number[] } }>(raw);

// Tolerance: the adjustments are a product and a running min/max; 4 ulps relative.
const tight = { atol: 0, rtol: 4 * Number.EPSILON };

describe('adjustPValues = R p.adjust', () => {
  it('matches the reference for n = 1 … 500 with ties, zeros and ones (BH/BY: scipy.stats.false_discovery_control)', () => {
    for (const c of fx.cases) {
      for (const method of METHODS) expectArrayClose(adjustPValues(c.p, method), c[method], tight, `${method} n=${c.p.length}`);
      expect(adjustPValues(c.p, 'none')).toEqual(c.p);
    }
  });
  it("statsmodels' res_multtest3 (R multtest): p = .001 … .005, .05 … .09", () => {
    const p = [0.001, 0.002, 0.003, 0.004, 0.005, 0.05, 0.06, 0.07, 0.08, 0.09];
    const expected: Record<(typeof METHODS)[number], number[]> = {
      bonferroni: [0.01, 0.02, 0.03, 0.04, 0.05, 0.5, 0.6, 0.7, 0.8, 0.9],
      holm: [0.01, 0.018, 0.024, 0.028, 0.03, 0.25, 0.25, 0.25, 0.25, 0.25],
      hochberg: [0.01, 0.018, 0.024, 0.028, 0.03, 0.09, 0.09, 0.09, 0.09, 0.09],
      bh: [0.01, 0.01, 0.01, 0.01, 0.01, 0.08333333333333334, 0.0857142857142857, 0.0875, 0.0888888888888889, 0.09],
      by: [
        0.02928968253968254, 0.02928968253968254, 0.02928968253968254, 0.02928968253968254, 0.02928968253968254,
        0.2440806878306878, 0.2510544217687075, 0.2562847222222222, 0.260352733686067, 0.2636071428571428,
      ],
    };
    // statsmodels asserts 15 decimals
    for (const method of METHODS) expectArrayClose(adjustPValues(p, method), expected[method], { atol: 1e-15, rtol: 0 }, method);
  });
  it("scipy's order-preservation case: shuffled p with a tie, against R's p.adjust (BH, BY)", () => {
    const bh = [0.24617028, 0.0114003, 0.05652047, 0.06841983, 0.07989886, 0.0184149, 0.17540784, 0.06841983, 0.06841983, 0.25464082];
    const by = [0.72102493, 0.03339112, 0.16554665, 0.20039952, 0.23402122, 0.05393666, 0.51376399, 0.20039952, 0.20039952, 0.74583488];
    expectArrayClose(adjustPValues(fx.scipyOrderCase.p, 'bh'), bh, { atol: 1e-6, rtol: 0 }, 'bh');
    expectArrayClose(adjustPValues(fx.scipyOrderCase.p, 'by'), by, { atol: 1e-6, rtol: 0 }, 'by');
  });
  it('keeps tiny p-values tiny (statsmodels #7465): 1.138569e-56 among 6000 p = 0.99', () => {
    const p = Array<number>(6000).fill(0.99);
    p[0] = 1.138569e-56;
    for (const method of METHODS) expect(adjustPValues(p, method)[0]).toBeGreaterThan(1e-60);
  });
  it('a single p-value is unchanged by every method', () => {
    for (const method of METHODS) expect(adjustPValues([0.25], method)).toEqual([0.25]);
  });
});

describe('properties', () => {
  const pValues = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 });
  const method = fc.constantFrom<PValueAdjustment>(...METHODS);
  it('adjusted p ≥ raw p, ≤ 1, and monotone in the raw p', () => {
    fc.assert(
      fc.property(pValues, method, (p, m) => {
        const adjusted = adjustPValues(p, m);
        expect(adjusted).toHaveLength(p.length);
        for (let i = 0; i < p.length; i++) {
          expect(adjusted[i]).toBeGreaterThanOrEqual(p[i]!);
          expect(adjusted[i]).toBeLessThanOrEqual(1);
          for (let j = 0; j < p.length; j++) if (p[i]! < p[j]!) expect(adjusted[i]).toBeLessThanOrEqual(adjusted[j]!);
        }
      }),
    );
  });
  it('order-equivariant: permuting the input permutes the output; Holm ≤ Bonferroni, Hochberg ≤ Holm, BH ≤ BY', () => {
    fc.assert(
      fc.property(pValues, method, fc.integer({ min: 0, max: 1000 }), (p, m, seed) => {
        const order = p.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101) || a - b);
        const shuffled = order.map((i) => p[i]!);
        const direct = adjustPValues(p, m);
        const viaShuffle = adjustPValues(shuffled, m);
        order.forEach((i, k) => expect(viaShuffle[k]).toBe(direct[i]));
        const bonf = adjustPValues(p, 'bonferroni');
        const holm = adjustPValues(p, 'holm');
        const hoch = adjustPValues(p, 'hochberg');
        const bh = adjustPValues(p, 'bh');
        const by = adjustPValues(p, 'by');
        p.forEach((_, i) => {
          expect(holm[i]).toBeLessThanOrEqual(bonf[i]!);
          expect(hoch[i]).toBeLessThanOrEqual(holm[i]!);
          expect(bh[i]).toBeLessThanOrEqual(by[i]!);
        });
      }),
    );
  });
});

describe('family-wise error rate and per-test levels (question 10)', () => {
  it('four tests at 0.05: FWER 1 − 0.95⁴ = 0.18549375 ("≈ 18.5%"); Bonferroni 0.0125; three tests 0.0166…', () => {
    expectArrayClose(familywiseErrorRate(0.05, 4), 0.18549375, { atol: 0, rtol: 4 * Number.EPSILON });
    expect(familywiseErrorRate(0.05, 1)).toBeCloseTo(0.05, 15);
    expect(bonferroniAlpha(0.05, 4)).toBe(0.0125);
    expect(bonferroniAlpha(0.05, 3)).toBe(0.05 / 3);
    expectArrayClose(sidakAlpha(0.05, 4), 1 - Math.pow(0.95, 0.25), { atol: 0, rtol: 1e-14 });
    // Šidák's level gives exactly the target FWER; Bonferroni's gives a little less
    expectArrayClose(familywiseErrorRate(sidakAlpha(0.05, 4), 4), 0.05, { atol: 0, rtol: 1e-14 });
    expect(familywiseErrorRate(bonferroniAlpha(0.05, 4), 4)).toBeLessThan(0.05);
    // tiny alpha keeps its digits: 1 − (1 − 1e-12)^3 ≈ 3e-12
    expectArrayClose(familywiseErrorRate(1e-12, 3), 3e-12, { atol: 0, rtol: 1e-11 });
  });
  it('bad input names the function and the argument', () => {
    for (const [fn, fnName] of [
      [familywiseErrorRate, 'familywiseErrorRate'],
      [bonferroniAlpha, 'bonferroniAlpha'],
      [sidakAlpha, 'sidakAlpha'],
    ] as const) {
      expectBadInputs({ fn, fnName, validArgs: () => [0.05, 4], argNames: ['alpha', 'tests'], cases: { alpha: [...badNumbers, 0, 1, -0.1, 2], tests: [...badNumbers, 0, -1, 2.5] } });
    }
  });
});

describe('bad input', () => {
  it('adjustPValues names the function and the argument', () => {
    expectBadInputs({
      fn: adjustPValues,
      fnName: 'adjustPValues',
      validArgs: () => [[0.01, 0.2], 'holm'],
      argNames: ['p', 'method'],
      cases: { p: ['0.1', null, undefined, 3, [], [0.1, NaN], [0.1, Infinity], [0.1, '0.2'], [-0.01], [1.01]], method: [undefined, null, 3, 'BH', 'fdr', ''] },
    });
  });
});
