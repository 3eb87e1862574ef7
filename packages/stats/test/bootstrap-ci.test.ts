import { describe, expect, it } from 'vitest';
import { badNumberArrays, expectArrayClose, expectBadInputs, expectThrowsNaming, loadFixture } from '@prep/test-utils';
import { bootstrapCI, median, type BootstrapMethod } from '../src/index.js';
import { bootstrapDistribution, intervalFromDistribution } from '../src/bootstrap-ci.js';
import raw from './fixtures/bootstrap.json';

const fx = loadFixture<{
  formula: { n: number; kind: string; statistic: 'mean' | 'median' | 'sd'; x: number[]; distribution: number[]; rows: { method: BootstrapMethod; confidence: number; lower: number; upper: number }[] }[];
  monteCarlo: { x: number[]; resamples: number; confidence: number; lowerMean: number; lowerSd: number; upperMean: number; upperSd: number };
}>(raw);

const statistics = {
  mean: (s: Float64Array): number => s.reduce((a, v) => a + v, 0) / s.length,
  median: (s: Float64Array): number => median(s),
  sd: (s: Float64Array): number => {
    const m = s.reduce((a, v) => a + v, 0) / s.length;
    return Math.sqrt(s.reduce((a, v) => a + (v - m) ** 2, 0) / (s.length - 1));
  },
};

describe('bootstrap interval formulas = scipy.stats.bootstrap on the same bootstrap distribution', () => {
  it('percentile, basic and BCa (jackknife acceleration, mid-rank bias correction), mean / median / sd, n = 10 … 100', () => {
    // scipy is handed our fixture's resamples through `bootstrap_result` with n_resamples=0, so both sides
    // read the same 2000 values: the only differences are rounding (1e-12 of the data's scale).
    for (const c of fx.formula) {
      const values = Float64Array.from(c.x);
      const stat = statistics[c.statistic];
      const sorted = Float64Array.from(c.distribution).sort();
      const estimate = stat(values);
      for (const r of c.rows) {
        const ci = intervalFromDistribution(values, stat, estimate, sorted, r.confidence, r.method);
        const scale = Math.abs(r.upper - r.lower);
        expectArrayClose([ci.lower, ci.upper], [r.lower, r.upper], { atol: 1e-12 * scale, rtol: 0 }, `${c.kind} n=${c.n} ${c.statistic} ${r.method} ${r.confidence}`);
      }
    }
  });
});

describe('bootstrapCI end to end', () => {
  it('BCa for the mean of a skewed sample agrees with scipy within Monte-Carlo error (20 scipy runs of 10,000)', () => {
    const mc = fx.monteCarlo;
    // our interval is one more draw of the same Monte-Carlo quantity: within 4 standard deviations of
    // scipy's mean over 20 runs (the sd of a difference of one run and a 20-run mean: sd·√(1 + 1/20))
    for (const seed of [1, 2, 3]) {
      const ci = bootstrapCI(mc.x, statistics.mean, { resamples: mc.resamples, confidence: mc.confidence, seed });
      expect(Math.abs(ci.lower - mc.lowerMean)).toBeLessThan(4 * mc.lowerSd * Math.sqrt(1.05));
      expect(Math.abs(ci.upper - mc.upperMean)).toBeLessThan(4 * mc.upperSd * Math.sqrt(1.05));
    }
  });
  it('is reproducible for a seed and differs between seeds; the estimate is the statistic of the data', () => {
    const x = [71.2, 70.8, 71.5, 70.9, 71.1, 73.9, 71.0, 70.7];
    const a = bootstrapCI(x, median, { seed: 7, resamples: 2000 });
    expect(bootstrapCI(x, median, { seed: 7, resamples: 2000 })).toEqual(a);
    expect(bootstrapCI(x, statistics.mean, { seed: 8, resamples: 2000 })).not.toEqual(bootstrapCI(x, statistics.mean, { seed: 9, resamples: 2000 }));
    expect(a.estimate).toBe(71.05);
    expect(bootstrapCI(x, median).estimate).toBe(71.05); // defaults: 9999 resamples, BCa, seed 0
  });
  it('the resamples are uniform draws: the bootstrap mean of the mean is the sample mean', () => {
    const x = Float64Array.from({ length: 50 }, (_, i) => i);
    const dist = bootstrapDistribution(x, statistics.mean, 20000, 3);
    const average = dist.reduce((a, v) => a + v, 0) / dist.length;
    // sd of one resample mean: 14.43/√50 ≈ 2.04; of the average of 20000: 0.0144
    expect(Math.abs(average - 24.5)).toBeLessThan(0.06);
  });
  it('percentile and basic mirror each other around the estimate; a constant sample gives a zero-width interval', () => {
    const x = [1.2, 3.4, 2.2, 5.1, 0.4, 2.8, 9.7];
    const p = bootstrapCI(x, statistics.mean, { method: 'percentile', seed: 4, resamples: 3000 });
    const b = bootstrapCI(x, statistics.mean, { method: 'basic', seed: 4, resamples: 3000 });
    expect(b.lower).toBeCloseTo(2 * p.estimate - p.upper, 12);
    expect(b.upper).toBeCloseTo(2 * p.estimate - p.lower, 12);
    for (const method of ['bca', 'percentile', 'basic'] as const) {
      expect(bootstrapCI([3, 3, 3, 3], statistics.mean, { method, resamples: 200 })).toEqual({ estimate: 3, lower: 3, upper: 3 });
    }
  });
  it('BCa needs 2 values (the jackknife); percentile works from 1', () => {
    expect(bootstrapCI([4], statistics.mean, { method: 'percentile', resamples: 10 })).toEqual({ estimate: 4, lower: 4, upper: 4 });
    expectThrowsNaming(() => bootstrapCI([4], statistics.mean), 'bootstrapCI', 'x');
  });
});

describe('bad input', () => {
  it('names the function and the argument', () => {
    expectBadInputs({
      fn: bootstrapCI,
      fnName: 'bootstrapCI',
      validArgs: () => [[1, 2, 3], statistics.mean, { resamples: 50 }],
      argNames: ['x', 'statistic', 'options'],
      cases: {
        x: badNumberArrays,
        statistic: [undefined, null, 'mean', 3],
        options: [null, 4, { resamples: 0 }, { resamples: 2.5 }, { resamples: '100' }, { confidence: 1 }, { method: 'bc' }, { seed: 1.5 }, { seed: NaN }],
      },
    });
    expectThrowsNaming(() => bootstrapCI([1, 2, 3], () => 'x' as unknown as number), 'bootstrapCI', 'statistic', [TypeError]);
    expectThrowsNaming(() => bootstrapCI([1, 2, 3], () => NaN), 'bootstrapCI', 'statistic', [RangeError]);
  });
});
