// Questions 6 and 10: statistics of seeds, tests and corrections, with @prep/stats.
import {
  adjustPValues,
  bonferroniAlpha,
  familywiseErrorRate,
  mean,
  meanCI,
  sampleSize,
  standardDeviation,
  tTestOneSample,
  tTestPower,
} from '@prep/stats';
import type { MeasurementRunner } from '../lib/types.js';
import { decide } from '../lib/verdict.js';
import { pct, sig } from '../lib/format.js';
import { erf, gaussian, seededRandom } from '../lib/math.js';

/** n values with exactly mean `m` and sample SD `s` (a fixed standardised pattern, scaled). */
function sampleWith(n: number, m: number, s: number): number[] {
  const base = Array.from({ length: n }, (_, i) => i - (n - 1) / 2);
  const sd = standardDeviation(base);
  return base.map((x) => m + (s * x) / sd);
}

const fwer: MeasurementRunner = {
  id: 'stats/fwer',
  run() {
    const rates = Array.from({ length: 10 }, (_, i) => familywiseErrorRate(0.05, i + 1));
    // Seeded check: families of 4 independent null p-values (uniform), share with any p < 0.05.
    const random = seededRandom(10);
    const families = 200_000;
    let hits = 0;
    for (let f = 0; f < families; f++) {
      let any = false;
      for (let t = 0; t < 4; t++) if (random() < 0.05) any = true;
      if (any) hits++;
    }
    const simulated = hits / families;
    const se = Math.sqrt((rates[3]! * (1 - rates[3]!)) / families);
    const holds = Math.abs(rates[3]! - 0.185) < 0.0005 && Math.abs(simulated - rates[3]!) < 3 * se;
    return Promise.resolve({
      'q10-fwer': decide(
        holds,
        `${pct(rates[3]!, 3)} (simulated: ${pct(simulated, 2)} of ${families.toLocaleString('en-US')} seeded null families)`,
        `Rule: holds if familywiseErrorRate(0.05, 4) rounds to 18.5% and a seeded simulation agrees within 3 standard errors. Measured ${pct(rates[3]!, 3)} and ${pct(simulated, 2)}. ` +
          `It assumes independent tests; comparisons against one shared baseline are correlated, and Bonferroni bounds the rate under any dependence.`,
        { byTests: rates, simulated, families },
      ),
    });
  },
};

const pAdjust: MeasurementRunner = {
  id: 'stats/p-adjust',
  run() {
    const four = bonferroniAlpha(0.05, 4);
    const three = bonferroniAlpha(0.05, 3);
    const family27 = bonferroniAlpha(0.05, 27);
    // Seeded families of 20 tests, 10 with a true effect (z-shift 3): rejections at FWER/FDR 0.05.
    const random = seededRandom(11);
    const families = 2000;
    let bonf = 0;
    let holm = 0;
    let bh = 0;
    let supersets = 0;
    const normalSf = (z: number): number => 0.5 * (1 - erf(z / Math.SQRT2));
    for (let f = 0; f < families; f++) {
      const p = Array.from({ length: 20 }, (_, i) => {
        const z = gaussian(random) + (i < 10 ? 3 : 0);
        return Math.min(1, 2 * normalSf(Math.abs(z)));
      });
      const rb = adjustPValues(p, 'bonferroni').map((x) => x <= 0.05);
      const rh = adjustPValues(p, 'holm').map((x) => x <= 0.05);
      const rq = adjustPValues(p, 'bh').map((x) => x <= 0.05);
      bonf += rb.filter(Boolean).length;
      holm += rh.filter(Boolean).length;
      bh += rq.filter(Boolean).length;
      if (rb.every((r, i) => !r || rq[i])) supersets++;
    }
    const perFamily = (x: number): number => x / families;
    return Promise.resolve({
      'q10-bonferroni': decide(
        four === 0.0125,
        `${four}`,
        `Rule: holds if bonferroniAlpha(0.05, 4) equals 0.0125. Measured ${four}.`,
        four,
      ),
      'q10-bonferroni-three': decide(
        Math.abs(three - 0.017) < 0.0005,
        `${sig(three, 4)} (for all 27 comparisons of the protocol: ${sig(family27, 3)})`,
        `Rule: holds if bonferroniAlpha(0.05, 3) rounds to 0.017. Measured ${sig(three, 4)}. ` +
          `The arithmetic is right, but the protocol compares against 3 baselines on 3 datasets × 3 model sizes: a family of 27 tests needs ${sig(family27, 3)}.`,
        { threeTests: three, twentySevenTests: family27 },
      ),
      'q10-bh': decide(
        supersets === families && bh > bonf,
        `rejections per family of 20 tests (10 real effects): Bonferroni ${perFamily(bonf).toFixed(2)}, Holm ${perFamily(holm).toFixed(2)}, BH ${perFamily(bh).toFixed(2)}`,
        `Rule: holds if, over ${families} seeded families, Benjamini–Hochberg rejects every hypothesis Bonferroni rejects and more on average. ` +
          `It did in ${supersets} of ${families} families (${perFamily(bh).toFixed(2)} vs ${perFamily(bonf).toFixed(2)} rejections); BH controls the false discovery rate, not the family-wise error rate.`,
        { families, meanRejections: { bonferroni: perFamily(bonf), holm: perFamily(holm), bh: perFamily(bh) }, bhSupersetFamilies: supersets },
      ),
    });
  },
};

