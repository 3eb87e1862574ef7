import * as tf from '@tensorflow/tfjs-core';
import { liveBlockTable } from './kv-cache-manager.js';
import { CHUNK_TOKENS, MAX_GROUP, PagedKVStore, storeInternals, type StoreInternals } from './paged-kv-store.js';
import { choiceArg, describe, integerArg, optionsArg } from './internal/check.js';

/** Options of {@link pagedAttention} and {@link pagedAttentionReference}. */
export interface PagedAttentionOptions {
  /** Multiplier of the scores; default 1/√headDim. */
  scale?: number;
  /**
   * `'kernel'`: the registered kernel (cpu and wasm backends; WebAssembly SIMD over the store's pools, or
   * plain JS when the store is not in wasm memory). `'reference'`: composed tfjs ops on gathered K/V, on
   * any backend. `'auto'` (default): the kernel on cpu and wasm, the reference elsewhere.
   */
  implementation?: 'auto' | 'kernel' | 'reference';
}

/**
 * Name under which {@link pagedAttention} registers its decode kernel (for the cpu and wasm backends, on
 * first use) with `tf.registerKernel`.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { PAGED_ATTENTION_KERNEL } from '@prep/paged-kv';
 * tf.getKernel(PAGED_ATTENTION_KERNEL, 'cpu'); // defined once pagedAttention has run on cpu
 * ```
 */
export const PAGED_ATTENTION_KERNEL = 'PrepPagedAttention';

interface Plan {
  store: StoreInternals;
  layer: number;
  tables: (readonly number[])[];
  lengths: number[];
  numKvHeads: number;
  headsQ: number;
  headDim: number;
  blockSize: number;
  scale: number;
}

const FN = 'pagedAttention';

function validate(q: unknown, store: unknown, layer: unknown, seqIds: unknown, options: unknown, fn: string): { qt: () => tf.Tensor3D; plan: Omit<Plan, 'headsQ'>; implementation: 'auto' | 'kernel' | 'reference'; headsQOf: (t: tf.Tensor3D) => number } {
  if (!(store instanceof PagedKVStore)) throw new TypeError(`${fn}: 'store' must be a PagedKVStore; got ${describe(store)}`);
  const opts = optionsArg<PagedAttentionOptions>(options, fn);
  const l = integerArg(layer, fn, 'layer', 0, store.numLayers - 1);
  if (!Array.isArray(seqIds)) throw new TypeError(`${fn}: 'seqIds' must be an array of sequence ids; got ${describe(seqIds)}`);
  if (seqIds.length === 0) throw new RangeError(`${fn}: 'seqIds' must name at least one sequence`);
  const tables = seqIds.map((id: unknown, i) => liveBlockTable(store.manager, id as number, fn, `seqIds[${i}]`));
  const lengths = seqIds.map((id: number, i) => {
    const n = store.manager.getNumTokens(id);
    if (n === 0) throw new RangeError(`${fn}: 'seqIds[${i}]' ${id} has no tokens; write the new token's K/V before attending`);
    return n;
  });
  let scale = 1 / Math.sqrt(store.headDim);
  if (opts.scale !== undefined) {
    if (typeof opts.scale !== 'number') throw new TypeError(`${fn}: 'options.scale' must be a number; got ${describe(opts.scale)}`);
    if (!Number.isFinite(opts.scale)) throw new RangeError(`${fn}: 'options.scale' must be finite; got ${opts.scale}`);
    scale = opts.scale;
  }
  const implementation = opts.implementation === undefined ? 'auto' : choiceArg(opts.implementation, fn, 'options.implementation', ['auto', 'kernel', 'reference'] as const);
  const qt = (): tf.Tensor3D => {
    let t: tf.Tensor;
    const given = q instanceof tf.Tensor ? (q as tf.Tensor) : null;
    if (given) {
      if (given.isDisposed) throw new TypeError(`${fn}: 'q' is a disposed tensor`);
      t = given;
    } else if (Array.isArray(q) || (ArrayBuffer.isView(q) && !(q instanceof DataView))) {
      try {
        t = tf.tensor(q as tf.TensorLike);
      } catch (err) {
        throw new TypeError(`${fn}: 'q' must be a tensor or a nested array of numbers; ${(err as Error).message}`, { cause: err });
      }
    } else {
      throw new TypeError(`${fn}: 'q' must be a tensor of shape [numSeqs, headsQ, headDim]; got ${describe(q)}`);
    }
    if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new TypeError(`${fn}: 'q' must have dtype float32; got ${t.dtype}`);
    const [n, h, d] = t.shape;
    if (t.rank !== 3 || n !== seqIds.length || d !== store.headDim || !(h! > 0) || h! % store.numKvHeads !== 0) {
      throw new RangeError(
        `${fn}: 'q' must have shape [${seqIds.length}, headsQ, ${store.headDim}] with headsQ a multiple of numKvHeads (${store.numKvHeads}); got shape [${t.shape.join(', ')}]`,
      );
    }
    return (t.dtype === 'float32' ? t : tf.cast(t, 'float32')) as tf.Tensor3D;
  };
  return {
    qt,
    plan: { store: storeInternals(store), layer: l, tables, lengths, numKvHeads: store.numKvHeads, headDim: store.headDim, blockSize: store.blockSize, scale },
    implementation,
    headsQOf: (t) => t.shape[1],
  };
}

