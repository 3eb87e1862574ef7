import * as tf from '@tensorflow/tfjs';
import { KVCacheManager, PagedKVStore, type KVCacheStats } from '@prep/paged-kv';
import { pagedDecodeAttention, pagedPrefillAttention } from './caches.js';
import {
  checkAborted,
  emptyResult,
  integerOption,
  prepareDecode,
  Sample,
  type CompletionResult,
  type DecodeOptions,
  type GenerateRequest,
  type PreparedRequest,
} from './internal/requests.js';
import { TinyLM } from './model.js';

/** Options of {@link generate}: the decoding options plus the paged cache's budget and policy. */
export interface GenerateOptions extends DecodeOptions {
  /** KV blocks in the pool: the memory budget. Default 512. */
  numBlocks?: number;
  /** Tokens per block. Default 16 (vLLM's default). */
  blockSize?: number;
  /** Fraction of blocks `canAdmit` keeps free. Default 0.01 (floor(0.01 · numBlocks) blocks, as vLLM). */
  watermark?: number;
  /**
   * Share prompt K/V: prefix caching across requests and copy-on-write forks for the n samples of a
   * request (default true). false: every sample is its own sequence with its own copy of the prompt.
   */
  sharePrefix?: boolean;
  /** Requests decoded at the same time; 1 decodes one request at a time. Default: no limit. */
  maxRunningRequests?: number;
  /** Called after every decode step with the step's numbers (plot-ready). */
  onStep?: (step: GenerateStep) => void;
}

/** One decode step of {@link generate}. */
export interface GenerateStep {
  /** Step index (0-based). */
  step: number;
  /** Sequences (completions) decoded in this step. */
  sequences: number;
  /** Requests running. */
  runningRequests: number;
  /** Requests waiting for admission. */
  waitingRequests: number;
  /** Requests admitted just before this step. */
  admitted: number[];
  /** Requests that admission deferred ('later') before this step. */
  deferred: number[];
  /** Blocks held after the step. */
  usedBlocks: number;
  /** Internal fragmentation after the step (empty slots in held blocks / their slots). */
  fragmentation: number;
}

/** Totals of a {@link generate} run. */
export interface GenerateStats {
  /** Decode steps. */
  steps: number;
  /** Tokens sampled (all completions, first tokens included). */
  generatedTokens: number;
  /** Wall time of the whole call. */
  elapsedMs: number;
  /** Time spent in prefills (prompt K/V and first logits). */
  prefillMs: number;
  /** Time spent in decode steps. */
  decodeMs: number;
  /** generatedTokens / elapsed time. */
  tokensPerSecond: number;
  /** Tokens sampled in decode steps / decode time. */
  decodeTokensPerSecond: number;
  /** Pool size in blocks. */
  numBlocks: number;
  /** Tokens per block. */
  blockSize: number;
  /** Bytes of K and V of one block over all layers. */
  blockBytes: number;
  /** Most blocks held at once. */
  peakUsedBlocks: number;
  /** peakUsedBlocks · blockBytes. */
  peakKVBytes: number;
  /** Most sequences decoded in one step. */
  peakSequences: number;
  /** Most requests running at once. */
  peakRunningRequests: number;
  /** Prompt blocks looked up in the prefix cache / found there. */
  prefixCacheQueries: number;
  prefixCacheHits: number;
  /** prefixCacheHits / prefixCacheQueries. */
  prefixCacheHitRate: number;
  /** Internal fragmentation averaged over decode steps. */
  meanFragmentation: number;
  /** Request-steps spent waiting because admission answered 'later'. */
  deferrals: number;
  /** Requests rejected because admission answered 'never'. */
  rejected: number;
  /** The manager's counters at the end. */
  final: KVCacheStats;
}

/** What {@link generate} returns. */
export interface GenerateResult {
  /** One entry per request, in request order. */
  completions: CompletionResult[];
  /** Totals. */
  stats: GenerateStats;
  /** Every decode step. */
  timeline: GenerateStep[];
}

