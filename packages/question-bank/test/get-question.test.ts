import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectBadInputs, expectThrowsNaming } from '@prep/test-utils';
import { getQuestion, questions } from '../src/index.js';

describe('getQuestion', () => {
  it('finds each question by id, by its id as a decimal string, and by slug (the same object)', () => {
    for (const q of questions) {
      expect(getQuestion(q.id)).toBe(q);
      expect(getQuestion(String(q.id))).toBe(q);
      expect(getQuestion(q.slug)).toBe(q);
    }
    expect(getQuestion(4).slug).toBe('mixture-of-experts');
    expect(getQuestion('mixture-of-experts').id).toBe(4);
    expect(getQuestion(10).slug).toBe('experimental-design');
  });

  it('throws TypeError for a wrong kind and RangeError for an unknown id or slug, naming function and argument', () => {
    const bad: unknown[] = [
      null, undefined, true, {}, [], [4], 4n, Symbol('q'), () => 4, new Number(4), new String('rlhf-objective'), // wrong kinds
      0, 11, -1, 1.5, NaN, Infinity, -Infinity, -0, Number.MAX_SAFE_INTEGER, // out of range
      '', ' ', '0', '04', '11', '+4', '4.0', ' 4', 'Mixture-Of-Experts', 'mixture-of-experts ', 'moe', 'kv cache', '__proto__', 'constructor',
    ];
    const attempts = expectBadInputs({
      fn: getQuestion,
      fnName: 'getQuestion',
      validArgs: () => [4],
      argNames: ['idOrSlug'],
      cases: { idOrSlug: bad },
    });
    expect(attempts).toBe(bad.length);
    for (const bad of [null, undefined, true, {}, 4n]) {
      expect(() => getQuestion(bad as never)).toThrow(TypeError);
    }
    for (const bad of [0, 11, 1.5, NaN, '', 'moe', '04']) {
      expect(() => getQuestion(bad as never)).toThrow(RangeError);
    }
  });

  it('lists the valid ids and every slug in the RangeError, and says what it got', () => {
    const err = expectThrowsNaming(() => getQuestion('moe'), 'getQuestion', 'idOrSlug', [RangeError]);
    expect(err.message).toContain('1..10');
    for (const q of questions) expect(err.message).toContain(q.slug);
    expect(err.message).toContain('got "moe"');
    expect(expectThrowsNaming(() => getQuestion(11), 'getQuestion', 'idOrSlug', [RangeError]).message).toContain('got 11');
    expect(expectThrowsNaming(() => getQuestion(null as never), 'getQuestion', 'idOrSlug', [TypeError]).message).toContain('got null');
  });

  it('property: getQuestion(slug).id and getQuestion(id).slug round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), (id) => {
        const q = getQuestion(id);
        expect(getQuestion(q.slug).id).toBe(id);
        expect(getQuestion(String(id)).slug).toBe(q.slug);
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...questions.map((q) => q.slug)), (slug) => {
        expect(getQuestion(getQuestion(slug).id).slug).toBe(slug);
      }),
    );
  });

  it('property: any other integer or string is a RangeError, never a wrong question', () => {
    const slugs = new Set(questions.map((q) => q.slug));
    fc.assert(
      fc.property(fc.integer().filter((n) => n < 1 || n > 10), (id) => {
        expect(() => getQuestion(id)).toThrow(RangeError);
      }),
    );
    fc.assert(
      fc.property(
        fc.string().filter((s) => !slugs.has(s) && !/^([1-9]|10)$/.test(s)),
        (s) => {
          expect(() => getQuestion(s)).toThrow(RangeError);
        },
      ),
    );
  });
});
