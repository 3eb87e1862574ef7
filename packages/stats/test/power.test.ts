import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectArrayClose, expectThrowsNaming, loadFixture } from '@prep/test-utils';
import { sampleSize, tTestPower, type Alternative, type TTestDesign } from '../src/index.js';
import raw from './fixtures/power.json';

interface Row {
  design: TTestDesign;
  alternative: Alternative;
  effectSize: number;
  alpha: number;
}
const fx = loadFixture<{ power: (Row & { n: number; power: number })[]; sampleSize: (Row & { power: number; n: number })[] }>(raw);

describe('tTestPower / sampleSize = R pwr.t.test (noncentral t), against scipy.stats.nct', () => {
  it('power for three designs × three alternatives × d ∈ {0.2, 0.5, 0.8, −0.3, 1.5} × n ∈ 2.5 … 200 × α ∈ {0.05, 0.01}', () => {
    // Lenth's series stops at a remainder bound of 1e-12; the t quantile is good to 1e-13: 1e-9 absolute.
    for (const r of fx.power) {
      const actual = tTestPower({ effectSize: r.effectSize, n: r.n, alpha: r.alpha, alternative: r.alternative, design: r.design });
      expectArrayClose(actual, r.power, { atol: 1e-9, rtol: 0 }, `${r.design} ${r.alternative} d=${r.effectSize} n=${r.n} α=${r.alpha}`);
    }
  });
  it('sample size, solved to 1e-7 relative (scipy brentq to 1e-12 on the same power function)', () => {
    for (const r of fx.sampleSize) {
      const actual = sampleSize({ effectSize: r.effectSize, power: r.power, alpha: r.alpha, alternative: r.alternative, design: r.design });
      expectArrayClose(actual, r.n, { atol: 0, rtol: 1e-7 }, `${r.design} ${r.alternative} d=${r.effectSize} power=${r.power} α=${r.alpha}`);
    }
  });
  it("R pwr's documented cases: d = 0.5, power 0.8 → 63.77 per group (two-sample), 33.37 pairs (paired)", () => {
    const twoSample = sampleSize({ effectSize: 0.5, power: 0.8, design: 'two-sample' });
    const paired = sampleSize({ effectSize: 0.5, power: 0.8, design: 'paired' });
    expect(twoSample.toFixed(2)).toBe('63.77');
    expect(paired.toFixed(2)).toBe('33.37');
    // R prints 63.76576 and 33.36713; uniroot stops at tol = eps^¼ ≈ 1.2e-4, so R is that far from the root
    expectArrayClose(twoSample, 63.76576, { atol: 2e-4, rtol: 0 });
    expectArrayClose(paired, 33.36713, { atol: 2e-4, rtol: 0 });
    expect(tTestPower({ effectSize: 0.5, n: twoSample, design: 'two-sample' })).toBeCloseTo(0.8, 10);
  });
  it('five seeds detect a medium effect about one time in nine', () => {
    const p = tTestPower({ effectSize: 0.5, n: 5, design: 'two-sample' });
    expect(p).toBeGreaterThan(0.1);
    expect(p).toBeLessThan(0.12);
  });
  it('effect size 0 gives power alpha; n = 2 is returned when two observations already suffice', () => {
    for (const alternative of ['two-sided', 'less', 'greater'] as const) {
      expect(tTestPower({ effectSize: 0, n: 20, alpha: 0.05, alternative, design: 'paired' })).toBeCloseTo(0.05, 12);
    }
    expect(sampleSize({ effectSize: 50, power: 0.8, design: 'one-sample' })).toBe(2);
  });
});

describe('properties', () => {
  it('power increases with n and with |d|; sampleSize inverts tTestPower', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 2, noNaN: true }),
        fc.double({ min: 3, max: 300, noNaN: true }),
        fc.constantFrom<TTestDesign>('one-sample', 'paired', 'two-sample'),
        fc.constantFrom<Alternative>('two-sided', 'greater'),
        (d, n, design, alternative) => {
          const p = tTestPower({ effectSize: d, n, design, alternative });
          expect(tTestPower({ effectSize: d, n: n + 1, design, alternative })).toBeGreaterThanOrEqual(p - 1e-12);
          expect(tTestPower({ effectSize: d * 1.1, n, design, alternative })).toBeGreaterThanOrEqual(p - 1e-12);
          if (p > 0.06 && p < 0.999) {
            expectArrayClose(sampleSize({ effectSize: d, power: p, design, alternative }), n, { atol: 0, rtol: 1e-6 });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('bad input', () => {
  const valid = { effectSize: 0.5, n: 10, design: 'two-sample' as const };
  it('tTestPower names the option', () => {
    expectThrowsNaming(() => tTestPower(undefined as never), 'tTestPower', 'options');
    expectThrowsNaming(() => tTestPower(null as never), 'tTestPower', 'options');
    expectThrowsNaming(() => tTestPower({ ...valid, design: undefined as never }), 'tTestPower', 'options.design');
    expectThrowsNaming(() => tTestPower({ ...valid, design: 'three-sample' as never }), 'tTestPower', 'options.design');
    for (const bad of [NaN, Infinity, '0.5', undefined]) {
      expectThrowsNaming(() => tTestPower({ ...valid, effectSize: bad as never }), 'tTestPower', 'options.effectSize');
    }
    for (const bad of [1.5, 1, 0, -3, NaN, '10']) expectThrowsNaming(() => tTestPower({ ...valid, n: bad as never }), 'tTestPower', 'options.n');
    for (const bad of [0, 1, -0.05, 1.5, NaN, '0.05']) expectThrowsNaming(() => tTestPower({ ...valid, alpha: bad as never }), 'tTestPower', 'options.alpha');
    expectThrowsNaming(() => tTestPower({ ...valid, alternative: 'two-tailed' as never }), 'tTestPower', 'options.alternative');
  });
  it('sampleSize refuses non-positive effect sizes and unreachable powers', () => {
    const ok = { effectSize: 0.5, power: 0.8, design: 'paired' as const };
    for (const bad of [0, -0.5, NaN, Infinity, '0.5']) expectThrowsNaming(() => sampleSize({ ...ok, effectSize: bad as never }), 'sampleSize', 'options.effectSize');
    for (const bad of [0, 1, 0.04, 0.05, 1.2, NaN]) expectThrowsNaming(() => sampleSize({ ...ok, power: bad }), 'sampleSize', 'options.power');
    for (const bad of [0, 1, 2]) expectThrowsNaming(() => sampleSize({ ...ok, alpha: bad }), 'sampleSize', 'options.alpha');
    expectThrowsNaming(() => sampleSize({ ...ok, effectSize: 1e-6, power: 0.99 }), 'sampleSize', 'options.power');
    expectThrowsNaming(() => sampleSize({ ...ok, design: 'x' as never }), 'sampleSize', 'options.design');
  });
});
