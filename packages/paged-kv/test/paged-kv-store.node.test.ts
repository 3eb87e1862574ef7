/**
 * PagedKVStore (writes, gathers, copy-on-write, swap) and whole decode loops through the manager, the
 * store and pagedAttention: a preempted-and-resumed sequence (recompute and swap) and forked sequences
 * decode exactly as an undisturbed run, on cpu and wasm. Larger sizes: Node lane only.
 */
import { expect, it } from 'vitest';
import { expectThrowsNaming } from '@prep/test-utils';
import { describeBackends, expectNoLeak, expectTensorClose, profileTensors, seededValues, tf } from '@prep/test-utils/tensor';
import { KVCacheManager, PagedKVStore, pagedAttention, pagedAttentionReference } from '../src/index.js';

describeBackends('PagedKVStore', () => {
  it('writes by position and gathers in logical order across non-contiguous blocks', async () => {
    const kv = new KVCacheManager({ numBlocks: 8, blockSize: 2 });
    for (const useWasm of [true, false]) {
      const store = new PagedKVStore(kv, { numLayers: 2, numKvHeads: 2, headDim: 4, useWasm });
      expect(store.usesWasm).toBe(useWasm);
      expect(store.poolBytes).toBe(2 * 2 * 8 * 2 * 2 * 4 * 4);
      kv.addSequence(0, [1]);
      kv.addSequence(1, [2, 3, 4]);
      kv.appendToken(0, 5); // seq 0: blocks [0, ?] interleave with seq 1
      kv.appendToken(0, 6);
      const k0 = seededValues(3 * 8, 1);
      const v0 = seededValues(3 * 8, 2);
      store.write(1, 0, k0.subarray(0, 16), v0.subarray(0, 16), 0); // positions 0, 1
      store.write(1, 0, tf.tensor3d(k0.subarray(16), [1, 2, 4]), tf.tensor3d(v0.subarray(16), [1, 2, 4])); // the last one
      const got = store.gather(1, 0);
      expect(Array.from(got.keys)).toEqual(Array.from(k0));
      expect(Array.from(got.values)).toEqual(Array.from(v0));
      expect(store.gather(0, 0).keys.every((x) => x === 0)).toBe(true); // layer 0 untouched
      await store.writeAsync(0, 1, tf.ones([3, 2, 4]), tf.zeros([3, 2, 4]));
      const { keys, values } = store.readSequence(0, 1);
      expect(keys.shape).toEqual([1, 2, 3, 4]);
      await expectTensorClose(keys, tf.ones([1, 2, 3, 4]));
      await expectTensorClose(values, tf.zeros([1, 2, 3, 4]));
      tf.dispose([keys, values]);
      kv.free(0);
      kv.free(1);
    }
  });

  it('copy-on-write: copyBlock gives the appending fork its own copy, and shared blocks refuse writes', () => {
    const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4 });
    const store = new PagedKVStore(kv, { numLayers: 1, numKvHeads: 1, headDim: 4 });
    kv.addSequence(0, [1, 2, 3]);
    store.write(0, 0, seededValues(12, 3), seededValues(12, 4));
    kv.fork(0, 1);
    expectThrowsNaming(() => store.write(0, 1, seededValues(4, 5), seededValues(4, 6), 2), 'PagedKVStore.write', 'position');
    const cow = kv.appendToken(1, 9);
    expect(cow).not.toBeNull();
    store.copyBlock(cow);
    store.write(0, 1, seededValues(4, 7), seededValues(4, 8));
    const parent = store.gather(0, 0);
    const child = store.gather(0, 1);
    expect(Array.from(child.keys.subarray(0, 12))).toEqual(Array.from(parent.keys));
    expect(Array.from(child.keys.subarray(12))).toEqual(Array.from(seededValues(4, 7)));
    store.copyBlock(null);
  });

  it('swapOut / swapIn restore a sequence into new blocks', () => {
    const kv = new KVCacheManager({ numBlocks: 4, blockSize: 2 });
    const store = new PagedKVStore(kv, { numLayers: 2, numKvHeads: 1, headDim: 4 });
    kv.addSequence(0, [1, 2, 3]);
    for (let l = 0; l < 2; l++) store.write(l, 0, seededValues(12, 10 + l), seededValues(12, 20 + l));
    const before = [store.gather(0, 0), store.gather(1, 0)];
    const saved = store.swapOut(0);
    const oldTable = kv.getBlockTable(0);
    kv.preempt(0, 'swap');
    kv.addSequence(1, [7, 7, 7]); // takes blocks, then overwrite them
    store.write(0, 1, new Float32Array(12).fill(9), new Float32Array(12).fill(9));
    kv.free(1);
    kv.resume(0);
    expect(kv.getBlockTable(0)).not.toEqual(oldTable);
    store.swapIn(0, saved);
    expect([store.gather(0, 0), store.gather(1, 0)]).toEqual(before);
    expectThrowsNaming(() => store.swapIn(0, { ...saved, numTokens: 2 }), 'PagedKVStore.swapIn', 'saved');
    expectThrowsNaming(() => store.swapIn(0, { ...saved, keys: [] }), 'PagedKVStore.swapIn', 'saved.keys');
  });

  it('bad input names the function and the argument and writes nothing', () => {
    const kv = new KVCacheManager({ numBlocks: 4, blockSize: 2 });
    const store = new PagedKVStore(kv, { numLayers: 1, numKvHeads: 2, headDim: 2 });
    kv.addSequence(0, [1, 2]);
    const k = new Float32Array(8).fill(1);
    for (const [value, arg] of [
      [null, 'manager'],
      [{}, 'manager'],
    ] as const) {
      expectThrowsNaming(() => new PagedKVStore(value as unknown as KVCacheManager, { numLayers: 1, numKvHeads: 1, headDim: 1 }), 'PagedKVStore', arg);
    }
    for (const [options, arg] of [
      [undefined, 'options'],
      [{ numLayers: 0, numKvHeads: 1, headDim: 1 }, 'options.numLayers'],
      [{ numLayers: 1, numKvHeads: 1.5, headDim: 1 }, 'options.numKvHeads'],
      [{ numLayers: 1, numKvHeads: 1, headDim: '4' }, 'options.headDim'],
      [{ numLayers: 1, numKvHeads: 1, headDim: 4, useWasm: 1 }, 'options.useWasm'],
    ] as const) {
      expectThrowsNaming(() => new PagedKVStore(kv, options as never), 'PagedKVStore', arg);
    }
    expectThrowsNaming(() => store.write(1, 0, k, k), 'PagedKVStore.write', 'layer');
    expectThrowsNaming(() => store.write(0, 5, k, k), 'PagedKVStore.write', 'seqId');
    expectThrowsNaming(() => store.write(0, 0, 'k' as never, k), 'PagedKVStore.write', 'keys');
    expectThrowsNaming(() => store.write(0, 0, new Float32Array(7), k), 'PagedKVStore.write', 'keys');
    expectThrowsNaming(() => store.write(0, 0, tf.zeros([2, 2, 3]), k), 'PagedKVStore.write', 'keys');
    expectThrowsNaming(() => store.write(0, 0, k, new Float32Array(4)), 'PagedKVStore.write', 'values');
    expectThrowsNaming(() => store.write(0, 0, k, k, 1), 'PagedKVStore.write', 'position');
    expectThrowsNaming(() => store.write(0, 0, [1, NaN, 2, 3, 4, 5, 6, 'x'] as never, k), 'PagedKVStore.write', 'keys');
    expectThrowsNaming(() => store.writeLast(0, [0, 0], new Float32Array(4), new Float32Array(4)), 'PagedKVStore.writeLast', 'keys');
    expectThrowsNaming(() => store.writeLast(0, 'x' as never, k, k), 'PagedKVStore.writeLast', 'seqIds');
    expectThrowsNaming(() => store.copyBlock({ copyFrom: 0, copyTo: 4 }), 'PagedKVStore.copyBlock', 'copy.copyTo');
    expectThrowsNaming(() => store.copyBlock(5 as never), 'PagedKVStore.copyBlock', 'copy');
    expectThrowsNaming(() => store.gather(0, 3), 'PagedKVStore.gather', 'seqId');
    expect(store.gather(0, 0).keys.every((x) => x === 0)).toBe(true);
  });
});

