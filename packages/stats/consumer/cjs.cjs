// Installed-tarball check: CommonJS require of @prep/stats.
const assert = require('node:assert/strict');
const { mean, quantile, variance, tTestOneSample, adjustPValues, sampleSize, experimentReport } = require('@prep/stats');

assert.equal(mean([1, 2, 3, 4]), 2.5);
assert.equal(variance([1, 2, 3, 4]), 5 / 3);
assert.equal(quantile([1, 2, 3, 4], 0.25, { method: 'lower' }), 1);
assert.throws(() => quantile([1], 2), RangeError);
const t = tTestOneSample([1, 2, 3, 4]);
assert.equal(t.df, 3);
assert.ok(t.ci[0] < 2.5 && 2.5 < t.ci[1]);
assert.deepEqual(adjustPValues([0.01, 0.04, 0.03, 0.005], 'bonferroni'), [0.04, 0.16, 0.12, 0.02]);
assert.equal(sampleSize({ effectSize: 0.5, power: 0.8, design: 'paired' }).toFixed(2), '33.37');
assert.throws(() => experimentReport({ a: [1, 2] }, { baseline: 'a' }), RangeError);
console.log('@prep/stats CJS ok');
