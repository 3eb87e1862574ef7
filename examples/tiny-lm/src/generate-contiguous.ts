import * as tf from '@tensorflow/tfjs';
import { ContiguousKVCache } from './caches.js';
import { checkAborted, emptyResult, prepareDecode, Sample, type CompletionResult, type DecodeOptions, type GenerateRequest } from './internal/requests.js';
import { TinyLM } from './model.js';

/** What {@link generateContiguous} returns. */
export interface ContiguousGenerateResult {
  /** One entry per request, in request order. */
  completions: CompletionResult[];
  /** Totals. */
  stats: {
    /** Decode steps. */
    steps: number;
    /** Tokens sampled (all completions). */
    generatedTokens: number;
    /** Wall time of the whole call. */
    elapsedMs: number;
    /** Time in prefills. */
    prefillMs: number;
    /** Time in decode steps. */
    decodeMs: number;
    /** generatedTokens / elapsed time. */
    tokensPerSecond: number;
    /** Tokens sampled in decode steps / decode time. */
    decodeTokensPerSecond: number;
    /** Rows (sequences) of the cache. */
    rows: number;
    /** Token slots reserved per row: the longest prompt + maxNewTokens − 1. */
    maxLen: number;
    /** Bytes of K/V reserved for the whole batch (held from the start to the end). */
    reservedKVBytes: number;
    /** Bytes that held a token at the end (the rest of the reservation was never used). */
    usedKVBytes: number;
  };
}

const FN = 'generateContiguous';

/**
 * The baseline for {@link generate}: the same requests, sampling and seeds decoded with a padded
 * contiguous KV cache (no paging, no sharing). Every completion gets a row that reserves slots for the
 * longest prompt plus maxNewTokens up front; each prompt is prefilled once and its K/V copied into its n
 * rows; every decode step attends with `@prep/attention`'s exact attention over the batch padded to its
 * longest live row, with a padding mask. All requests run at once (the reservation is the whole memory
 * budget). Produces the same tokens as `generate` up to float rounding.
 *
 * @param model - the model
 * @param requests - `{ prompt, n? }` per request
 * @param options - decoding options (see {@link DecodeOptions})
 * @returns a promise of the completions and totals (reserved vs used bytes, tokens/s)
 * @throws TypeError / RangeError (as a rejected promise) as {@link generate}
 * @example
 * ```ts
 * const baseline = await generateContiguous(model, [{ prompt: 'Title: The Lion and the Mouse\n', n: 2 }], { maxNewTokens: 40, temperature: 0 });
 * baseline.stats.reservedKVBytes; // rows · maxLen · bytes per token
 * ```
 */
export async function generateContiguous(model: TinyLM, requests: readonly GenerateRequest[], options: DecodeOptions = {}): Promise<ContiguousGenerateResult> {
  if (!(model instanceof TinyLM)) throw new TypeError(`${FN}: 'model' must be a TinyLM; got ${String(model)}`);
  const setup = prepareDecode(FN, model, requests, options);
  const { numLayers, numKVHeads, vocabSize } = model.config;
  const rows = setup.requests.reduce((sum, r) => sum + r.n, 0);
  const maxLen = Math.max(...setup.requests.map((r) => r.tokens.length)) + setup.maxNewTokens - 1;
  const cache = new ContiguousKVCache({ numLayers, numKvHeads: numKVHeads, headDim: model.headDim, numRows: rows, maxLen });
  const start = performance.now();
  const results = setup.requests.map(emptyResult);
  let running: Sample[] = [];
  let generatedTokens = 0;
  let decodeTokens = 0;
  let prefillMs = 0;
  let decodeMs = 0;
  let steps = 0;
  const finish = (s: Sample): void => {
    const result = results[s.request.index]!;
    result.texts[s.sample] = s.text;
    result.tokens[s.sample] = s.generated.slice();
    result.finishReasons[s.sample] = s.finish!;
  };

  let row = 0;
  for (const request of setup.requests) {
    checkAborted(setup.signal);
    const t0 = performance.now();
    const first = row;
    const logitsTensor = tf.tidy(() => {
      const positions = Int32Array.from(request.tokens, (_, i) => i);
      const all = model.forwardCached(request.tokens, positions, cache.prefillAttention(first, 0));
      return tf.slice(all, [request.tokens.length - 1, 0], [1, vocabSize]);
    });
    const logits = await logitsTensor.data();
    logitsTensor.dispose();
    results[request.index]!.admittedAtStep = 0;
    for (let j = 0; j < request.n; j++) {
      if (j > 0) cache.copyRow(first, first + j);
      const s = new Sample(request, j, first + j, setup.seed);
      s.take(logits, 0, vocabSize, setup);
      if (s.finish) finish(s);
      else running.push(s);
    }
    generatedTokens += request.n;
    row += request.n;
    prefillMs += performance.now() - t0;
  }

  while (running.length > 0) {
    checkAborted(setup.signal);
    const t0 = performance.now();
    const rowsNow = running.map((s) => s.seqId);
    const positions = rowsNow.map((r) => cache.lengths[r]!);
    const logitsTensor = model.forwardCached(
      running.map((s) => s.pending),
      positions,
      cache.decodeAttention(rowsNow),
    );
    const logits = await logitsTensor.data();
    logitsTensor.dispose();
    const next: Sample[] = [];
    running.forEach((s, i) => {
      s.take(logits, i, vocabSize, setup);
      if (s.finish) finish(s);
      else next.push(s);
    });
    generatedTokens += running.length;
    decodeTokens += running.length;
    running = next;
    steps++;
    decodeMs += performance.now() - t0;
  }
  const elapsedMs = performance.now() - start;
  const tokenBytes = (cache.reservedBytes / rows / maxLen);
  const used = Array.from(cache.lengths).reduce((a, b) => a + b, 0);
  return {
    completions: results,
    stats: {
      steps,
      generatedTokens,
      elapsedMs,
      prefillMs,
      decodeMs,
      tokensPerSecond: generatedTokens / (elapsedMs / 1000),
      decodeTokensPerSecond: decodeMs > 0 ? decodeTokens / (decodeMs / 1000) : 0,
      rows,
      maxLen,
      reservedKVBytes: cache.reservedBytes,
      usedKVBytes: used * tokenBytes,
    },
  };
}
