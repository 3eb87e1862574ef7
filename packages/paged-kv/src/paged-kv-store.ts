import * as tf from '@tensorflow/tfjs-core';
import type { CopyOnWrite } from './kv-cache-manager.js';
import { KVCacheManager, liveBlockTable } from './kv-cache-manager.js';
import { describe, integerArg, optionsArg } from './internal/check.js';
import { instantiateKernel, type KernelExports } from './internal/wasm-kernel.js';

/** Options of {@link PagedKVStore}. */
export interface PagedKVStoreOptions {
  /** Transformer layers; each has its own K and V pool. */
  numLayers: number;
  /** KV heads per layer (fewer than query heads with grouped-query attention). */
  numKvHeads: number;
  /** Channels per head. */
  headDim: number;
  /**
   * Keep the pools in WebAssembly memory and run the SIMD decode kernel (default true where WebAssembly
   * SIMD is available and the pools fit in 4 GiB). false keeps them in plain Float32Arrays with a JS
   * kernel.
   */
  useWasm?: boolean;
}

/** K/V of one sequence copied out of the pools by {@link PagedKVStore.swapOut}. */
export interface SwappedKV {
  /** Tokens copied. */
  numTokens: number;
  /** Per layer, `[numTokens, numKvHeads, headDim]`. */
  keys: Float32Array[];
  /** Per layer, `[numTokens, numKvHeads, headDim]`. */
  values: Float32Array[];
}

/** Query heads processed per kernel call; larger groups are split (bounds the score scratch). */
export const MAX_GROUP = 8;
/** Tokens scored per kernel call; longer sequences are processed in chunks with an online softmax. */
export const CHUNK_TOKENS = 4096;

// Package-internal access for the kernels (no static block: bundlers could not drop the class).
const internalsOf = new WeakMap<PagedKVStore, StoreInternals>();

/** @internal What the attention kernels read. */
export interface StoreInternals {
  manager: KVCacheManager;
  keys: Float32Array[];
  values: Float32Array[];
  kernel: KernelExports | null;
  memory: WebAssembly.Memory | null;
  /** Byte offsets of each layer's K and V pool in `memory` (wasm only). */
  keyOffset: number[];
  valueOffset: number[];
  /** Scratch regions (byte offsets in memory; or own arrays in JS mode). */
  tableOffset: number;
  qOffset: number;
  outOffset: number;
  scoresOffset: number;
  scratchTable: Int32Array;
  scratchQ: Float32Array;
  scratchOut: Float32Array;
  scratchScores: Float32Array;
}

/** @internal */
export function storeInternals(store: PagedKVStore): StoreInternals {
  return internalsOf.get(store)!;
}

const FN = 'PagedKVStore';

/**
 * The K/V memory of a {@link KVCacheManager}: per layer, a K pool and a V pool laid out
 * `[numBlocks, blockSize, numKvHeads, headDim]` (vLLM's and FlashInfer's NHD paged layout), written by
 * sequence position and read by block table.
 *
 * The pools are typed arrays, not tfjs tensors: tensors are immutable, so appending one token to a pool
 * tensor would copy the pool, and `gather`/`scatter` over large pools cost tens to hundreds of ms per step
 * on wasm (BENCHMARKS.md measures both designs). By default the pools live in one WebAssembly memory,
 * where {@link pagedAttention}'s SIMD kernel reads them in place; one decode step then touches only the
 * live tokens. On WebGL/WebGPU the attention gathers each sequence's K/V and uploads it.
 *
 * Order of a decode step: `manager.appendToken` → `store.copyBlock(cow)` when it returns a copy →
 * `store.write…` the new token's K/V → `pagedAttention`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { KVCacheManager, PagedKVStore } from '@prep/paged-kv';
 * const kv = new KVCacheManager({ numBlocks: 64, blockSize: 16 });
 * const store = new PagedKVStore(kv, { numLayers: 2, numKvHeads: 2, headDim: 8 });
 * kv.addSequence(0, [5, 6, 7]);
 * store.write(0, 0, tf.ones([3, 2, 8]), tf.zeros([3, 2, 8])); // layer 0, sequence 0, positions 0..2
 * store.gather(0, 0).keys.length; // 3 · 2 · 8
 * ```
 */
