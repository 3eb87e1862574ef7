// Installed-tarball check: ESM import of @prep/question-bank, and its bin run as npm installed it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getQuestion, measurements, questions } from '@prep/question-bank';

assert.equal(questions.length, 10);
assert.equal(getQuestion(4).slug, 'mixture-of-experts');
assert.equal(getQuestion('rlhf-vs-rlaif').id, 9);
assert.throws(() => getQuestion('moe'), RangeError);
assert.throws(() => getQuestion(null), TypeError);
const known = new Set(measurements.map((m) => m.id));
for (const q of questions) for (const c of q.claims) assert.ok(c.measuredBy === 'not-measurable' || known.has(c.measuredBy), c.id);

// The bin: dist/cli.js inside the installed package, linked into node_modules/.bin by npm.
const packageDir = dirname(createRequire(import.meta.url).resolve('@prep/question-bank/package.json'));
const cli = join(packageDir, 'dist', 'cli.js');
assert.ok(existsSync(join(packageDir, '..', '..', '.bin', 'question-bank')), 'npm linked the question-bank bin');
const list = spawnSync(process.execPath, [cli], { encoding: 'utf8' });
assert.equal(list.status, 0, list.stderr);
assert.match(list.stdout, /kv-cache-fragmentation/);
const one = spawnSync(process.execPath, [cli, '4', '--width', '60'], { encoding: 'utf8' });
assert.equal(one.status, 0, one.stderr);
assert.match(one.stdout, /^4\. Mixture-of-experts/);
assert.ok(one.stdout.split('\n').every((line) => [...line].length <= 60));
console.log('@prep/question-bank ESM + bin ok');
