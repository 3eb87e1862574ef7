import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { badNumberArrays, expectArrayClose, expectBadInputs, expectThrowsNaming, loadFixture } from '@prep/test-utils';
import { meanCI, tTestOneSample, tTestPaired, tTestStudent, tTestWelch, type Alternative, type TTestResult } from '../src/index.js';
import raw from './fixtures/ttest.json';

interface Ref {
  statistic: number;
  df: number;
  pValue: number;
  ci: [number, number];
}
interface Case {
  n: number;
  kind: 'plain' | 'offset';
  x: number[];
  y: number[];
  y2: number[];
  results: ({ alternative: Alternative; confidence: number; mu: number } & Record<'oneSample' | 'paired' | 'welch' | 'student', Ref>)[];
}
const fx = loadFixture<{
  cases: Case[];
  tails: ({ x: number[]; alternative: Alternative } & Ref)[];
  degenerate: { x: number[]; mu: number; statistic: number; pValue: number }[];
}>(raw);

// Tolerances. Plain data against scipy: statistic and df 1e-12 relative (both sides compute the same
// moments, summed in different orders), p 1e-11 relative (the t CDF, 1e-13, times the condition number of
// p in t), CI ends 1e-12 relative to the interval's width. At a 1e9 offset the reference is exact rational
// moments: we keep 1e-9 of the statistic (the corrected two-pass variance keeps ~12 digits of noise that
// is 1e-12 of the data); the CI ends carry the offset, so they are compared to 1e-9 of the width.
function expectMatches(actual: TTestResult, ref: Ref, offset: boolean, label: string): void {
  const rtol = offset ? 1e-9 : 1e-12;
  expectArrayClose(actual.statistic, ref.statistic, { atol: 0, rtol }, `${label} statistic`);
  expectArrayClose(actual.df, ref.df, { atol: 0, rtol: offset ? 1e-9 : 1e-12 }, `${label} df`);
  expectArrayClose(actual.pValue, ref.pValue, { atol: offset ? 1e-9 : 1e-15, rtol: offset ? 1e-8 : 1e-11 }, `${label} p`);
  const finite = ref.ci.filter(Number.isFinite);
  const width = Math.abs(actual.ci[1] - actual.ci[0]);
  const scale = Number.isFinite(width) ? width : Math.abs(actual.estimate - (finite[0] as number));
  // plus 4 ulps of the ends themselves: near 1e9 a double is only good to 1.2e-7
  const ulps = 4 * Number.EPSILON * Math.max(...finite.map(Math.abs));
  expectArrayClose(actual.ci, ref.ci, { atol: (offset ? 1e-9 : 1e-12) * scale + ulps, rtol: 0 }, `${label} ci`);
}

describe('t-tests against scipy (sizes 2 … 500, three alternatives, two confidence levels)', () => {
  for (const c of fx.cases) {
    it(`n=${c.n} ${c.kind}`, () => {
      for (const r of c.results) {
        const opts = { alternative: r.alternative, confidence: r.confidence };
        const label = `${r.alternative} ${r.confidence}`;
        const offset = c.kind === 'offset';
        expectMatches(tTestOneSample(c.x, { ...opts, mu: r.mu }), r.oneSample, offset, `one-sample ${label}`);
        expectMatches(tTestPaired(c.x, c.y, opts), r.paired, offset, `paired ${label}`);
        expectMatches(tTestWelch(c.x, c.y2, opts), r.welch, offset, `welch ${label}`);
        expectMatches(tTestStudent(c.x, c.y2, opts), r.student, offset, `student ${label}`);
      }
    });
  }
  it('meanCI equals the two-sided one-sample interval', () => {
    for (const c of fx.cases.filter((k) => k.kind === 'plain')) {
      for (const r of c.results.filter((k) => k.alternative === 'two-sided')) {
        const ci = meanCI(c.x, { confidence: r.confidence });
        const width = r.oneSample.ci[1] - r.oneSample.ci[0];
        expectArrayClose([ci.lower, ci.upper], r.oneSample.ci, { atol: 1e-12 * width, rtol: 0 }, `n=${c.n}`);
        expect(ci.estimate).toBe(tTestOneSample(c.x).estimate);
      }
    }
  });
});