export class PagedKVStore {
  /** The manager whose block tables this store follows. */
  readonly manager: KVCacheManager;
  /** Layers. */
  readonly numLayers: number;
  /** KV heads per layer. */
  readonly numKvHeads: number;
  /** Channels per head. */
  readonly headDim: number;
  /** The manager's block size. */
  readonly blockSize: number;
  /** The manager's number of blocks. */
  readonly numBlocks: number;
  /** Bytes of all K and V pools. */
  readonly poolBytes: number;
  /** Whether the pools live in WebAssembly memory read by the SIMD kernel. */
  readonly usesWasm: boolean;
  readonly #in: StoreInternals;
  readonly #rowFloats: number;
  readonly #blockFloats: number;

  /**
   * @param manager - the {@link KVCacheManager} that owns the block tables
   * @param options - `numLayers`, `numKvHeads`, `headDim`, `useWasm` (see {@link PagedKVStoreOptions})
   * @throws TypeError when manager is not a KVCacheManager or an option has the wrong kind; RangeError
   *   for non-positive sizes or pools that do not fit in memory
   */
  constructor(manager: KVCacheManager, options: PagedKVStoreOptions) {
    if (!(manager instanceof KVCacheManager)) throw new TypeError(`${FN}: 'manager' must be a KVCacheManager; got ${describe(manager)}`);
    if (options === undefined) throw new TypeError(`${FN}: 'options' must be an object with numLayers, numKvHeads and headDim; got undefined`);
    const opts = optionsArg<PagedKVStoreOptions>(options, FN);
    this.manager = manager;
    this.numLayers = integerArg(opts.numLayers, FN, 'options.numLayers', 1, 4096);
    this.numKvHeads = integerArg(opts.numKvHeads, FN, 'options.numKvHeads', 1, 4096);
    this.headDim = integerArg(opts.headDim, FN, 'options.headDim', 1, 65536);
    if (opts.useWasm !== undefined && typeof opts.useWasm !== 'boolean') {
      throw new TypeError(`${FN}: 'options.useWasm' must be a boolean; got ${describe(opts.useWasm)}`);
    }
    this.blockSize = manager.blockSize;
    this.numBlocks = manager.numBlocks;
    this.#rowFloats = this.numKvHeads * this.headDim;
    this.#blockFloats = this.blockSize * this.#rowFloats;
    const poolFloats = this.numBlocks * this.#blockFloats;
    if (poolFloats > 2 ** 31 - 1) {
      throw new RangeError(`${FN}: one pool of ${poolFloats} floats is larger than a typed array can hold; lower numBlocks, blockSize, numKvHeads or headDim`);
    }
    this.poolBytes = poolFloats * 4 * 2 * this.numLayers;
    // whole blocks per chunk, at least one block
    const maxTokens = Math.min(this.numBlocks * this.blockSize, Math.max(1, Math.floor(CHUNK_TOKENS / this.blockSize)) * this.blockSize);
    const scratch = {
      table: this.numBlocks,
      q: MAX_GROUP * this.headDim,
      out: MAX_GROUP * this.headDim,
      scores: MAX_GROUP * maxTokens,
    };
    const wantWasm = opts.useWasm !== false && this.headDim % 4 === 0;
    const built = (wantWasm && buildWasm(this.numLayers, poolFloats, scratch)) || buildPlain(this.numLayers, poolFloats, scratch);
    this.#in = { manager, ...built };
    this.usesWasm = built.kernel !== null;
    internalsOf.set(this, this.#in);
  }

  /**
   * Layer `layer`'s K pool, `[numBlocks, blockSize, numKvHeads, headDim]` flattened (a live view).
   * @throws RangeError for a bad layer
   */
  keyPool(layer: number): Float32Array {
    return this.#in.keys[this.#layer(layer, `${FN}.keyPool`)]!;
  }

  /**
   * Layer `layer`'s V pool, `[numBlocks, blockSize, numKvHeads, headDim]` flattened (a live view).
   * @throws RangeError for a bad layer
   */
  valuePool(layer: number): Float32Array {
    return this.#in.values[this.#layer(layer, `${FN}.valuePool`)]!;
  }

  /**
   * Writes K/V for consecutive positions of one sequence into its slots. A tensor is read with
   * `dataSync` (use {@link PagedKVStore.writeAsync} on WebGL/WebGPU to avoid a blocking read).
   * @param layer - layer index
   * @param seqId - a running sequence of the manager
   * @param keys - `[n, numKvHeads, headDim]` (tensor, typed array or nested/flat array)
   * @param values - same shape as keys
   * @param position - first position to write (default `numTokens − n`: the sequence's last n tokens)
   * @throws TypeError for a wrong kind; RangeError for a bad layer, shape or position, or a position in a
   *   block other sequences share (copy it first: {@link PagedKVStore.copyBlock}); nothing is written then
   */
  write(layer: number, seqId: number, keys: tf.Tensor | ArrayLike<number> | number[][][], values: tf.Tensor | ArrayLike<number> | number[][][], position?: number): void {
    const fn = `${FN}.write`;
    const l = this.#layer(layer, fn);
    const k = this.#rows(keys, fn, 'keys', null, (t) => t.dataSync());
    const v = this.#rows(values, fn, 'values', k.length / this.#rowFloats, (t) => t.dataSync());
    this.#writeRows(l, seqId, k, v, position, fn);
  }

  /**
   * {@link PagedKVStore.write} for tensors on any backend: awaits `data()` instead of `dataSync()`.
   * @param layer - layer index
   * @param seqId - a running sequence of the manager
   * @param keys - `[n, numKvHeads, headDim]` tensor
   * @param values - same shape as keys
   * @param position - first position to write (default `numTokens − n`)
   * @returns a promise that resolves once written
   * @throws (rejects) as {@link PagedKVStore.write}
   */
  async writeAsync(layer: number, seqId: number, keys: tf.Tensor, values: tf.Tensor, position?: number): Promise<void> {
    const fn = `${FN}.writeAsync`;
    for (const [arg, t] of [['keys', keys], ['values', values]] as const) {
      if (!(t instanceof tf.Tensor)) throw new TypeError(`${fn}: '${arg}' must be a tensor; got ${describe(t)}`);
      if (t.isDisposed) throw new TypeError(`${fn}: '${arg}' is a disposed tensor`);
    }
    const [kd, vd] = await Promise.all([keys.data(), values.data()]);
    const l = this.#layer(layer, fn);
    const k = this.#rows({ shape: keys.shape, data: kd }, fn, 'keys', null, () => kd);
    const v = this.#rows({ shape: values.shape, data: vd }, fn, 'values', k.length / this.#rowFloats, () => vd);
    this.#writeRows(l, seqId, k, v, position, fn);
  }

  /**
   * Writes one token per sequence at each sequence's last position: the decode-step write after
   * `appendToken`.
   * @param layer - layer index
   * @param seqIds - running sequences, in the row order of keys/values
   * @param keys - `[numSeqs, numKvHeads, headDim]`
   * @param values - `[numSeqs, numKvHeads, headDim]`
   * @throws as {@link PagedKVStore.write}; nothing is written when any sequence is refused
   */
  writeLast(layer: number, seqIds: readonly number[], keys: tf.Tensor | ArrayLike<number>, values: tf.Tensor | ArrayLike<number>): void {
    const fn = `${FN}.writeLast`;
    const l = this.#layer(layer, fn);
    const list: unknown = seqIds;
    if (!Array.isArray(list)) throw new TypeError(`${fn}: 'seqIds' must be an array of sequence ids; got ${describe(seqIds)}`);
    const k = this.#rows(keys, fn, 'keys', seqIds.length, (t) => t.dataSync());
    const v = this.#rows(values, fn, 'values', seqIds.length, (t) => t.dataSync());
    const slots = seqIds.map((id, i) => {
      const table = liveBlockTable(this.manager, id, fn, `seqIds[${i}]`);
      const n = this.manager.getNumTokens(id);
      if (n === 0) throw new RangeError(`${fn}: 'seqIds[${i}]' ${id} has no token to write`);
      const block = table[table.length - 1]!;
      this.#exclusive(block, fn, `seqIds[${i}]`, n - 1);
      return (block * this.blockSize + ((n - 1) % this.blockSize)) * this.#rowFloats;
    });
    const kp = this.#in.keys[l]!;
    const vp = this.#in.values[l]!;
    const r = this.#rowFloats;
    for (let i = 0; i < slots.length; i++) {
      kp.set(k.subarray(i * r, (i + 1) * r), slots[i]);
      vp.set(v.subarray(i * r, (i + 1) * r), slots[i]);
    }
  }

  /**
   * Copies every layer's K/V of block `copyFrom` into block `copyTo`: apply the {@link CopyOnWrite} that
   * `appendToken` returned before writing the new token. A null argument does nothing.
   * @param copy - `{ copyFrom, copyTo }` or null
   * @throws TypeError / RangeError for block ids outside the pool
   */
  copyBlock(copy: CopyOnWrite | null): void {
    if (copy === null) return;
    const fn = `${FN}.copyBlock`;
    const c = optionsArg<CopyOnWrite>(copy, fn, 'copy');
    const from = integerArg(c.copyFrom, fn, 'copy.copyFrom', 0, this.numBlocks - 1);
    const to = integerArg(c.copyTo, fn, 'copy.copyTo', 0, this.numBlocks - 1);
    const n = this.#blockFloats;
    for (let l = 0; l < this.numLayers; l++) {
      this.#in.keys[l]!.copyWithin(to * n, from * n, from * n + n);
      this.#in.values[l]!.copyWithin(to * n, from * n, from * n + n);
    }
  }

  /**
   * A sequence's K/V in logical order, `[numTokens, numKvHeads, headDim]` each (copies).
   * @throws RangeError for a bad layer or an unknown or preempted sequence
   */
  gather(layer: number, seqId: number): { keys: Float32Array; values: Float32Array } {
    const fn = `${FN}.gather`;
    const l = this.#layer(layer, fn);
    const table = liveBlockTable(this.manager, seqId, fn);
    const n = this.manager.getNumTokens(seqId);
    return { keys: this.#gatherPool(this.#in.keys[l]!, table, n), values: this.#gatherPool(this.#in.values[l]!, table, n) };
  }

  /**
   * A sequence's K/V as tensors `[1, numKvHeads, numTokens, headDim]`, the layout of exact attention
   * (`@prep/attention`'s scaledDotProductAttention), owned by the caller.
   * @throws RangeError for a bad layer or an unknown, preempted or empty sequence
   */
  readSequence(layer: number, seqId: number): { keys: tf.Tensor4D; values: tf.Tensor4D } {
    const { keys, values } = this.gather(layer, seqId);
    const n = keys.length / this.#rowFloats;
    if (n === 0) throw new RangeError(`${FN}.readSequence: 'seqId' ${seqId} has no tokens`);
    return tf.tidy(() => ({
      keys: tf.transpose(tf.tensor4d(keys, [1, n, this.numKvHeads, this.headDim]), [0, 2, 1, 3]),
      values: tf.transpose(tf.tensor4d(values, [1, n, this.numKvHeads, this.headDim]), [0, 2, 1, 3]),
    }));
  }

  /**
   * Copies a running sequence's K/V (all layers) out of the pools, before
   * `manager.preempt(seqId, 'swap')` releases its blocks.
   * @returns {@link SwappedKV} to hand back to {@link PagedKVStore.swapIn}
   * @throws RangeError for an unknown or preempted sequence
   */
  swapOut(seqId: number): SwappedKV {
    const fn = `${FN}.swapOut`;
    const table = liveBlockTable(this.manager, seqId, fn);
    const n = this.manager.getNumTokens(seqId);
    const keys: Float32Array[] = [];
    const values: Float32Array[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      keys.push(this.#gatherPool(this.#in.keys[l]!, table, n));
      values.push(this.#gatherPool(this.#in.values[l]!, table, n));
    }
    return { numTokens: n, keys, values };
  }

  /**
   * Copies K/V saved by {@link PagedKVStore.swapOut} into a resumed sequence's new blocks.
   * @param seqId - a sequence resumed with `manager.resume` after a swap preemption
   * @param saved - what swapOut returned for it
   * @throws TypeError for a malformed `saved`; RangeError when the sequence is unknown, preempted or has
   *   another length, or its blocks are shared (nothing is written then)
   */
  swapIn(seqId: number, saved: SwappedKV): void {
    const fn = `${FN}.swapIn`;
    const table = liveBlockTable(this.manager, seqId, fn);
    const s = optionsArg<SwappedKV>(saved, fn, 'saved');
    const n = this.manager.getNumTokens(seqId);
    if (s.numTokens !== n) throw new RangeError(`${fn}: 'saved' holds ${String(s.numTokens)} tokens; sequence ${seqId} has ${n}`);
    const size = n * this.#rowFloats;
    for (const part of ['keys', 'values'] as const) {
      const list = s[part];
      if (!Array.isArray(list) || list.length !== this.numLayers || !list.every((a) => a instanceof Float32Array && a.length === size)) {
        throw new TypeError(`${fn}: 'saved.${part}' must hold ${this.numLayers} Float32Arrays of ${size} floats`);
      }
    }
    table.forEach((b, i) => this.#exclusive(b, fn, 'seqId', i * this.blockSize));
    for (let l = 0; l < this.numLayers; l++) {
      this.#scatterPool(this.#in.keys[l]!, table, s.keys![l]!, n);
      this.#scatterPool(this.#in.values[l]!, table, s.values![l]!, n);
    }
  }

  // ---------------------------------------------------------------- internals

  #layer(layer: unknown, fn: string): number {
    return integerArg(layer, fn, 'layer', 0, this.numLayers - 1);
  }

  /** Validates a `[n, numKvHeads, headDim]` argument and returns it as a Float32Array. */
  #rows(
    value: unknown,
    fn: string,
    arg: string,
    expectRows: number | null,
    read: (t: tf.Tensor) => ArrayLike<number>,
  ): Float32Array {
    const r = this.#rowFloats;
    const want = `[${expectRows ?? 'n'}, ${this.numKvHeads}, ${this.headDim}]`;
    let data: ArrayLike<unknown>;
    let shapeOk: boolean;
    const tensor = value instanceof tf.Tensor ? (value as tf.Tensor) : null;
    if (tensor) {
      if (tensor.isDisposed) throw new TypeError(`${fn}: '${arg}' is a disposed tensor`);
      if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') throw new TypeError(`${fn}: '${arg}' must be a float32 tensor; got dtype ${tensor.dtype}`);
      const s: number[] = tensor.shape;
      shapeOk = s.length === 3 && s[1] === this.numKvHeads && s[2] === this.headDim && (expectRows === null || s[0] === expectRows);
      if (!shapeOk) throw new RangeError(`${fn}: '${arg}' must have shape ${want}; got shape [${s.join(', ')}]`);
      data = read(tensor);
    } else if (value !== null && typeof value === 'object' && 'shape' in value && 'data' in value) {
      const { shape, data: d } = value as { shape: number[]; data: ArrayLike<number> };
      shapeOk = shape.length === 3 && shape[1] === this.numKvHeads && shape[2] === this.headDim && (expectRows === null || shape[0] === expectRows);
      if (!shapeOk) throw new RangeError(`${fn}: '${arg}' must have shape ${want}; got shape [${shape.join(', ')}]`);
      data = d;
    } else if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
      data = Array.isArray(value) ? (value as unknown[]).flat(2) : (value as unknown as ArrayLike<unknown>);
      if (data.length % r !== 0 || (expectRows !== null && data.length !== expectRows * r) || data.length === 0) {
        throw new RangeError(`${fn}: '${arg}' must hold ${want} = ${expectRows === null ? `a multiple of ${r}` : expectRows * r} numbers; got ${data.length}`);
      }
    } else {
      throw new TypeError(`${fn}: '${arg}' must be a tensor or an array of shape ${want}; got ${describe(value)}`);
    }
    if (data.length === 0) throw new RangeError(`${fn}: '${arg}' must not be empty`);
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const x = data[i];
      if (typeof x !== 'number') throw new TypeError(`${fn}: '${arg}' must hold numbers; element ${i} is ${describe(x)}`);
      out[i] = x;
    }
    return out;
  }

  #exclusive(block: number, fn: string, arg: string, position: number): void {
    const holders = this.manager.getRefCount(block);
    if (holders > 1) {
      throw new RangeError(`${fn}: '${arg}': position ${position} lies in block ${block}, which ${holders} sequences share; only new tokens (after appendToken and copyBlock) may be written`);
    }
  }