const powerVsSeeds: MeasurementRunner = {
  id: 'stats/power-vs-seeds',
  run() {
    const effects = [0.5, 1, 2];
    const seeds = [3, 5, 10];
    const table = effects.map((d) => ({
      effectSize: d,
      power: Object.fromEntries(seeds.map((n) => [n, tTestPower({ effectSize: d, n, design: 'paired' })])),
      seedsFor80: sampleSize({ effectSize: d, power: 0.8, design: 'paired' }),
    }));
    const at = (d: number) => table.find((r) => r.effectSize === d)!;
    const n80 = (d: number): number => Math.ceil(at(d).seedsFor80);
    const line = table.map((r) => `d_z = ${r.effectSize}: power ${seeds.map((n) => `${pct(r.power[n]!, 0)}`).join(' / ')} at ${seeds.join(' / ')} seeds, ${n80(r.effectSize)} seeds for 80%`).join('; ');
    return Promise.resolve({
      'q10-seeds': decide(
        n80(1) >= 5 && n80(1) <= 10,
        line,
        `Rule: holds if the seeds a paired t-test needs for 80% power (α = 0.05) at a gain of one seed-to-seed SD (d_z = 1) lie in 5–10. Measured ${n80(1)}. ` +
          `It is a floor for large effects only: d_z = 2 needs ${n80(2)}, d_z = 0.5 needs ${n80(0.5)}.`,
        { rows: table },
      ),
      'q6-seeds': decide(
        at(1).power[3]! < 0.8 && n80(1) >= 10,
        line,
        `Rule: holds if 3 seeds give under 80% power at d_z = 1 and 80% power there needs 10 or more seeds. Measured ${pct(at(1).power[3]!, 0)} with 3 seeds and ${n80(1)} seeds needed; ` +
          `the number follows from the effect and the variance (d_z = 2: ${n80(2)}, d_z = 0.5: ${n80(0.5)}).`,
        { rows: table },
      ),
    });
  },
};

const seedSummary: MeasurementRunner = {
  id: 'stats/seed-summary',
  run() {
    const scores = [92.1, 91.8, 92.3, 91.9, 92.0];
    const m = mean(scores);
    const sample = standardDeviation(scores);
    const population = standardDeviation(scores, { ddof: 0 });
    const round2 = (x: number): number => Math.round(x * 100) / 100;
    const holds = Math.abs(m - 92.0) < 0.05 && (round2(sample) === 0.17 || round2(population) === 0.17);
    return Promise.resolve({
      'q10-seed-summary': decide(
        holds,
        `mean ${m.toFixed(2)}%, SD ${sample.toFixed(3)} (n − 1) / ${population.toFixed(3)} (n)`,
        `Rule: holds if the mean rounds to 92.0 and 0.17 is the SD under either convention. Measured mean ${m.toFixed(2)}; 0.17 is the population SD (dividing by n, numpy's default); ` +
          `the sample SD that intervals and t-tests use is ${sample.toFixed(2)}.`,
        { mean: m, sampleSD: sample, populationSD: population },
      ),
    });
  },
};

