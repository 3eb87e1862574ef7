// Installed-tarball check: ESM import of @prep/stats.
import assert from 'node:assert/strict';
import {
  mean,
  quantile,
  variance,
  RunningMoments,
  tTestWelch,
  tTestPaired,
  wilcoxonSignedRank,
  adjustPValues,
  familywiseErrorRate,
  bonferroniAlpha,
  hedgesG,
  bootstrapCI,
  sampleSize,
  experimentReport,
  formatExperimentReport,
} from '@prep/stats';

assert.equal(mean([1, 2, 3, 4]), 2.5);
assert.equal(variance([1, 2, 3, 4], { ddof: 0 }), 1.25);
assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
const m = new RunningMoments();
[1, 2, 3].forEach((v) => m.push(v));
assert.equal(m.mean, 2);
assert.throws(() => mean([]), RangeError);

// R: t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776, p = 0.07939
const g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
const welch = tTestWelch(g1, g2);
assert.ok(Math.abs(welch.pValue - 0.07939) < 5e-6);
assert.ok(Math.abs(tTestPaired(g1, g2).pValue - 0.002833) < 5e-7);
assert.equal(wilcoxonSignedRank([0.3, 0.5, 0.1, 0.9, 0.4, 0.2]).pValue, 0.03125);
assert.deepEqual(adjustPValues([0.01, 0.04, 0.03, 0.005], 'holm'), [0.03, 0.06, 0.06, 0.02]);
assert.ok(Math.abs(familywiseErrorRate(0.05, 4) - 0.18549375) < 1e-15);
assert.equal(bonferroniAlpha(0.05, 4), 0.0125);
assert.ok(Math.abs(hedgesG([5, 6, 7], [3, 4, 5]) - 1.6) < 1e-12);
assert.equal(sampleSize({ effectSize: 0.5, power: 0.8, design: 'two-sample' }).toFixed(2), '63.77');
const ci = bootstrapCI([1.2, 3.4, 2.2, 5.1, 0.4], (s) => s.reduce((a, v) => a + v, 0) / s.length, { resamples: 500, seed: 3 });
assert.ok(ci.lower <= ci.estimate && ci.estimate <= ci.upper);
const report = experimentReport({ ours: [92.1, 91.8, 92.3, 91.9, 92.0], base: [91.6, 91.5, 91.9, 91.4, 91.7] }, { baseline: 'base', paired: true });
assert.equal(report.comparisons[0].significant, true);
assert.ok(formatExperimentReport(report).startsWith('| method |'));
console.log('@prep/stats ESM ok');