  #writeRows(layer: number, seqId: number, k: Float32Array, v: Float32Array, position: number | undefined, fn: string): void {
    const table = liveBlockTable(this.manager, seqId, fn);
    const total = this.manager.getNumTokens(seqId);
    const r = this.#rowFloats;
    const n = k.length / r;
    if (v.length !== k.length) throw new RangeError(`${fn}: 'values' must have the shape of 'keys' (${n} rows); got ${v.length / r} rows`);
    const start = position === undefined ? total - n : integerArg(position, fn, 'position', 0);
    if (start < 0 || start + n > total) {
      throw new RangeError(`${fn}: 'position' ${start} + ${n} rows must lie within the ${total} tokens of sequence ${seqId}`);
    }
    const bs = this.blockSize;
    for (let b = Math.floor(start / bs); b <= Math.floor((start + n - 1) / bs); b++) this.#exclusive(table[b]!, fn, 'position', Math.max(start, b * bs));
    const kp = this.#in.keys[layer]!;
    const vp = this.#in.values[layer]!;
    for (let i = 0; i < n; i++) {
      const pos = start + i;
      const slot = (table[Math.floor(pos / bs)]! * bs + (pos % bs)) * r;
      kp.set(k.subarray(i * r, i * r + r), slot);
      vp.set(v.subarray(i * r, i * r + r), slot);
    }
  }

  #gatherPool(pool: Float32Array, table: readonly number[], n: number): Float32Array {
    const bs = this.blockSize;
    const r = this.#rowFloats;
    const out = new Float32Array(n * r);
    for (let i = 0; i < table.length; i++) {
      const rows = Math.min(bs, n - i * bs);
      const from = table[i]! * bs * r;
      out.set(pool.subarray(from, from + rows * r), i * bs * r);
    }
    return out;
  }

  #scatterPool(pool: Float32Array, table: readonly number[], src: Float32Array, n: number): void {
    const bs = this.blockSize;
    const r = this.#rowFloats;
    for (let i = 0; i < table.length; i++) {
      const rows = Math.min(bs, n - i * bs);
      pool.set(src.subarray(i * bs * r, (i * bs + rows) * r), table[i]! * bs * r);
    }
  }
}

