/** Internal: request validation and per-sample decoding state shared by the paged and contiguous paths. */
import type { TinyLM } from '../model.js';
import { mixSeed, SeededRandom } from '../random.js';
import { sampleToken, type SamplingOptions } from '../sampling.js';
import { CharTokenizer } from '../tokenizer.js';

/** One request: a prompt (the system prompt is put in front of it) and how many completions to sample. */
export interface GenerateRequest {
  /** The user prompt. */
  prompt: string;
  /** Completions to sample from it (parallel sampling). Default 1. */
  n?: number;
}

/** Options shared by {@link generate} and {@link generateContiguous}. */
export interface DecodeOptions {
  /** Text put in front of every prompt (shared, so its full blocks are reused by the prefix cache). Default ''. */
  systemPrompt?: string;
  /** Tokens to generate per completion (fewer when `stop` appears). Default 64. */
  maxNewTokens?: number;
  /** Softmax temperature; 0 = greedy. Default 0.8. */
  temperature?: number;
  /** Sample from the k most likely tokens only; 0 = all. Default 0. */
  topK?: number;
  /** Seed of the sampling: completion j of request i draws from its own stream mixSeed(seed, i, j). Default 0. */
  seed?: number;
  /** Stop a completion once its text ends with this string (kept in the text). Default: none. */
  stop?: string;
  /** The tokenizer (default a {@link CharTokenizer}). */
  tokenizer?: CharTokenizer;
  /** Stops between steps when aborted (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** Why a completion ended. */
export type FinishReason = 'length' | 'stop';

/** The outcome of one request. */
export interface CompletionResult {
  /** Index of the request. */
  request: number;
  /** 'done', or 'rejected' when its worst case can never fit the KV budget. */
  status: 'done' | 'rejected';
  /** The n completions (generated text only). */
  texts: string[];
  /** Their token ids. */
  tokens: number[][];
  /** Why each ended. */
  finishReasons: FinishReason[];
  /** Tokens of system prompt + prompt. */
  promptTokens: number;
  /** Prompt tokens whose K/V came from the prefix cache (paged decoding with sharing only). */
  cachedPromptTokens: number;
  /** Decode step at which it was admitted (null when rejected). */
  admittedAtStep: number | null;
  /** Steps it waited because admission said 'later'. */
  deferredSteps: number;
}

/** Validated request state. */
export interface PreparedRequest {
  index: number;
  n: number;
  prompt: string;
  tokens: Int32Array;
}

export interface PreparedDecode {
  tokenizer: CharTokenizer;
  requests: PreparedRequest[];
  maxNewTokens: number;
  sampling: SamplingOptions;
  seed: number;
  stop: string | null;
  signal: AbortSignal | null;
}

export function integerOption(fn: string, value: unknown, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${fn}: '${name}' must be a number; got ${typeof value}`);
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${fn}: '${name}' must be an integer in [${min}, ${max}]; got ${value}`);
  return value;
}

