// The README's table and counts are written by hand; this keeps them equal to the data.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { measurements, questions } from '../src/index.js';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

describe('README', () => {
  it('lists every question with its slug, title, difficulty, packages and claim count', () => {
    for (const q of questions) {
      const row = `| ${q.id} | \`${q.slug}\` | ${q.title} | ${q.difficulty} | ${q.packages.map((p) => `\`${p}\``).join(', ')} | ${q.claims.length} |`;
      expect(readme, `row for question ${q.id}`).toContain(row);
    }
  });

  it('states the current numbers of measurements, claims and not-measurable claims', () => {
    const claims = questions.flatMap((q) => q.claims);
    const notMeasurable = claims.filter((c) => c.measuredBy === 'not-measurable').length;
    expect(readme).toContain(`${measurements.length} of them`);
    expect(readme).toContain(`${notMeasurable} of the ${claims.length} claims`);
  });
});
