/**
 * A model-based checker for KVCacheManager, shared by the fast-check property test (10⁴ operations) and
 * the benchmark script (10⁶ operations). Plain TS, no vitest: a violation throws an Error.
 *
 * The model keeps only what a user sees: each sequence's tokens and whether it is preempted. After every
 * operation the checker recomputes, from public getters alone, that: every block's ref count equals the
 * number of block tables holding it; held blocks and the free queue partition the pool; every table has
 * ceil(tokens / blockSize) blocks and returns the model's tokens; live tokens in stats() match the held
 * blocks; an operation is refused (OutOfBlocksError) only when fewer blocks are free than it could need,
 * and a refused operation changed nothing. The manager's own checkInvariants()
 * runs too. At the end everything is freed and numFreeBlocks must equal numBlocks.
 */
import { KVCacheManager, OutOfBlocksError } from '../src/index.js';

export type Op =
  | { kind: 'add'; tokens: number[] }
  | { kind: 'append'; pick: number; token: number }
  | { kind: 'fork'; pick: number }
  | { kind: 'free'; pick: number }
  | { kind: 'evict'; count: number }
  | { kind: 'preempt'; pick: number; swap: boolean }
  | { kind: 'resume'; pick: number };

export interface ModelConfig {
  numBlocks: number;
  blockSize: number;
  enablePrefixCaching: boolean;
}

function fail(message: string): never {
  throw new Error(`invariant violated: ${message}`);
}

/** Tables, ref counts, hashes, free queue and counters (tokens are checked against the model after every op). */
function state(kv: KVCacheManager, ids: Iterable<number>): string {
  const seqs = [...ids].map((id) => [id, kv.getBlockTable(id), kv.getNumTokens(id), kv.getPreemptionMode(id)]);
  const blocks = Array.from({ length: kv.numBlocks }, (_, b) => [kv.getRefCount(b), kv.getBlockHash(b)]);
  return JSON.stringify([seqs, blocks, kv.freeBlockIds(), kv.stats()]);
}

/** Checks every invariant from the public API (plus the manager's internal check). */
export function checkAgainstModel(kv: KVCacheManager, model: Map<number, { tokens: number[]; preempted: boolean }>): void {
  kv.checkInvariants();
  const bs = kv.blockSize;
  const holders = new Int32Array(kv.numBlocks);
  const fill = new Int32Array(kv.numBlocks).fill(-1);
  for (const [id, m] of model) {
    if (!kv.hasSequence(id)) fail(`sequence ${id} vanished`);
    const tokens = kv.getTokens(id);
    if (tokens.length !== m.tokens.length || tokens.some((t, i) => t !== m.tokens[i])) fail(`sequence ${id} holds other tokens`);
    if (kv.getNumTokens(id) !== m.tokens.length) fail(`sequence ${id} reports ${kv.getNumTokens(id)} tokens`);
    const table = kv.getBlockTable(id);
    if (m.preempted) {
      if (table.length !== 0) fail(`preempted sequence ${id} holds blocks`);
      continue;
    }
    if (table.length !== Math.ceil(m.tokens.length / bs)) fail(`sequence ${id}: ${m.tokens.length} tokens in ${table.length} blocks`);
    if (new Set(table).size !== table.length) fail(`sequence ${id} holds a block twice`);
    table.forEach((b, i) => {
      holders[b]!++;
      const f = Math.min(bs, m.tokens.length - i * bs);
      // every holder of a shared block sees the same tokens in it (a fork's twin diverges only by copy-on-write)
      if (fill[b] !== -1 && fill[b] !== f) fail(`block ${b} is filled differently by its holders`);
      fill[b] = f;
    });
  }
  let held = 0;
  let live = 0;
  for (let b = 0; b < kv.numBlocks; b++) {
    if (kv.getRefCount(b) !== holders[b]) fail(`block ${b}: ref count ${kv.getRefCount(b)}, held by ${holders[b]} tables`);
    if (holders[b]! > 0) {
      held++;
      live += fill[b]!;
    }
  }
  const free = kv.freeBlockIds();
  if (free.length !== kv.numFreeBlocks) fail(`free queue has ${free.length} blocks, numFreeBlocks ${kv.numFreeBlocks}`);
  if (free.some((b) => holders[b]! > 0)) fail('a held block is in the free queue');
  if (new Set(free).size + held !== kv.numBlocks) fail('held and free blocks do not partition the pool');
  const stats = kv.stats();
  if (stats.liveTokens !== live) fail(`stats().liveTokens ${stats.liveTokens}, blocks hold ${live}`);
  if (stats.numFreeBlocks !== kv.numBlocks - held) fail('stats().numFreeBlocks');
}