/**
 * Decode attention over a paged KV cache: each sequence's one new query token attends to all of that
 * sequence's cached tokens (its own included), reading K/V through the block table, for a batch of
 * sequences of different lengths. Grouped-query heads: query head h reads KV head ⌊h·numKvHeads/headsQ⌋
 * (as HF `repeat_kv`). Equal, within float tolerance, to exact attention over each sequence's contiguous
 * K/V.
 *
 * On cpu and wasm it runs a registered backend kernel ({@link PAGED_ATTENTION_KERNEL}): WebAssembly SIMD
 * loops that read the pools in place (one pass for the scores of all query heads sharing a KV head, a JS
 * softmax, one pass over V), so a step reads each live K/V row once per KV head and allocates no tensor
 * but the output. Sequences longer than 4096 tokens are processed in chunks with an online softmax
 * (flash-decoding), so the scratch stays at 8 heads × 4096 scores whatever the length. Elsewhere, and with `implementation: 'reference'`, it composes tfjs ops on each
 * batch's gathered K/V ({@link pagedAttentionReference}). Differentiable with respect to `q` (not the
 * cache, which is not a tensor).
 *
 * @param q - queries `[numSeqs, headsQ, headDim]`, float32; headsQ a multiple of the store's numKvHeads
 * @param store - the {@link PagedKVStore} holding the K/V (the new tokens' K/V already written)
 * @param layer - the layer whose pools to read
 * @param seqIds - running sequences, one per row of q
 * @param options - `scale`, `implementation` (see {@link PagedAttentionOptions})
 * @returns the attention output `[numSeqs, headsQ, headDim]`, owned by the caller
 * @throws TypeError for a wrong kind (q, store, seqIds, options); RangeError for a bad shape, layer,
 *   unknown/preempted/empty sequence or option; nothing is allocated then
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { KVCacheManager, PagedKVStore, pagedAttention } from '@prep/paged-kv';
 * const kv = new KVCacheManager({ numBlocks: 32, blockSize: 16 });
 * const store = new PagedKVStore(kv, { numLayers: 1, numKvHeads: 2, headDim: 8 });
 * kv.addSequence(0, [1, 2, 3]);
 * kv.addSequence(1, [4, 5, 6, 7, 8]);
 * store.write(0, 0, tf.randomNormal([3, 2, 8]), tf.randomNormal([3, 2, 8]));
 * store.write(0, 1, tf.randomNormal([5, 2, 8]), tf.randomNormal([5, 2, 8]));
 * const out = pagedAttention(tf.randomNormal([2, 8, 8]), store, 0, [0, 1]); // 8 query heads, 2 KV heads
 * out.shape; // [2, 8, 8]
 * ```
 */