describe('ported scenarios', () => {
  // R: t.test(extra ~ group, data = sleep) and its paired / var.equal variants (R's printed digits).
  const g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
  const g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
  it("Welch on R's sleep data: t = -1.8608, df = 17.776, p = 0.07939, CI [-3.3654832, 0.2054832]", () => {
    const r = tTestWelch(g1, g2);
    expectArrayClose(r.statistic, -1.8608, { atol: 5e-5, rtol: 0 });
    expectArrayClose(r.df, 17.776, { atol: 5e-4, rtol: 0 });
    expectArrayClose(r.pValue, 0.07939, { atol: 5e-6, rtol: 0 });
    expectArrayClose(r.ci, [-3.3654832, 0.2054832], { atol: 5e-8, rtol: 0 });
    expectArrayClose(r.estimate, 0.75 - 2.33, { atol: 1e-15, rtol: 0 });
  });
  it('Student and paired on the same data: t = -1.8608 (df 18, p = 0.07919), t = -4.0621 (df 9, p = 0.002833)', () => {
    const s = tTestStudent(g1, g2);
    expect(s.df).toBe(18);
    expectArrayClose(s.pValue, 0.07919, { atol: 5e-6, rtol: 0 });
    expectArrayClose(s.ci, [-3.363874, 0.203874], { atol: 5e-7, rtol: 0 });
    const p = tTestPaired(g1, g2);
    expectArrayClose(p.statistic, -4.0621, { atol: 5e-5, rtol: 0 });
    expectArrayClose(p.pValue, 0.002833, { atol: 5e-7, rtol: 0 });
    expectArrayClose(p.ci, [-2.4598858, -0.7001142], { atol: 5e-8, rtol: 0 });
  });
});

describe('numerical traps', () => {
  it('p-values far in the tail stay finite and non-zero (down to 1e-50 and beyond)', () => {
    for (const r of fx.tails) {
      const actual = tTestOneSample(r.x, { alternative: r.alternative });
      expectArrayClose(actual.pValue, r.pValue, { atol: 0, rtol: 1e-10 }, `${r.alternative} t=${r.statistic}`);
      if (r.alternative !== 'less') expect(actual.pValue).toBeGreaterThan(0);
    }
    const tiny = fx.tails.find((r) => r.alternative === 'greater' && r.pValue < 1e-50);
    expect(tiny, 'the fixture holds a p below 1e-50').toBeDefined();
    // The other side is 1 − p: exactly 1 in double precision, never 1 − 1e-16 garbage or above 1.
    const other = tTestOneSample(tiny!.x, { alternative: 'less' }).pValue;
    expect(other).toBe(1);
  });
  it('zero variance: ±Infinity (p = 0) or NaN (p = NaN), as scipy; the interval collapses to the mean', () => {
    for (const d of fx.degenerate) {
      const r = tTestOneSample(d.x, { mu: d.mu });
      expectArrayClose(r.statistic, d.statistic, { atol: 0, rtol: 1e-12 }, `x=${d.x.join(',')} mu=${d.mu}`);
      expectArrayClose(r.pValue, d.pValue, { atol: 1e-15, rtol: 1e-12 }, `x=${d.x.join(',')} mu=${d.mu}`);
    }
    expect(tTestOneSample([3, 3, 3]).ci).toEqual([3, 3]);
    const welch = tTestWelch([1, 1, 1], [2, 2]);
    expect(welch.statistic).toBe(-Infinity);
    expect(welch.pValue).toBe(0);
    expect(welch.df).toBeNaN();
    expect(tTestPaired([1, 2, 3], [0, 1, 2]).statistic).toBe(Infinity);
  });
  it('n = 2 works; n = 1 is refused (no variance), naming the argument', () => {
    const r = tTestOneSample([1, 2]);
    expect(r.df).toBe(1);
    expectArrayClose(r.pValue, 0.20483276469913345, { atol: 0, rtol: 1e-13 }); // scipy.stats.ttest_1samp([1, 2], 0)
    expectThrowsNaming(() => tTestOneSample([1]), 'tTestOneSample', 'x');
    expectThrowsNaming(() => tTestWelch([1], [1, 2]), 'tTestWelch', 'x');
    expectThrowsNaming(() => tTestStudent([1], [2]), 'tTestStudent', 'y');
    expect(tTestStudent([1], [2, 3]).df).toBe(1);
    expectThrowsNaming(() => meanCI([1]), 'meanCI', 'x');
  });
});

