// Every formula is rendered by KaTeX (the docs site's renderer) with throwOnError and strict mode on,
// so a formula that KaTeX cannot typeset, or types unicode text into math mode, fails here.
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { questions } from '../src/index.js';

describe('formulas', () => {
  it('all render with KaTeX (displayMode, throwOnError, strict)', () => {
    let rendered = 0;
    const failures: string[] = [];
    for (const q of questions) {
      for (const formula of q.formulas) {
        try {
          const html = katex.renderToString(formula, { displayMode: true, throwOnError: true, strict: 'error' });
          expect(html).toContain('katex-display');
          expect(html).not.toContain('katex-error');
          rendered++;
        } catch (err) {
          failures.push(`q${q.id}: ${formula}\n  ${(err as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(rendered).toBeGreaterThanOrEqual(40);
  });

  it('are bare LaTeX: no $ delimiters, no unbalanced braces', () => {
    for (const q of questions) {
      for (const formula of q.formulas) {
        expect(formula, `q${q.id}`).not.toMatch(/^\$|\$$|\\\[|\\\]$/);
        let depth = 0;
        for (let i = 0; i < formula.length; i++) {
          if (formula[i] === '\\') {
            i++;
            continue;
          }
          if (formula[i] === '{') depth++;
          if (formula[i] === '}') depth--;
          expect(depth, `q${q.id}: ${formula}`).toBeGreaterThanOrEqual(0);
        }
        expect(depth, `q${q.id}: ${formula}`).toBe(0);
      }
    }
  });

  it('KaTeX really rejects a broken formula (the check can fail)', () => {
    expect(() => katex.renderToString(String.raw`\frac{1}{`, { throwOnError: true })).toThrow();
    expect(() => katex.renderToString(String.raw`\notacommand x`, { throwOnError: true })).toThrow();
  });
});