export function pagedAttention(
  q: tf.Tensor | tf.TensorLike,
  store: PagedKVStore,
  layer: number,
  seqIds: readonly number[],
  options?: PagedAttentionOptions,
): tf.Tensor3D {
  const v = validate(q, store, layer, seqIds, options, FN);
  const backend = tf.getBackend();
  const useKernel = v.implementation === 'kernel' || (v.implementation === 'auto' && (backend === 'cpu' || backend === 'wasm'));
  if (useKernel && backend !== 'cpu' && backend !== 'wasm') {
    throw new RangeError(`${FN}: 'options.implementation' 'kernel' runs on the cpu and wasm backends; the active backend is '${backend}'`);
  }
  return tf.tidy(() => {
    const qt = v.qt();
    if (!useKernel) return referenceFromPlan(qt, { ...v.plan, headsQ: v.headsQOf(qt) });
    ensureKernel(backend);
    const plan: Plan = { ...v.plan, headsQ: v.headsQOf(qt) };
    const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const x = args[0] as tf.Tensor;
      (args[1] as tf.GradSaveFunc)([x]);
      const out = tf.engine().runKernel<tf.Tensor>(PAGED_ATTENTION_KERNEL, { q: x }, { plan } as unknown as tf.NamedAttrMap);
      return {
        value: out,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const qData = saved[0]!.dataSync() as Float32Array;
          const dyData = dy.dataSync() as Float32Array;
          return tf.tensor3d(queryGradient(plan, qData, dyData), qt.shape);
        },
      };
    });
    return forward(qt) as tf.Tensor3D;
  });
}

/**
 * The composed reference of {@link pagedAttention}: gathers the batch's K/V from the pools into one
 * padded `[numSeqs · numKvHeads, maxLen, headDim]` tensor (padding masked out) and computes
 * softmax(scale · q·Kᵀ)·V with batched tfjs ops, the query heads of each KV head in one product. Runs on
 * every backend and is differentiable with respect to `q` by tfjs autodiff.
 * Same parameters, result and errors as {@link pagedAttention}.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { KVCacheManager, PagedKVStore, pagedAttention, pagedAttentionReference } from '@prep/paged-kv';
 * const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4 });
 * const store = new PagedKVStore(kv, { numLayers: 1, numKvHeads: 1, headDim: 4 });
 * kv.addSequence(0, [1, 2, 3, 4, 5]);
 * store.write(0, 0, tf.randomNormal([5, 1, 4]), tf.randomNormal([5, 1, 4]));
 * const q = tf.randomNormal([1, 2, 4]);
 * const ref = pagedAttentionReference(q, store, 0, [0]);
 * const fast = pagedAttention(q, store, 0, [0]); // equal to ~1e-6
 * ```
 */
export function pagedAttentionReference(
  q: tf.Tensor | tf.TensorLike,
  store: PagedKVStore,
  layer: number,
  seqIds: readonly number[],
  options?: Omit<PagedAttentionOptions, 'implementation'>,
): tf.Tensor3D {
  const v = validate(q, store, layer, seqIds, options, 'pagedAttentionReference');
  return tf.tidy(() => {
    const qt = v.qt();
    return referenceFromPlan(qt, { ...v.plan, headsQ: v.headsQOf(qt) });
  });
}

