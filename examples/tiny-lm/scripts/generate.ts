/**
 * `pnpm generate`: loads the checkpoint and serves a batch of requests with the paged KV cache: one
 * shared system prompt (reused through the prefix cache), n samples per prompt (copy-on-write forks),
 * admission with canAdmit under a small block budget. Prints every step's occupancy, the completions and
 * the cache's numbers.
 *
 * Flags: --blocks N (pool size, default 40), --block-size N (16), --n N (samples per prompt, 3),
 * --max-new N (140), --temperature X (0.7), --top-k N (0), --seed N (1), --greedy.
 */
import { FABLE_HEADERS, generate } from '../src/index.js';
import { args, compact, pct, readCheckpoint, useWasm } from './lib.js';

const a = args();
await useWasm();
const loaded = readCheckpoint();
if (!loaded) {
  console.error('no checkpoint/model.json: run `pnpm train` first');
  process.exit(1);
}
const { model } = loaded;
const systemPrompt = FABLE_HEADERS[0]!;
const titles = ['The Fox and the Crow', 'The Hare and the Tortoise', 'The Lion and the Mouse', 'The Ant and the Grasshopper', 'The Greedy Dog'];
const n = a.get('n', 3);
const requests = titles.map((title) => ({ prompt: `Title: ${title}\n`, n }));
const options = {
  systemPrompt,
  maxNewTokens: a.get('max-new', 140),
  temperature: a.flag('greedy') ? 0 : a.get('temperature', 0.7),
  topK: a.get('top-k', 0),
  seed: a.get('seed', 1),
  numBlocks: a.get('blocks', 40),
  blockSize: a.get('block-size', 16),
};
console.log(`system prompt (shared by every request): ${JSON.stringify(systemPrompt)}`);
console.log(
  `${requests.length} requests × ${n} samples, up to ${options.maxNewTokens} new characters each, temperature ${options.temperature}; ` +
    `KV budget ${options.numBlocks} blocks of ${options.blockSize} tokens\n`,
);
const result = await generate(model, requests, {
  ...options,
  onStep: (s) => {
    const events = [
      s.admitted.length ? `admitted ${s.admitted.map((r) => `#${r}`).join(' ')}` : '',
      s.deferred.length ? `deferred #${s.deferred.join(' #')} (canAdmit: later)` : '',
    ].filter(Boolean);
    if (events.length > 0 || s.step % 20 === 0) {
      console.log(
        `step ${String(s.step).padStart(3)}: ${String(s.sequences).padStart(2)} sequences, ${s.runningRequests} running / ${s.waitingRequests} waiting, ` +
          `${String(s.usedBlocks).padStart(3)}/${options.numBlocks} blocks, fragmentation ${pct(s.fragmentation)}${events.length ? `  ← ${events.join('; ')}` : ''}`,
      );
    }
  },
});

for (const c of result.completions) {
  console.log(`\n=== request #${c.request}: ${JSON.stringify(requests[c.request]!.prompt)} (${c.status}; ${c.promptTokens} prompt tokens, ${c.cachedPromptTokens} from the prefix cache)`);
  c.texts.forEach((text, j) => console.log(`--- sample ${j} (${c.finishReasons[j]})\n${text}`));
}
const s = result.stats;
console.log(`
blocks used (peak):      ${s.peakUsedBlocks} of ${s.numBlocks} (${(s.peakKVBytes / 1024).toFixed(0)} KiB of K/V; ${s.blockBytes} bytes per block)
sequences per step:      up to ${s.peakSequences} (${s.peakRunningRequests} requests at once)
prefix cache:            ${s.prefixCacheHits} hits of ${s.prefixCacheQueries} full prompt blocks looked up (${pct(s.prefixCacheHitRate)})
fragmentation:           ${pct(s.meanFragmentation)} of held slots empty, averaged over steps
admission:               ${s.deferrals} deferrals, ${s.rejected} rejected
throughput:              ${s.generatedTokens} tokens in ${(s.elapsedMs / 1000).toFixed(1)} s = ${compact(s.tokensPerSecond)} tokens/s (decode steps alone ${compact(s.decodeTokensPerSecond)} tokens/s)`);
model.dispose();
