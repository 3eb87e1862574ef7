/**
 * Scenarios ported from vLLM's block-manager tests (tests/core/block/test_naive_block.py,
 * tests/core/block/test_block_table.py, tests/v1/core/test_prefix_caching.py::test_prefill), rewritten
 * against this package's API. Where vLLM tests an internal (a bare block allocator, a BlockTable object),
 * the port drives the same steps through KVCacheManager: one sequence per allocated block, and so on.
 * Pure allocator logic: Node lane only (no tensors, nothing backend-specific).
 */
import { describe, expect, it } from 'vitest';
import { KVCacheManager, OutOfBlocksError } from '../src/index.js';
import { range } from './helpers.js';

const cdiv = (a: number, b: number): number => Math.ceil(a / b);

describe('vLLM test_naive_block.py', () => {
  // vLLM allocates "immutable" (full, with token ids) and "mutable" (empty, to append into) blocks; here a
  // full block is a one-block prompt and a mutable one is a sequence whose first token takes the block.
  const kinds = ['full', 'mutable'] as const;
  const allocateOne = (kv: KVCacheManager, id: number, kind: (typeof kinds)[number]): void => {
    if (kind === 'full') {
      kv.addSequence(id, range(kv.blockSize, id * kv.blockSize));
    } else {
      kv.addSequence(id, []);
      kv.appendToken(id, id);
    }
  };

  for (const kind of kinds) {
    for (const numBlocks of [1, 1024]) {
      for (const blockSize of [1, 16]) {
        for (const enablePrefixCaching of [false, true]) {
          const name = `${kind} blocks, numBlocks ${numBlocks}, blockSize ${blockSize}, prefix caching ${enablePrefixCaching}`;
          it(`test_allocate_ooms: the (N+1)-th allocation raises (${name})`, () => {
            const kv = new KVCacheManager({ numBlocks, blockSize, enablePrefixCaching });
            for (let i = 0; i < numBlocks; i++) allocateOne(kv, i, kind);
            expect(() => allocateOne(kv, numBlocks, 'full')).toThrow(OutOfBlocksError);
            kv.addSequence(numBlocks + 1, []); // an empty sequence needs no block
            expect(() => kv.appendToken(numBlocks + 1, 0)).toThrow(OutOfBlocksError);
            kv.checkInvariants();
          });

          it(`test_free_prevents_oom: free then allocate returns the same id (${name})`, () => {
            const kv = new KVCacheManager({ numBlocks, blockSize, enablePrefixCaching });
            for (let i = 0; i < numBlocks; i++) allocateOne(kv, i, kind);
            expect(() => allocateOne(kv, numBlocks, kind)).toThrow(OutOfBlocksError);
            let holder = numBlocks - 1;
            let next = numBlocks + 1;
            for (let round = 0; round < 100; round++) {
              const [block] = kv.getBlockTable(holder);
              kv.free(holder);
              allocateOne(kv, next, kind);
              expect(kv.getBlockTable(next)).toEqual([block]);
              expect(() => allocateOne(kv, next + 1, kind)).toThrow(OutOfBlocksError);
              holder = next;
              next += 2;
            }
            kv.checkInvariants();
          });
        }
      }
    }

    it(`test_get_num_free_blocks: the free count drops by one per allocation (${kind})`, () => {
      const kv = new KVCacheManager({ numBlocks: 1024, blockSize: 16 });
      expect(kv.numFreeBlocks).toBe(1024);
      for (let i = 0; i < 1024; i++) {
        expect(kv.numFreeBlocks).toBe(1024 - i);
        allocateOne(kv, i, kind);
      }
      for (let i = 0; i < 1024; i++) {
        expect(kv.numFreeBlocks).toBe(i);
        kv.free(i);
      }
      expect(kv.numFreeBlocks).toBe(1024);
    });
  }
});