const significanceOfGain: MeasurementRunner = {
  id: 'stats/significance-of-gain',
  run() {
    const spreads = [1, 2, 4, 8];
    const fivePoint = [5, 10].map((n) => ({ seeds: n, p: spreads.map((s) => tTestOneSample(sampleWith(n, 5, s)).pValue) }));
    const flips = fivePoint.some((row) => row.p.some((p) => p < 0.05) && row.p.some((p) => p >= 0.05));
    // The largest SD of per-seed differences at which a 0.1-point gain still reaches p < 0.01 (bisection).
    const maxSd = (n: number): number => {
      let lo = 1e-6;
      let hi = 1;
      for (let i = 0; i < 60; i++) {
        const mid = (lo + hi) / 2;
        if (tTestOneSample(sampleWith(n, 0.1, mid)).pValue < 0.01) lo = mid;
        else hi = mid;
      }
      return lo;
    };
    const sd5 = maxSd(5);
    const sd10 = maxSd(10);
    return Promise.resolve({
      'q6-five-percent-gain': decide(
        flips,
        fivePoint.map((row) => `${row.seeds} seeds: p = ${row.p.map((p) => sig(p, 2)).join(' / ')} at SD ${spreads.join(' / ')}`).join('; '),
        `Rule: holds if the same 5-point mean gain is significant (two-sided paired t, p < 0.05) at one seed-to-seed SD of the differences and not at another, so the answer needs the spread, as the claim expects a candidate to ask. ` +
          `With 5 seeds: p = ${sig(fivePoint[0]!.p[1]!, 2)} at SD 2 and ${sig(fivePoint[0]!.p[3]!, 2)} at SD 8.`,
        { spreads, rows: fivePoint },
      ),
      'q10-effect-size': decide(
        sd10 >= 0.05,
        `a 0.1-point gain reaches p < 0.01 while the per-seed differences have SD below ${sd5.toFixed(3)} (5 seeds) or ${sd10.toFixed(3)} (10 seeds)`,
        `Rule: holds if with 10 seeds a 0.1-point mean gain reaches p < 0.01 at a seed-to-seed SD of at least 0.05 points (paired runs on one test set can be that stable). ` +
          `Measured: up to SD ${sd10.toFixed(3)}; significance then says nothing about whether 0.1 points matters — report the effect with its interval.`,
        { maxSdFivePoints: sd5, maxSdTenSeeds: sd10 },
      ),
    });
  },
};

const impliedPValue: MeasurementRunner = {
  id: 'stats/implied-p-value',
  run() {
    // d = 0.4 is the mean difference over its SD; with n pairs, t = d·√n.
    const pAt = (n: number): number => tTestOneSample(sampleWith(n, 0.4, 1)).pValue;
    const p5 = pAt(5);
    const p45 = pAt(45);
    let needed = 5;
    while (pAt(needed) > 0.003) needed++;
    return Promise.resolve({
      'q10-example-result': decide(
        p5 >= 0.002 && p5 <= 0.004,
        `p = ${p5.toFixed(3)} for d = 0.4 over 5 paired seeds; p ≤ 0.003 needs ${needed} pairs`,
        `Rule: holds if a two-sided paired t-test with d = 0.4 on 5 seeds gives p within rounding of 0.003 (0.002–0.004). Measured p = ${p5.toFixed(3)} (t = ${(0.4 * Math.sqrt(5)).toFixed(2)}); ` +
          `pooling all 3 × 3 configurations (45 pairs) gives ${sig(p45, 2)}; p = 0.003 at d = 0.4 takes ${needed} pairs.`,
        { pFiveSeeds: p5, pFortyFivePairs: p45, pairsForP003: needed },
      ),
    });
  },
};

