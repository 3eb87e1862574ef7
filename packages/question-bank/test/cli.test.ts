// The command-line program: argument handling in-process (runCli), then the built bin as users run it,
// `node dist/cli.js …` (turbo builds this package before its tests; run `pnpm build` first by hand).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, usage } from '../src/internal/run-cli.js';
import { questions } from '../src/index.js';

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const manifest = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { bin: Record<string, string> };

function call(args: string[], terminal: { ttyColumns?: number; envColumns?: string } = {}): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    ttyColumns: terminal.ttyColumns,
    envColumns: terminal.envColumns,
  });
  return { code, stdout, stderr };
}

function spawn(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build the package first (pnpm build)`);
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, COLUMNS: '', ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const widthOf = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length));

describe('question-bank CLI (in-process)', () => {
  it('lists the ten questions, wrapped to the terminal, else $COLUMNS, else 80 columns', () => {
    const plain = call([]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
    for (const q of questions) expect(plain.stdout).toMatch(new RegExp(`^\\s*${q.id}\\s+${q.slug}\\s`, 'm'));
    expect(widthOf(plain.stdout)).toBeLessThanOrEqual(80);
    expect(widthOf(plain.stdout)).toBeGreaterThan(70);
    expect(widthOf(call([], { envColumns: '50' }).stdout)).toBeLessThanOrEqual(50);
    expect(widthOf(call([], { ttyColumns: 44, envColumns: '120' }).stdout)).toBeLessThanOrEqual(44);
    expect(widthOf(call([], { envColumns: 'wide' }).stdout)).toBeLessThanOrEqual(80);
    expect(widthOf(call([], { ttyColumns: 5 }).stdout)).toBeLessThanOrEqual(20); // clamped to 20
  });

  it('prints one question by id or slug, identically, wrapped to --width', () => {
    const byId = call(['4', '--width', '60']);
    const bySlug = call(['--width=60', 'mixture-of-experts']);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toBe(bySlug.stdout);
    expect(byId.stdout.split('\n')[0]).toMatch(/^4\. Mixture-of-experts versus dense transformers/);
    expect(byId.stdout).toContain('q4-collapse-shares');
    expect(widthOf(byId.stdout)).toBeLessThanOrEqual(60);
    expect(widthOf(call(['10', '--width', '100']).stdout)).toBeLessThanOrEqual(100);
  });

  it('prints JSON with --json', () => {
    expect(JSON.parse(call(['--json', 'rlhf-objective']).stdout)).toEqual(questions[1]);
    expect(JSON.parse(call(['--json']).stdout)).toEqual(questions);
  });

  it('exits 1 naming the valid ids and slugs for an unknown question, writing nothing to stdout', () => {
    for (const wanted of ['moe', '11', '0']) {
      const { code, stdout, stderr } = call([wanted]);
      expect(code, wanted).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain("getQuestion: 'idOrSlug' must be an id 1..10");
      for (const q of questions) expect(stderr).toContain(q.slug);
    }
  });

  it('exits 2 with the usage for bad options and extra arguments; --help prints the usage', () => {
    for (const args of [['--nope'], ['--width', '5'], ['--width'], ['--width='], ['--width', '80.5'], ['1', '2']]) {
      const { code, stdout, stderr } = call(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr, args.join(' ')).toContain('Usage: question-bank');
    }
    expect(call(['-h'])).toEqual({ code: 0, stdout: usage, stderr: '' });
    expect(call(['4', '--help']).stdout).toBe(usage);
  });
});

describe('question-bank bin (node dist/cli.js)', () => {
  it('is the package\'s only bin: an executable ESM file with a node shebang', () => {
    expect(manifest.bin).toEqual({ 'question-bank': './dist/cli.js' });
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
  });

  it('lists the questions, prints one wrapped to $COLUMNS, and exits 1 on an unknown one', () => {
    const list = spawn([]);
    expect(list.stderr).toBe('');
    expect(list.status).toBe(0);
    expect(list.stdout).toBe(call([]).stdout);
    const one = spawn(['mixture-of-experts'], { COLUMNS: '60' });
    expect(one.status).toBe(0);
    expect(one.stdout).toBe(call(['4', '--width', '60']).stdout);
    const unknown = spawn(['moe']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('kv-cache-fragmentation');
  });
});
