import { createRandom } from './internal/random.js';
import { delay, runPool, throwIfAborted } from './internal/pool.js';
import { callbackOption, describeError, functionArg, got, numberArg, numberOption, requiredOptions, signalOption } from './internal/args.js';

/**
 * One principle of a constitution, in the JSON layout of Hugging Face's llm-swarm constitutional-AI recipe:
 * a critique request and a revision request (plus an optional short name).
 */
export interface ConstitutionalPrinciple {
  /** Short name, e.g. `'harmless'`. */
  name?: string;
  /** The critique request, e.g. "Identify ways the response is harmful…". */
  critic: string;
  /** The revision request, e.g. "Rewrite the response to remove harmful content…". */
  revision: string;
}

/** The three model calls of the critique → revision loop. `P` is the principle type. */
export interface ConstitutionalModel<P = ConstitutionalPrinciple> {
  /** The model's first answer to the prompt. */
  generate: (prompt: string) => Promise<string>;
  /** A critique of `response` under `principle`. */
  critique: (input: { prompt: string; response: string; principle: P }) => Promise<string>;
  /** `response` revised in the light of `critique`. */
  revise: (input: { prompt: string; response: string; critique: string; principle: P }) => Promise<string>;
}

/** One example produced by {@link constitutionalPairs}. */
export interface ConstitutionalExample<P = ConstitutionalPrinciple> {
  prompt: string;
  /** The principle drawn for this example. */
  principle: P;
  initial: string;
  critique: string;
  revision: string;
  /** The revision: the preferred response of the pair. */
  chosen: string;
  /** The initial response. */
  rejected: string;
}

/** Progress of {@link constitutionalPairs}, reported after every prompt. */
export interface ConstitutionalProgress {
  done: number;
  total: number;
}

/** Options of {@link constitutionalPairs}. */
export interface ConstitutionalPairsOptions<P = ConstitutionalPrinciple> {
  prompts: readonly string[];
  /** The constitution; one principle is drawn uniformly at random per example. */
  principles: readonly P[];
  model: ConstitutionalModel<P>;
  /** Seed of the principle draws; the same seed draws the same principles whatever the concurrency. */
  seed: number;
  /** Prompts processed at once, ≥ 1; default 4. */
  concurrency?: number;
  /** Extra attempts after a model call throws, ≥ 0; default 2. */
  retries?: number;
  /** Wait before each retry in milliseconds, doubled each time; default 0. */
  retryDelayMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ConstitutionalProgress) => void;
}

/**
 * Raised when a model call of {@link constitutionalPairs} keeps failing after its retries; names the step and
 * the prompt, and keeps the last error as `cause`.
 *
 * @example
 * ```ts
 * import { ConstitutionalModelError, constitutionalPairs, createToyConstitutionalModel, TOY_CONSTITUTION } from '@prep/rlhf';
 * const model = { ...createToyConstitutionalModel(), revise: () => Promise.reject(new Error('offline')) };
 * await constitutionalPairs({ prompts: ['hi'], principles: TOY_CONSTITUTION, model, seed: 1 }).catch((err: unknown) => {
 *   if (err instanceof ConstitutionalModelError) console.log(err.step, err.index); // 'revise' 0
 * });
 * ```
 */
export class ConstitutionalModelError extends Error {
  override readonly name = 'ConstitutionalModelError';
  /** Index of the prompt. */
  readonly index: number;
  /** Which call failed. */
  readonly step: 'generate' | 'critique' | 'revise';

  constructor(message: string, options: { cause: unknown; index: number; step: 'generate' | 'critique' | 'revise' }) {
    super(message, { cause: options.cause });
    this.index = options.index;
    this.step = options.step;
  }
}

const FN = 'constitutionalPairs';