const FN = 'generate';

/** Blocks a request can hold at most: shared full prompt blocks once, then each sample's own blocks. */
export function worstCaseBlocks(promptTokens: number, n: number, maxNewTokens: number, blockSize: number, share: boolean): number {
  const total = Math.ceil((promptTokens + maxNewTokens - 1) / blockSize);
  if (!share) return n * total;
  const shared = Math.floor(promptTokens / blockSize);
  return shared + n * (total - shared);
}

/**
 * Decodes many requests at once with the paged KV cache of `@prep/paged-kv`, the way a serving engine
 * does: a FCFS scheduler admits requests while the KV budget allows, prefills each admitted prompt (its
 * full blocks shared with earlier prompts through the prefix cache, e.g. a common system prompt), forks
 * it into n samples that share the prompt blocks (copy-on-write on the first divergent token), and then
 * runs one batched decode step per token for every running sample: `appendToken` (+ `copyBlock` when a
 * shared block must be copied), the new K/V written with `writeLast`, `pagedAttention` over the block
 * tables.
 *
 * Admission reserves each request's worst case (prompt blocks, plus every sample's blocks up to
 * maxNewTokens): `canAdmit` is asked for those blocks plus what the running requests may still take;
 * 'ok' admits, 'later' defers the request (and the ones behind it: FCFS), 'never' rejects it. So decoding
 * never runs out of blocks and needs no preemption (vLLM admits on the prompt alone and preempts
 * instead). The logits of a sample do not depend on what else is in the batch, and each sample draws from
 * its own seeded stream, so results do not depend on the budget or on `maxRunningRequests`.
 *
 * @param model - the model (any backend; wasm or cpu run the paged kernel, others its tfjs reference)
 * @param requests - `{ prompt, n? }` per request
 * @param options - decoding, budget and policy options ({@link GenerateOptions})
 * @returns a promise of the completions, totals (blocks, prefix hits, fragmentation, tokens/s) and a
 *   per-step timeline
 * @throws TypeError / RangeError (as a rejected promise) for bad requests or options, including a prompt
 *   that with maxNewTokens exceeds the model's positions; the abort signal's reason when aborted
 * @example
 * ```ts
 * import { generate, FABLE_HEADERS } from '@prep/example-tiny-lm';
 * const result = await generate(model, [{ prompt: 'Title: The Fox and the Crow\n', n: 3 }], {
 *   systemPrompt: FABLE_HEADERS[0], maxNewTokens: 80, temperature: 0.8, seed: 1, numBlocks: 64,
 * });
 * result.completions[0].texts;          // three stories
 * result.stats.prefixCacheHits;         // blocks reused
 * ```
 */
