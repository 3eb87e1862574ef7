import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { badNumberArrays, badNumbers, expectArrayClose, expectBadInputs, expectThrowsNaming, loadFixture } from '@prep/test-utils';
import { mean, median, quantile, RunningMoments, standardDeviation, variance, type QuantileMethod } from '../src/index.js';
import raw from './fixtures/descriptive.json';

interface Case {
  n: number;
  offset: number;
  x: number[];
  mean: number;
  var_ddof0: number;
  var_ddof1: number | null;
  quantiles: Record<QuantileMethod, Record<string, number>>;
}
const fixture = loadFixture<{ cases: Case[] }>(raw);

// Tolerances: the references are exact (rational arithmetic, rounded once). Plain data agrees to a few
// ulps; at a 1e9 offset the variance keeps 12 digits (the corrected two-pass form).
const tight = { atol: 0, rtol: 64 * Number.EPSILON };
const offsetVar = { atol: 0, rtol: 1e-12 };

describe('mean / variance / quantile against numpy', () => {
  for (const c of fixture.cases) {
    const label = `n=${c.n} offset=${c.offset}`;
    it(`mean ${label}`, () => {
      expectArrayClose(mean(c.x), c.mean, c.offset ? { atol: 0, rtol: 4 * Number.EPSILON } : { atol: 1e-15, rtol: 64 * Number.EPSILON });
    });
    it(`variance ${label}`, () => {
      const tol = c.offset ? offsetVar : { atol: 1e-16, ...{ rtol: tight.rtol } };
      expectArrayClose(variance(c.x, { ddof: 0 }), c.var_ddof0, tol, 'ddof 0');
      if (c.var_ddof1 !== null) {
        expectArrayClose(variance(c.x), c.var_ddof1, tol, 'ddof 1');
        expectArrayClose(standardDeviation(c.x), Math.sqrt(c.var_ddof1), tol, 'sd');
      }
    });
    it(`quantile ${label}`, () => {
      for (const [method, byP] of Object.entries(c.quantiles)) {
        for (const [p, expected] of Object.entries(byP)) {
          expectArrayClose(quantile(c.x, Number(p), { method: method as QuantileMethod }), expected, tight, `${method} p=${p}`);
        }
      }
      expectArrayClose(median(c.x), c.quantiles.linear['0.5']!, tight);
    });
  }
});

describe('numerical traps', () => {
  it('keeps the noise at a 1e9 offset where the textbook formula fails', () => {
    const x = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    expect(variance(x)).toBe(30);
    // The naive Σx²/n − mean² form loses everything here; make sure that is what we are guarding against.
    const naive = x.reduce((s, v) => s + v * v, 0) / 4 - (x.reduce((s, v) => s + v, 0) / 4) ** 2;
    expect(Math.abs(naive - 22.5)).toBeGreaterThan(1);
  });
  it('zero variance is exactly 0', () => {
    expect(variance([3.3, 3.3, 3.3])).toBe(0);
  });
  it('n = 1: mean and quantile are the value; sample variance needs n ≥ 2', () => {
    expect(mean([5])).toBe(5);
    expect(quantile([5], 0.3)).toBe(5);
    expect(variance([5], { ddof: 0 })).toBe(0);
    expectThrowsNaming(() => variance([5]), 'variance', 'x');
  });
  it('does not modify its input', () => {
    const x = [3, 1, 2];
    quantile(x, 0.5);
    expect(x).toEqual([3, 1, 2]);
  });
});

describe('properties', () => {
  const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 60 });
  it('the mean lies between min and max; variance ≥ 0; shift-invariant variance', () => {
    fc.assert(
      fc.property(sample, fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x, shift) => {
        const m = mean(x);
        const lo = Math.min(...x);
        const hi = Math.max(...x);
        expect(m).toBeGreaterThanOrEqual(lo - 1e-9 * Math.abs(lo));
        expect(m).toBeLessThanOrEqual(hi + 1e-9 * Math.abs(hi));
        const v = variance(x);
        expect(v).toBeGreaterThanOrEqual(0);
        const shifted = variance(x.map((t) => t + shift));
        expect(Math.abs(shifted - v)).toBeLessThanOrEqual(1e-6 * (v + 1));
      }),
    );
  });
  it('quantiles are monotone in p', () => {
    fc.assert(
      fc.property(sample, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (x, a, b) => {
        const [p, q] = a <= b ? [a, b] : [b, a];
        expect(quantile(x, p)).toBeLessThanOrEqual(quantile(x, q));
      }),
    );
  });
});

describe('bad input', () => {
  it('mean, variance, quantile name the argument', () => {
    expectBadInputs({ fn: mean, fnName: 'mean', validArgs: () => [[1, 2, 3]], argNames: ['x'], cases: { x: badNumberArrays } });
    expectBadInputs({
      fn: variance,
      fnName: 'variance',
      validArgs: () => [[1, 2, 3]],
      argNames: ['x', 'options'],
      cases: { x: badNumberArrays, options: ['ddof', 3, null] },
    });
    expectThrowsNaming(() => variance([1, 2, 3], { ddof: -1 }), 'variance', 'ddof');
    expectThrowsNaming(() => variance([1, 2, 3], { ddof: 0.5 }), 'variance', 'ddof');
    expectBadInputs({
      fn: quantile,
      fnName: 'quantile',
      validArgs: () => [[1, 2, 3], 0.5],
      argNames: ['x', 'p'],
      cases: { x: badNumberArrays, p: [...badNumbers, -0.1, 1.5] },
    });
    expectThrowsNaming(() => quantile([1, 2], 0.5, { method: 'cubic' as QuantileMethod }), 'quantile', 'method');
  });
});

describe('RunningMoments (Welford)', () => {
  it('matches the batch functions on the numpy cases without an offset', () => {
    for (const c of fixture.cases.filter((k) => k.offset === 0)) {
      const m = new RunningMoments();
      for (const v of c.x) m.push(v);
      expect(m.count).toBe(c.n);
      expectArrayClose(m.mean, c.mean, { atol: 1e-15, rtol: 1e-13 });
      expectArrayClose(m.variance(0), c.var_ddof0, { atol: 1e-15, rtol: 1e-12 });
    }
  });
  it('keeps at least 4 digits at a 1e9 offset and refuses bad values unchanged', () => {
    const big = fixture.cases.find((k) => k.offset > 0 && k.n === 500)!;
    const m = new RunningMoments();
    for (const v of big.x) m.push(v);
    expectArrayClose(m.variance(0), big.var_ddof0, { atol: 0, rtol: 1e-4 });
    expectThrowsNaming(() => m.push(NaN), 'RunningMoments.push', 'value');
    expect(m.count).toBe(500);
    expect(new RunningMoments().variance()).toBeNaN();
  });
});
