import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { badNumberArrays, expectArrayClose, expectBadInputs, expectThrowsNaming, loadFixture } from '@prep/test-utils';
import { wilcoxonSignedRank, type Alternative, type ZeroMethod } from '../src/index.js';
import raw from './fixtures/wilcoxon.json';

interface Row {
  zeroMethod: ZeroMethod;
  correction: boolean;
  alternative: Alternative;
  method: 'exact' | 'approx';
  statistic: number;
  pValue: number;
  z?: number;
}
const fx = loadFixture<{
  cases: { n: number; kind: string; x: number[]; y: number[]; tiesOrZeros: boolean; results: Row[] }[];
  vectors: { name: string; x: number[]; y: number[]; method: 'exact' | 'approx'; rows: { alternative: Alternative; correction: boolean; statistic: number; pValue: number }[] }[];
}>(raw);

// Tolerances against scipy.stats.wilcoxon: the statistic is a sum of half-integer ranks (exact);
// exact p-values are sums of dyadic probabilities (1e-14 relative); normal-approximation p-values go
// through Φ of the same z (1e-12 relative, 1e-15 absolute for p near 0).
describe('wilcoxonSignedRank against scipy (n = 1 … 500, every zeroMethod × correction × alternative × method)', () => {
  for (const c of fx.cases) {
    it(`n=${c.n} ${c.kind}`, () => {
      for (const r of c.results) {
        const label = `${r.method} ${r.zeroMethod} ${r.alternative} correction=${r.correction}`;
        const res = wilcoxonSignedRank(c.x, c.y, { zeroMethod: r.zeroMethod, correction: r.correction, alternative: r.alternative, method: r.method });
        expect(res.method, label).toBe(r.method);
        expectArrayClose(res.statistic, r.statistic, { atol: 1e-9, rtol: 0 }, `${label} statistic`);
        if (Number.isNaN(r.pValue)) {
          // scipy's asymptotic branch on all-zero differences; we return p = 1 (documented)
          expect(res.pValue, label).toBe(1);
          continue;
        }
        expectArrayClose(res.pValue, r.pValue, { atol: 1e-15, rtol: r.method === 'exact' ? 1e-14 : 1e-12 }, `${label} p`);
        if (r.method === 'approx') expectArrayClose(res.z!, r.z!, { atol: 1e-12, rtol: 1e-12 }, `${label} z`);
        else expect(res.z).toBeUndefined();
      }
      // 'auto': exact for n ≤ 50 without ties or zeros, else the normal approximation
      const auto = wilcoxonSignedRank(c.x, c.y);
      const expected = c.n <= 50 && !c.tiesOrZeros ? 'exact' : 'approx';
      expect(auto.method).toBe(expected);
      const same = c.results.find((r) => r.method === expected && r.zeroMethod === 'wilcox' && !r.correction && r.alternative === 'two-sided')!;
      if (!Number.isNaN(same.pValue)) expectArrayClose(auto.pValue, same.pValue, { atol: 1e-15, rtol: 1e-12 }, 'auto');
    });
  }
});

