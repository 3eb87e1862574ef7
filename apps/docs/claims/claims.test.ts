// Checks the committed claims.json against the question bank without rerunning any measurement (fast):
// every claim has a result with a valid verdict, 'holds'/'wrong' carry what was measured, claims the bank
// marks not measurable say so with a reason, and the checker itself catches each kind of defect.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { measurements, questions } from '@prep/question-bank';
import { checkClaimsFile } from './check.js';
import { notMeasurableReasons } from './not-measurable.js';
import { VERDICTS, type ClaimsFile } from './lib/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const file = JSON.parse(readFileSync(join(here, '..', 'claims.json'), 'utf8')) as ClaimsFile;
const claims = questions.flatMap((q) => q.claims);

describe('claims.json', () => {
  it('has a result for every claim of the bank, and no other', () => {
    expect(claims.length).toBeGreaterThanOrEqual(25);
    expect(Object.keys(file.results).sort()).toEqual(claims.map((c) => c.id).sort());
    expect(checkClaimsFile(file, claims)).toEqual([]);
  });

  it('gives every claim a valid verdict and reason, and every holds/wrong a measured value and numbers', () => {
    for (const claim of claims) {
      const r = file.results[claim.id]!;
      expect(VERDICTS, claim.id).toContain(r.verdict);
      expect(r.reason.length, claim.id).toBeGreaterThan(20);
      if (r.verdict === 'holds' || r.verdict === 'wrong') {
        expect(r.measured.trim(), claim.id).not.toBe('');
        expect(r.value, claim.id).toBeDefined();
        // The verdict logic is explicit: every measured reason states its rule.
        expect(r.reason, claim.id).toMatch(/^Rule: /);
      }
    }
  });

  it("marks exactly the bank's not-measurable claims as 'not measurable here', each with its reason", () => {
    const expected = claims.filter((c) => c.measuredBy === 'not-measurable').map((c) => c.id).sort();
    expect(Object.keys(notMeasurableReasons).sort()).toEqual(expected);
    const marked = Object.entries(file.results).filter(([, r]) => r.verdict === 'not measurable here').map(([id]) => id).sort();
    expect(marked).toEqual(expected);
    for (const id of expected) expect(file.results[id]!.reason).toBe(notMeasurableReasons[id]);
  });

  it('records provenance: date, machine, command, and every measurement the claims name', () => {
    expect(Number.isNaN(Date.parse(file.generatedAt))).toBe(false);
    expect(file.machine).toMatch(/^\d+ cores, .+, Node \d+\.\d+/);
    expect(file.command).toBe('pnpm claims');
    expect(file.backend).toBe('wasm');
    const named = new Set(claims.map((c) => c.measuredBy).filter((id) => id !== 'not-measurable'));
    expect(Object.keys(file.measurements).sort()).toEqual([...named].sort());
    // Every measurement the bank lists is named by some claim, so all of them ran.
    expect(measurements.map((m) => m.id).sort()).toEqual([...named].sort());
    for (const [id, m] of Object.entries(file.measurements)) {
      expect(m.seconds, id).toBeGreaterThanOrEqual(0);
      expect(m.claims.sort(), id).toEqual(claims.filter((c) => c.measuredBy === id).map((c) => c.id).sort());
    }
  });
});

describe('checkClaimsFile', () => {
  const copy = (): ClaimsFile => JSON.parse(JSON.stringify(file)) as ClaimsFile;
  const measuredId = claims.find((c) => c.measuredBy !== 'not-measurable')!.id;
  const unmeasurableId = claims.find((c) => c.measuredBy === 'not-measurable')!.id;

  it('reports each kind of defect, naming the claim', () => {
    const cases: [string, (f: ClaimsFile) => void, RegExp][] = [
      ['a missing claim', (f) => delete f.results[measuredId], new RegExp(`${measuredId}: no result`)],
      ['an unknown claim', (f) => (f.results['q99-made-up'] = { measured: 'x', verdict: 'holds', reason: 'Rule: invented', value: 1 }), /q99-made-up: not a claim/],
      ['a bad verdict', (f) => (f.results[measuredId]!.verdict = 'partly' as never), new RegExp(`${measuredId}: verdict 'partly'`)],
      ['holds without a measured value', (f) => (f.results[measuredId]!.measured = ' '), new RegExp(`${measuredId}: '\\w+' without a measured value`)],
      ['holds without numbers', (f) => delete f.results[measuredId]!.value, new RegExp(`${measuredId}: '\\w+' without the computed numbers`)],
      ['a missing reason', (f) => (f.results[measuredId]!.reason = ''), new RegExp(`${measuredId}: no reason`)],
      ['a measured claim marked not measurable', (f) => (f.results[measuredId] = { measured: '', verdict: 'not measurable here', reason: 'we did not get to it' }), /yet marked not measurable/],
      ['a number on a not-measurable claim', (f) => (f.results[unmeasurableId]!.value = 3), /not measurable, yet it carries a measured value/],
      ['a verdict on a not-measurable claim', (f) => (f.results[unmeasurableId]!.verdict = 'holds'), /the bank marks it not measurable/],
      ['a bad date', (f) => (f.generatedAt = 'yesterday'), /generatedAt is not an ISO date/],
      ['a bad machine line', (f) => (f.machine = 'my laptop'), /machine does not read/],
      ['another command', (f) => (f.command = 'npm run claims'), /command is npm run claims/],
    ];
    for (const [what, mutate, message] of cases) {
      const f = copy();
      mutate(f);
      const problems = checkClaimsFile(f, claims);
      expect(problems.some((p) => message.test(p)), `${what}: ${problems.join(' | ')}`).toBe(true);
    }
  });
});