describe('vLLM test_block_table.py', () => {
  const numBlocks = 1024;

  for (const sequenceLen of [1, 16, 129]) {
    it(`test_allocate_naive: exact free counts, 5 sequences of ${sequenceLen} tokens`, () => {
      const kv = new KVCacheManager({ numBlocks, blockSize: 16 });
      const perSeq = cdiv(sequenceLen, 16);
      for (let i = 0; i < 5; i++) {
        expect(kv.numFreeBlocks).toBe(numBlocks - i * perSeq);
        kv.addSequence(i, range(sequenceLen));
      }
      expect(kv.numFreeBlocks).toBe(numBlocks - 5 * perSeq);
    });

    it(`test_allocate_prefix_caching: identical prompts share their full blocks (${sequenceLen} tokens)`, () => {
      // vLLM v1 rule (kept here): at most n − 1 prompt tokens can hit, so the last prompt token is always
      // computed. A 16-token prompt therefore cannot reuse its single full block (vLLM v0's test, written
      // before that rule, expects it shared); 129 tokens share 8 full blocks and 1 token shares nothing.
      const kv = new KVCacheManager({ numBlocks, blockSize: 16, enablePrefixCaching: true });
      const hittable = Math.floor((sequenceLen - 1) / 16);
      const own = cdiv(sequenceLen, 16) - hittable;
      for (let i = 1; i <= 5; i++) {
        kv.addSequence(i, range(sequenceLen));
        expect(kv.numFreeBlocks).toBe(numBlocks - (hittable + own * i));
        expect(kv.getNumCachedTokens(i)).toBe(i === 1 ? 0 : hittable * 16);
      }
      kv.checkInvariants();
    });

    for (const enablePrefixCaching of [false, true]) {
      it(`test_allocate_free: allocate and free 5 times (${sequenceLen} tokens, prefix caching ${enablePrefixCaching})`, () => {
        const kv = new KVCacheManager({ numBlocks, blockSize: 16, enablePrefixCaching });
        for (let i = 0; i < 5; i++) {
          kv.addSequence(i, range(sequenceLen));
          expect(kv.numFreeBlocks).toBe(numBlocks - cdiv(sequenceLen, 16));
          expect(kv.getBlockTable(i).every((b) => Number.isInteger(b))).toBe(true);
          kv.free(i);
          expect(kv.numFreeBlocks).toBe(numBlocks);
        }
      });
    }
  }

  for (const blockSize of [1, 8]) {
    for (const sequenceLen of [1, 16, 129]) {
      for (const appendLen of [1, 16, 129]) {
        for (const enablePrefixCaching of [false, true]) {
          it(`test_append_token_ids_allocation (block ${blockSize}, ${sequenceLen} + ${appendLen} tokens, prefix caching ${enablePrefixCaching})`, () => {
            const kv = new KVCacheManager({ numBlocks, blockSize, enablePrefixCaching });
            kv.addSequence(0, range(sequenceLen));
            expect(kv.getBlockTable(0)).toHaveLength(cdiv(sequenceLen, blockSize));
            for (const t of range(appendLen)) kv.appendToken(0, t);
            expect(kv.getBlockTable(0)).toHaveLength(cdiv(sequenceLen + appendLen, blockSize));
            expect(Array.from(kv.getTokens(0))).toEqual([...range(sequenceLen), ...range(appendLen)]);
          });
        }
      }
    }
  }

  for (const seqLen of [1, 9, 129]) {
    for (const blockSize of [1, 8]) {
      for (const enablePrefixCaching of [false, true]) {
        it(`test_fork: no new blocks; freeing the parent keeps the child (${seqLen} tokens, block ${blockSize}, prefix caching ${enablePrefixCaching})`, () => {
          const kv = new KVCacheManager({ numBlocks, blockSize, enablePrefixCaching });
          kv.addSequence(0, range(seqLen));
          const freeBeforeFork = kv.numFreeBlocks;
          kv.fork(0, 1);
          expect(kv.getBlockTable(1)).toEqual(kv.getBlockTable(0));
          expect(kv.getTokens(1)).toEqual(kv.getTokens(0));
          expect(kv.numFreeBlocks).toBe(freeBeforeFork);
          const childTable = kv.getBlockTable(1);
          kv.free(0);
          expect(kv.numFreeBlocks).toBe(freeBeforeFork);
          expect(kv.getBlockTable(1)).toEqual(childTable);
          for (const b of childTable) expect(kv.getRefCount(b)).toBe(1);
          kv.free(1);
          expect(kv.numFreeBlocks).toBe(numBlocks);
          kv.checkInvariants();
        });
      }
    }
  }

  for (const sequenceLen of [1, 16, 129]) {
    for (const appendLen of [1, 16, 129]) {
      for (const appender of ['forked', 'original'] as const) {
        for (const enablePrefixCaching of [false, true]) {
          it(`test_cow: a copy-on-write pair appears only for a partial shared last block (${sequenceLen} + ${appendLen}, ${appender} appends, prefix caching ${enablePrefixCaching})`, () => {
            const blockSize = 8;
            const kv = new KVCacheManager({ numBlocks, blockSize, enablePrefixCaching });
            const nonCow = cdiv(sequenceLen, blockSize);
            const cowBlocks = cdiv(sequenceLen + appendLen, blockSize) - Math.floor(sequenceLen / blockSize);
            kv.addSequence(0, range(sequenceLen));
            const original = kv.getBlockTable(0);
            kv.fork(0, 1);
            expect(kv.numFreeBlocks).toBe(numBlocks - nonCow);
            const [writer, other] = appender === 'forked' ? [1, 0] : [0, 1];
            const copies = range(appendLen)
              .map((t) => kv.appendToken(writer, t))
              .filter((c) => c !== null);
            expect(kv.getBlockTable(other)).toEqual(original);
            expect(kv.getBlockTable(writer)).not.toEqual(original);
            expect(kv.numFreeBlocks).toBe(numBlocks - (nonCow + cowBlocks));
            if (sequenceLen % blockSize > 0) {
              const index = Math.floor(sequenceLen / blockSize);
              expect(copies).toEqual([{ copyFrom: kv.getBlockTable(other)[index], copyTo: kv.getBlockTable(writer)[index] }]);
            } else {
              expect(copies).toEqual([]);
            }
            expect(Array.from(kv.getTokens(other))).toEqual(range(sequenceLen));
            expect(Array.from(kv.getTokens(writer))).toEqual([...range(sequenceLen), ...range(appendLen)]);
            kv.checkInvariants();
            kv.free(other);
            kv.free(writer);
            expect(kv.numFreeBlocks).toBe(numBlocks);
          });
        }
      }
    }
  }
});