describe("scipy's Wilcoxon test vectors", () => {
  it('exact p (R 4.0.3), one-sided and two-sided; normal approximation with and without correction (R)', () => {
    for (const v of fx.vectors) {
      for (const r of v.rows) {
        const res = wilcoxonSignedRank(v.x, v.y, { alternative: r.alternative, correction: r.correction, method: v.method });
        expectArrayClose(res.statistic, r.statistic, { atol: 1e-12, rtol: 0 }, `${v.name} ${r.alternative}`);
        expectArrayClose(res.pValue, r.pValue, { atol: 1e-15, rtol: 1e-12 }, `${v.name} ${r.alternative} ${r.correction}`);
      }
    }
    // the R values scipy's suite quotes
    const [x1, y1] = [fx.vectors[0]!.x, fx.vectors[0]!.y];
    expectArrayClose(wilcoxonSignedRank(x1, y1, { method: 'exact' }).pValue, 0.10546875, { atol: 0, rtol: 1e-15 });
    expectArrayClose(wilcoxonSignedRank(x1, y1, { method: 'exact', alternative: 'less' }).pValue, 0.95800781256, { atol: 1e-10, rtol: 0 }); // R printed 11 digits
    expectArrayClose(wilcoxonSignedRank(x1, y1, { method: 'exact', alternative: 'greater' }).pValue, 0.052734375, { atol: 0, rtol: 1e-15 });
    const [x2, y2] = [fx.vectors[3]!.x, fx.vectors[3]!.y];
    expect(wilcoxonSignedRank(x2, y2, { method: 'approx' }).statistic).toBe(34);
    expectArrayClose(wilcoxonSignedRank(x2, y2, { method: 'approx' }).pValue, 0.6948866023724735, { atol: 0, rtol: 1e-12 });
    expectArrayClose(wilcoxonSignedRank(x2, y2, { method: 'approx', correction: true }).pValue, 0.7240816609153895, { atol: 0, rtol: 1e-12 });
  });
  it('Pratt vs R coin (gh-6805) and the frequency table case (pratt 423, zsplit 441, wilcox 327)', () => {
    const pratt = wilcoxonSignedRank([1, 2, 3, 4], [1, 2, 3, 5], { zeroMethod: 'pratt', method: 'approx' });
    expect(pratt.statistic).toBe(0);
    expectArrayClose(pratt.pValue, 0.31731050786291415, { atol: 0, rtol: 1e-12 });
    const freq = [1, 4, 16, 15, 8, 4, 5, 1, 2];
    const x = freq.flatMap((count, i) => Array<number>(count).fill(i - 4));
    const check = (zeroMethod: ZeroMethod, statistic: number, p: number): void => {
      const r = wilcoxonSignedRank(x, undefined, { zeroMethod, method: 'approx' });
      expect(r.statistic).toBe(statistic);
      expectArrayClose(r.pValue, p, { atol: 0, rtol: 1e-10 }, zeroMethod);
    };
    check('pratt', 423, 0.0031724568006762576);
    check('zsplit', 441, 0.0032145343172473055);
    check('wilcox', 327, 0.00641346115861);
  });
  it('ties: R wilcox.test(rep(0.1, 10)) gives 0.001565402258002551 (0.00190419504300439 corrected)', () => {
    const d = Array<number>(10).fill(0.1);
    expectArrayClose(wilcoxonSignedRank(d, undefined, { method: 'approx' }).pValue, 0.001565402258002551, { atol: 0, rtol: 1e-12 });
    expectArrayClose(wilcoxonSignedRank(d, undefined, { method: 'approx', correction: true }).pValue, 0.00190419504300439, { atol: 0, rtol: 1e-12 });
    expect(wilcoxonSignedRank(d).method).toBe('approx'); // ties: auto goes to the approximation
  });
  it('exact p of 1 at the centre of the distribution; symmetry of one-sided exact tests (gh-19872)', () => {
    for (const x of [[-1, -2, 3], [-1, 2, -3, -4, 5], [-1, -2, 3, -4, -5, -6, 7, 8]]) {
      const r = wilcoxonSignedRank(x);
      expect(r.statistic).toBe(x.filter((v) => v > 0).reduce((s, v) => s + v, 0));
      expect(r.pValue).toBe(1);
    }
    const var1 = [62, 66, 61, 68, 74, 62, 68, 62, 55, 59];
    const var2 = [71, 71, 69, 61, 75, 71, 77, 72, 62, 65];
    for (const method of ['exact', 'approx'] as const) {
      const ref = wilcoxonSignedRank(var1, var2, { alternative: 'less', method });
      const res = wilcoxonSignedRank(var2, var1, { alternative: 'greater', method });
      expect(Number.isInteger(res.statistic)).toBe(false);
      expect(55 - res.statistic).toBeCloseTo(ref.statistic, 12);
      expectArrayClose(res.pValue, ref.pValue, { atol: 0, rtol: 1e-12 }, method);
    }
  });
  it('all-zero input: statistic 0 (or the zsplit rank sum) and p = 1 for every method', () => {
    const x = Array.from({ length: 20 }, (_, i) => i);
    for (const method of ['exact', 'approx', 'auto'] as const) {
      for (const zeroMethod of ['wilcox', 'pratt'] as const) {
        const r = wilcoxonSignedRank(x, x, { zeroMethod, method });
        expect(r.statistic).toBe(0);
        expect(r.pValue).toBe(1);
      }
      const z = wilcoxonSignedRank(x, x, { zeroMethod: 'zsplit', method });
      expect(z.statistic).toBe((20 * 21) / 4);
      expect(z.pValue).toBe(1);
    }
    expect(wilcoxonSignedRank([0, 0, 0, 0, 0], undefined, { method: 'exact' })).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
  });
  it('five seeds can never reach p < 0.05 two-sided: the smallest exact p is 2/2⁵ = 0.0625', () => {
    expect(wilcoxonSignedRank([0.3, 0.5, 0.1, 0.9, 0.4]).pValue).toBe(0.0625);
    expect(wilcoxonSignedRank([0.3, 0.5, 0.1, 0.9, 0.4, 0.2]).pValue).toBe(0.03125);
    expect(wilcoxonSignedRank([0.3, 0.5, 0.1, 0.9, 0.4], undefined, { alternative: 'greater' }).pValue).toBe(0.03125);
  });
  it('n = 1 and 2 work', () => {
    expect(wilcoxonSignedRank([2]).pValue).toBe(1);
    expect(wilcoxonSignedRank([2], undefined, { alternative: 'greater' }).pValue).toBe(0.5);
    expect(wilcoxonSignedRank([2, -1]).statistic).toBe(1);
  });
});

