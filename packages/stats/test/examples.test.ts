// Runs every @example of the package's TSDoc against the source, and checks each value written in a
// trailing comment (`expr; // 0.0125`, `expr; // ≈ 63.77 per group`, `expr; // true`): the docs cannot
// drift from the code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';

const srcDir = join(import.meta.dirname, '..', 'src');
const files = readdirSync(srcDir).filter((f) => f.endsWith('.ts') && f !== 'index.ts');

interface Example {
  file: string;
  code: string[];
}

function examplesOf(file: string): Example[] {
  const text = readFileSync(join(srcDir, file), 'utf8');
  const out: Example[] = [];
  const pattern = /@example\s*\n\s*\*\s*```ts\n([\s\S]*?)\n\s*\*\s*```/g;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    out.push({ file, code: (m[1] as string).split('\n').map((line) => line.replace(/^\s*\* ?/, '')) });
  }
  return out;
}

/** The longest leading part of a comment that evaluates to a value, e.g. "1.6 (d = 2, J = 0.8)" → 1.6. */
function expectedValue(comment: string): { value: unknown; approximate: boolean; decimals: number } | undefined {
  const approximate = comment.startsWith('≈');
  const text = comment.replace(/^≈\s*/, '');
  const words = text.split(' ');
  for (let k = words.length; k > 0; k--) {
    const candidate = words.slice(0, k).join(' ').replace(/[:;,]$/, '');
    try {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const evaluate = new Function(`return (${candidate});`) as () => unknown;
      const value = evaluate();
      if (typeof value === 'number' || typeof value === 'boolean' || Array.isArray(value) || (value !== null && typeof value === 'object')) {
        const decimals = /^-?\d*\.(\d+)/.exec(candidate)?.[1]?.length ?? 0;
        return { value, approximate, decimals };
      }
    } catch {
      // not a value yet: drop a word
    }
  }
  return undefined;
}

function check(actual: unknown, expected: { value: unknown; approximate: boolean; decimals: number }, where: string): void {
  const { value, approximate, decimals } = expected;
  if (typeof value === 'number') {
    expect(typeof actual, where).toBe('number');
    const tolerance = approximate ? 0.5 * 10 ** -decimals + 1e-12 : 1e-12 * Math.max(1, Math.abs(value));
    expect(Math.abs((actual as number) - value), `${where}: ${String(actual)} vs ${value}`).toBeLessThanOrEqual(tolerance);
  } else if (Array.isArray(value)) {
    expect((actual as unknown[]).length, where).toBe(value.length);
    value.forEach((v, i) => check((actual as unknown[])[i], { value: v, approximate, decimals: approximate ? decimals : 0 }, `${where}[${i}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) check((actual as Record<string, unknown>)[k], { value: v, approximate, decimals }, `${where}.${k}`);
  } else {
    expect(actual, where).toEqual(value);
  }
}

describe('TSDoc examples run and print what they say', () => {
  const all = files.flatMap(examplesOf);
  it('every exported function has an example', () => {
    const documented = new Set(all.flatMap((e) => e.code.join('\n').match(/\b\w+(?=\()/g) ?? []));
    for (const name of Object.keys(lib)) expect(documented.has(name) || name === 'RunningMoments', `${name} has no @example`).toBe(true);
  });
  for (const example of all) {
    it(`${example.file}: ${example.code.find((l) => l.includes('('))?.trim().slice(0, 60)}`, () => {
      const body: string[] = [];
      for (const line of example.code) {
        const imported = /^import \{([^}]+)\} from '@prep\/stats';$/.exec(line.trim());
        if (imported) {
          body.push(`const {${imported[1]}} = lib;`);
          continue;
        }
        const commented = /^(.*?);\s*\/\/\s*(.+)$/.exec(line);
        const expected = commented && !/^\s*(const|let|console)\b/.test(commented[1] as string) ? expectedValue(commented[2] as string) : undefined;
        if (commented && expected) {
          body.push(`check(${commented[1]}, ${JSON.stringify(expected)}, ${JSON.stringify(`${example.file}: ${line.trim()}`)});`);
        } else {
          body.push(line);
        }
      }
      const quiet = { log: () => undefined };
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const run = new Function('lib', 'check', 'console', body.join('\n')) as (...args: unknown[]) => void;
      run(lib, check, quiet);
    });
  }
});
