import { FirstFitAllocator, MaxLengthAllocator } from './contiguous-allocators.js';
import { OutOfBlocksError } from './errors.js';
import { KVCacheManager } from './kv-cache-manager.js';
import { describe, integerArg, numberArg, optionsArg } from './internal/check.js';
import { createRng, type Rng } from './internal/random.js';

/** Sequence lengths (prompt + output tokens): a normal with `mean` and `std`, clipped to [min, max], rounded. */
export interface LengthDistribution {
  /** Mean of the normal before clipping (question 1: 800). */
  mean: number;
  /** Standard deviation before clipping (question 1: 600). */
  std: number;
  /** Shortest sequence (question 1: 50; at least 2: one prompt and one output token). */
  min: number;
  /** Longest sequence (question 1: 4000). */
  max: number;
}

/** One allocator to simulate. */
export type AllocatorSpec =
  | {
      /** {@link KVCacheManager}: blocks taken as tokens arrive, recompute preemption when the pool runs dry. */
      kind: 'paged';
      /** Tokens per block (default: the workload's `blockSize`). */
      blockSize?: number;
      /** Admission watermark (default 0.01). */
      watermark?: number;
      /** Name in the report. */
      label?: string;
    }
  | {
      /** {@link MaxLengthAllocator}: `maxLength` slots per sequence; longer sequences are refused. */
      kind: 'max-length';
      /** Slots reserved per sequence (default: the length distribution's max). */
      maxLength?: number;
      /** Name in the report. */
      label?: string;
    }
  | {
      /** {@link FirstFitAllocator}: each sequence's exact final length, first fit in one arena. */
      kind: 'first-fit';
      /** Name in the report. */
      label?: string;
    };

