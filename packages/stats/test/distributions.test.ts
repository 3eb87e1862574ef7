import { describe, expect, it } from 'vitest';
import { expectArrayClose, loadFixture } from '@prep/test-utils';
import {
  noncentralTCdf,
  normalCdf,
  normalQuantile,
  normalSf,
  studentTCdf,
  studentTQuantile,
  studentTSf,
} from '../src/internal/distributions.js';
import { signedRankCdf, signedRankPmf, signedRankSf } from '../src/internal/signed-rank-distribution.js';
import { incompleteBeta, logBeta, logGamma } from '../src/internal/special.js';
import raw from './fixtures/distributions.json';

interface Fixture {
  normal: { z: number; cdf: number; sf: number }[];
  normalQuantile: { p: number; x: number }[];
  studentT: { t: number; df: number; cdf: number; sf: number }[];
  studentTQuantile: { p: number; df: number; x: number }[];
  noncentralT: { t: number; df: number; ncp: number; cdf: number; sf: number }[];
  signedRankPmf: Record<string, number[]>;
}
const fx = loadFixture<Fixture>(raw);

// Tolerances (relative, against scipy.special / mpmath at 40 digits):
// Φ and its tails 2e-14 (the rounding of z/√2 alone costs z²·eps far out); Φ⁻¹ 1e-15 relative + 1e-300;
// Student t 2e-13 for df ≤ 1e4 (the continued fraction of the incomplete beta at large a), quantiles 1e-12;
// noncentral t 1e-9 absolute (Lenth's series stops at a bound of 1e-12 on the remainder).
describe('normal distribution (internal) against scipy.special.ndtr / ndtri', () => {
  it('cdf and sf, including 1e-300 tails', () => {
    for (const r of fx.normal) {
      // |z| > 10: the rounding of z/√2 costs ≈ z² · eps relative in e^{−z²/2} (scipy has the same)
      const tol = { atol: 0, rtol: Math.abs(r.z) > 10 ? 2e-13 : 2e-14 };
      expectArrayClose(normalCdf(r.z), r.cdf, tol, `cdf(${r.z})`);
      expectArrayClose(normalSf(r.z), r.sf, tol, `sf(${r.z})`);
    }
  });
  it('quantile, from 1e-300 to 1 − 1e-10', () => {
    expectArrayClose(fx.normalQuantile.map((r) => normalQuantile(r.p)), fx.normalQuantile.map((r) => r.x), { atol: 1e-300, rtol: 2e-15 });
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalCdf(NaN)).toBeNaN();
  });
});

describe('Student t (internal) against mpmath / scipy', () => {
  it('cdf and sf: 160 points, df 1 … 1e4, |t| up to 1000, tails down to 1e-200', () => {
    for (const r of fx.studentT) {
      // df ≤ 500 (every t-test with n ≤ 250 per group): 1e-13; df = 1e4: 1e-12
      const tol = { atol: 0, rtol: r.df > 500 ? 1e-12 : 1e-13 };
      expectArrayClose(studentTCdf(r.t, r.df), r.cdf, tol, `cdf(${r.t}, ${r.df})`);
      expectArrayClose(studentTSf(r.t, r.df), r.sf, tol, `sf(${r.t}, ${r.df})`);
    }
  });
  it('quantile, p from 1e-50 to 1 − 1e-6', () => {
    expectArrayClose(
      fx.studentTQuantile.map((r) => studentTQuantile(r.p, r.df)),
      fx.studentTQuantile.map((r) => r.x),
      { atol: 0, rtol: 1e-12 },
    );
    expect(studentTQuantile(0, 3)).toBe(-Infinity);
    expect(studentTQuantile(1, 3)).toBe(Infinity);
    expect(studentTCdf(Infinity, 3)).toBe(1);
    expect(studentTCdf(-Infinity, 3)).toBe(0);
    expect(studentTCdf(NaN, 3)).toBeNaN();
  });
  it('noncentral t cdf and sf against scipy.stats.nct', () => {
    expectArrayClose(fx.noncentralT.map((r) => noncentralTCdf(r.t, r.df, r.ncp)), fx.noncentralT.map((r) => r.cdf), { atol: 1e-9, rtol: 1e-9 }, 'cdf');
    expectArrayClose(fx.noncentralT.map((r) => noncentralTCdf(r.t, r.df, r.ncp, false)), fx.noncentralT.map((r) => r.sf), { atol: 1e-9, rtol: 1e-9 }, 'sf');
    // ncp = 0 is the central t; a huge df takes the normal approximation
    expect(noncentralTCdf(1.3, 7, 0)).toBe(studentTCdf(1.3, 7));
    expectArrayClose(noncentralTCdf(2, 1e6, 1.5), normalCdf(0.5), { atol: 1e-5, rtol: 0 });
  });
});

