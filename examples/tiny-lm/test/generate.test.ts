import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends, tf } from '@prep/test-utils/tensor';
import { expectRejectsNaming } from '@prep/test-utils';
import { generate, generateContiguous, worstCaseBlocks, type GenerateRequest, type TinyLM } from '../src/index.js';
import { tinyModel } from './helpers.js';

// 16 characters = 2 blocks of 8: every request after the first finds them in the prefix cache.
const SYSTEM = 'Tell a fable.\n> ';
const REQUESTS: GenerateRequest[] = [
  { prompt: 'The fox', n: 3 },
  { prompt: 'A crow sat', n: 2 },
  { prompt: 'Once', n: 1 },
];
const BASE = { systemPrompt: SYSTEM, maxNewTokens: 12, blockSize: 8 } as const;

describeBackends('generate (paged KV cache)', () => {
  let model: TinyLM;
  beforeAll(() => {
    model = tinyModel();
  });
  afterAll(() => model.dispose());

  it('is deterministic for a fixed seed (greedy and sampled), whatever the batching, and matches the contiguous baseline', async () => {
    const before = tf.memory().numTensors;
    const greedy = await generate(model, REQUESTS, { ...BASE, temperature: 0, seed: 1 });
    const greedyAgain = await generate(model, REQUESTS, { ...BASE, temperature: 0, seed: 99 });
    expect(greedyAgain.completions.map((c) => c.tokens)).toEqual(greedy.completions.map((c) => c.tokens));
    // Greedy samples of one prompt are identical; every completion has maxNewTokens tokens.
    for (const c of greedy.completions) {
      expect(c.status).toBe('done');
      for (const t of c.tokens) expect(t).toEqual(c.tokens[0]);
      expect(c.finishReasons.every((r) => r === 'length')).toBe(true);
      expect(c.tokens.every((t) => t.length === 12)).toBe(true);
    }

    const sampled = await generate(model, REQUESTS, { ...BASE, temperature: 1.5, seed: 7 });
    const sampledAgain = await generate(model, REQUESTS, { ...BASE, temperature: 1.5, seed: 7 });
    const otherSeed = await generate(model, REQUESTS, { ...BASE, temperature: 1.5, seed: 8 });
    const tokens = (r: { completions: { tokens: number[][] }[] }) => r.completions.map((c) => c.tokens);
    expect(tokens(sampledAgain)).toEqual(tokens(sampled));
    expect(tokens(otherSeed)).not.toEqual(tokens(sampled));
    // The three samples of request 0 diverge (own streams) after sharing one prefill.
    expect(new Set(sampled.completions[0]!.texts).size).toBeGreaterThan(1);

    // Same seeds, other schedules: one request at a time, and the padded contiguous cache.
    const serial = await generate(model, REQUESTS, { ...BASE, temperature: 1.5, seed: 7, maxRunningRequests: 1 });
    expect(serial.stats.peakRunningRequests).toBe(1);
    expect(tokens(serial)).toEqual(tokens(sampled));
    const contiguous = await generateContiguous(model, REQUESTS, { systemPrompt: SYSTEM, maxNewTokens: 12, temperature: 1.5, seed: 7 });
    expect(tokens(contiguous)).toEqual(tokens(sampled));
    expect(contiguous.completions.map((c) => c.texts)).toEqual(sampled.completions.map((c) => c.texts));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reuses the shared system prompt through the prefix cache and the prompt through forks', async () => {
    const shared = await generate(model, REQUESTS, { ...BASE, temperature: 0 });
    const s = shared.stats;
    // Request 0 computes the two system-prompt blocks; requests 1 and 2 find them.
    expect(shared.completions.map((c) => c.cachedPromptTokens)).toEqual([0, 8 * 2, 8 * 2]);
    expect(s.prefixCacheHits).toBe(4);
    expect(s.final.numUsedBlocks).toBe(0);
    expect(s.final.numSequences).toBe(0);
    expect(s.peakSequences).toBe(6);
    const separate = await generate(model, REQUESTS, { ...BASE, temperature: 0, sharePrefix: false });
    expect(separate.stats.prefixCacheHits).toBe(0);
    expect(separate.completions.map((c) => c.tokens)).toEqual(shared.completions.map((c) => c.tokens));
    // Prompts of 23, 26, 20 tokens + 11 generated, blocks of 8: without sharing 3·5 + 2·5 + 1·4 = 29 blocks
    // at the peak; with sharing the system prompt's 2 blocks are held once and each request's full
    // prompt blocks once per request.
    expect(separate.stats.peakUsedBlocks).toBe(29);
    expect(s.peakUsedBlocks).toBeLessThan(separate.stats.peakUsedBlocks);
    // System 2 + request 0: 3 samples × 3 own; request 1: 1 full prompt block + 2 × 2 own; request 2: 2 own.
    expect(s.peakUsedBlocks).toBe(2 + 3 * 3 + (1 + 2 * 2) + 2);
    expect(s.peakKVBytes).toBe(s.peakUsedBlocks * s.blockBytes);
    expect(s.blockBytes).toBe(2 * 2 * 8 * 2 * 4 * 4);
    expect(s.meanFragmentation).toBeGreaterThan(0);
    expect(s.meanFragmentation).toBeLessThan(1);
  });

  it('admits under a tight budget: defers requests that do not fit yet, rejects one that never fits', async () => {
    const reference = await generate(model, REQUESTS, { ...BASE, temperature: 1, seed: 3 });
    // Worst cases with sharing (full prompt blocks once, then each sample's own blocks up to 34/37/31 tokens).
    const need = REQUESTS.map((r, i) => worstCaseBlocks(reference.completions[i]!.promptTokens, r.n ?? 1, 12, 8, true));
    expect(need).toEqual([2 + 3 * 3, 3 + 2 * 2, 2 + 2]);
    // 12 blocks: request 0 (11) runs alone; requests 1 and 2 (7 + 4 with request 1's growth) run after it.
    const tight = await generate(model, REQUESTS, { ...BASE, temperature: 1, seed: 3, numBlocks: 12, watermark: 0 });
    expect(tight.stats.peakRunningRequests).toBe(2);
    expect(tight.timeline.every((step) => step.runningRequests < 3)).toBe(true);
    expect(tight.stats.deferrals).toBeGreaterThan(0);
    expect(tight.completions[1]!.deferredSteps).toBeGreaterThan(0);
    expect(tight.stats.peakUsedBlocks).toBeLessThanOrEqual(12);
    expect(tight.completions.map((c) => c.tokens)).toEqual(reference.completions.map((c) => c.tokens));

    const tooSmall = await generate(model, REQUESTS, { ...BASE, temperature: 1, seed: 3, numBlocks: 10, watermark: 0 });
    expect(tooSmall.completions.map((c) => c.status)).toEqual(['rejected', 'done', 'done']);
    expect(tooSmall.stats.rejected).toBe(1);
    expect(tooSmall.completions[0]!.texts).toEqual([]);
    expect(tooSmall.completions[2]!.tokens).toEqual(reference.completions[2]!.tokens);
  });

  it('stops at the stop string, reports every step, and honours an abort signal', async () => {
    const steps: number[] = [];
    const greedy = await generate(model, [{ prompt: 'x' }], { maxNewTokens: 10, temperature: 0, onStep: (s) => steps.push(s.sequences) });
    expect(steps).toEqual(new Array(9).fill(1));
    const text = greedy.completions[0]!.texts[0]!;
    const stop = text.slice(2, 4);
    const stopped = await generate(model, [{ prompt: 'x' }], { maxNewTokens: 10, temperature: 0, stop });
    const first = text.indexOf(stop) + stop.length;
    expect(stopped.completions[0]!.texts[0]).toBe(text.slice(0, first));
    expect(stopped.completions[0]!.finishReasons).toEqual(['stop']);
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the test'));
    await expect(generate(model, [{ prompt: 'x' }], { maxNewTokens: 10, signal: controller.signal })).rejects.toThrow('cancelled by the test');
  });

  it('refuses bad requests and options, naming the argument', async () => {
    const before = tf.memory().numTensors;
    const cases: [unknown, unknown, string][] = [
      [null, {}, 'requests'],
      [[], {}, 'requests'],
      [[{ prompt: 3 }], {}, 'requests[0]'],
      [[{ prompt: 'a', n: 0 }], {}, 'requests[0].n'],
      [[{ prompt: 'a', n: 1.5 }], {}, 'requests[0].n'],
      [[{ prompt: '' }], {}, 'requests[0].prompt'],
      [[{ prompt: 'a'.repeat(40) }], {}, 'requests[0].prompt'],
      [[{ prompt: 'a' }], { maxNewTokens: 0 }, 'options.maxNewTokens'],
      [[{ prompt: 'a' }], { temperature: -1 }, 'options.temperature'],
      [[{ prompt: 'a' }], { temperature: '1' }, 'options.temperature'],
      [[{ prompt: 'a' }], { topK: -2 }, 'options.topK'],
      [[{ prompt: 'a' }], { numBlocks: 0 }, 'options.numBlocks'],
      [[{ prompt: 'a' }], { blockSize: 2.5 }, 'options.blockSize'],
      [[{ prompt: 'a' }], { sharePrefix: 'yes' }, 'options.sharePrefix'],
      [[{ prompt: 'a' }], { maxRunningRequests: 0 }, 'options.maxRunningRequests'],
      [[{ prompt: 'a' }], { stop: '' }, 'options.stop'],
      [[{ prompt: 'a' }], { systemPrompt: 5 }, 'options.systemPrompt'],
    ];
    const pagedOnly = ['options.numBlocks', 'options.blockSize', 'options.sharePrefix', 'options.maxRunningRequests'];
    for (const [requests, bad, name] of cases) {
      const options = { maxNewTokens: 10, ...(bad as object) };
      await expectRejectsNaming(() => generate(model, requests as GenerateRequest[], options), 'generate', name);
      if (!pagedOnly.includes(name)) {
        await expectRejectsNaming(() => generateContiguous(model, requests as GenerateRequest[], options), 'generateContiguous', name);
      }
    }
    await expectRejectsNaming(() => generate({} as TinyLM, REQUESTS), 'generate', 'model');
    expect(tf.memory().numTensors).toBe(before);
  });
});
