import { describe, expect, it } from 'vitest';
import { measurements, questions, type Claim, type Question } from '../src/index.js';

const slugs = [
  'kv-cache-fragmentation',
  'rlhf-objective',
  'attention-complexity',
  'mixture-of-experts',
  'information-bottleneck',
  'research-impact',
  'constitutional-ai',
  'clip-contrastive',
  'rlhf-vs-rlaif',
  'experimental-design',
];

// From the source text, in order.
const difficulties: Question['difficulty'][] = ['Very High', 'Very High', 'High', 'Very High', 'High', 'Medium', 'Very High', 'High', 'Very High', 'High'];

// The packages that make each question concrete (issue 11); question 6 links stats for "is 5% significant?".
const packagesById: Record<number, string[]> = {
  1: ['@prep/paged-kv'],
  2: ['@prep/rlhf'],
  3: ['@prep/attention'],
  4: ['@prep/moe'],
  5: ['@prep/info-bottleneck'],
  6: ['@prep/stats'],
  7: ['@prep/rlhf'],
  8: ['@prep/contrastive'],
  9: ['@prep/rlhf'],
  10: ['@prep/stats'],
};

const packageShortNames = ['paged-kv', 'attention', 'moe', 'rlhf', 'contrastive', 'info-bottleneck', 'stats'];
const allClaims: { question: Question; claim: Claim }[] = questions.flatMap((question) => question.claims.map((claim) => ({ question, claim })));