function referenceFromPlan(qt: tf.Tensor3D, plan: Plan): tf.Tensor3D {
  // One padded batch for the whole call: a handful of ops whatever the number of sequences, so WebGL and
  // WebGPU compile a few shaders, not a set per sequence length. Padding slots get a -1e9 bias (exp → 0).
  const { numKvHeads, headsQ, headDim, scale, lengths } = plan;
  const group = headsQ / numKvHeads;
  const numSeqs = lengths.length;
  const maxLen = Math.max(...lengths);
  const row = numKvHeads * headDim;
  const keys = new Float32Array(numSeqs * maxLen * row);
  const values = new Float32Array(numSeqs * maxLen * row);
  const bias = new Float32Array(numSeqs * maxLen);
  for (let s = 0; s < numSeqs; s++) {
    const n = lengths[s]!;
    keys.set(gatherRows(plan.store.keys[plan.layer]!, plan.tables[s]!, n, plan.blockSize, row), s * maxLen * row);
    values.set(gatherRows(plan.store.values[plan.layer]!, plan.tables[s]!, n, plan.blockSize, row), s * maxLen * row);
    bias.fill(-1e9, s * maxLen + n, (s + 1) * maxLen);
  }
  const toHeads = (data: Float32Array): tf.Tensor3D =>
    tf.reshape(tf.transpose(tf.tensor4d(data, [numSeqs, maxLen, numKvHeads, headDim]), [0, 2, 1, 3]), [numSeqs * numKvHeads, maxLen, headDim]);
  const q3 = tf.reshape(qt, [numSeqs * numKvHeads, group, headDim]);
  const scores = tf.reshape(tf.mul(tf.matMul(q3, toHeads(keys), false, true), scale), [numSeqs, numKvHeads, group, maxLen]);
  const probs = tf.softmax(tf.add(scores, tf.tensor4d(bias, [numSeqs, 1, 1, maxLen])));
  const out = tf.matMul(tf.reshape(probs, [numSeqs * numKvHeads, group, maxLen]), toHeads(values));
  return tf.reshape(out, [numSeqs, headsQ, headDim]);
}

function gatherRows(pool: Float32Array, table: readonly number[], n: number, bs: number, row: number): Float32Array {
  const out = new Float32Array(n * row);
  for (let b = 0; b < table.length; b++) {
    const rows = Math.min(bs, n - b * bs);
    const from = table[b]! * bs * row;
    out.set(pool.subarray(from, from + rows * row), b * bs * row);
  }
  return out;
}

const registered = new Set<string>();

function ensureKernel(backendName: string): void {
  if (registered.has(backendName)) return;
  if (!tf.getKernel(PAGED_ATTENTION_KERNEL, backendName)) {
    tf.registerKernel({ kernelName: PAGED_ATTENTION_KERNEL, backendName, kernelFunc: pagedAttentionKernel as unknown as tf.KernelFunc });
  }
  registered.add(backendName);
}