/**
 * Constitutional AI's supervised stage as a preference-pair generator (Bai et al. 2022; the llm-swarm recipe):
 * for each prompt, draw one principle at random, generate an initial response, critique it under the
 * principle, revise it, and emit the pair chosen = revision, rejected = initial, ready for DPO or a reward
 * model. Model-agnostic: pass any async functions; {@link createToyConstitutionalModel} is a deterministic
 * rule-based stand-in for tests and demos.
 *
 * Prompts run with bounded concurrency; a failing call is retried, then the run rejects with a
 * {@link ConstitutionalModelError} naming the step and prompt. The principle draws happen up front from the
 * seed, so results do not depend on timing.
 *
 * @param options - `prompts`, `principles`, `model`, `seed`, `concurrency`, `retries`, `retryDelayMs`,
 *   `signal`, `onProgress`
 * @returns the examples in prompt order
 * @throws TypeError when an option has the wrong kind; RangeError for an empty constitution or an
 *   out-of-range option (thrown synchronously). The promise rejects with {@link ConstitutionalModelError}
 *   when a model call keeps failing, with a TypeError when a call resolves to a non-string, and with the
 *   abort reason when `signal` aborts.
 * @example
 * ```ts
 * import { constitutionalPairs, createToyConstitutionalModel, TOY_CONSTITUTION } from '@prep/rlhf';
 * const examples = await constitutionalPairs({
 *   prompts: ['Tell me what you think of my coworker.'],
 *   principles: TOY_CONSTITUTION,
 *   model: createToyConstitutionalModel(),
 *   seed: 7,
 * });
 * examples[0]?.chosen !== examples[0]?.rejected; // true: the revision differs from the initial answer
 * ```
 */
export function constitutionalPairs<P = ConstitutionalPrinciple>(options: ConstitutionalPairsOptions<P>): Promise<ConstitutionalExample<P>[]> {
  const opts = requiredOptions<ConstitutionalPairsOptions<P>>(options, FN);
  const prompts = opts.prompts;
  if (!Array.isArray(prompts)) throw new TypeError(`${FN}: 'options.prompts' must be an array of strings; got ${got(prompts)}`);
  prompts.forEach((p: unknown, i) => {
    if (typeof p !== 'string') throw new TypeError(`${FN}: 'options.prompts[${i}]' must be a string; got ${got(p)}`);
  });
  const principles = opts.principles;
  if (!Array.isArray(principles)) throw new TypeError(`${FN}: 'options.principles' must be an array; got ${got(principles)}`);
  if (principles.length === 0) throw new RangeError(`${FN}: 'options.principles' must hold at least one principle; got an empty array`);
  const model = opts.model;
  if (model === null || typeof model !== 'object') throw new TypeError(`${FN}: 'options.model' must be { generate, critique, revise }; got ${got(model)}`);
  functionArg(model.generate, FN, 'options.model.generate');
  functionArg(model.critique, FN, 'options.model.critique');
  functionArg(model.revise, FN, 'options.model.revise');
  const seed = numberArg(opts.seed, FN, 'options.seed');
  const concurrency = numberOption(opts.concurrency, FN, 'options.concurrency', 4, { integer: true, min: 1 });
  const retries = numberOption(opts.retries, FN, 'options.retries', 2, { integer: true, min: 0 });
  const retryDelayMs = numberOption(opts.retryDelayMs, FN, 'options.retryDelayMs', 0, { min: 0 });
  const signal = signalOption(opts.signal, FN);
  const onProgress = callbackOption<(p: ConstitutionalProgress) => void>(opts.onProgress, FN, 'options.onProgress');

  const promptList: string[] = (prompts as readonly string[]).slice();
  const principleList: P[] = (principles as readonly P[]).slice();
  const random = createRandom(seed);
  const drawn = promptList.map(() => principleList[random.int(principleList.length)]!);
  const results = new Array<ConstitutionalExample<P>>(promptList.length);
  let done = 0;

  const call = async (index: number, step: 'generate' | 'critique' | 'revise', run: () => Promise<unknown>): Promise<string> => {
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      throwIfAborted(signal);
      if (attempt > 0) await delay(retryDelayMs * 2 ** (attempt - 1), signal);
      let text: unknown;
      try {
        text = await run();
      } catch (err) {
        lastError = err;
        continue;
      }
      if (typeof text !== 'string') throw new TypeError(`${FN}: 'options.model.${step}' must resolve to a string; got ${got(text)}`);
      return text;
    }
    const detail = describeError(lastError);
    throw new ConstitutionalModelError(`${FN}: model.${step} failed on prompt ${index} after ${retries + 1} attempt(s): ${detail}`, {
      cause: lastError,
      index,
      step,
    });
  };

  const one = async (index: number): Promise<void> => {
    const prompt = promptList[index]!;
    const principle = drawn[index]!;
    const initial = await call(index, 'generate', () => model.generate(prompt));
    const critique = await call(index, 'critique', () => model.critique({ prompt, response: initial, principle }));
    const revision = await call(index, 'revise', () => model.revise({ prompt, response: initial, critique, principle }));
    results[index] = { prompt, principle, initial, critique, revision, chosen: revision, rejected: initial };
    done++;
    onProgress?.({ done, total: promptList.length });
  };

  return runPool(promptList.length, concurrency, one, signal).then(() => results);
}