/** Applies `ops` to a fresh manager, checking every invariant after every operation; returns counters. */
export function runModel(config: ModelConfig, ops: Iterable<Op>): { applied: number; refused: number; copies: number } {
  const kv = new KVCacheManager(config);
  const model = new Map<number, { tokens: number[]; preempted: boolean }>();
  let nextId = 0;
  let applied = 0;
  let refused = 0;
  let copies = 0;
  const pick = (i: number, want: 'running' | 'preempted' | 'any'): number | undefined => {
    const ids = [...model].filter(([, m]) => want === 'any' || m.preempted === (want === 'preempted')).map(([id]) => id);
    return ids.length ? ids[i % ids.length] : undefined;
  };
  for (const op of ops) {
    // `worstCase`: the most blocks the op can need. With at least that many free it must not be refused
    // (prefix hits only lower the need), so the before-state is only recorded when a refusal is possible.
    const guard = (worstCase: number, fn: () => void): void => {
      const mayRefuse = kv.numFreeBlocks < worstCase;
      const snapshot = mayRefuse ? state(kv, model.keys()) : '';
      try {
        fn();
        applied++;
      } catch (err) {
        if (!(err instanceof OutOfBlocksError)) throw err;
        if (!mayRefuse) fail(`${op.kind} was refused with ${kv.numFreeBlocks} free blocks, needing at most ${worstCase}`);
        refused++;
        if (state(kv, model.keys()) !== snapshot) fail(`refused ${op.kind} changed the manager`);
      }
    };
    const bs = config.blockSize;
    switch (op.kind) {
      case 'add': {
        const id = nextId++;
        guard(Math.ceil(op.tokens.length / bs), () => {
          kv.addSequence(id, op.tokens);
          model.set(id, { tokens: [...op.tokens], preempted: false });
        });
        break;
      }
      case 'append': {
        const id = pick(op.pick, 'running');
        if (id === undefined) break;
        guard(1, () => {
          if (kv.appendToken(id, op.token)) copies++;
          model.get(id)!.tokens.push(op.token);
        });
        break;
      }
      case 'fork': {
        const id = pick(op.pick, 'running');
        if (id === undefined) break;
        const child = nextId++;
        guard(0, () => {
          kv.fork(id, child);
          model.set(child, { tokens: [...model.get(id)!.tokens], preempted: false });
        });
        break;
      }
      case 'free': {
        const id = pick(op.pick, 'any');
        if (id === undefined) break;
        guard(0, () => {
          kv.free(id);
          model.delete(id);
        });
        break;
      }
      case 'evict':
        guard(0, () => void kv.evictCachedBlocks(op.count));
        break;
      case 'preempt': {
        const id = pick(op.pick, 'running');
        if (id === undefined) break;
        guard(0, () => {
          kv.preempt(id, op.swap ? 'swap' : 'recompute');
          model.get(id)!.preempted = true;
        });
        break;
      }
      case 'resume': {
        const id = pick(op.pick, 'preempted');
        if (id === undefined) break;
        guard(Math.ceil(model.get(id)!.tokens.length / bs), () => {
          kv.resume(id);
          model.get(id)!.preempted = false;
        });
        break;
      }
    }
    checkAgainstModel(kv, model);
  }
  checkAgainstModel(kv, model);
  for (const id of [...model.keys()]) kv.free(id);
  if (kv.numFreeBlocks !== kv.numBlocks) fail(`after freeing everything ${kv.numFreeBlocks} of ${kv.numBlocks} blocks are free`);
  kv.checkInvariants();
  return { applied, refused, copies };
}

/** A seeded stream of `count` random operations (for the benchmark's 10⁶-operation run). */
export function* randomOps(count: number, seed: number, maxPrompt = 20, alphabet = 4): Generator<Op> {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  for (let i = 0; i < count; i++) {
    const r = next();
    if (r < 0.12) yield { kind: 'add', tokens: Array.from({ length: int(maxPrompt + 1) }, () => int(alphabet)) };
    else if (r < 0.52) yield { kind: 'append', pick: int(1000), token: int(alphabet) };
    else if (r < 0.58) yield { kind: 'fork', pick: int(1000) };
    else if (r < 0.8) yield { kind: 'free', pick: int(1000) };
    else if (r < 0.84) yield { kind: 'evict', count: int(4) };
    else if (r < 0.92) yield { kind: 'preempt', pick: int(1000), swap: next() < 0.5 };
    else yield { kind: 'resume', pick: int(1000) };
  }
}