interface KernelBackend {
  readSync(dataId: object): unknown;
  makeOutput?(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap?(info: tf.TensorInfo): Float32Array;
  makeTensorInfo?(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

function pagedAttentionKernel(args: { inputs: { q: tf.TensorInfo }; backend: KernelBackend; attrs: { plan: Plan } }): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const plan = attrs.plan;
  const qData = backend.readSync(inputs.q.dataId) as Float32Array;
  const shape = [plan.tables.length, plan.headsQ, plan.headDim];
  if (backend.makeOutput && backend.typedArrayFromHeap) {
    const info = backend.makeOutput(shape, 'float32');
    attend(plan, qData, backend.typedArrayFromHeap(info));
    return info;
  }
  const out = new Float32Array(shape[0]! * shape[1]! * shape[2]!);
  attend(plan, qData, out);
  return backend.makeTensorInfo!(shape, 'float32', out);
}

/**
 * One chunk of an online softmax (flash-decoding): turns `count` rows of `n` scores into weights
 * exp(score − running max) in place, rescales the rows' accumulated outputs `acc[h·d …]` and sums to the
 * new running max, and adds the chunk's weights to the sums.
 */
function onlineSoftmaxChunk(scores: Float32Array, count: number, n: number, max: Float64Array, sum: Float64Array, acc: Float32Array, accFrom: number, d: number): void {
  for (let h = 0; h < count; h++) {
    const start = h * n;
    const end = start + n;
    let m = max[h]!;
    for (let t = start; t < end; t++) if (scores[t]! > m) m = scores[t]!;
    const rescale = Math.exp(max[h]! - m); // 0 on the first chunk (max −∞)
    if (rescale !== 1) {
      const a = accFrom + h * d;
      for (let i = a; i < a + d; i++) acc[i]! *= rescale;
    }
    let z = sum[h]! * rescale;
    for (let t = start; t < end; t++) {
      const e = Math.exp(scores[t]! - m);
      scores[t] = e;
      z += e;
    }
    max[h] = m;
    sum[h] = z;
  }
}

/** Runs the decode kernel for every sequence of the plan, writing `[numSeqs, headsQ, headDim]` into out. */
function attend(plan: Plan, q: Float32Array, out: Float32Array): void {
  const { store, layer, numKvHeads, headsQ, headDim: d, blockSize: bs, scale } = plan;
  const group = headsQ / numKvHeads;
  const row = numKvHeads * d;
  const kernel = store.kernel;
  const { scratchTable, scratchQ, scratchOut, scratchScores } = store;
  const keys = store.keys[layer]!;
  const values = store.values[layer]!;
  const chunkBlocks = Math.max(1, Math.floor(CHUNK_TOKENS / bs));
  const max = new Float64Array(MAX_GROUP);
  const sum = new Float64Array(MAX_GROUP);
  for (let s = 0; s < plan.tables.length; s++) {
    const table = plan.tables[s]!;
    const n = plan.lengths[s]!;
    if (kernel) scratchTable.set(table);
    for (let g = 0; g < numKvHeads; g++) {
      for (let h0 = 0; h0 < group; h0 += MAX_GROUP) {
        const heads = Math.min(MAX_GROUP, group - h0);
        const qFrom = (s * headsQ + g * group + h0) * d;
        max.fill(-Infinity);
        sum.fill(0);
        // accumulate into scratchOut (wasm) or straight into out (JS)
        const acc = kernel ? scratchOut : out;
        const accFrom = kernel ? 0 : qFrom;
        acc.fill(0, accFrom, accFrom + heads * d);
        if (kernel) scratchQ.set(q.subarray(qFrom, qFrom + heads * d));
        for (let b0 = 0; b0 < table.length; b0 += chunkBlocks) {
          const tokens = Math.min(n, (b0 + chunkBlocks) * bs) - b0 * bs;
          if (kernel) {
            const tablePtr = store.tableOffset + b0 * 4;
            kernel.qk(store.qOffset, store.keyOffset[layer]! + g * d * 4, tablePtr, tokens, bs, row * 4, heads, d * 4, store.scoresOffset, scale);
            onlineSoftmaxChunk(scratchScores, heads, tokens, max, sum, acc, accFrom, d);
            kernel.pv(store.scoresOffset, store.valueOffset[layer]! + g * d * 4, tablePtr, tokens, bs, row * 4, heads, d * 4, store.outOffset);
          } else {
            scoresJs(q, qFrom, keys, table, b0, tokens, bs, row, g * d, heads, d, scale, scratchScores);
            onlineSoftmaxChunk(scratchScores, heads, tokens, max, sum, acc, accFrom, d);
            weightedSumJs(scratchScores, values, table, b0, tokens, bs, row, g * d, heads, d, acc, accFrom);
          }
        }
        for (let h = 0; h < heads; h++) {
          const inv = 1 / sum[h]!;
          for (let i = 0; i < d; i++) out[qFrom + h * d + i] = acc[accFrom + h * d + i]! * inv;
        }
      }
    }
  }
}

/** Scores of `n` tokens starting at block `b0` of the table (the JS twin of the wasm `qk`). */
function scoresJs(q: Float32Array, qFrom: number, keys: Float32Array, table: readonly number[], b0: number, n: number, bs: number, row: number, headOffset: number, heads: number, d: number, scale: number, scores: Float32Array): void {
  for (let t = 0; t < n; t++) {
    const base = (table[b0 + ((t / bs) | 0)]! * bs + (t % bs)) * row + headOffset;
    for (let h = 0; h < heads; h++) {
      const qb = qFrom + h * d;
      let a0 = 0;
      let a1 = 0;
      let i = 0;
      for (; i + 1 < d; i += 2) {
        a0 += q[qb + i]! * keys[base + i]!;
        a1 += q[qb + i + 1]! * keys[base + i + 1]!;
      }
      if (i < d) a0 += q[qb + i]! * keys[base + i]!;
      scores[h * n + t] = (a0 + a1) * scale;
    }
  }
}

/** out[h] += Σ_t p[h·n + t] · V[t] over `n` tokens starting at block `b0` (the JS twin of the wasm `pv`). */
function weightedSumJs(p: Float32Array, values: Float32Array, table: readonly number[], b0: number, n: number, bs: number, row: number, headOffset: number, heads: number, d: number, out: Float32Array, outFrom: number): void {
  for (let t = 0; t < n; t++) {
    const base = (table[b0 + ((t / bs) | 0)]! * bs + (t % bs)) * row + headOffset;
    for (let h = 0; h < heads; h++) {
      const w = p[h * n + t]!;
      const ob = outFrom + h * d;
      for (let i = 0; i < d; i++) out[ob + i]! += w * values[base + i]!;
    }
  }
}

/**
 * dL/dq of decode attention for upstream gradient dy: with p = softmax(scale·q·Kᵀ), dp_t = dy·v_t,
 * ds_t = p_t·(dp_t − Σ_u p_u·dp_u) and dq = scale · Σ_t ds_t·k_t. Plain JS (training through a decode
 * step is rare; the forward pass is the fast path).
 */
function queryGradient(plan: Plan, q: Float32Array, dy: Float32Array): Float32Array {
  const { store, layer, numKvHeads, headsQ, headDim: d, blockSize: bs, scale } = plan;
  const group = headsQ / numKvHeads;
  const row = numKvHeads * d;
  const keys = store.keys[layer]!;
  const values = store.values[layer]!;
  const dq = new Float32Array(q.length);
  for (let s = 0; s < plan.tables.length; s++) {
    const table = plan.tables[s]!;
    const n = plan.lengths[s]!;
    const p = new Float64Array(n);
    const dp = new Float64Array(n);
    for (let h = 0; h < headsQ; h++) {
      const offset = Math.floor(h / group) * d;
      const qb = (s * headsQ + h) * d;
      let max = -Infinity;
      for (let t = 0; t < n; t++) {
        const base = (table[(t / bs) | 0]! * bs + (t % bs)) * row + offset;
        let dot = 0;
        let g = 0;
        for (let i = 0; i < d; i++) {
          dot += q[qb + i]! * keys[base + i]!;
          g += dy[qb + i]! * values[base + i]!;
        }
        p[t] = dot * scale;
        dp[t] = g;
        if (p[t]! > max) max = p[t]!;
      }
      let sum = 0;
      for (let t = 0; t < n; t++) {
        p[t] = Math.exp(p[t]! - max);
        sum += p[t]!;
      }
      let mean = 0;
      for (let t = 0; t < n; t++) {
        p[t]! /= sum;
        mean += p[t]! * dp[t]!;
      }
      for (let t = 0; t < n; t++) {
        const ds = p[t]! * (dp[t]! - mean) * scale;
        const base = (table[(t / bs) | 0]! * bs + (t % bs)) * row + offset;
        for (let i = 0; i < d; i++) dq[qb + i]! += ds * keys[base + i]!;
      }
    }
  }
  return dq;
}
