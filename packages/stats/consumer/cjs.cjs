// Installed-tarball check: CommonJS require of @prep/stats.
const assert = require('node:assert/strict');
const { mean, quantile, variance } = require('@prep/stats');

assert.equal(mean([1, 2, 3, 4]), 2.5);
assert.equal(variance([1, 2, 3, 4]), 5 / 3);
assert.equal(quantile([1, 2, 3, 4], 0.25, { method: 'lower' }), 1);
assert.throws(() => quantile([1], 2), RangeError);
console.log('@prep/stats CJS ok');
