/**
 * `pnpm bench`: serving throughput and KV memory of the tiny-lm, all in one run with one model.
 *
 * - Tokens per second of batched paged decoding (`generate`, every request at once) against the same
 *   requests decoded one request at a time (`generate` with maxRunningRequests 1) and against a padded
 *   contiguous cache (`generateContiguous`). Same model, prompts, seeds and token counts (no stop string,
 *   so every completion has exactly maxNewTokens tokens), best of `--repeats` runs, interleaved.
 * - K/V bytes per request with prefix sharing (prefix cache + copy-on-write forks) and without
 *   (every sample holds its own copy of the prompt), and what the contiguous cache reserves.
 *
 * Uses checkpoint/ when present (else a freshly initialised model with the same shapes: throughput and
 * memory do not depend on the weights here). Writes the README's `bench` section and bench/results.json.
 *
 * Flags: --requests N (8), --n N (samples per request, 4), --max-new N (48), --repeats N (3), --no-readme.
 */
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineLine, markdownTable } from '@prep/test-utils/bench';
import { DEFAULT_CONFIG, FABLE_HEADERS, TinyLM, generate, generateContiguous, type GenerateRequest } from '../src/index.js';
import { args, readCheckpoint, root, useWasm, writeReadmeSection } from '../scripts/lib.js';

const a = args();
const numRequests = a.get('requests', 8);
const n = a.get('n', 4);
const maxNewTokens = a.get('max-new', 48);
const repeats = a.get('repeats', 3);

await useWasm();
const loaded = readCheckpoint();
const model = loaded?.model ?? new TinyLM({ ...DEFAULT_CONFIG, seed: 0 });
const titles = ['The Fox and the Crow', 'The Hare and the Tortoise', 'The Lion and the Mouse', 'The Ant and the Grasshopper', 'The Greedy Dog', 'The Wind and the Sun', 'The Town Mouse', 'The Boy Who Cried Wolf'];
const requests: GenerateRequest[] = Array.from({ length: numRequests }, (_, i) => ({ prompt: `Title: ${titles[i % titles.length]!}\n`, n }));
const systemPrompt = FABLE_HEADERS[0]!;
const decoding = { systemPrompt, maxNewTokens, temperature: 0.8, seed: 7 };
const numBlocks = 4096; // large enough that admission never defers: this measures decoding, not the budget

interface Row {
  tokens: number;
  bestMs: number;
  medianMs: number;
  decodeTokensPerSecond: number;
}
const variants = {
  paged: () => generate(model, requests, { ...decoding, numBlocks }),
  oneAtATime: () => generate(model, requests, { ...decoding, numBlocks, maxRunningRequests: 1 }),
  contiguous: () => generateContiguous(model, requests, decoding),
};
type Variant = keyof typeof variants;
const times: Record<Variant, number[]> = { paged: [], oneAtATime: [], contiguous: [] };
const decodeRates: Record<Variant, number[]> = { paged: [], oneAtATime: [], contiguous: [] };
let tokens = 0;
const texts: Record<Variant, string[]> = { paged: [], oneAtATime: [], contiguous: [] };
console.log(`tiny-lm bench: ${numRequests} requests × ${n} samples × ${maxNewTokens} tokens, ${repeats} repeats, ${loaded ? 'checkpoint' : 'untrained'} model, backend ${tf.getBackend()}`);
await variants.paged(); // warm-up: kernels, wasm pages
for (let r = 0; r < repeats; r++) {
  for (const name of Object.keys(variants) as Variant[]) {
    const t0 = performance.now();
    const result = await variants[name]();
    times[name].push(performance.now() - t0);
    decodeRates[name].push(result.stats.decodeTokensPerSecond);
    tokens = result.stats.generatedTokens;
    texts[name] = result.completions.flatMap((c) => c.texts);
    console.log(`  run ${r + 1} ${name}: ${(times[name].at(-1)! / 1000).toFixed(2)} s`);
  }
}
// The three paths sample the same tokens (same logits up to float rounding, same seeded streams).
const agree = (x: string[], y: string[]): number => x.filter((t, i) => t === y[i]).length / x.length;
const agreement = { oneAtATime: agree(texts.paged, texts.oneAtATime), contiguous: agree(texts.paged, texts.contiguous) };

const summarize = (name: Variant): Row => {
  const sorted = [...times[name]].sort((x, y) => x - y);
  return {
    tokens,
    bestMs: sorted[0]!,
    medianMs: sorted[Math.floor(sorted.length / 2)]!,
    decodeTokensPerSecond: Math.max(...decodeRates[name]),
  };
};
const rows = { paged: summarize('paged'), oneAtATime: summarize('oneAtATime'), contiguous: summarize('contiguous') };