describe('special functions (internal)', () => {
  it('logGamma and logBeta at exact values', () => {
    // Γ(n) = (n − 1)!, Γ(½) = √π, B(a, b) = Γ(a)Γ(b)/Γ(a + b)
    expectArrayClose(logGamma(5), Math.log(24), { atol: 4e-15, rtol: 0 });
    expectArrayClose(logGamma(0.5), 0.5 * Math.log(Math.PI), { atol: 4e-15, rtol: 0 });
    expectArrayClose(logGamma(171), 706.5730622457874, { atol: 1e-12, rtol: 0 });
    expectArrayClose(logBeta(2, 3), Math.log(1 / 12), { atol: 4e-15, rtol: 0 });
    expectArrayClose(logBeta(20, 30), logGamma(20) + logGamma(30) - logGamma(50), { atol: 1e-12, rtol: 0 });
  });
  it('incompleteBeta: ends, symmetry and the complement without cancellation', () => {
    expect(incompleteBeta(0, 1, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 0, 2, 3)).toBe(1);
    expect(incompleteBeta(0, 1, 2, 3, true)).toBe(1);
    // I_x(1, 1) = x; I_x(a, b) = 1 − I_{1−x}(b, a)
    expectArrayClose(incompleteBeta(0.3, 0.7, 1, 1), 0.3, { atol: 0, rtol: 4e-15 });
    expectArrayClose(incompleteBeta(0.3, 0.7, 2.5, 4) + incompleteBeta(0.7, 0.3, 4, 2.5), 1, { atol: 1e-15, rtol: 0 });
    expectArrayClose(incompleteBeta(0.999, 0.001, 2, 3, true), 1 - incompleteBeta(0.999, 0.001, 2, 3), { atol: 1e-15, rtol: 0 });
  });
});

describe('exact Wilcoxon null distribution (internal dynamic programming)', () => {
  it('equals scipy._get_wilcoxon_distr for n = 1 … 50', () => {
    for (const [n, pmf] of Object.entries(fx.signedRankPmf)) {
      expectArrayClose(signedRankPmf(Number(n)), pmf, { atol: 0, rtol: 1e-15 }, `n=${n}`);
    }
  });
  it('is exact in binary for n ≤ 50: sums to 1, symmetric, P(R+ = 0) = 2^-n', () => {
    for (const n of [1, 7, 30, 50]) {
      const pmf = signedRankPmf(n);
      expect(pmf.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
      expect(pmf[0]).toBe(2 ** -n);
      const max = pmf.length - 1;
      for (let s = 0; s <= max; s++) expect(pmf[s]).toBe(pmf[max - s]);
      expect(signedRankCdf(pmf, -1)).toBe(0);
      expect(signedRankCdf(pmf, max)).toBe(1);
      expect(signedRankSf(pmf, 0)).toBe(1);
      expect(signedRankSf(pmf, max + 1)).toBe(0);
      // cdf(k) + sf(k + 1) = 1 on both sides of the mean
      for (const k of [0, Math.floor(max / 3), Math.floor((2 * max) / 3)]) {
        expect(signedRankCdf(pmf, k) + signedRankSf(pmf, k + 1)).toBeCloseTo(1, 14);
      }
    }
  });
});