/** A toy language model: K, V and q are fixed functions of (token, position); the next token is an argmax. */
function toyModel(numLayers: number, numKvHeads: number, headsQ: number, headDim: number, vocab: number) {
  const table = (seed: number, n: number) => seededValues(n, seed);
  const emb = table(1, vocab * numKvHeads * headDim);
  const qEmb = table(2, vocab * headsQ * headDim);
  const out = table(3, headsQ * headDim * vocab);
  const row = numKvHeads * headDim;
  const kvOf = (layer: number, token: number, pos: number, which: 0 | 1): Float32Array =>
    Float32Array.from({ length: row }, (_, j) => emb[token * row + j]! * (1 + 0.1 * layer + 0.05 * which) + Math.sin(0.1 * pos + j + which));
  const qOf = (token: number, pos: number): Float32Array =>
    Float32Array.from({ length: headsQ * headDim }, (_, j) => qEmb[token * headsQ * headDim + j]! + Math.cos(0.07 * pos + j));
  const next = (attn: Float32Array): number => {
    let best = 0;
    let bestScore = -Infinity;
    for (let v = 0; v < vocab; v++) {
      let s = 0;
      for (let j = 0; j < attn.length; j++) s += attn[j]! * out[j * vocab + v]!;
      if (s > bestScore) {
        bestScore = s;
        best = v;
      }
    }
    return best;
  };
  return { kvOf, qOf, next, row };
}