describe('vLLM v1 test_prefix_caching.py::test_prefill', () => {
  it('hits 3 full blocks with ref count 2, frees in LRU order, and evicts in that order', () => {
    // vLLM's pool has 11 blocks of which block 0 is a reserved null block; ours has no null block, so the
    // same 10 usable blocks are 0..9 and every expected id is vLLM's minus one.
    const kv = new KVCacheManager({ numBlocks: 10, blockSize: 16, enablePrefixCaching: true });
    const common = [...new Array<number>(16).fill(0), ...new Array<number>(16).fill(1), ...new Array<number>(16).fill(2)];

    // Full cache miss: 3 full blocks + 7 tokens.
    kv.addSequence(0, [...common, ...new Array<number>(7).fill(3)]);
    expect(kv.getNumCachedTokens(0)).toBe(0);
    expect(kv.getBlockTable(0)).toEqual([0, 1, 2, 3]);
    const hashes = [0, 1, 2].map((b) => kv.getBlockHash(b));
    expect(hashes.every((h) => h !== null)).toBe(true);
    expect(new Set(hashes).size).toBe(3);
    expect(kv.getBlockHash(3)).toBeNull(); // the partial block carries no hash
    for (const b of [0, 1, 2, 3]) expect(kv.getRefCount(b)).toBe(1);

    // Cache hit in the common prefix while the first request still holds it: 3 blocks + 5 tokens.
    kv.addSequence(1, [...common, ...new Array<number>(5).fill(3)]);
    expect(kv.getNumCachedTokens(1)).toBe(3 * 16);
    expect(kv.getBlockTable(1)).toEqual([0, 1, 2, 4]);
    for (const b of [0, 1, 2]) expect(kv.getRefCount(b)).toBe(2);
    expect(kv.numFreeBlocks).toBe(5);

    kv.free(0);
    kv.free(1);
    expect(kv.numFreeBlocks).toBe(10);
    // never used (5..9), then request 0's own block, request 1's own block, then the common blocks
    // freed tail first.
    expect(kv.freeBlockIds()).toEqual([5, 6, 7, 8, 9, 3, 4, 2, 1, 0]);

    // Cache hit while the common blocks are free (but still cached): 3 blocks + 6 tokens.
    kv.addSequence(2, [...common, ...new Array<number>(6).fill(3)]);
    expect(kv.getNumCachedTokens(2)).toBe(3 * 16);
    expect(kv.getBlockTable(2)).toEqual([0, 1, 2, 5]);
    expect(kv.numFreeBlocks).toBe(6);
    expect(kv.freeBlockIds()).toEqual([6, 7, 8, 9, 3, 4]);
    for (const b of kv.freeBlockIds()) expect(kv.getRefCount(b)).toBe(0);
    kv.free(2);

    // Cache miss and eviction: the block ids handed out are the eviction order.
    kv.addSequence(3, new Array<number>(16 * 10).fill(99));
    expect(kv.getNumCachedTokens(3)).toBe(0);
    expect(kv.getBlockTable(3)).toEqual([6, 7, 8, 9, 3, 4, 5, 2, 1, 0]);
    expect(kv.numFreeBlocks).toBe(0);
    expect(kv.freeBlockIds()).toEqual([]);
    // The common prefix is gone from the cache: its blocks now carry request 3's hashes.
    for (const h of hashes) expect(Array.from({ length: 10 }, (_, b) => kv.getBlockHash(b))).not.toContain(h);

    // Queries and hits count blocks: each prompt looks up its full blocks short of the last token.
    const stats = kv.stats();
    expect(stats.prefixCacheQueries).toBe(3 + 3 + 3 + 9);
    expect(stats.prefixCacheHits).toBe(3 + 3);
    kv.checkInvariants();
  });
});
