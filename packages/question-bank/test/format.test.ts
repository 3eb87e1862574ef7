import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatList, formatQuestion, wrap } from '../src/internal/format.js';
import { questions } from '../src/index.js';

const columns = (line: string): number => [...line].length;

describe('wrap', () => {
  it('breaks at spaces, keeps words whole when they fit, and honours both indents', () => {
    expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrap('one two three four', 11, '  ', '- ')).toEqual(['- one two', '  three', '  four']);
    expect(wrap('', 10, '  ')).toEqual(['']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('property: every line fits, and the words come back in order', () => {
    const word = fc.string({ minLength: 1, maxLength: 30, unit: fc.constantFrom('a', 'b', 'é', '²', '∑', 'x') });
    fc.assert(
      fc.property(fc.array(word, { maxLength: 60 }), fc.integer({ min: 8, max: 120 }), fc.constantFrom('', '  ', '    '), (words, width, indent) => {
        const lines = wrap(words.join(' '), width, indent, '');
        for (const line of lines) expect(columns(line)).toBeLessThanOrEqual(width);
        expect(lines.map((l) => l.replace(/\s+/g, '')).join('')).toBe(words.join(''));
      }),
    );
  });
});

describe('text rendering', () => {
  it('lists all ten questions and fits every width from 20 to 160 columns', () => {
    for (const width of [20, 33, 60, 80, 120, 160]) {
      const list = formatList(questions, width);
      for (const line of list.split('\n')) expect(columns(line), `width ${width}: ${line}`).toBeLessThanOrEqual(width);
      // Below the longest slug (22 columns) slugs are broken across lines; above it each appears whole.
      if (width >= 30) for (const q of questions) expect(list).toContain(q.slug);
    }
  });

  it('prints every part of a question and fits the width', () => {
    for (const q of questions) {
      for (const width of [40, 80]) {
        const text = formatQuestion(q, width);
        for (const line of text.split('\n')) expect(columns(line), `q${q.id} width ${width}: ${line}`).toBeLessThanOrEqual(width);
        const flat = text.replace(/\s+/g, ' ');
        for (const heading of ['QUESTION', 'ANSWER', 'KEY IDEAS', 'FORMULAS', 'CLAIMS', 'PITFALLS']) expect(text).toContain(heading);
        for (const claim of q.claims) expect(flat).toContain(claim.id);
        expect(flat).toContain(q.pitfalls[0]?.split(' ').slice(0, 4).join(' '));
      }
    }
  });
});