describeBackends('decode loops through the cache', (backend) => {
  const L = 2;
  const H = 2;
  const HQ = 4;
  const D = 8;
  const V = 23;
  const model = toyModel(L, H, HQ, D, V);

  /** Writes every layer's K/V of positions [from, to) of `id` from its tokens. */
  const fill = (store: PagedKVStore, kv: KVCacheManager, id: number, from: number, to: number) => {
    const tokens = kv.getTokens(id);
    for (let l = 0; l < L; l++) {
      const k = new Float32Array((to - from) * model.row);
      const v = new Float32Array((to - from) * model.row);
      for (let p = from; p < to; p++) {
        k.set(model.kvOf(l, tokens[p]!, p, 0), (p - from) * model.row);
        v.set(model.kvOf(l, tokens[p]!, p, 1), (p - from) * model.row);
      }
      store.write(l, id, k, v, from);
    }
  };

  /** One decode step for `ids`; returns each sequence's new token and its last-layer attention output. */
  const step = (store: PagedKVStore, kv: KVCacheManager, ids: number[]) => {
    const q = new Float32Array(ids.length * HQ * D);
    ids.forEach((id, i) => {
      const tokens = kv.getTokens(id);
      q.set(model.qOf(tokens[tokens.length - 1]!, tokens.length - 1), i * HQ * D);
    });
    let attn: Float32Array = new Float32Array(0);
    for (let l = 0; l < L; l++) {
      const out = pagedAttention(tf.tensor3d(q, [ids.length, HQ, D]), store, l, ids);
      attn = out.dataSync() as Float32Array;
      out.dispose();
    }
    return ids.map((id, i) => {
      const a = attn.slice(i * HQ * D, (i + 1) * HQ * D);
      const token = model.next(a);
      store.copyBlock(kv.appendToken(id, token));
      fill(store, kv, id, kv.getNumTokens(id) - 1, kv.getNumTokens(id));
      return { token, attn: a };
    });
  };

  const prompts = [
    [3, 1, 4, 1, 5, 9, 2],
    [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4],
    [1, 6, 1, 8],
  ];

  const run = (options: { preemptAt?: number; mode?: 'recompute' | 'swap'; prefix?: boolean; numBlocks?: number }) => {
    const kv = new KVCacheManager({ numBlocks: options.numBlocks ?? 64, blockSize: 4, enablePrefixCaching: options.prefix ?? false });
    const store = new PagedKVStore(kv, { numLayers: L, numKvHeads: H, headDim: D });
    prompts.forEach((p, id) => {
      kv.addSequence(id, p);
      fill(store, kv, id, kv.getNumCachedTokens(id), p.length);
    });
    const trace: { token: number; attn: number[] }[][] = [[], [], []];
    let saved: ReturnType<PagedKVStore['swapOut']> | null = null;
    let cachedOnResume = -1;
    for (let t = 0; t < 24; t++) {
      let active = [0, 1, 2];
      if (options.preemptAt !== undefined && t === options.preemptAt) {
        if (options.mode === 'swap') saved = store.swapOut(1);
        kv.preempt(1, options.mode!);
        // while sequence 1 is out, another sequence takes half the free blocks (the least recently
        // freed first) and writes its own K/V there
        kv.addSequence(99, new Array<number>(Math.floor(kv.numFreeBlocks / 2) * 4).fill(5));
        fill(store, kv, 99, 0, kv.getNumTokens(99));
        kv.free(99);
      }
      if (options.preemptAt !== undefined && t >= options.preemptAt && t < options.preemptAt + 5) active = [0, 2];
      if (options.preemptAt !== undefined && t === options.preemptAt + 5) {
        const r = kv.resume(1);
        cachedOnResume = r.numCachedTokens;
        if (r.mode === 'swap') store.swapIn(1, saved!);
        else fill(store, kv, 1, r.numCachedTokens, r.numTokens);
      }
      const results = step(store, kv, active);
      active.forEach((id, i) => trace[id]!.push({ token: results[i]!.token, attn: Array.from(results[i]!.attn) }));
    }
    kv.checkInvariants();
    return { trace, cachedOnResume, tokens: [0, 1, 2].map((id) => Array.from(kv.getTokens(id))) };
  };

  it('a preempted and resumed sequence decodes exactly as if never preempted (recompute, swap, with prefix caching)', () => {
    const undisturbed = run({});
    for (const [mode, prefix] of [
      ['recompute', false],
      ['recompute', true],
      ['swap', false],
      ['swap', true],
    ] as const) {
      const preempted = run({ preemptAt: 6, mode, prefix });
      // the others never noticed; sequence 1 produced the same tokens and bit-identical outputs, 5 steps later
      expect(preempted.trace[0], `${mode}/${prefix}: sequence 0`).toEqual(undisturbed.trace[0]);
      expect(preempted.trace[2], `${mode}/${prefix}: sequence 2`).toEqual(undisturbed.trace[2]);
      expect(preempted.trace[1], `${mode}/${prefix}: sequence 1`).toEqual(undisturbed.trace[1]!.slice(0, preempted.trace[1]!.length));
      expect(preempted.trace[1]!.length).toBe(24 - 5);
      // with prefix caching, recompute reuses the sequence's own full blocks that survived in the cache
      expect(preempted.cachedOnResume > 0, `${mode}/${prefix}: cached tokens on resume`).toBe(mode === 'recompute' && prefix);
    }
    expect(new Set(undisturbed.tokens[1]).size).toBeGreaterThan(3); // the toy model does not get stuck on one token
  });

  it('forked sequences (parallel sampling) decode as independent copies after copy-on-write', () => {
    const kv = new KVCacheManager({ numBlocks: 32, blockSize: 4 });
    const store = new PagedKVStore(kv, { numLayers: L, numKvHeads: H, headDim: D });
    kv.addSequence(0, prompts[1]!); // 11 tokens: a partial last block, so the first appends copy
    fill(store, kv, 0, 0, 11);
    kv.fork(0, 1);
    kv.fork(0, 2);
    const solo = new KVCacheManager({ numBlocks: 32, blockSize: 4 });
    const soloStore = new PagedKVStore(solo, { numLayers: L, numKvHeads: H, headDim: D });
    solo.addSequence(0, prompts[1]!);
    fill(soloStore, solo, 0, 0, 11);
    for (let t = 0; t < 10; t++) {
      const forked = step(store, kv, [0, 1, 2]);
      const alone = step(soloStore, solo, [0]);
      for (const f of forked) expect(f).toEqual(alone[0]);
    }
    expect(kv.getBlockTable(1)[0]).toBe(kv.getBlockTable(0)[0]); // full prefix blocks stay shared
    expect(kv.getBlockTable(1)[2]).not.toBe(kv.getBlockTable(0)[2]); // the partial one was copied
  });

  it('sequences longer than one 4096-token chunk: the online softmax across chunks matches the reference', async () => {
    for (const [blockSize, lengths] of [
      [16, [9000, 4096, 4097, 3]],
      [5000, [12_000, 5000, 1]],
    ] as const) {
      const kv = new KVCacheManager({ numBlocks: Math.ceil(30_000 / blockSize) + 4, blockSize });
      const fast = new PagedKVStore(kv, { numLayers: 1, numKvHeads: 1, headDim: 8 });
      const plain = new PagedKVStore(kv, { numLayers: 1, numKvHeads: 1, headDim: 8, useWasm: false });
      lengths.forEach((n, i) => {
        kv.addSequence(i, new Array<number>(n).fill(1));
        // large spreads so that later chunks hold the maximum: the running max must be rescaled
        const k = seededValues(n * 8, 300 + i, -3, 3);
        const v = seededValues(n * 8, 400 + i);
        fast.write(0, i, k, v);
        plain.write(0, i, k, v);
      });
      const ids = lengths.map((_, i) => i);
      const q = tf.tensor3d(seededValues(lengths.length * 2 * 8, 5, -2, 2), [lengths.length, 2, 8]);
      const ref = pagedAttentionReference(q, fast, 0, ids);
      await expectTensorClose(pagedAttention(q, fast, 0, ids), ref, { atol: 2e-5, rtol: 2e-5 }, `wasm kernel, block ${blockSize}`);
      await expectTensorClose(pagedAttention(q, plain, 0, ids), ref, { atol: 2e-5, rtol: 2e-5 }, `JS kernel, block ${blockSize}`);
      tf.dispose([q, ref]);
    }
  });

  it(`larger batch: kernel, JS kernel and composed reference agree; the kernel allocates only its output (${backend})`, async () => {
    const lengths = [1, 17, 300, 64, 129, 5, 250, 33];
    const kv = new KVCacheManager({ numBlocks: 128, blockSize: 16 });
    const fast = new PagedKVStore(kv, { numLayers: 1, numKvHeads: 2, headDim: 64 });
    const plain = new PagedKVStore(kv, { numLayers: 1, numKvHeads: 2, headDim: 64, useWasm: false });
    lengths.forEach((n, i) => {
      kv.addSequence(i, new Array<number>(n).fill(i));
      const k = seededValues(n * 128, 100 + i);
      const v = seededValues(n * 128, 200 + i);
      fast.write(0, i, k, v);
      plain.write(0, i, k, v);
    });
    const ids = lengths.map((_, i) => i);
    const q = tf.tensor3d(seededValues(8 * 8 * 64, 7, -2, 2), [8, 8, 64]);
    const a = pagedAttention(q, fast, 0, ids);
    const b = pagedAttention(q, plain, 0, ids);
    const c = pagedAttentionReference(q, fast, 0, ids);
    await expectTensorClose(a, b, { atol: 1e-5, rtol: 1e-5 }, 'wasm SIMD vs JS kernel');
    await expectTensorClose(a, c, { atol: 2e-5, rtol: 2e-5 }, 'kernel vs composed reference');
    const liveBefore = tf.memory().numBytes;
    const profile = await profileTensors(() => pagedAttention(q, fast, 0, ids));
    expect(profile.largestOutputShape).toEqual([8, 8, 64]);
    expect(profile.newBytes).toBe(8 * 8 * 64 * 4); // the output and nothing else
    // tf.profile's peak is the absolute total: above what was live, the step needs only its output
    expect(profile.peakBytes - liveBefore).toBe(8 * 8 * 64 * 4);
    await expectNoLeak(() => pagedAttention(q, fast, 0, ids));
    tf.dispose([q, a, b, c]);
  });
});