describe('questions', () => {
  it('are exactly ten, in source order, with ids 1..10 and the issue\'s slugs', () => {
    expect(questions).toHaveLength(10);
    expect(questions.map((q) => q.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(questions.map((q) => q.slug)).toEqual(slugs);
    for (const q of questions) expect(q.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('carry the source\'s difficulty and the packages of the issue', () => {
    expect(questions.map((q) => q.difficulty)).toEqual(difficulties);
    for (const q of questions) expect(q.packages).toEqual(packagesById[q.id]);
  });

  it('have every field filled in: no empty strings, lists with content, no stray whitespace', () => {
    for (const q of questions) {
      const strings = [q.title, q.topic, q.round, q.researchArea, q.prompt, q.summary, ...q.roles, ...q.keyIdeas, ...q.formulas, ...q.pitfalls];
      for (const s of strings) {
        expect(typeof s, `q${q.id}`).toBe('string');
        expect(s.trim(), `q${q.id}: ${s.slice(0, 40)}`).toBe(s);
        expect(s.length, `q${q.id}`).toBeGreaterThan(0);
        expect(s, `q${q.id}: double space`).not.toMatch(/ {2}/);
      }
      expect(q.roles.length).toBeGreaterThan(0);
      expect(q.keyIdeas.length).toBeGreaterThanOrEqual(3);
      expect(q.formulas.length).toBeGreaterThanOrEqual(3);
      expect(q.pitfalls.length).toBeGreaterThanOrEqual(3);
      expect(q.claims.length).toBeGreaterThanOrEqual(1);
      expect(q.prompt.endsWith('?') || q.prompt.endsWith('.'), `q${q.id} prompt`).toBe(true);
      expect(q.summary.length, `q${q.id} summary`).toBeGreaterThan(400);
    }
  });

  it('are deeply frozen, so one caller cannot edit them under another', () => {
    expect(Object.isFrozen(questions)).toBe(true);
    for (const q of questions) {
      expect(Object.isFrozen(q)).toBe(true);
      expect(Object.isFrozen(q.claims)).toBe(true);
      expect(Object.isFrozen(q.claims[0])).toBe(true);
      expect(Object.isFrozen(q.keyIdeas)).toBe(true);
    }
    expect(() => {
      (questions[0] as { title: string }).title = 'changed';
    }).toThrow(TypeError);
    expect(() => (questions[0]?.pitfalls as string[]).push('x')).toThrow(TypeError);
    expect(questions[0]?.title).toBe('Diagnosing and fixing KV-cache fragmentation');
  });

  it('round-trip through JSON unchanged (plain data, no functions or undefined)', () => {
    expect(JSON.parse(JSON.stringify(questions))).toEqual(questions);
  });
});

describe('claims', () => {
  it('have unique ids of the form q<id>-<topic>, prefixed with their own question\'s id', () => {
    const ids = allClaims.map(({ claim }) => claim.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { question, claim } of allClaims) {
      expect(claim.id).toMatch(/^q\d+-[a-z0-9-]+$/);
      expect(claim.id.startsWith(`q${question.id}-`), claim.id).toBe(true);
      expect(claim.id.endsWith('-'), claim.id).toBe(false);
    }
  });

  it('state the claim and the source\'s figure as non-empty text', () => {
    for (const { claim } of allClaims) {
      expect(claim.statement.length, claim.id).toBeGreaterThan(20);
      expect(claim.statement.trim(), claim.id).toBe(claim.statement);
      expect(claim.sourceValue.trim().length, claim.id).toBeGreaterThan(0);
      expect(claim.sourceValue.trim(), claim.id).toBe(claim.sourceValue);
    }
  });

  it('name a listed measurement of one of the question\'s own packages, or not-measurable', () => {
    const known = new Set(measurements.map((m) => m.id));
    for (const { question, claim } of allClaims) {
      if (claim.measuredBy === 'not-measurable') continue;
      expect(known.has(claim.measuredBy), `${claim.id} → ${claim.measuredBy}`).toBe(true);
      const pkg = `@prep/${claim.measuredBy.split('/')[0] ?? ''}`;
      expect(question.packages, `${claim.id} → ${claim.measuredBy}`).toContain(pkg);
    }
  });

  it('cover every numeric claim the issue names, with the source\'s figures', () => {
    const byId = new Map(allClaims.map(({ claim }) => [claim.id, claim]));
    const expectClaim = (id: string, ...figures: string[]): void => {
      const claim = byId.get(id);
      expect(claim, id).toBeDefined();
      for (const figure of figures) expect(`${claim?.sourceValue} ${claim?.statement}`, id).toContain(figure);
    };
    expectClaim('q1-waste', '40%', '<1%');
    expectClaim('q1-sequences', '40', '95');
    expectClaim('q1-throughput', '2-3x');
    expectClaim('q3-memory-100k', '40TB', '4096');
    expectClaim('q3-sparse-reduction', '195');
    expectClaim('q4-params-flops', '64x', '2x');
    expectClaim('q4-collapse-shares', '78%', '12%');
    expectClaim('q4-mixtral-size', '1.8T', '47B');
    expectClaim('q4-mixtral-table', '56B', '13B');
    expectClaim('q8-batch-size-table', '34.5', '48.2', '63.7', '72.1', '76.2');
    expectClaim('q10-fwer', '18.5%');
    expectClaim('q10-bonferroni', '0.0125');
    // About 25 in the estimate; the source holds more once every question is gone through.
    expect(allClaims.length).toBeGreaterThanOrEqual(25);
    for (const q of questions) expect(q.claims.length, `q${q.id}`).toBeGreaterThanOrEqual(q.id === 6 || q.id === 5 || q.id === 7 ? 4 : 5);
  });

  it('mark the claims that need the real system as not-measurable (ImageNet accuracy, production practice)', () => {
    const notMeasurable = new Set(allClaims.filter(({ claim }) => claim.measuredBy === 'not-measurable').map(({ claim }) => claim.id));
    for (const id of ['q8-batch-size-table', 'q8-model-table', 'q8-zero-shot', 'q4-model-table', 'q2-instructgpt-beta', 'q6-evaluation-weights']) {
      expect(notMeasurable.has(id), id).toBe(true);
    }
    // ... and most claims are measurable with our packages.
    expect(notMeasurable.size).toBeLessThan(allClaims.length / 2);
  });
});

describe('measurements', () => {
  it('have unique ids <package>/<name> of the seven measuring packages, with the package spelled out', () => {
    const ids = measurements.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of measurements) {
      expect(m.id).toMatch(/^[a-z-]+\/[a-z0-9-]+$/);
      const short = m.id.split('/')[0] ?? '';
      expect(packageShortNames, m.id).toContain(short);
      expect(m.package).toBe(`@prep/${short}`);
      expect(m.description.length, m.id).toBeGreaterThan(30);
    }
    expect(ids).toContain('paged-kv/simulate-seed-workload');
  });

  it('are each used by at least one claim (nothing for the claims runner to build in vain)', () => {
    const used = new Set(allClaims.map(({ claim }) => claim.measuredBy));
    for (const m of measurements) expect(used.has(m.id), m.id).toBe(true);
  });

  it('cover every measuring package', () => {
    expect(new Set(measurements.map((m) => m.id.split('/')[0]))).toEqual(new Set(packageShortNames));
  });

  it('are frozen', () => {
    expect(Object.isFrozen(measurements)).toBe(true);
    for (const m of measurements) expect(Object.isFrozen(m)).toBe(true);
  });
});
