/** KVCacheManager and BlockPool beyond the vLLM ports: admission, stats, page tables, preemption, refusals, bad input. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { badNumbers, expectBadInputs, expectThrowsNaming } from '@prep/test-utils';
import { BlockPool, KVCacheManager, OutOfBlocksError } from '../src/index.js';
import { expectRefusedUnchanged, range } from './helpers.js';

describe('KVCacheManager: admission and watermark', () => {
  it('canAdmit follows vLLM: never below the watermark of an empty pool, later when busy, else ok', () => {
    const kv = new KVCacheManager({ numBlocks: 100, blockSize: 16 });
    expect(kv.watermark).toBe(0.01);
    expect(kv.watermarkBlocks).toBe(1);
    expect(kv.canAdmit(0)).toBe('ok');
    expect(kv.canAdmit(99 * 16)).toBe('ok');
    expect(kv.canAdmit(99 * 16 + 1)).toBe('never');
    kv.addSequence(0, new Array<number>(50 * 16).fill(1));
    expect(kv.canAdmit(49 * 16)).toBe('ok'); // leaves exactly the watermark block
    expect(kv.canAdmit(49 * 16 + 1)).toBe('later');
    kv.free(0);
    expect(kv.canAdmit(49 * 16 + 1)).toBe('ok');
    // the watermark rounds down: 0.01 · 50 blocks = 0 blocks kept
    expect(new KVCacheManager({ numBlocks: 50, blockSize: 1 }).canAdmit(50)).toBe('ok');
    expect(new KVCacheManager({ numBlocks: 50, blockSize: 1, watermark: 0.1 }).canAdmit(46)).toBe('never');
  });

  it('addSequence itself does not apply the watermark (the scheduler does, through canAdmit)', () => {
    const kv = new KVCacheManager({ numBlocks: 100, blockSize: 1 });
    kv.addSequence(0, new Array<number>(100).fill(0));
    expect(kv.numFreeBlocks).toBe(0);
  });
});

describe('KVCacheManager: stats and page tables', () => {
  it('counts live tokens once per physical block and internal fragmentation of held slots', () => {
    const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4 });
    expect(kv.stats()).toMatchObject({ numBlocks: 8, numFreeBlocks: 8, liveTokens: 0, internalFragmentation: 0, numUsedBlocks: 0 });
    kv.addSequence(0, range(5)); // blocks of 4 + 1
    expect(kv.stats()).toMatchObject({ liveTokens: 5, numUsedBlocks: 2, internalFragmentation: 3 / 8, logicalTokens: 5 });
    kv.fork(0, 1); // shares both blocks
    expect(kv.stats()).toMatchObject({ liveTokens: 5, numUsedBlocks: 2, logicalTokens: 10, numSequences: 2 });
    kv.appendToken(1, 9); // copy-on-write: a third block holding 2 tokens
    expect(kv.stats()).toMatchObject({ liveTokens: 7, numUsedBlocks: 3, internalFragmentation: 1 - 7 / 12, logicalTokens: 11 });
    kv.free(0);
    kv.free(1);
    expect(kv.stats()).toMatchObject({ liveTokens: 0, numUsedBlocks: 0, internalFragmentation: 0, numFreeBlocks: 8, logicalTokens: 0 });
  });

  it('toPageTable is FlashInfer CSR: indptr, indices in logical order, last page lengths', () => {
    const kv = new KVCacheManager({ numBlocks: 16, blockSize: 4 });
    kv.addSequence(10, range(9)); // 3 pages, last holds 1
    kv.addSequence(11, range(4)); // 1 page, full
    kv.addSequence(12, []); // no page
    kv.free(10);
    kv.addSequence(13, range(6)); // reuses freed blocks: non-contiguous ids
    const table = kv.toPageTable([11, 13, 12, 11]);
    expect(Array.from(table.indptr)).toEqual([0, 1, 3, 3, 4]);
    expect(Array.from(table.indices)).toEqual([...kv.getBlockTable(11), ...kv.getBlockTable(13), ...kv.getBlockTable(11)]);
    expect(Array.from(table.lastPageLen)).toEqual([4, 2, 0, 4]);
    const empty = kv.toPageTable([]);
    expect(Array.from(empty.indptr)).toEqual([0]);
    expect(empty.indices.length).toBe(0);
  });
});

describe('KVCacheManager: prefix caching', () => {
  it('a shared prefix shorter than one block never hits, and stats() shows a hit rate of 0', () => {
    const kv = new KVCacheManager({ numBlocks: 64, blockSize: 16, enablePrefixCaching: true });
    const shared = range(10, 1000);
    for (let i = 0; i < 5; i++) kv.addSequence(i, [...shared, ...range(30, 100 * i)]); // 40 tokens: 2 full blocks each
    const s = kv.stats();
    expect(s.prefixCacheQueries).toBe(5 * 2);
    expect(s.prefixCacheHits).toBe(0);
    expect(s.prefixCacheHitRate).toBe(0);
    // one full shared block is enough to hit
    const kv2 = new KVCacheManager({ numBlocks: 64, blockSize: 16, enablePrefixCaching: true });
    for (let i = 0; i < 5; i++) kv2.addSequence(i, [...range(16, 1000), ...range(24, 100 * i)]);
    expect(kv2.stats().prefixCacheHits).toBe(4);
    expect(kv2.stats().prefixCacheHitRate).toBeCloseTo(4 / 10, 12);
  });

  it('hashes are chained: equal block tokens after a different prefix do not hit', () => {
    const kv = new KVCacheManager({ numBlocks: 16, blockSize: 4, enablePrefixCaching: true });
    kv.addSequence(0, [1, 1, 1, 1, 2, 2, 2, 2, 9]);
    kv.addSequence(1, [3, 3, 3, 3, 2, 2, 2, 2, 9]); // second block equal, first differs
    expect(kv.getNumCachedTokens(1)).toBe(0);
    kv.addSequence(2, [1, 1, 1, 1, 2, 2, 2, 2, 7]);
    expect(kv.getNumCachedTokens(2)).toBe(8);
    expect(kv.getBlockTable(2).slice(0, 2)).toEqual(kv.getBlockTable(0).slice(0, 2));
    expect(kv.getBlockHash(kv.getBlockTable(1)[1]!)).not.toBe(kv.getBlockHash(kv.getBlockTable(0)[1]!));
  });

  it('blocks filled by decoding are cached too, and the cache is off by default', () => {
    const on = new KVCacheManager({ numBlocks: 8, blockSize: 2, enablePrefixCaching: true });
    on.addSequence(0, [5]);
    on.appendToken(0, 6); // block 0 becomes full and cached
    on.appendToken(0, 7);
    on.free(0);
    on.addSequence(1, [5, 6, 7]);
    expect(on.getNumCachedTokens(1)).toBe(2);
    const off = new KVCacheManager({ numBlocks: 8, blockSize: 2 });
    off.addSequence(0, [5, 6, 7]);
    off.free(0);
    off.addSequence(1, [5, 6, 7]);
    expect(off.getNumCachedTokens(1)).toBe(0);
    expect(off.stats().numCachedBlocks).toBe(0);
  });

  it('evictCachedBlocks drops free cached blocks least recently used first and never touches held ones', () => {
    const kv = new KVCacheManager({ numBlocks: 8, blockSize: 2, enablePrefixCaching: true });
    kv.addSequence(0, [1, 1, 2, 2, 3]); // caches blocks 0, 1
    kv.addSequence(1, [4, 4, 5, 5, 6]); // caches blocks 3, 4
    kv.free(1); // 5, 4, 3 go to the tail
    expect(kv.stats().numCachedBlocks).toBe(4);
    expect(kv.evictCachedBlocks(1)).toBe(1); // the least recently freed cached block: 4
    expect(kv.getBlockHash(4)).toBeNull();
    expect(kv.getBlockHash(3)).not.toBeNull();
    expect(kv.evictCachedBlocks()).toBe(1); // only 3 is left among the free ones; 0, 1 are held
    expect(kv.getBlockHash(0)).not.toBeNull();
    kv.addSequence(2, [4, 4, 5, 5, 6]);
    expect(kv.getNumCachedTokens(2)).toBe(0);
    kv.checkInvariants();
  });
});

describe('KVCacheManager: preemption', () => {
  it('recompute: blocks are released, tokens kept; resume reuses still-cached blocks', () => {
    const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4, enablePrefixCaching: true });
    kv.addSequence(0, range(10));
    kv.appendToken(0, 77);
    expect(kv.preempt(0, 'recompute')).toBe(3);
    expect(kv.numFreeBlocks).toBe(8);
    expect(kv.getPreemptionMode(0)).toBe('recompute');
    expect(kv.getNumTokens(0)).toBe(11);
    expect(kv.getBlockTable(0)).toEqual([]);
    expect(kv.stats()).toMatchObject({ numSequences: 0, numPreempted: 1, logicalTokens: 0 });
    expect(() => kv.appendToken(0, 1)).toThrow(/preempted/);
    expect(() => kv.toPageTable([0])).toThrow(RangeError);
    const r = kv.resume(0);
    expect(r).toEqual({ mode: 'recompute', numTokens: 11, numCachedTokens: 8 });
    expect(Array.from(kv.getTokens(0))).toEqual([...range(10), 77]);
    expect(() => kv.resume(0)).toThrow(/running/);
    kv.checkInvariants();
  });

  it('swap: resume takes fresh blocks for every token and asks for all of them to be copied back', () => {
    const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4, enablePrefixCaching: true });
    kv.addSequence(0, range(10));
    kv.preempt(0, 'swap');
    kv.addSequence(1, range(3, 500)); // takes block 3 (a never-used block first)
    const r = kv.resume(0);
    expect(r).toEqual({ mode: 'swap', numTokens: 10, numCachedTokens: 0 });
    expect(kv.getBlockTable(0)).toHaveLength(3);
    expect(Array.from(kv.getTokens(0))).toEqual(range(10));
    kv.checkInvariants();
  });

  it('a preempted sequence can be freed, and a forked child of a preempted parent is refused', () => {
    const kv = new KVCacheManager({ numBlocks: 4, blockSize: 4 });
    kv.addSequence(0, range(5));
    kv.preempt(0, 'recompute');
    expect(() => kv.fork(0, 1)).toThrow(RangeError);
    kv.free(0);
    expect(kv.hasSequence(0)).toBe(false);
    expect(kv.stats().numPreempted).toBe(0);
    kv.checkInvariants();
  });
});

describe('KVCacheManager: a refused call leaves the manager exactly as it was', () => {
  it('addSequence refused after finding free cached prefix blocks takes none of them', () => {
    const kv = new KVCacheManager({ numBlocks: 6, blockSize: 2, enablePrefixCaching: true });
    kv.addSequence(0, [1, 1, 2, 2, 3, 3, 4]); // 4 blocks, 3 cached
    kv.free(0);
    kv.addSequence(1, [9, 9, 9]); // takes 2 never-used blocks: 4 free left, 3 of them cached
    // 3 hits (all free) + 3 fresh blocks needed, but only 4 − 3 = 1 non-hit free block remains
    expectRefusedUnchanged(kv, [0, 1, 2], () => kv.addSequence(2, [1, 1, 2, 2, 3, 3, 5, 5, 6, 6, 7]), OutOfBlocksError);
    expect(kv.getRefCount(0)).toBe(0);
  });

  it('appendToken refused when the copy-on-write finds no free block', () => {
    const kv = new KVCacheManager({ numBlocks: 2, blockSize: 4 });
    kv.addSequence(0, range(5));
    kv.fork(0, 1);
    const err = expectRefusedUnchanged(kv, [0, 1], () => kv.appendToken(1, 3), OutOfBlocksError) as OutOfBlocksError;
    expect(err.needed).toBe(1);
    expect(err.available).toBe(0);
  });

  it('appendToken refused for a full last block with an empty pool, resume refused for a full pool', () => {
    const kv = new KVCacheManager({ numBlocks: 2, blockSize: 2 });
    kv.addSequence(0, range(2));
    kv.addSequence(1, range(2));
    expectRefusedUnchanged(kv, [0, 1], () => kv.appendToken(0, 5), OutOfBlocksError);
    kv.preempt(1, 'swap');
    kv.appendToken(0, 5); // takes the freed block
    expectRefusedUnchanged(kv, [0, 1], () => kv.resume(1), OutOfBlocksError);
    expect(kv.getPreemptionMode(1)).toBe('swap');
  });

  it('bad ids, modes and tokens are refused before anything changes', () => {
    const kv = new KVCacheManager({ numBlocks: 8, blockSize: 2, enablePrefixCaching: true });
    kv.addSequence(0, range(3));
    const ids = [0, 1, 2];
    expectRefusedUnchanged(kv, ids, () => kv.addSequence(0, [1]), RangeError);
    expectRefusedUnchanged(kv, ids, () => kv.addSequence(1, [1, 2, -3]), RangeError);
    expectRefusedUnchanged(kv, ids, () => kv.addSequence(1, [1, 2.5]), RangeError);
    expectRefusedUnchanged(kv, ids, () => kv.addSequence(1, [1, 2 ** 31]), RangeError);
    expectRefusedUnchanged(kv, ids, () => kv.addSequence(1, [1, '2' as unknown as number]), TypeError);
    expectRefusedUnchanged(kv, ids, () => kv.appendToken(0, -1), RangeError);
    expectRefusedUnchanged(kv, ids, () => kv.appendToken(0, NaN), RangeError);
    expectRefusedUnchanged(kv, ids, () => kv.appendToken(5, 1), RangeError);
    expectRefusedUnchanged(kv, ids, () => kv.fork(0, 0), RangeError);
    expectRefusedUnchanged(kv, ids, () => kv.fork(7, 1), RangeError);
    expectRefusedUnchanged(kv, ids, () => kv.free(1), RangeError);
    expectRefusedUnchanged(kv, ids, () => kv.preempt(0, 'evict' as 'swap'), RangeError);
    expectRefusedUnchanged(kv, ids, () => kv.preempt(0, 1 as unknown as 'swap'), TypeError);
    expectRefusedUnchanged(kv, ids, () => kv.resume(0), RangeError);
    expectRefusedUnchanged(kv, ids, () => kv.toPageTable([0, 3]), RangeError);
  });
});

describe('KVCacheManager: bad input names the function and the argument', () => {
  it('constructor options', () => {
    const make = (options: unknown) => new KVCacheManager(options as never);
    const n = expectBadInputs({
      fn: make,
      fnName: 'KVCacheManager',
      validArgs: () => [{ numBlocks: 4, blockSize: 4 }],
      argNames: ['options'],
      cases: { options: [undefined, null, 3, 'x', [], new Int32Array(2)] },
    });
    expect(n).toBe(6);
    for (const [field, values] of [
      ['numBlocks', [...badNumbers, 0, -1, 1.5, 2 ** 31]],
      ['blockSize', [...badNumbers, 0, 2.5]],
      ['enablePrefixCaching', [1, 'yes', null]],
      ['watermark', ['0.1', NaN, -0.1, 1, 2]],
    ] as const) {
      for (const value of values) {
        expectThrowsNaming(() => make({ numBlocks: 4, blockSize: 4, [field]: value }), 'KVCacheManager', `options.${field}`);
      }
    }
    expectThrowsNaming(() => make({ numBlocks: 2 ** 20, blockSize: 2 ** 11 }), 'KVCacheManager', 'options.numBlocks');
  });

  it('methods', () => {
    const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4 });
    kv.addSequence(0, range(3));
    const badIds = ['0', null, undefined, NaN, -1, 1.5, {}, [0]];
    for (const id of badIds) {
      expectThrowsNaming(() => kv.addSequence(id as number, []), 'KVCacheManager.addSequence', 'seqId');
      expectThrowsNaming(() => kv.appendToken(id as number, 1), 'KVCacheManager.appendToken', 'seqId');
      expectThrowsNaming(() => kv.fork(id as number, 9), 'KVCacheManager.fork', 'parentSeqId');
      expectThrowsNaming(() => kv.fork(0, id as number), 'KVCacheManager.fork', 'childSeqId');
      expectThrowsNaming(() => kv.free(id as number), 'KVCacheManager.free', 'seqId');
      expectThrowsNaming(() => kv.getBlockTable(id as number), 'KVCacheManager.getBlockTable', 'seqId');
      expectThrowsNaming(() => kv.getNumTokens(id as number), 'KVCacheManager.getNumTokens', 'seqId');
      expectThrowsNaming(() => kv.preempt(id as number, 'swap'), 'KVCacheManager.preempt', 'seqId');
      expectThrowsNaming(() => kv.resume(id as number), 'KVCacheManager.resume', 'seqId');
    }
    for (const tokens of [null, undefined, 5, 'abc', {}, [1, null], [NaN], [Infinity]]) {
      expectThrowsNaming(() => kv.addSequence(1, tokens as number[]), 'KVCacheManager.addSequence', 'promptTokens');
    }
    for (const token of [...badNumbers, -1, 0.5, 2 ** 31]) {
      expectThrowsNaming(() => kv.appendToken(0, token as number), 'KVCacheManager.appendToken', 'token');
    }
    for (const n of [...badNumbers, -1, 0.5]) expectThrowsNaming(() => kv.canAdmit(n as number), 'KVCacheManager.canAdmit', 'numTokens');
    for (const b of [...badNumbers, -1, 8, 0.5]) {
      expectThrowsNaming(() => kv.getRefCount(b as number), 'KVCacheManager.getRefCount', 'blockId');
      expectThrowsNaming(() => kv.getBlockHash(b as number), 'KVCacheManager.getBlockHash', 'blockId');
    }
    for (const ids of [null, 0, 'a', { length: 1 }]) expectThrowsNaming(() => kv.toPageTable(ids as number[]), 'KVCacheManager.toPageTable', 'seqIds');
    expectThrowsNaming(() => kv.toPageTable([0, 4]), 'KVCacheManager.toPageTable', 'seqIds[1]');
    for (const m of [-1, 0.5, 'all']) expectThrowsNaming(() => kv.evictCachedBlocks(m as number), 'KVCacheManager.evictCachedBlocks', 'maxBlocks');
    expectThrowsNaming(() => kv.preempt(0, 'drop' as 'swap'), 'KVCacheManager.preempt', 'mode');
    kv.checkInvariants();
  });
});

describe('BlockPool', () => {
  it('allocates from the head, frees to the tail, and keeps ref counts', () => {
    const pool = new BlockPool(4);
    expect([pool.allocate(), pool.allocate()]).toEqual([0, 1]);
    pool.acquire(0);
    expect(pool.refCount(0)).toBe(2);
    pool.release(0);
    expect(pool.numFreeBlocks).toBe(2);
    pool.release(1);
    pool.release(0);
    expect(pool.freeBlockIds()).toEqual([2, 3, 1, 0]);
    expect(() => pool.release(0)).toThrow(RangeError);
    pool.checkInvariants();
    for (let i = 0; i < 4; i++) pool.allocate();
    expect(() => pool.allocate()).toThrow(OutOfBlocksError);
  });

  it('a cached block is reused by lookup and evicted when allocated from the head', () => {
    const pool = new BlockPool(2);
    const b = pool.allocate();
    expect(pool.cacheBlock(b, 12345)).toBe(true);
    expect(pool.cacheBlock(pool.allocate(), 12345)).toBe(false); // the hash already names b
    pool.release(b);
    expect(pool.lookup(12345)).toBe(b);
    pool.acquire(b); // a hit takes it out of the free queue
    expect(pool.numFreeBlocks).toBe(0);
    pool.release(b);
    expect(pool.allocate()).toBe(b); // eviction
    expect(pool.lookup(12345)).toBe(-1);
    expect(pool.blockHash(b)).toBeNull();
    pool.checkInvariants();
    expect(() => new BlockPool(0)).toThrow(RangeError);
    expect(() => new BlockPool('4' as unknown as number)).toThrow(TypeError);
  });
});

describe('purity of the allocator core', () => {
  it('kv-cache-manager.ts and everything it imports import no tfjs', () => {
    const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      expect(text, `${file} imports tfjs`).not.toMatch(/from '@tensorflow|import\('@tensorflow|require\('@tensorflow/);
      for (const m of text.matchAll(/from '(\.[^']+)'/g)) visit(join(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
    };
    for (const entry of ['kv-cache-manager.ts', 'block-pool.ts', 'contiguous-allocators.ts', 'simulate-workload.ts']) visit(join(src, entry));
    expect(seen.size).toBeGreaterThanOrEqual(7);
  });
});
