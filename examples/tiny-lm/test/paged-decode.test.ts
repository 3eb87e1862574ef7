import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends, expectTensorClose, tf } from '@prep/test-utils/tensor';
import { KVCacheManager, PagedKVStore } from '@prep/paged-kv';
import { ContiguousKVCache, pagedDecodeAttention, pagedPrefillAttention, type TinyLM } from '../src/index.js';
import { fullLogits, tinyModel, tokensFor } from './helpers.js';

// Paged and full-sequence logits agree to float32 rounding (measured ≤ 2e-6 here); a wrong cache, position
// or mask moves them by > 1e-2 (the contexts below differ by more than that, checked).
const TOL = { atol: 5e-5, rtol: 5e-5 };

describeBackends('paged decoding = full recomputation', () => {
  let model: TinyLM;
  beforeAll(() => {
    model = tinyModel();
  });
  afterAll(() => model.dispose());

  it('gives the same logits token by token for a batch of prompts of different lengths (and the contiguous baseline too)', async () => {
    const before = tf.memory().numTensors;
    const lengths = [1, 5, 9, 12];
    const kv = new KVCacheManager({ numBlocks: 64, blockSize: 4 });
    const store = new PagedKVStore(kv, { numLayers: 2, numKvHeads: 2, headDim: 4 });
    const contiguous = new ContiguousKVCache({ numLayers: 2, numKvHeads: 2, headDim: 4, numRows: lengths.length, maxLen: 24 });
    const sequences = lengths.map((n, i) => tokensFor(n, i + 1));
    const ids = sequences.map((_, i) => 10 + i);
    // Prefill: every prompt position's logits equal the full forward's.
    for (let i = 0; i < sequences.length; i++) {
      const prompt = sequences[i]!;
      kv.addSequence(ids[i]!, prompt);
      const positions = prompt.map((_, p) => p);
      const paged = model.forwardCached(prompt, positions, pagedPrefillAttention(store, ids[i]!, 0));
      const flat = model.forwardCached(prompt, positions, contiguous.prefillAttention(i, 0));
      const { logits, auxLoss, zLoss } = model.forward([prompt]);
      const full = tf.reshape(logits, [prompt.length, model.config.vocabSize]);
      await expectTensorClose(paged, full, TOL, `prefill of prompt ${i}`);
      await expectTensorClose(flat, full, TOL, `contiguous prefill of prompt ${i}`);
      tf.dispose([paged, flat, logits, auxLoss, zLoss, full]);
    }
    // Decode 6 tokens for all four at once (crossing block boundaries); compare each row with
    // recomputing its whole sequence.
    for (let step = 0; step < 6; step++) {
      const next = sequences.map((_, i) => (step * 7 + i * 13 + 5) % 96);
      sequences.forEach((seq, i) => {
        seq.push(next[i]!);
        store.copyBlock(kv.appendToken(ids[i]!, next[i]!));
      });
      const positions = sequences.map((seq) => seq.length - 1);
      const paged = model.forwardCached(next, positions, pagedDecodeAttention(store, ids));
      const flat = model.forwardCached(next, positions, contiguous.decodeAttention([0, 1, 2, 3]));
      const full = tf.tidy(() => tf.stack(sequences.map((seq) => fullLogits(model, seq))));
      await expectTensorClose(paged, full, TOL, `decode step ${step}`);
      await expectTensorClose(flat, full, TOL, `contiguous decode step ${step}`);
      tf.dispose([paged, flat, full]);
    }
    kv.checkInvariants();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reuses prefix-cached blocks: a prompt that hits the cache prefills only its tail and gets the same logits', async () => {
    const kv = new KVCacheManager({ numBlocks: 32, blockSize: 4, enablePrefixCaching: true });
    const store = new PagedKVStore(kv, { numLayers: 2, numKvHeads: 2, headDim: 4 });
    const shared = tokensFor(9, 42);
    const first = [...shared, 7, 8];
    const second = [...shared, 30, 31, 32];
    kv.addSequence(0, first);
    tf.dispose(model.forwardCached(first, first.map((_, p) => p), pagedPrefillAttention(store, 0, 0)));
    kv.addSequence(1, second);
    const cached = kv.getNumCachedTokens(1);
    expect(cached).toBe(8); // two full blocks of the shared 9 tokens
    expect(kv.getBlockTable(1).slice(0, 2)).toEqual(kv.getBlockTable(0).slice(0, 2));
    const tail = second.slice(cached);
    const logits = model.forwardCached(tail, tail.map((_, p) => cached + p), pagedPrefillAttention(store, 1, cached));
    const full = fullLogits(model, second);
    const last = tf.reshape(tf.slice(logits, [tail.length - 1, 0], [1, model.config.vocabSize]), [model.config.vocabSize]);
    await expectTensorClose(last, full, TOL, 'prefix-cached prefill');
    // Not vacuous: the other prompt's logits are far from these.
    const other = fullLogits(model, first);
    const gap = tf.max(tf.abs(tf.sub(other, full)));
    expect((await gap.data())[0]).toBeGreaterThan(1e-2);
    tf.dispose([logits, full, last, other, gap]);
    expect(kv.stats().prefixCacheHits).toBe(2);
  });

  it('forked samples share the prompt blocks; copy-on-write gives each its own last block', async () => {
    const kv = new KVCacheManager({ numBlocks: 32, blockSize: 4 });
    const store = new PagedKVStore(kv, { numLayers: 2, numKvHeads: 2, headDim: 4 });
    const prompt = tokensFor(10, 9); // blocks: 4 + 4 + 2 tokens
    kv.addSequence(0, prompt);
    tf.dispose(model.forwardCached(prompt, prompt.map((_, p) => p), pagedPrefillAttention(store, 0, 0)));
    kv.fork(0, 1);
    kv.fork(0, 2);
    expect(kv.stats().numUsedBlocks).toBe(3); // three samples, still three blocks
    const table = kv.getBlockTable(0);
    for (const id of [1, 2]) expect(kv.getBlockTable(id)).toEqual(table);
    for (const b of table) expect(kv.getRefCount(b)).toBe(3);

    const sequences = [0, 1, 2].map(() => [...prompt]);
    for (let step = 0; step < 7; step++) {
      const next = [0, 1, 2].map((i) => (step * 11 + i * 29 + 3) % 96);
      const copies = next.map((token, i) => {
        sequences[i]!.push(token);
        const copy = kv.appendToken(i, token);
        store.copyBlock(copy);
        return copy;
      });
      if (step === 0) {
        // The shared partial block is copied for the first two appends; the last holder writes in place.
        expect(copies.filter((c) => c !== null)).toHaveLength(2);
        expect(kv.stats().numUsedBlocks).toBe(5);
      }
      const logits = model.forwardCached(next, sequences.map((s) => s.length - 1), pagedDecodeAttention(store, [0, 1, 2]));
      const full = tf.tidy(() => tf.stack(sequences.map((s) => fullLogits(model, s))));
      await expectTensorClose(logits, full, TOL, `forked decode step ${step}`);
      tf.dispose([logits, full]);
    }
    // 17 tokens each: the two full prompt blocks stay shared by all three; 3 own blocks each after them.
    for (const id of [0, 1, 2]) {
      const own = kv.getBlockTable(id);
      expect(own.slice(0, 2)).toEqual(table.slice(0, 2));
      expect(own).toHaveLength(5);
    }
    for (const b of table.slice(0, 2)) expect(kv.getRefCount(b)).toBe(3);
    expect(kv.stats().numUsedBlocks).toBe(2 + 3 * 3);
    kv.checkInvariants();
  });
});