describe('properties', () => {
  // scores with 6 decimals: no subnormals, whose squares underflow and make df 0/0
  const score = fc.double({ min: -1e3, max: 1e3, noNaN: true }).map((v) => Math.round(v * 1e6) / 1e6);
  const sample = fc.array(score, { minLength: 2, maxLength: 30 });
  const alternative = fc.constantFrom<Alternative>('two-sided', 'less', 'greater');
  const flip = (a: Alternative): Alternative => (a === 'less' ? 'greater' : a === 'greater' ? 'less' : a);
  it('swapping x and y with the alternative flipped negates t and keeps p', () => {
    fc.assert(
      fc.property(sample, sample, alternative, (x, y, alt) => {
        for (const test of [tTestWelch, tTestStudent]) {
          const a = test(x, y, { alternative: alt });
          const b = test(y, x, { alternative: flip(alt) });
          if (Number.isNaN(a.statistic)) return;
          expect(b.statistic).toBeCloseTo(-a.statistic, 8);
          expect(Math.abs(a.pValue - b.pValue)).toBeLessThanOrEqual(1e-12 + 1e-9 * a.pValue);
        }
        const n = Math.min(x.length, y.length);
        const a = tTestPaired(x.slice(0, n), y.slice(0, n), { alternative: alt });
        const b = tTestPaired(y.slice(0, n), x.slice(0, n), { alternative: flip(alt) });
        if (Number.isFinite(a.statistic)) expect(Math.abs(a.pValue - b.pValue)).toBeLessThanOrEqual(1e-12 + 1e-9 * a.pValue);
      }),
    );
  });
  it('the interval contains the estimate and p lies in [0, 1]; less + greater = 1 + two-sided overlap', () => {
    fc.assert(
      fc.property(sample, fc.double({ min: 0.5, max: 0.999, noNaN: true }), alternative, (x, confidence, alt) => {
        const r = tTestOneSample(x, { alternative: alt, confidence });
        expect(r.ci[0]).toBeLessThanOrEqual(r.estimate);
        expect(r.ci[1]).toBeGreaterThanOrEqual(r.estimate);
        if (!Number.isNaN(r.pValue)) {
          expect(r.pValue).toBeGreaterThanOrEqual(0);
          expect(r.pValue).toBeLessThanOrEqual(1);
        }
        const less = tTestOneSample(x, { alternative: 'less' }).pValue;
        const greater = tTestOneSample(x, { alternative: 'greater' }).pValue;
        if (!Number.isNaN(less)) expect(less + greater).toBeCloseTo(1, 12);
      }),
    );
  });
});

describe('bad input', () => {
  const badOptions = [null, 3, 'x', { alternative: 'sideways' }, { alternative: 3 }, { confidence: 0 }, { confidence: 1 }, { confidence: 95 }, { confidence: NaN }, { confidence: '0.95' }];
  it('every t-test names the function and the argument', () => {
    expectBadInputs({
      fn: tTestOneSample,
      fnName: 'tTestOneSample',
      validArgs: () => [[1, 2, 3]],
      argNames: ['x', 'options'],
      cases: { x: [...badNumberArrays, [1]], options: [...badOptions, { mu: NaN }, { mu: '0' }] },
    });
    for (const [fn, fnName] of [
      [tTestPaired, 'tTestPaired'],
      [tTestWelch, 'tTestWelch'],
      [tTestStudent, 'tTestStudent'],
    ] as const) {
      expectBadInputs({
        fn,
        fnName,
        validArgs: () => [[1, 2, 3], [2, 3, 5]],
        argNames: ['x', 'y', 'options'],
        cases: { x: badNumberArrays, y: badNumberArrays, options: badOptions },
      });
    }
    expectThrowsNaming(() => tTestPaired([1, 2, 3], [1, 2]), 'tTestPaired', 'y');
    expectBadInputs({
      fn: meanCI,
      fnName: 'meanCI',
      validArgs: () => [[1, 2, 3]],
      argNames: ['x', 'options'],
      cases: { x: badNumberArrays, options: [null, 1, { confidence: 1.5 }, { confidence: -0.1 }] },
    });
  });
  it('does not modify its input', () => {
    const x = [3, 1, 2];
    const y = [1, 1, 0];
    tTestWelch(x, y);
    tTestPaired(x, y);
    expect(x).toEqual([3, 1, 2]);
    expect(y).toEqual([1, 1, 0]);
  });
});
