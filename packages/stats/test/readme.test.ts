import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeExampleOutput, withReport } from '../bench/readme-example.js';

describe('README', () => {
  it('shows the current output of the worked example (regenerate with `pnpm run readme`)', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    expect(withReport(readme, readmeExampleOutput())).toBe(readme);
  });
});