/** Options of {@link simulateWorkload}. */
export interface SimulateWorkloadOptions {
  /** Seed of the request stream (default 0); every allocator sees the same requests in the same order. */
  seed?: number;
  /** Simulated decode steps (default 3000). */
  steps?: number;
  /** Steps excluded from the averages while the cache fills (default ⌊steps / 3⌋). */
  warmupSteps?: number;
  /** Token slots of KV memory (default 100 · 2048, question 1's budget). */
  capacityTokens?: number;
  /** Block size of paged allocators that do not set their own (default 16). */
  blockSize?: number;
  /** Sequence lengths (default question 1's: mean 800, std 600, clipped to [50, 4000]). */
  lengths?: Partial<LengthDistribution>;
  /** Share of each sequence that is prompt, prefilled at admission; the rest is decoded one token per step (default 0.5). */
  promptFraction?: number;
  /**
   * Mean new requests per step (Poisson arrivals). `Infinity` (the default) keeps a backlog waiting at all
   * times, which measures how many sequences each allocator can hold.
   */
  arrivalRate?: number;
  /** Allocators to compare (default: paged, max-length at the distribution's max, first-fit). */
  allocators?: readonly AllocatorSpec[];
  /** Samples in each allocator's timeline (default 200; at most one per step). */
  timelinePoints?: number;
  /** Called every few hundred steps with the progress over all allocators. */
  onProgress?: (progress: { allocator: string; step: number; steps: number; fraction: number }) => void;
  /** Stops the run (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** One extent of the final occupancy picture (a block for paged allocators, a reservation or hole otherwise). */
export interface OccupancySegment {
  /** First token slot. */
  start: number;
  /** Slots. */
  length: number;
  /** Holder, or null when free. */
  seqId: number | null;
  /** Slots of the extent that hold a token now. */
  usedTokens: number;
}

/** Per-step series of one allocator, sampled `timelinePoints` times (plot-ready). */
export interface AllocatorTimeline {
  /** The sampled steps. */
  step: number[];
  /** Sequences running at each sampled step. */
  running: number[];
  /** Requests waiting (admitted ones excluded). */
  waiting: number[];
  /** Token slots holding a token. */
  usedTokens: number[];
  /** Token slots allocated (paged: held blocks) or reserved (contiguous). */
  reservedTokens: number[];
  /** capacity − reservedTokens. */
  freeTokens: number[];
  /** The largest extent a new sequence could take (paged: all free slots, any block serves). */
  largestFreeExtent: number[];
}

/** What {@link simulateWorkload} measured for one allocator (averages over the steps after warm-up). */
export interface AllocatorReport {
  /** Name of the allocator. */
  label: string;
  /** Which allocator. */
  kind: AllocatorSpec['kind'];
  /** Block size (paged) or reservation (max-length); null for first-fit. */
  granularity: number | null;
  /** Mean sequences running at once. */
  meanRunning: number;
  /** Most sequences running at once. */
  maxRunning: number;
  /** Mean requests waiting (only meaningful for finite arrival rates). */
  meanWaiting: number;
  /** Sequences admitted (first admissions) over the whole run. */
  admitted: number;
  /** Sequences that finished over the whole run. */
  completed: number;
  /** Sequences refused for good ('never'). */
  refused: number;
  /** Preemptions (paged only). */
  preemptions: number;
  /** Tokens whose K/V had to be recomputed after preemption. */
  recomputedTokens: number;
  /** Mean token slots holding a token. */
  meanUsedTokens: number;
  /** Mean token slots allocated or reserved. */
  meanReservedTokens: number;
  /** Share of reserved slots that hold no token: Σ(reserved − used) / Σ reserved. */
  reservedButUnused: number;
  /** Part of it that no token will ever fill (paged: the slack of last blocks; max-length: reservation − final length). */
  internalFragmentation: number;
  /** Part of it held for tokens not generated yet (contiguous allocators reserve the final length up front). */
  reservedForFuture: number;
  /**
   * Mean share of the capacity that was free but stranded: on a step where the next request was refused
   * although the free slots added up to enough (no single extent held it), all free slots count, else 0.
   * Only first-fit strands memory: any free block serves a paged sequence, and max-length slots are
   * interchangeable.
   */
  externalFragmentation: number;
  /** Steps on which the next request was refused although the free slots added up to enough. */
  fragmentationStalls: number;
  /** Mean free slots. */
  meanFreeTokens: number;
  /** Mean share of the capacity holding tokens. */
  memoryUtilization: number;
  /** Throughput proxy: tokens decoded per step. */
  tokensPerStep: number;
  /** Throughput proxy: sequences finished per step. */
  completionsPerStep: number;
  /** Mean steps from arrival to first admission (null for the saturated backlog). */
  meanQueueDelay: number | null;
  /** Mean page-table entries per running sequence (paged only, else null). */
  meanBlocksPerSequence: number | null;
  /** Sampled per-step series, for plots. */
  timeline: AllocatorTimeline;
  /** The arena at the end of the run. */
  occupancy: { capacityTokens: number; segments: OccupancySegment[] };
}

/** The result of {@link simulateWorkload}. */
export interface WorkloadReport {
  /** The options actually used (defaults filled in). */
  config: {
    seed: number;
    steps: number;
    warmupSteps: number;
    capacityTokens: number;
    blockSize: number;
    lengths: LengthDistribution;
    promptFraction: number;
    /** Mean requests per step, or null for the saturated backlog (JSON has no Infinity). */
    arrivalRate: number | null;
  };
  /** Statistics of the lengths the run drew. */
  lengthSample: { count: number; mean: number; std: number; min: number; max: number; clippedLow: number; clippedHigh: number };
  allocators: AllocatorReport[];
}

interface Request {
  length: number;
  prompt: number;
  arrival: number;
}

/** The seeded request stream, drawn lazily and shared by every allocator. */
class RequestStream {
  readonly #rng: Rng;
  readonly #lengths: LengthDistribution;
  readonly #promptFraction: number;
  readonly #rate: number;
  /** True for an infinite arrival rate: a backlog always waits. */
  readonly saturated: boolean;
  #clock = 0;
  readonly list: Request[] = [];
  clippedLow = 0;
  clippedHigh = 0;