describe('properties', () => {
  const diffs = fc.array(fc.integer({ min: -50, max: 50 }).map((v) => v / 10), { minLength: 1, maxLength: 40 });
  it('swapping x and y with the alternative flipped keeps p (Pratt: approx only); p in [0, 1]', () => {
    fc.assert(
      fc.property(diffs, fc.constantFrom<Alternative>('less', 'greater', 'two-sided'), fc.constantFrom<ZeroMethod>('wilcox', 'pratt', 'zsplit'), fc.boolean(), (d, alt, zeroMethod, correction) => {
        const zeros = d.map(() => 0);
        const flip: Alternative = alt === 'less' ? 'greater' : alt === 'greater' ? 'less' : 'two-sided';
        // (Pratt's exact p drops the zeros' ranks from both sides, so it is not symmetric; scipy neither)
        for (const method of zeroMethod === 'pratt' ? (['approx'] as const) : (['exact', 'approx'] as const)) {
          const a = wilcoxonSignedRank(d, zeros, { alternative: alt, zeroMethod, correction, method });
          const b = wilcoxonSignedRank(zeros, d, { alternative: flip, zeroMethod, correction, method });
          expect(Math.abs(a.pValue - b.pValue)).toBeLessThanOrEqual(1e-12);
          expect(a.pValue).toBeGreaterThanOrEqual(0);
          expect(a.pValue).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});

describe('bad input', () => {
  it('names the function and the argument; refuses mismatched lengths', () => {
    expectBadInputs({
      fn: wilcoxonSignedRank,
      fnName: 'wilcoxonSignedRank',
      validArgs: () => [[1, 2, 3], [0, 0, 1], {}],
      argNames: ['x', 'y', 'options'],
      cases: {
        x: badNumberArrays,
        y: [...badNumberArrays.filter((v) => v !== undefined), [1, 2]],
        options: [null, 5, { alternative: 'both' }, { zeroMethod: 'drop' }, { zeroMethod: 1 }, { correction: 'yes' }, { method: 'asymptotic' }, { method: 0 }],
      },
    });
    expectThrowsNaming(() => wilcoxonSignedRank([]), 'wilcoxonSignedRank', 'x');
  });
});
