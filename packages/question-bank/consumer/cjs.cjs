// Installed-tarball check: CommonJS require of @prep/question-bank.
const assert = require('node:assert/strict');
const { getQuestion, measurements, questions } = require('@prep/question-bank');

assert.equal(questions.length, 10);
assert.deepEqual(
  questions.map((q) => q.id),
  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
);
assert.equal(getQuestion('4'), getQuestion(4));
assert.equal(getQuestion(1).claims[0].id, 'q1-waste');
assert.ok(measurements.length > 0);
assert.ok(Object.isFrozen(questions));
assert.throws(() => getQuestion(0), RangeError);
console.log('@prep/question-bank CJS ok');