interface Scratch {
  table: number;
  q: number;
  out: number;
  scores: number;
}

type Built = Omit<StoreInternals, 'manager'>;

function buildWasm(numLayers: number, poolFloats: number, scratch: Scratch): Built | null {
  const floats = 2 * numLayers * poolFloats + scratch.table + scratch.q + scratch.out + scratch.scores + 64;
  const bytes = floats * 4;
  if (bytes > 4 * 1024 ** 3 - 65536) return null;
  let memory: WebAssembly.Memory;
  try {
    const pages = Math.ceil(bytes / 65536);
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  } catch {
    return null;
  }
  const kernel = instantiateKernel(memory);
  if (!kernel) return null;
  const buffer = memory.buffer;
  let offset = 0;
  const take = (count: number): number => {
    const at = offset;
    offset += count * 4;
    offset = Math.ceil(offset / 16) * 16;
    return at;
  };
  const keys: Float32Array[] = [];
  const values: Float32Array[] = [];
  const keyOffset: number[] = [];
  const valueOffset: number[] = [];
  for (let l = 0; l < numLayers; l++) {
    keyOffset.push(take(poolFloats));
    keys.push(new Float32Array(buffer, keyOffset[l], poolFloats));
    valueOffset.push(take(poolFloats));
    values.push(new Float32Array(buffer, valueOffset[l], poolFloats));
  }
  const tableOffset = take(scratch.table);
  const qOffset = take(scratch.q);
  const outOffset = take(scratch.out);
  const scoresOffset = take(scratch.scores);
  return {
    keys,
    values,
    kernel,
    memory,
    keyOffset,
    valueOffset,
    tableOffset,
    qOffset,
    outOffset,
    scoresOffset,
    scratchTable: new Int32Array(buffer, tableOffset, scratch.table),
    scratchQ: new Float32Array(buffer, qOffset, scratch.q),
    scratchOut: new Float32Array(buffer, outOffset, scratch.out),
    scratchScores: new Float32Array(buffer, scoresOffset, scratch.scores),
  };
}

function buildPlain(numLayers: number, poolFloats: number, scratch: Scratch): Built {
  const keys: Float32Array[] = [];
  const values: Float32Array[] = [];
  try {
    for (let l = 0; l < numLayers; l++) {
      keys.push(new Float32Array(poolFloats));
      values.push(new Float32Array(poolFloats));
    }
  } catch (err) {
    throw new RangeError(`${FN}: could not allocate ${numLayers} × 2 pools of ${poolFloats} floats (${(err as Error).message})`, { cause: err });
  }
  return {
    keys,
    values,
    kernel: null,
    memory: null,
    keyOffset: [],
    valueOffset: [],
    tableOffset: 0,
    qOffset: 0,
    outOffset: 0,
    scoresOffset: 0,
    scratchTable: new Int32Array(scratch.table),
    scratchQ: new Float32Array(scratch.q),
    scratchOut: new Float32Array(scratch.out),
    scratchScores: new Float32Array(scratch.scores),
  };
}
