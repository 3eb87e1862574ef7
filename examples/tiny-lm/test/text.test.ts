import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectThrowsNaming } from '@prep/test-utils';
import { CharTokenizer, FABLE_HEADERS, generateFables, mixSeed, sampleToken, SeededRandom } from '../src/index.js';

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('') + '\n';

describe('CharTokenizer', () => {
  const tokenizer = new CharTokenizer();

  it('maps newline to 0 and printable ASCII to 1…95, and decodes back', () => {
    expect(Array.from(tokenizer.encode('Hi!\n'))).toEqual([41, 74, 2, 0]);
    expect(Array.from(tokenizer.encode(' ~'))).toEqual([1, 95]);
    expect(tokenizer.decode([0, 1, 95])).toBe('\n ~');
    expect(tokenizer.encode('')).toHaveLength(0);
  });

  it('round-trips every string over its vocabulary (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PRINTABLE)).map((chars) => chars.join('')), (text) => {
        const ids = tokenizer.encode(text);
        expect(ids.every((id) => id >= 0 && id < 96)).toBe(true);
        expect(tokenizer.decode(ids)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('drops \\r, turns tabs into spaces and anything else into ?', () => {
    expect(tokenizer.decode(tokenizer.encode('a\r\nb\tc é ☃'))).toBe('a\nb c ? ?');
  });

  it('refuses bad arguments, naming them', () => {
    for (const bad of [null, 3, ['a']]) expectThrowsNaming(() => tokenizer.encode(bad as never), 'CharTokenizer.encode', 'text');
    for (const bad of [null, 'abc', 7]) expectThrowsNaming(() => tokenizer.decode(bad as never), 'CharTokenizer.decode', 'ids');
    expectThrowsNaming(() => tokenizer.decode([1, 96]), 'CharTokenizer.decode', 'ids[1]', [RangeError]);
    expectThrowsNaming(() => tokenizer.decode([-1]), 'CharTokenizer.decode', 'ids[0]', [RangeError]);
    expectThrowsNaming(() => tokenizer.decode([1.5]), 'CharTokenizer.decode', 'ids[0]', [RangeError]);
    expectThrowsNaming(() => tokenizer.decode(['a'] as never), 'CharTokenizer.decode', 'ids[0]', [TypeError]);
  });
});

describe('generateFables (the synthetic corpus)', () => {
  it('is deterministic per seed, uses only tokenizer characters, and is laid out header/title/story/moral', () => {
    const a = generateFables({ seed: 5, targetChars: 5000 });
    expect(generateFables({ seed: 5, targetChars: 5000 })).toBe(a);
    expect(generateFables({ seed: 6, targetChars: 5000 })).not.toBe(a);
    expect(a.length).toBeGreaterThanOrEqual(5000);
    for (const ch of a) expect(PRINTABLE.includes(ch), JSON.stringify(ch)).toBe(true);
    const fables = a.trimEnd().split('\n\n');
    for (const fable of fables) {
      const lines = fable.split('\n');
      expect(lines).toHaveLength(4);
      expect(FABLE_HEADERS).toContain(`${lines[0]}\n`);
      expect(lines[1]).toMatch(/^Title: The [A-Z]/);
      expect(lines[3]).toMatch(/^Moral: .+\.$/);
    }
  });

  it('matches the committed corpus (data/fables.txt is generateFables({ seed: 2024, targetChars: 250000 }))', async () => {
    const { readFileSync } = await import('node:fs');
    const committed = readFileSync(new URL('../data/fables.txt', import.meta.url), 'utf8');
    expect(generateFables({ seed: 2024, targetChars: 250_000 })).toBe(committed);
  });

  it('refuses bad options', () => {
    expectThrowsNaming(() => generateFables({ targetChars: 0 }), 'generateFables', 'options.targetChars', [RangeError]);
    expectThrowsNaming(() => generateFables({ targetChars: '5' as never }), 'generateFables', 'options.targetChars', [TypeError]);
    expectThrowsNaming(() => generateFables({ seed: NaN }), 'generateFables', 'options.seed', [TypeError]);
  });
});

describe('SeededRandom, mixSeed, sampleToken', () => {
  it('reproduces streams and separates seeds', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new SeededRandom(43).next()).not.toBe(first[0]);
    expect(mixSeed(0, 1, 2)).not.toBe(mixSeed(0, 2, 1));
    expect(mixSeed(7, 3)).toBe(mixSeed(7, 3));
    expectThrowsNaming(() => new SeededRandom(NaN), 'SeededRandom', 'seed', [TypeError]);
  });

  it('is greedy at temperature 0 (lowest id on ties) and samples softmax(logits / T) otherwise', () => {
    const rng = new SeededRandom(1);
    expect(sampleToken([0.1, 3, 3, 2], 0, 4, { temperature: 0, topK: 0 }, rng)).toBe(1);
    expect(sampleToken([9, 9, 0.1, 3, 2], 1, 4, { temperature: 0, topK: 0 }, rng)).toBe(0);
    const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.2)];
    const counts = [0, 0, 0];
    const draws = 20_000;
    for (let i = 0; i < draws; i++) counts[sampleToken(logits, 0, 3, { temperature: 1, topK: 0 }, rng)]!++;
    // Binomial standard deviation at n = 20000 is ≤ 0.0036; allow 4 of them.
    [0.5, 0.3, 0.2].forEach((p, i) => expect(Math.abs(counts[i]! / draws - p)).toBeLessThan(0.015));
    // Temperature 0.5 squares the odds: 0.25 : 0.09 : 0.04.
    const sharp = [0, 0, 0];
    for (let i = 0; i < draws; i++) sharp[sampleToken(logits, 0, 3, { temperature: 0.5, topK: 0 }, rng)]!++;
    expect(Math.abs(sharp[0]! / draws - 0.25 / 0.38)).toBeLessThan(0.015);
    // top-k keeps only the k best.
    const top2 = new Set(Array.from({ length: 500 }, () => sampleToken(logits, 0, 3, { temperature: 1, topK: 2 }, rng)));
    expect([...top2].sort()).toEqual([0, 1]);
  });
});