/** Validates model, requests and options (before anything is allocated). */
export function prepareDecode(fn: string, model: TinyLM, requests: unknown, options: DecodeOptions): PreparedDecode {
  if (options === null || typeof options !== 'object') throw new TypeError(`${fn}: 'options' must be an object; got ${String(options)}`);
  if (!Array.isArray(requests)) throw new TypeError(`${fn}: 'requests' must be an array of { prompt, n? }; got ${typeof requests}`);
  if (requests.length === 0) throw new RangeError(`${fn}: 'requests' must hold at least one request`);
  const tokenizer = options.tokenizer ?? new CharTokenizer();
  if (!(tokenizer instanceof CharTokenizer)) throw new TypeError(`${fn}: 'options.tokenizer' must be a CharTokenizer`);
  if (tokenizer.vocabSize !== model.config.vocabSize) {
    throw new RangeError(`${fn}: the tokenizer has ${tokenizer.vocabSize} ids; the model ${model.config.vocabSize}`);
  }
  const systemPrompt = options.systemPrompt ?? '';
  if (typeof systemPrompt !== 'string') throw new TypeError(`${fn}: 'options.systemPrompt' must be a string; got ${typeof systemPrompt}`);
  const maxNewTokens = integerOption(fn, options.maxNewTokens, 'options.maxNewTokens', 64, 1);
  const temperature = options.temperature ?? 0.8;
  if (typeof temperature !== 'number') throw new TypeError(`${fn}: 'options.temperature' must be a number; got ${typeof temperature}`);
  if (!Number.isFinite(temperature) || temperature < 0) throw new RangeError(`${fn}: 'options.temperature' must be a finite number ≥ 0; got ${temperature}`);
  const topK = integerOption(fn, options.topK, 'options.topK', 0, 0);
  const seed = integerOption(fn, options.seed, 'options.seed', 0, 0, 2 ** 32 - 1);
  const stop = options.stop ?? null;
  if (stop !== null && (typeof stop !== 'string' || stop.length === 0)) throw new TypeError(`${fn}: 'options.stop' must be a non-empty string`);
  const signal = options.signal ?? null;
  if (signal !== null && !(typeof signal === 'object' && 'aborted' in signal)) throw new TypeError(`${fn}: 'options.signal' must be an AbortSignal`);
  const system = tokenizer.encode(systemPrompt);
  const prepared = requests.map((request: unknown, index): PreparedRequest => {
    if (request === null || typeof request !== 'object' || typeof (request as GenerateRequest).prompt !== 'string') {
      throw new TypeError(`${fn}: 'requests[${index}]' must be an object { prompt: string, n?: number }`);
    }
    const { prompt, n } = request as GenerateRequest;
    const count = integerOption(fn, n, `requests[${index}].n`, 1, 1, 1024);
    const tokens = new Int32Array(system.length + prompt.length);
    tokens.set(system);
    const own = tokenizer.encode(prompt);
    tokens.set(own, system.length);
    const all = tokens.subarray(0, system.length + own.length);
    if (all.length === 0) throw new RangeError(`${fn}: 'requests[${index}].prompt' is empty and there is no system prompt; a prompt needs at least one token`);
    if (all.length + maxNewTokens - 1 > model.config.maxPositions) {
      throw new RangeError(
        `${fn}: 'requests[${index}].prompt' has ${all.length} tokens with the system prompt; with maxNewTokens ${maxNewTokens} it needs ${all.length + maxNewTokens - 1} positions, the model has ${model.config.maxPositions}`,
      );
    }
    return { index, n: count, prompt, tokens: all.slice() };
  });
  return { tokenizer, requests: prepared, maxNewTokens, sampling: { temperature, topK }, seed, stop, signal };
}

/** One completion being decoded. */
export class Sample {
  /** Generated tokens so far. */
  readonly generated: number[] = [];
  /** The last sampled token, not yet in the cache. */
  pending = -1;
  finish: FinishReason | null = null;
  readonly #rng: SeededRandom;
  #text = '';

  constructor(
    readonly request: PreparedRequest,
    readonly sample: number,
    readonly seqId: number,
    seed: number,
  ) {
    this.#rng = new SeededRandom(mixSeed(seed, request.index, sample));
  }

  /** Samples the next token from row `row` of `logits` and decides whether the completion ends. */
  take(logits: ArrayLike<number>, row: number, vocabSize: number, setup: PreparedDecode): void {
    const token = sampleToken(logits, row * vocabSize, vocabSize, setup.sampling, this.#rng);
    this.generated.push(token);
    this.#text += setup.tokenizer.decode([token]);
    if (setup.stop !== null && this.#text.endsWith(setup.stop)) this.finish = 'stop';
    else if (this.generated.length >= setup.maxNewTokens) this.finish = 'length';
    else this.pending = token;
  }

  get text(): string {
    return this.#text;
  }
}

export function emptyResult(request: PreparedRequest): CompletionResult {
  return {
    request: request.index,
    status: 'done',
    texts: [],
    tokens: [],
    finishReasons: [],
    promptTokens: request.tokens.length,
    cachedPromptTokens: 0,
    admittedAtStep: null,
    deferredSteps: 0,
  };
}

export function checkAborted(signal: AbortSignal | null): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
}
