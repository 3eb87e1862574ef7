/** Internal: options shared by the experiments, with their defaults and checks. */
import { callbackOption, numberOption, optionsObject, signalOption } from '../internal/validate.js';
import type { Objective } from './two-tower.js';

/** The synthetic world and the encoders (shared by {@link compareObjectives} and {@link batchSizeSweep}). */
export interface WorldAndModelOptions {
  /** Seed of the world, the data stream and the initial weights (default 1). */
  seed?: number;
  /** Latent classes (default 32) … */
  classes?: number;
  /** … grouped in this many superclasses whose classes lie close together (default 8). */
  superclasses?: number;
  /** Dimension of the shared latent (default 16). */
  latentDim?: number;
  /** Dimension of the "image" features (default 32). */
  imageDim?: number;
  /** Dimension of the "text" features (default 24). */
  textDim?: number;
  /** Hidden units of each encoder (default 64). */
  hiddenDim?: number;
  /** Embedding dimension (default 32). */
  embedDim?: number;
  /** Adam's learning rate (default 0.003). */
  learningRate?: number;
  /** Held-out pairs for zero-shot accuracy and recall@k (default 1000). */
  evalSize?: number;
  /** Prompt templates per class for the zero-shot classifier (default 4). */
  templates?: number;
  /** Random negatives per positive pair for the pairwise BCE baseline (default 3). */
  negativesPerPositive?: number;
  /** Rows per strip of the chunked losses (default 512). */
  chunkSize?: number;
  /** Stops the run between steps (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface ResolvedOptions {
  seed: number;
  classes: number;
  superclasses: number;
  latentDim: number;
  imageDim: number;
  textDim: number;
  hiddenDim: number;
  embedDim: number;
  learningRate: number;
  evalSize: number;
  templates: number;
  negativesPerPositive: number;
  chunkSize: number;
  signal: AbortSignal | undefined;
}

const OBJECTIVES: readonly Objective[] = ['clip', 'siglip', 'pairwise-bce'];

export function resolveCommon(options: unknown, fn: string): { opts: Record<string, unknown>; common: ResolvedOptions } {
  const opts = optionsObject<Record<string, unknown>>(options, fn);
  const int = (name: string, fallback: number, min = 1) =>
    opts[name] === undefined ? fallback : numberOption(opts[name], fn, `options.${name}`, { integer: true, min });
  const common: ResolvedOptions = {
    seed: int('seed', 1, 0),
    classes: int('classes', 32, 2),
    superclasses: int('superclasses', 8),
    latentDim: int('latentDim', 16),
    imageDim: int('imageDim', 32),
    textDim: int('textDim', 24),
    hiddenDim: int('hiddenDim', 64),
    embedDim: int('embedDim', 32),
    learningRate: opts['learningRate'] === undefined ? 0.003 : numberOption(opts['learningRate'], fn, 'options.learningRate', { positive: true }),
    evalSize: int('evalSize', 1000, 2),
    templates: int('templates', 4),
    negativesPerPositive: int('negativesPerPositive', 3),
    chunkSize: int('chunkSize', 512),
    signal: signalOption(opts['signal'], fn),
  };
  if (common.superclasses > common.classes) {
    throw new RangeError(`${fn}: 'options.superclasses' must be at most 'options.classes' (${common.classes}); got ${common.superclasses}`);
  }
  return { opts, common };
}

/** The resolved numbers, without the signal: the `config` of an experiment's JSON. */
export function plainConfig(common: ResolvedOptions): Record<string, number> {
  const { signal, ...numbers } = common;
  void signal;
  return numbers;
}

export function objectiveList(value: unknown, fn: string, arg: string, fallback: readonly Objective[]): Objective[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value) || value.length === 0) throw new TypeError(`${fn}: '${arg}' must be a non-empty array of ${OBJECTIVES.join(', ')}`);
  return value.map((v, i) => objectiveOf(v, fn, `${arg}[${i}]`));
}

export function objectiveOf(value: unknown, fn: string, arg: string): Objective {
  if (typeof value !== 'string') throw new TypeError(`${fn}: '${arg}' must be one of ${OBJECTIVES.join(', ')}; got ${typeof value}`);
  if (!(OBJECTIVES as readonly string[]).includes(value)) throw new RangeError(`${fn}: '${arg}' must be one of ${OBJECTIVES.join(', ')}; got ${JSON.stringify(value)}`);
  return value as Objective;
}

export { callbackOption, numberOption };
