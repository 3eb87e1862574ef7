// Installed-tarball check: ESM import of @prep/stats.
import assert from 'node:assert/strict';
import { mean, quantile, variance, RunningMoments } from '@prep/stats';

assert.equal(mean([1, 2, 3, 4]), 2.5);
assert.equal(variance([1, 2, 3, 4], { ddof: 0 }), 1.25);
assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
const m = new RunningMoments();
[1, 2, 3].forEach((v) => m.push(v));
assert.equal(m.mean, 2);
assert.throws(() => mean([]), RangeError);
console.log('@prep/stats ESM ok');