/** Exact two-sided binomial test (the sum of outcomes no more likely than the observed one, as scipy.stats.binomtest). */
function binomialTwoSided(k: number, n: number, p: number): number {
  const logPmf = (x: number): number => logChoose(n, x) + x * Math.log(p) + (n - x) * Math.log1p(-p);
  const observed = logPmf(k);
  let total = 0;
  for (let x = 0; x <= n; x++) {
    const lp = logPmf(x);
    if (lp <= observed + 1e-7) total += Math.exp(lp);
  }
  return Math.min(1, total);
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

const preferenceTest: MeasurementRunner = {
  id: 'stats/preference-test',
  run() {
    const wins = 310;
    const total = 500;
    const exact = binomialTwoSided(wins, total, 0.5);
    // Cross-check with @prep/stats: a one-sample t-test on the 0/1 outcomes against 0.5 (normal approximation).
    const outcomes = Array.from({ length: total }, (_, i) => (i < wins ? 1 : 0));
    const approx = tTestOneSample(outcomes, { mu: 0.5 }).pValue;
    return Promise.resolve({
      'q10-human-preference': decide(
        wins / total === 0.62 && exact < 0.001,
        `${pct(wins / total, 0)} preferred; exact two-sided binomial p = ${sig(exact, 2)} (t-test on the 0/1 outcomes: ${sig(approx, 2)})`,
        `Rule: holds if 310 of 500 is 62% and the exact two-sided binomial test against 0.5 gives p < 0.001. Measured p = ${sig(exact, 2)}. ` +
          `Valid only if the 500 comparisons are independent; repeated prompts or raters need a clustered analysis.`,
        { share: wins / total, exactP: exact, tTestP: approx },
      ),
    });
  },
};

const testSetCi: MeasurementRunner = {
  id: 'stats/test-set-ci',
  run() {
    const n = 10_000;
    const accuracies = [0.5, 0.9, 0.99];
    const halfWidths = accuracies.map((a) => {
      const outcomes = Array.from({ length: n }, (_, i) => (i < Math.round(a * n) ? 1 : 0));
      const ci = meanCI(outcomes);
      return (ci.upper - ci.lower) / 2;
    });
    // Two models on the same 10K examples, seeded: A right on 90%, B flips 5% of examples (net +1 point).
    const random = seededRandom(12);
    const diffs = Array.from({ length: n }, () => {
      const u = random();
      return u < 0.03 ? 1 : u < 0.05 ? -1 : 0; // B right where A is wrong (3%), wrong where A is right (2%)
    });
    const paired = meanCI(diffs);
    const pairedHalf = (paired.upper - paired.lower) / 2;
    const holds = halfWidths.every((h) => h < 0.01);
    return Promise.resolve({
      'q6-test-set-size': decide(
        holds,
        `95% half-width ±${halfWidths.map((h) => (100 * h).toFixed(2)).join(' / ±')} points at accuracy ${accuracies.map((a) => pct(a, 0)).join(' / ')}; paired difference of two models ±${(100 * pairedHalf).toFixed(2)} points`,
        `Rule: holds if 10K examples give a 95% half-width under 1 point at every accuracy from 50% up, i.e. the size can be judged from the interval. Measured ±${(100 * halfWidths[0]!).toFixed(2)} at 50%, ±${(100 * halfWidths[1]!).toFixed(2)} at 90%: ` +
          `enough for 1-point differences, not for 0.1; comparing two models on the same examples, a paired interval (±${(100 * pairedHalf).toFixed(2)} when they disagree on 5%) beats two overlapping ones.`,
        { accuracies, halfWidths, pairedDifference: paired },
      ),
    });
  },
};

const protocolArithmetic: MeasurementRunner = {
  id: 'stats/protocol-arithmetic',
  run() {
    const factors = { methods: 4, datasets: 3, modelSizes: 3, seeds: 5 };
    const runs = [];
    for (let m = 0; m < factors.methods; m++)
      for (let d = 0; d < factors.datasets; d++)
        for (let s = 0; s < factors.modelSizes; s++) for (let seed = 0; seed < factors.seeds; seed++) runs.push([m, d, s, seed]);
    return Promise.resolve({
      'q10-run-count': decide(
        runs.length === 180,
        `${runs.length} runs`,
        `Rule: holds if the full factorial grid of 4 methods × 3 datasets × 3 sizes × 5 seeds has 180 cells. Enumerated ${runs.length} (source arithmetic only).`,
        { ...factors, runs: runs.length },
      ),
    });
  },
};

export const statsMeasurements: MeasurementRunner[] = [fwer, pAdjust, powerVsSeeds, seedSummary, significanceOfGain, impliedPValue, preferenceTest, testSetCi, protocolArithmetic];