// Memory: every request at once, with and without sharing; the contiguous reservation.
const shared = await generate(model, requests, { ...decoding, numBlocks });
const unshared = await generate(model, requests, { ...decoding, numBlocks, sharePrefix: false });
const contiguous = await generateContiguous(model, requests, decoding);
const memory = {
  sharedPeakBytes: shared.stats.peakKVBytes,
  unsharedPeakBytes: unshared.stats.peakKVBytes,
  contiguousReservedBytes: contiguous.stats.reservedKVBytes,
  contiguousUsedBytes: contiguous.stats.usedKVBytes,
  prefixCacheHits: shared.stats.prefixCacheHits,
  prefixCacheQueries: shared.stats.prefixCacheQueries,
  meanFragmentation: shared.stats.meanFragmentation,
  blockBytes: shared.stats.blockBytes,
};

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const tps = (row: Row): string => (row.tokens / (row.bestMs / 1000)).toFixed(0);
const date = new Date().toISOString().slice(0, 10);
const c = model.config;
const promptChars = systemPrompt.length + 'Title: The Ant and the Grasshopper\n'.length;
const section = [
  `\`pnpm bench\` on ${date}: ${machineLine()}, wasm backend, ${loaded ? 'the committed checkpoint' : 'an untrained model of the same shape'} ` +
    `(${c.numLayers} blocks, d ${c.dModel}, ${c.numHeads} query / ${c.numKVHeads} KV heads). ${numRequests} requests × ${n} samples × ${maxNewTokens} new tokens ` +
    `(${tokens} tokens), a ${systemPrompt.length}-character shared system prompt in front of every prompt (up to ${promptChars} characters), temperature 0.8, seed 7. ` +
    `Wall time of the whole call (prefill + decode), best of ${repeats} interleaved runs.`,
  '',
  markdownTable(
    ['decoding', 'best (s)', 'median (s)', 'tokens/s', 'paged batch is faster by', 'decode steps alone (tokens/s)'],
    (
      [
        ['paged KV cache, all requests batched (`generate`)', rows.paged],
        ['paged KV cache, one request at a time (`maxRunningRequests: 1`)', rows.oneAtATime],
        ['padded contiguous cache, all batched (`generateContiguous`)', rows.contiguous],
      ] as const
    ).map(([label, row]) => [
      label,
      (row.bestMs / 1000).toFixed(2),
      (row.medianMs / 1000).toFixed(2),
      tps(row),
      `×${(row.bestMs / rows.paged.bestMs).toFixed(2)}`,
      row.decodeTokensPerSecond.toFixed(0),
    ]),
  ),
  '',
  `Completions identical to the batched paged run: one-at-a-time ${(100 * agreement.oneAtATime).toFixed(0)} %, contiguous ${(100 * agreement.contiguous).toFixed(0)} % ` +
    '(same seeded streams; a float-rounding difference in the logits can flip a sampled token).',
  '',
  markdownTable(
    ['K/V memory, all requests at once', 'peak bytes', 'per request', 'per completion'],
    [
      ['paged, prefix sharing (prefix cache + copy-on-write forks)', kib(memory.sharedPeakBytes), kib(memory.sharedPeakBytes / numRequests), kib(memory.sharedPeakBytes / (numRequests * n))],
      ['paged, no sharing (each sample owns a copy of its prompt)', kib(memory.unsharedPeakBytes), kib(memory.unsharedPeakBytes / numRequests), kib(memory.unsharedPeakBytes / (numRequests * n))],
      ['padded contiguous (reserved up front)', kib(memory.contiguousReservedBytes), kib(memory.contiguousReservedBytes / numRequests), kib(memory.contiguousReservedBytes / (numRequests * n))],
    ],
  ),
  '',
  `Sharing saves ${(100 * (1 - memory.sharedPeakBytes / memory.unsharedPeakBytes)).toFixed(0)} % of the K/V; the prefix cache answered ${memory.prefixCacheHits} of ` +
    `${memory.prefixCacheQueries} full prompt-block lookups; ${(100 * memory.meanFragmentation).toFixed(1)} % of held slots were empty on average ` +
    `(${memory.blockBytes} bytes per 16-token block over all layers). The contiguous cache used ${kib(memory.contiguousUsedBytes)} of its reservation.`,
].join('\n');

console.log(`\n${section}`);
writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify({ date, machine: machineLine(), numRequests, n, maxNewTokens, repeats, times, rows, agreement, memory }, null, 1)}\n`);
if (!a.flag('no-readme')) writeReadmeSection('bench', section);
model.dispose();