  constructor(seed: number, lengths: LengthDistribution, promptFraction: number, rate: number) {
    this.#rng = createRng(seed);
    this.#lengths = lengths;
    this.#promptFraction = promptFraction;
    this.#rate = rate;
    this.saturated = !Number.isFinite(rate);
  }

  /** Moves the requests that have arrived by `step` into `waiting`; a saturated stream keeps one waiting. */
  arrive(step: number, waiting: number[], cursor: { next: number }): void {
    if (this.saturated) {
      if (waiting.length === 0) waiting.push(cursor.next++);
      return;
    }
    while (this.get(cursor.next).arrival <= step) waiting.push(cursor.next++);
  }

  get(i: number): Request {
    while (this.list.length <= i) {
      const x = drawUnclipped(this.#rng, this.#lengths);
      if (x < this.#lengths.min) this.clippedLow++;
      if (x > this.#lengths.max) this.clippedHigh++;
      const length = clipLength(x, this.#lengths);
      const prompt = Math.min(length - 1, Math.max(1, Math.round(this.#promptFraction * length)));
      if (Number.isFinite(this.#rate)) this.#clock += this.#rng.exponential() / this.#rate;
      this.list.push({ length, prompt, arrival: Number.isFinite(this.#rate) ? Math.floor(this.#clock) : 0 });
    }
    return this.list[i]!;
  }
}

function drawUnclipped(rng: Rng, lengths: LengthDistribution): number {
  return lengths.mean + lengths.std * rng.normal();
}

function clipLength(x: number, { min, max }: LengthDistribution): number {
  return Math.round(Math.min(max, Math.max(min, x)));
}

/**
 * Draws sequence lengths from the workload's distribution: the same lengths, in the same order, as the
 * requests of {@link simulateWorkload} with the same seed and its default saturated backlog. For
 * histograms and slider previews.
 * @param count - how many lengths (an integer in [0, 10⁷])
 * @param options - `seed` (default 0) and `lengths` (default question 1's: mean 800, std 600, [50, 4000])
 * @returns the lengths, integers in [min, max]
 * @throws TypeError / RangeError for bad arguments
 * @example
 * ```ts
 * import { sampleLengths } from '@prep/paged-kv';
 * const lengths = sampleLengths(10_000, { seed: 1 });
 * lengths.reduce((a, b) => a + b) / lengths.length; // ≈ 830: clipping at 50 lifts the mean above 800
 * ```
 */
export function sampleLengths(count: number, options?: { seed?: number; lengths?: Partial<LengthDistribution> }): number[] {
  const fn = 'sampleLengths';
  integerArg(count, fn, 'count', 0, 10_000_000);
  const opts = optionsArg<{ seed: number; lengths: Partial<LengthDistribution> }>(options, fn);
  const seed = opts.seed === undefined ? 0 : integerArg(opts.seed, fn, 'options.seed', -Number.MAX_SAFE_INTEGER);
  const lengths = lengthsOption(opts.lengths, fn);
  const rng = createRng(seed);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(clipLength(drawUnclipped(rng, lengths), lengths));
  }
  return out;
}

interface Live {
  id: number;
  tokens: number;
  final: number;
}

/** Running state shared by the three simulations. */
class Tally {
  measured = 0;
  running = 0;
  maxRunning = 0;
  waiting = 0;
  used = 0;
  reserved = 0;
  internal = 0;
  future = 0;
  external = 0;
  stalls = 0;
  free = 0;
  tokens = 0;
  completions = 0;
  queueDelay = 0;
  delayed = 0;
  blocksPerSeq = 0;
  timeline: AllocatorTimeline = { step: [], running: [], waiting: [], usedTokens: [], reservedTokens: [], freeTokens: [], largestFreeExtent: [] };
}

const FN = 'simulateWorkload';
const DEFAULT_LENGTHS: LengthDistribution = { mean: 800, std: 600, min: 50, max: 4000 };

/**
 * Simulates serving a stream of requests with mixed lengths on a fixed KV budget, once per allocator
 * (the paged {@link KVCacheManager}, the max-length reservation and the exact-length first-fit arena),
 * and measures how many sequences each keeps running, how much reserved memory holds no token, internal
 * and external fragmentation, and throughput proxies. Seeded: the same options give the same report in
 * every engine.
 *
 * Model: requests arrive (a saturated backlog by default, or Poisson); admission is first-come first-served
 * (a request that does not fit blocks those behind it, as vLLM's FCFS scheduler). At admission the prompt
 * (`promptFraction` of the length) is prefilled; then each running sequence decodes one token per step
 * until it reaches its length and frees its memory. The paged manager takes blocks as tokens arrive,
 * admits with `canAdmit` (watermark) and preempts the most recently admitted sequence (recompute) when a
 * block is needed and none is free. The contiguous allocators reserve at admission: max-length reserves
 * `maxLength` slots (and refuses longer sequences), first-fit reserves exactly the final length (an
 * oracle) in the first hole that holds it.
 *
 * @param options - workload, budget, allocators, timeline size, progress and abort (see
 *   {@link SimulateWorkloadOptions}); every field has question 1's default
 * @returns a {@link WorkloadReport}: one {@link AllocatorReport} per allocator with averages, a timeline
 *   and the final occupancy, ready to plot
 * @throws TypeError / RangeError for bad options (rejected promise); the signal's reason when aborted
 * @example
 * ```ts
 * import { simulateWorkload } from '@prep/paged-kv';
 * const report = await simulateWorkload({ seed: 1, steps: 600 });
 * for (const a of report.allocators) console.log(a.label, a.meanRunning.toFixed(0), a.reservedButUnused.toFixed(3));
 * ```
 */
export async function simulateWorkload(options?: SimulateWorkloadOptions): Promise<WorkloadReport> {
  const opts = optionsArg<SimulateWorkloadOptions>(options, FN);
  const seed = opts.seed === undefined ? 0 : integerArg(opts.seed, FN, 'options.seed', -Number.MAX_SAFE_INTEGER);
  const steps = opts.steps === undefined ? 3000 : integerArg(opts.steps, FN, 'options.steps', 1, 10_000_000);
  const warmupSteps = opts.warmupSteps === undefined ? Math.floor(steps / 3) : integerArg(opts.warmupSteps, FN, 'options.warmupSteps', 0, steps - 1);
  const capacityTokens = opts.capacityTokens === undefined ? 100 * 2048 : integerArg(opts.capacityTokens, FN, 'options.capacityTokens', 1, 2 ** 30);
  const blockSize = opts.blockSize === undefined ? 16 : integerArg(opts.blockSize, FN, 'options.blockSize', 1, capacityTokens);
  const lengths = lengthsOption(opts.lengths);
  const promptFraction = opts.promptFraction === undefined ? 0.5 : numberArg(opts.promptFraction, FN, 'options.promptFraction', 0, 1);
  let arrivalRate = Infinity;
  if (opts.arrivalRate !== undefined) {
    if (typeof opts.arrivalRate !== 'number') throw new TypeError(`${FN}: 'options.arrivalRate' must be a number; got ${describe(opts.arrivalRate)}`);
    if (!(opts.arrivalRate > 0)) throw new RangeError(`${FN}: 'options.arrivalRate' must be positive (Infinity for a saturated backlog); got ${opts.arrivalRate}`);
    arrivalRate = opts.arrivalRate;
  }
  const timelinePoints = opts.timelinePoints === undefined ? 200 : integerArg(opts.timelinePoints, FN, 'options.timelinePoints', 1, 1_000_000);
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') {
    throw new TypeError(`${FN}: 'options.onProgress' must be a function; got ${describe(opts.onProgress)}`);
  }
  const signal = opts.signal;
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) {
    throw new TypeError(`${FN}: 'options.signal' must be an AbortSignal; got ${describe(signal)}`);
  }
  const specs = allocatorsOption(opts.allocators, lengths, blockSize, capacityTokens);

  const stream = new RequestStream(seed, lengths, promptFraction, arrivalRate);
  const points = Math.min(timelinePoints, steps);
  const env: SimEnv = { stream, steps, warmupSteps, capacityTokens, points, signal, onProgress: opts.onProgress, progressBase: 0, progressTotal: specs.length };
  const reports: AllocatorReport[] = [];
  for (let i = 0; i < specs.length; i++) {
    env.progressBase = i;
    const spec = specs[i]!;
    if (spec.kind === 'paged') reports.push(await simulatePaged(spec, env));
    else reports.push(await simulateContiguous(spec, env));
  }
  const drawn = stream.list.map((r) => r.length);
  const mean = drawn.reduce((a, b) => a + b, 0) / Math.max(1, drawn.length);
  const std = Math.sqrt(drawn.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, drawn.length - 1));
  return {
    config: { seed, steps, warmupSteps, capacityTokens, blockSize, lengths, promptFraction, arrivalRate: Number.isFinite(arrivalRate) ? arrivalRate : null },
    lengthSample: {
      count: drawn.length,
      mean,
      std,
      min: drawn.reduce((a, b) => Math.min(a, b), drawn.length ? Infinity : 0),
      max: drawn.reduce((a, b) => Math.max(a, b), 0),
      clippedLow: stream.clippedLow,
      clippedHigh: stream.clippedHigh,
    },
    allocators: reports,
  };
}

type ResolvedSpec =
  | { kind: 'paged'; blockSize: number; watermark: number; label: string }
  | { kind: 'max-length'; maxLength: number; label: string }
  | { kind: 'first-fit'; label: string };

interface SimEnv {
  stream: RequestStream;
  steps: number;
  warmupSteps: number;
  capacityTokens: number;
  /** Timeline samples: at steps floor(k · steps / points), k = 0 … points − 1. */
  points: number;
  signal: AbortSignal | undefined;
  onProgress: SimulateWorkloadOptions['onProgress'];
  progressBase: number;
  progressTotal: number;
}

function lengthsOption(value: unknown, fn = FN): LengthDistribution {
  const given = optionsArg<LengthDistribution>(value, fn, 'options.lengths');
  const out = { ...DEFAULT_LENGTHS };
  for (const key of ['mean', 'std', 'min', 'max'] as const) {
    if (given[key] !== undefined) out[key] = numberArg(given[key], fn, `options.lengths.${key}`, 0);
  }
  integerArg(out.min, fn, 'options.lengths.min', 2);
  integerArg(out.max, fn, 'options.lengths.max', out.min);
  return out;
}

function allocatorsOption(value: unknown, lengths: LengthDistribution, blockSize: number, capacityTokens: number): ResolvedSpec[] {
  if (value === undefined) {
    return [
      { kind: 'paged', blockSize, watermark: 0.01, label: `paged (block ${blockSize})` },
      { kind: 'max-length', maxLength: Math.min(lengths.max, capacityTokens), label: `max-length reservation (${Math.min(lengths.max, capacityTokens)})` },
      { kind: 'first-fit', label: 'exact-length first-fit' },
    ];
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(`${FN}: 'options.allocators' must be a non-empty array of allocator specs; got ${describe(value)}`);
  }
  return value.map((raw: unknown, i): ResolvedSpec => {
    const arg = `options.allocators[${i}]`;
    const spec = optionsArg<{ kind: string; blockSize: number; watermark: number; maxLength: number; label: string }>(raw, FN, arg);
    if (spec.label !== undefined && typeof spec.label !== 'string') throw new TypeError(`${FN}: '${arg}.label' must be a string; got ${describe(spec.label)}`);
    switch (spec.kind) {
      case 'paged': {
        const bs = spec.blockSize === undefined ? blockSize : integerArg(spec.blockSize, FN, `${arg}.blockSize`, 1, capacityTokens);
        const wm = spec.watermark === undefined ? 0.01 : numberArg(spec.watermark, FN, `${arg}.watermark`, 0, 0.99);
        return { kind: 'paged', blockSize: bs, watermark: wm, label: spec.label ?? `paged (block ${bs})` };
      }
      case 'max-length': {
        const m = spec.maxLength === undefined ? Math.min(lengths.max, capacityTokens) : integerArg(spec.maxLength, FN, `${arg}.maxLength`, 1, capacityTokens);
        return { kind: 'max-length', maxLength: m, label: spec.label ?? `max-length reservation (${m})` };
      }
      case 'first-fit':
        return { kind: 'first-fit', label: spec.label ?? 'exact-length first-fit' };
      default:
        if (typeof spec.kind !== 'string') throw new TypeError(`${FN}: '${arg}.kind' must be a string; got ${describe(spec.kind)}`);
        throw new RangeError(`${FN}: '${arg}.kind' must be 'paged', 'max-length' or 'first-fit'; got '${spec.kind}'`);
    }
  });
}

async function checkpoint(env: SimEnv, label: string, step: number): Promise<void> {
  if (env.signal?.aborted) throw abortReason(env.signal);
  if (env.onProgress) {
    env.onProgress({ allocator: label, step, steps: env.steps, fraction: (env.progressBase + step / env.steps) / env.progressTotal });
  }
  if (env.signal || env.onProgress) {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    if (env.signal?.aborted) throw abortReason(env.signal);
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('simulateWorkload: aborted');
}

const PROGRESS_EVERY = 250;
/** A saturated stream of requests that can never fit would refuse forever within one step. */
const MAX_REFUSALS_PER_STEP = 1000;

function sample(t: Tally, env: SimEnv, step: number, running: number, waiting: number, used: number, reserved: number, free: number, largest: number): void {
  if (step !== Math.floor((t.timeline.step.length * env.steps) / env.points)) return;
  t.timeline.step.push(step);
  t.timeline.running.push(running);
  t.timeline.waiting.push(waiting);
  t.timeline.usedTokens.push(used);
  t.timeline.reservedTokens.push(reserved);
  t.timeline.freeTokens.push(free);
  t.timeline.largestFreeExtent.push(largest);
}

function finish(spec: ResolvedSpec, t: Tally, env: SimEnv, extra: { admitted: number; completed: number; refused: number; preemptions: number; recomputed: number; occupancy: OccupancySegment[] }): AllocatorReport {
  const m = Math.max(1, t.measured);
  const reserved = t.reserved;
  return {
    label: spec.label,
    kind: spec.kind,
    granularity: spec.kind === 'paged' ? spec.blockSize : spec.kind === 'max-length' ? spec.maxLength : null,
    meanRunning: t.running / m,
    maxRunning: t.maxRunning,
    meanWaiting: t.waiting / m,
    admitted: extra.admitted,
    completed: extra.completed,
    refused: extra.refused,
    preemptions: extra.preemptions,
    recomputedTokens: extra.recomputed,
    meanUsedTokens: t.used / m,
    meanReservedTokens: reserved / m,
    reservedButUnused: reserved === 0 ? 0 : (reserved - t.used) / reserved,
    internalFragmentation: reserved === 0 ? 0 : t.internal / reserved,
    reservedForFuture: reserved === 0 ? 0 : t.future / reserved,
    externalFragmentation: t.external / m / env.capacityTokens,
    fragmentationStalls: t.stalls,
    meanFreeTokens: t.free / m,
    memoryUtilization: t.used / m / env.capacityTokens,
    tokensPerStep: t.tokens / m,
    completionsPerStep: t.completions / m,
    meanQueueDelay: env.stream.saturated ? null : t.delayed > 0 ? t.queueDelay / t.delayed : 0,
    meanBlocksPerSequence: spec.kind === 'paged' ? t.blocksPerSeq / m : null,
    timeline: t.timeline,
    occupancy: { capacityTokens: env.capacityTokens, segments: extra.occupancy },
  };
}

async function simulatePaged(spec: Extract<ResolvedSpec, { kind: 'paged' }>, env: SimEnv): Promise<AllocatorReport> {
  const bs = spec.blockSize;
  const numBlocks = Math.floor(env.capacityTokens / bs);
  const kv = new KVCacheManager({ numBlocks, blockSize: bs, watermark: spec.watermark });
  let zerosOf = new Int32Array(env.stream.get(0).length);
  const t = new Tally();
  let running: Live[] = [];
  const waiting: number[] = []; // request indices; preempted ones are put back at the front
  const started = new Set<number>();
  const cursor = { next: 0 };
  let admitted = 0;
  let completed = 0;
  let refused = 0;
  let preemptions = 0;
  let recomputed = 0;
  for (let step = 0; step < env.steps; step++) {
    if (step % PROGRESS_EVERY === 0) await checkpoint(env, spec.label, step);
    const measure = step >= env.warmupSteps;
    // 1. Decode one token for every running sequence, preempting the newest when the pool is dry.
    let decoded = 0;
    let finished = 0;
    const stillRunning: Live[] = [];
    const preempted: Live[] = [];
    for (let i = 0; i < running.length; i++) {
      const s = running[i]!;
      let ok = false;
      while (!ok) {
        try {
          kv.appendToken(s.id, 0);
          ok = true;
        } catch (err) {
          if (!(err instanceof OutOfBlocksError)) throw err;
          const victim = running.pop()!;
          kv.preempt(victim.id, 'recompute');
          preempted.push(victim);
          preemptions++;
          if (victim === s) break;
        }
      }
      if (!ok) break;
      decoded++;
      s.tokens++;
      if (s.tokens >= s.final) {
        kv.free(s.id);
        finished++;
        completed++;
      } else {
        stillRunning.push(s);
      }
    }
    running = stillRunning;
    for (const p of preempted) waiting.unshift(p.id);
    // 2. Admit first come, first served while the head fits.
    env.stream.arrive(step, waiting, cursor);
    let refusedNow = 0;
    while (waiting.length > 0 && refusedNow < MAX_REFUSALS_PER_STEP) {
      const id = waiting[0]!;
      const req = env.stream.get(id);
      const resumed = started.has(id);
      const need = resumed ? kv.getNumTokens(id) : req.prompt;
      const status = kv.canAdmit(need);
      if (status === 'never') {
        waiting.shift();
        refused++;
        refusedNow++;
        env.stream.arrive(step, waiting, cursor);
        continue;
      }
      if (status === 'later') break; // any free block serves any sequence: never a fragmentation stall
      waiting.shift();
      if (resumed) {
        kv.resume(id);
        recomputed += need;
      } else {
        if (zerosOf.length < req.prompt) zerosOf = new Int32Array(req.prompt);
        kv.addSequence(id, zerosOf.subarray(0, req.prompt));
        started.add(id);
        admitted++;
        if (measure) {
          t.queueDelay += step - req.arrival;
          t.delayed++;
        }
      }
      running.push({ id, tokens: need, final: req.length });
      env.stream.arrive(step, waiting, cursor);
    }
    // 3. Measure.
    const st = kv.stats();
    const used = st.liveTokens;
    const reserved = st.numUsedBlocks * bs;
    const free = env.capacityTokens - reserved;
    if (measure) {
      t.measured++;
      t.running += running.length;
      t.maxRunning = Math.max(t.maxRunning, running.length);
      t.waiting += waiting.length;
      t.used += used;
      t.reserved += reserved;
      t.internal += reserved - used;
      t.free += free;
      t.tokens += decoded;
      t.completions += finished;
      t.blocksPerSeq += running.length ? st.numUsedBlocks / running.length : 0;
    }
    sample(t, env, step, running.length, waiting.length, used, reserved, free, free);
  }
  const occupancy: OccupancySegment[] = [];
  const holder = new Int32Array(numBlocks).fill(-1);
  const usedIn = new Int32Array(numBlocks);
  for (const s of running) {
    const table = kv.getBlockTable(s.id);
    for (let i = 0; i < table.length; i++) {
      holder[table[i]!] = s.id;
      usedIn[table[i]!] = Math.min(bs, s.tokens - i * bs);
    }
  }
  for (let b = 0; b < numBlocks; b++) occupancy.push({ start: b * bs, length: bs, seqId: holder[b]! < 0 ? null : holder[b]!, usedTokens: usedIn[b]! });
  if (numBlocks * bs < env.capacityTokens) occupancy.push({ start: numBlocks * bs, length: env.capacityTokens - numBlocks * bs, seqId: null, usedTokens: 0 });
  return finish(spec, t, env, { admitted, completed, refused, preemptions, recomputed, occupancy });
}

async function simulateContiguous(spec: Exclude<ResolvedSpec, { kind: 'paged' }>, env: SimEnv): Promise<AllocatorReport> {
  const arena = spec.kind === 'max-length' ? new MaxLengthAllocator({ capacityTokens: env.capacityTokens, maxLength: spec.maxLength }) : new FirstFitAllocator({ capacityTokens: env.capacityTokens });
  const reservation = (req: Request): number => (spec.kind === 'max-length' ? spec.maxLength : req.length);
  const t = new Tally();
  let running: Live[] = [];
  const waiting: number[] = [];
  const cursor = { next: 0 };
  let admitted = 0;
  let completed = 0;
  let refused = 0;
  let used = 0;
  let finalSum = 0;
  for (let step = 0; step < env.steps; step++) {
    if (step % PROGRESS_EVERY === 0) await checkpoint(env, spec.label, step);
    const measure = step >= env.warmupSteps;
    let decoded = 0;
    let finished = 0;
    const still: Live[] = [];
    for (const s of running) {
      s.tokens++;
      used++;
      decoded++;
      if (s.tokens >= s.final) {
        arena.free(s.id);
        used -= s.tokens;
        finalSum -= s.final;
        finished++;
        completed++;
      } else {
        still.push(s);
      }
    }
    running = still;
    env.stream.arrive(step, waiting, cursor);
    let stall = false;
    let refusedNow = 0;
    while (waiting.length > 0 && refusedNow < MAX_REFUSALS_PER_STEP) {
      const id = waiting[0]!;
      const req = env.stream.get(id);
      const status = arena.canAdmit(req.length);
      if (status === 'never') {
        waiting.shift();
        refused++;
        refusedNow++;
      } else if (status === 'later') {
        if (arena.freeTokens >= reservation(req)) stall = true;
        break;
      } else {
        waiting.shift();
        arena.allocate(id, req.length);
        admitted++;
        running.push({ id, tokens: req.prompt, final: req.length });
        used += req.prompt;
        finalSum += req.length;
        if (measure) {
          t.queueDelay += step - req.arrival;
          t.delayed++;
        }
      }
      env.stream.arrive(step, waiting, cursor);
    }
    const reserved = arena.reservedTokens;
    const free = arena.freeTokens;
    const largest = arena instanceof FirstFitAllocator ? arena.largestFreeExtent : free >= arena.maxLength ? arena.maxLength : free;
    if (measure) {
      t.measured++;
      t.running += running.length;
      t.maxRunning = Math.max(t.maxRunning, running.length);
      t.waiting += waiting.length;
      t.used += used;
      t.reserved += reserved;
      t.internal += reserved - finalSum;
      t.future += finalSum - used;
      t.free += free;
      if (stall) {
        t.stalls++;
        t.external += free;
      }
      t.tokens += decoded;
      t.completions += finished;
    }
    sample(t, env, step, running.length, waiting.length, used, reserved, free, largest);
  }
  const tokensOf = new Map(running.map((s) => [s.id, s.tokens]));
  const occupancy = arena.segments().map((seg) => ({ ...seg, usedTokens: seg.seqId === null ? 0 : (tokensOf.get(seg.seqId) ?? 0) }));
  return finish(spec, t, env, { admitted, completed, refused, preemptions: 0, recomputed: 0, occupancy });
}