export async function generate(model: TinyLM, requests: readonly GenerateRequest[], options: GenerateOptions = {}): Promise<GenerateResult> {
  if (!(model instanceof TinyLM)) throw new TypeError(`${FN}: 'model' must be a TinyLM; got ${String(model)}`);
  const setup = prepareDecode(FN, model, requests, options);
  const numBlocks = integerOption(FN, options.numBlocks, 'options.numBlocks', 512, 1);
  const blockSize = integerOption(FN, options.blockSize, 'options.blockSize', 16, 1);
  const maxRunning = integerOption(FN, options.maxRunningRequests, 'options.maxRunningRequests', Number.MAX_SAFE_INTEGER, 1);
  const share = options.sharePrefix ?? true;
  if (typeof share !== 'boolean') throw new TypeError(`${FN}: 'options.sharePrefix' must be a boolean; got ${typeof share}`);
  if (options.onStep !== undefined && typeof options.onStep !== 'function') throw new TypeError(`${FN}: 'options.onStep' must be a function`);
  const kv = new KVCacheManager({ numBlocks, blockSize, enablePrefixCaching: share, ...(options.watermark === undefined ? {} : { watermark: options.watermark }) });
  const { numLayers, numKVHeads, vocabSize } = model.config;
  const store = new PagedKVStore(kv, { numLayers, numKvHeads: numKVHeads, headDim: model.headDim });
  const blockBytes = 2 * numLayers * blockSize * numKVHeads * model.headDim * 4;

  const start = performance.now();
  const results = setup.requests.map(emptyResult);
  const waiting: PreparedRequest[] = [...setup.requests];
  const running: Sample[] = [];
  const liveSamples = new Map<number, number>(); // request → samples still decoding
  const timeline: GenerateStep[] = [];
  let nextSeqId = 0;
  let prefillMs = 0;
  let decodeMs = 0;
  let generatedTokens = 0;
  let decodeTokens = 0;
  let peakUsedBlocks = 0;
  let peakSequences = 0;
  let peakRunningRequests = 0;
  let deferrals = 0;
  let rejected = 0;
  let fragmentationSum = 0;

  const finishSample = (s: Sample): void => {
    const result = results[s.request.index]!;
    result.texts[s.sample] = s.text;
    result.tokens[s.sample] = s.generated.slice();
    result.finishReasons[s.sample] = s.finish!;
    kv.free(s.seqId);
    const left = liveSamples.get(s.request.index)! - 1;
    if (left === 0) liveSamples.delete(s.request.index);
    else liveSamples.set(s.request.index, left);
  };

  /** Prefills sequence `seqId` (already added) and returns its last position's logits. */
  const prefill = async (seqId: number, tokens: Int32Array): Promise<Float32Array> => {
    const cached = kv.getNumCachedTokens(seqId);
    const fresh = tokens.subarray(cached);
    const positions = Int32Array.from(fresh, (_, i) => cached + i);
    const logits = tf.tidy(() => {
      const all = model.forwardCached(fresh, positions, pagedPrefillAttention(store, seqId, cached));
      return tf.slice(all, [fresh.length - 1, 0], [1, vocabSize]);
    });
    try {
      return (await logits.data()) as Float32Array;
    } finally {
      logits.dispose();
    }
  };

  const admit = async (request: PreparedRequest, step: number): Promise<Sample[]> => {
    const t0 = performance.now();
    const result = results[request.index]!;
    result.admittedAtStep = step;
    const samples: Sample[] = [];
    if (share) {
      const parent = nextSeqId++;
      // The prompt's full blocks enter the prefix cache here; their K/V are written by the prefill right
      // after, before any other request is added.
      kv.addSequence(parent, request.tokens);
      result.cachedPromptTokens = kv.getNumCachedTokens(parent);
      const logits = await prefill(parent, request.tokens);
      samples.push(new Sample(request, 0, parent, setup.seed));
      for (let j = 1; j < request.n; j++) {
        const child = nextSeqId++;
        kv.fork(parent, child); // shares every prompt block; no K/V is copied
        samples.push(new Sample(request, j, child, setup.seed));
      }
      for (const s of samples) s.take(logits, 0, vocabSize, setup);
    } else {
      for (let j = 0; j < request.n; j++) {
        const id = nextSeqId++;
        kv.addSequence(id, request.tokens);
        const logits = await prefill(id, request.tokens);
        const s = new Sample(request, j, id, setup.seed);
        s.take(logits, 0, vocabSize, setup);
        samples.push(s);
      }
    }
    generatedTokens += samples.length;
    prefillMs += performance.now() - t0;
    liveSamples.set(request.index, samples.length);
    const live: Sample[] = [];
    for (const s of samples) {
      if (s.finish) finishSample(s);
      else live.push(s);
    }
    return live;
  };

  /** Blocks the running samples may still take (their growth to maxNewTokens, plus pending copies). */
  const outstandingBlocks = (): number => {
    let blocks = 0;
    for (const s of running) {
      const tokens = kv.getNumTokens(s.seqId);
      const target = Math.ceil((s.request.tokens.length + setup.maxNewTokens - 1) / blockSize);
      const table = kv.getBlockTable(s.seqId);
      blocks += target - table.length;
      if (tokens % blockSize !== 0 && kv.getRefCount(table[table.length - 1]!) > 1) blocks++;
    }
    return blocks;
  };

  for (let step = 0; waiting.length > 0 || running.length > 0; step++) {
    checkAborted(setup.signal);
    const admitted: number[] = [];
    const deferred: number[] = [];
    while (waiting.length > 0 && liveSamples.size < maxRunning) {
      const request = waiting[0]!;
      const need = worstCaseBlocks(request.tokens.length, request.n, setup.maxNewTokens, blockSize, share);
      if (kv.canAdmit(need * blockSize) === 'never') {
        waiting.shift();
        results[request.index]!.status = 'rejected';
        rejected++;
        continue;
      }
      if (kv.canAdmit((need + outstandingBlocks()) * blockSize) !== 'ok') {
        // 'later': FCFS, so the requests behind it wait too.
        results[request.index]!.deferredSteps++;
        deferrals++;
        deferred.push(request.index);
        break;
      }
      waiting.shift();
      running.push(...(await admit(request, step)));
      admitted.push(request.index);
      peakUsedBlocks = Math.max(peakUsedBlocks, kv.stats().numUsedBlocks);
      checkAborted(setup.signal);
    }
    peakRunningRequests = Math.max(peakRunningRequests, liveSamples.size);
    if (running.length === 0) {
      if (waiting.length > 0 && admitted.length === 0) throw new Error(`${FN}: internal: nothing runs and request ${waiting[0]!.index} was not admitted`);
      continue;
    }
    const t0 = performance.now();
    const batch = running.splice(0, running.length);
    for (const s of batch) store.copyBlock(kv.appendToken(s.seqId, s.pending));
    const seqIds = batch.map((s) => s.seqId);
    const positions = batch.map((s) => kv.getNumTokens(s.seqId) - 1);
    const logitsTensor = model.forwardCached(
      batch.map((s) => s.pending),
      positions,
      pagedDecodeAttention(store, seqIds),
    );
    const usedAfterAppend = kv.stats();
    let logits: Float32Array;
    try {
      logits = (await logitsTensor.data()) as Float32Array;
    } finally {
      logitsTensor.dispose();
    }
    peakUsedBlocks = Math.max(peakUsedBlocks, usedAfterAppend.numUsedBlocks);
    peakSequences = Math.max(peakSequences, batch.length);
    fragmentationSum += usedAfterAppend.internalFragmentation;
    batch.forEach((s, i) => {
      s.take(logits, i, vocabSize, setup);
      if (s.finish) finishSample(s);
      else running.push(s);
    });
    generatedTokens += batch.length;
    decodeTokens += batch.length;
    decodeMs += performance.now() - t0;
    const info: GenerateStep = {
      step,
      sequences: batch.length,
      runningRequests: liveSamples.size,
      waitingRequests: waiting.length,
      admitted,
      deferred,
      usedBlocks: usedAfterAppend.numUsedBlocks,
      fragmentation: usedAfterAppend.internalFragmentation,
    };
    timeline.push(info);
    options.onStep?.(info);
  }

  const final = kv.stats();
  const elapsedMs = performance.now() - start;
  return {
    completions: results,
    timeline,
    stats: {
      steps: timeline.length,
      generatedTokens,
      elapsedMs,
      prefillMs,
      decodeMs,
      tokensPerSecond: generatedTokens / (elapsedMs / 1000),
      decodeTokensPerSecond: decodeMs > 0 ? decodeTokens / (decodeMs / 1000) : 0,
      numBlocks,
      blockSize,
      blockBytes,
      peakUsedBlocks,
      peakKVBytes: peakUsedBlocks * blockBytes,
      peakSequences,
      peakRunningRequests,
      prefixCacheQueries: final.prefixCacheQueries,
      prefixCacheHits: final.prefixCacheHits,
      prefixCacheHitRate: final.prefixCacheHitRate,
      meanFragmentation: timeline.length > 0 ? fragmentationSum / timeline.length : 0,
      deferrals,
      rejected,
      final,
    },
  };
}
