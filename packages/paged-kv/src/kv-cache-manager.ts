import { BlockPool } from './block-pool.js';
import { OutOfBlocksError } from './errors.js';
import { booleanArg, choiceArg, integerArg, numberArg, optionsArg, tokensArg, MAX_TOKEN, describe } from './internal/check.js';
import { ROOT_HASH, hashBlockTokens } from './internal/hash.js';

/** Options of {@link KVCacheManager}. */
export interface KVCacheManagerOptions {
  /** Number of physical KV blocks in the pool, an integer ≥ 1. */
  numBlocks: number;
  /** Tokens per block, an integer ≥ 1 (vLLM's default on GPUs is 16). */
  blockSize: number;
  /**
   * Reuse the K/V of full prompt blocks that an earlier sequence computed (chained block hashes, LRU
   * eviction of free cached blocks). Default false.
   */
  enablePrefixCaching?: boolean;
  /**
   * Fraction of the pool that {@link KVCacheManager.canAdmit} keeps free when admitting new sequences,
   * so running sequences can still grow; `floor(watermark · numBlocks)` blocks, as vLLM. Default 0.01.
   */
  watermark?: number;
}

/** A copy-on-write instruction: copy the K/V of block `copyFrom` into block `copyTo` before writing. */
export interface CopyOnWrite {
  /** The shared block that the other holders keep. */
  copyFrom: number;
  /** The new block the appending sequence now owns. */
  copyTo: number;
}

/** What {@link KVCacheManager.stats} reports. */
export interface KVCacheStats {
  /** Physical blocks in the pool. */
  numBlocks: number;
  /** Blocks no live sequence holds (cached-but-evictable blocks count as free). */
  numFreeBlocks: number;
  /** Tokens stored in held blocks (a block shared by several sequences counts once). */
  liveTokens: number;
  /** Fraction of the token slots of held blocks that hold no token (0 when nothing is held). */
  internalFragmentation: number;
  /** Full prompt blocks looked up in the prefix cache, summed over admissions and recompute resumes. */
  prefixCacheQueries: number;
  /** Of those, the blocks found (their K/V reused). */
  prefixCacheHits: number;
  /** prefixCacheHits / prefixCacheQueries, 0 before any query. */
  prefixCacheHitRate: number;
  /** Blocks at least one live sequence holds. */
  numUsedBlocks: number;
  /** Blocks that carry a prefix-cache hash (held or evictable). */
  numCachedBlocks: number;
  /** Sum of the sequences' token counts (shared blocks count once per sequence). */
  logicalTokens: number;
  /** Running sequences. */
  numSequences: number;
  /** Preempted sequences waiting for {@link KVCacheManager.resume}. */
  numPreempted: number;
}

/** The FlashInfer / vLLM page table of a batch in CSR form (see {@link KVCacheManager.toPageTable}). */
export interface PageTable {
  /** `[numSeqs + 1]`: sequence i's pages are `indices[indptr[i] .. indptr[i + 1])` (FlashInfer `kv_indptr`). */
  indptr: Int32Array;
  /** `[indptr[numSeqs]]`: physical block ids, each sequence's in logical order (`kv_indices`). */
  indices: Int32Array;
  /** `[numSeqs]`: tokens in each sequence's last page, in [1, blockSize]; 0 for an empty sequence (`kv_last_page_len`). */
  lastPageLen: Int32Array;
}

/** What {@link KVCacheManager.resume} tells the caller to restore. */
export interface ResumeResult {
  /** How the sequence was preempted. */
  mode: 'recompute' | 'swap';
  /** The sequence's tokens. */
  numTokens: number;
  /**
   * Leading tokens whose K/V are already in the pool (prefix-cache hits, recompute mode only). The caller
   * recomputes the K/V of tokens `[numCachedTokens, numTokens)` (recompute) or copies every block back
   * with `PagedKVStore.swapIn` (swap, where this is 0).
   */
  numCachedTokens: number;
}

interface Sequence {
  table: number[];
  numTokens: number;
  /** Chained hash of each full block (prefix caching only). */
  hashes: number[];
  numCachedTokens: number;
  preempted: 'recompute' | 'swap' | null;
  /** Tokens of a preempted sequence (its blocks are gone). */
  saved: Int32Array | null;
}

const FN = 'KVCacheManager';

// Package-internal access to a manager's live tables (no static block: bundlers could not drop the class).
const tableViews = new WeakMap<KVCacheManager, (seqId: number, fn: string, arg: string) => readonly number[]>();

/** @internal The live block table of a running sequence, without a copy (for the store and attention). */
export function liveBlockTable(manager: KVCacheManager, seqId: number, fn: string, arg = 'seqId'): readonly number[] {
  return tableViews.get(manager)!(seqId, fn, arg);
}

/**
 * A paged KV-cache manager: the block tables, ref counts, copy-on-write, prefix cache, admission and
 * preemption of vLLM's block manager, in plain TypeScript (no tfjs), for a JavaScript inference loop.
 *
 * A sequence's K/V live in fixed-size blocks of `blockSize` token slots; its block table maps logical
 * block i (tokens `[i·blockSize, (i + 1)·blockSize)`) to a physical block. Only the last block of a
 * sequence can be partly empty, so at most `blockSize − 1` slots per sequence are wasted, and any free
 * block serves any sequence: no external fragmentation. {@link KVCacheManager.fork} shares blocks by ref
 * count; the first append to a shared partial block copies it ({@link CopyOnWrite}). With prefix caching,
 * each full block is keyed by a hash chained over all tokens up to it, so a new prompt that starts with
 * the same full blocks reuses their K/V. Freed blocks stay cached until the pool needs them: allocation
 * takes free uncached blocks first and then evicts cached ones least recently used first (vLLM v1 keeps
 * one queue for both, which can evict a cached block while an uncached one is free).
 *
 * Every method validates first; a refused call throws and leaves the manager exactly as it was:
 * `OutOfBlocksError` when the pool cannot serve it, `RangeError` for an unknown or duplicate `seqId`, a
 * preempted sequence or a bad token, `TypeError` for a value of the wrong kind. Block allocation and
 * release are O(1); `addSequence`, `fork`, `free` are O(blocks of the sequence).
 *
 * @example
 * ```ts
 * import { KVCacheManager } from '@prep/paged-kv';
 * const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4 });
 * kv.addSequence(1, [11, 12, 13, 14, 15]);    // 2 blocks: [0, 1]
 * kv.fork(1, 2);                              // shares both, no new block
 * const cow = kv.appendToken(2, 16);          // last block is shared and partial
 * cow;                                        // { copyFrom: 1, copyTo: 2 }
 * kv.getBlockTable(2);                        // [0, 2]
 * kv.toPageTable([1, 2]).lastPageLen;         // Int32Array [1, 2]
 * ```
 */
export class KVCacheManager {
  /** Physical blocks in the pool. */
  readonly numBlocks: number;
  /** Tokens per block. */
  readonly blockSize: number;
  /** Whether full prompt blocks are reused through the prefix cache. */
  readonly enablePrefixCaching: boolean;
  /** Fraction of the pool kept free at admission. */
  readonly watermark: number;
  /** `floor(watermark · numBlocks)`: blocks {@link KVCacheManager.canAdmit} keeps free. */
  readonly watermarkBlocks: number;

  readonly #pool: BlockPool;
  /** Token ids per physical slot, `[numBlocks · blockSize]`. */
  readonly #tokens: Int32Array;
  /** Filled slots per physical block. */
  readonly #fill: Int32Array;
  /** For a cached block: the physical block before it in the sequence that cached it (-1 for a first block). */
  readonly #parent: Int32Array;
  readonly #seqs = new Map<number, Sequence>();
  #filledInUsed = 0;
  #logicalTokens = 0;
  #numPreempted = 0;
  #queries = 0;
  #hits = 0;

  /**
   * @param options - `numBlocks`, `blockSize`, `enablePrefixCaching` (default false), `watermark`
   *   (default 0.01); see {@link KVCacheManagerOptions}
   * @throws TypeError when options or a field has the wrong kind; RangeError when numBlocks or blockSize
   *   is not a positive integer, numBlocks · blockSize exceeds 2³⁰, or watermark is outside [0, 1)
   */
  constructor(options: KVCacheManagerOptions) {
    if (options === undefined) throw new TypeError(`${FN}: 'options' must be an object with numBlocks and blockSize; got undefined`);
    const opts = optionsArg<KVCacheManagerOptions>(options, FN);
    this.numBlocks = integerArg(opts.numBlocks, FN, 'options.numBlocks', 1, 2 ** 30);
    this.blockSize = integerArg(opts.blockSize, FN, 'options.blockSize', 1, 2 ** 20);
    if (this.numBlocks * this.blockSize > 2 ** 30) {
      throw new RangeError(`${FN}: 'options.numBlocks' · 'options.blockSize' must be ≤ 2^30 token slots; got ${this.numBlocks * this.blockSize}`);
    }
    this.enablePrefixCaching = booleanArg(opts.enablePrefixCaching, FN, 'options.enablePrefixCaching', false);
    this.watermark = opts.watermark === undefined ? 0.01 : numberArg(opts.watermark, FN, 'options.watermark', 0, 1);
    if (this.watermark >= 1) throw new RangeError(`${FN}: 'options.watermark' must be in [0, 1); got ${this.watermark}`);
    this.watermarkBlocks = Math.floor(this.watermark * this.numBlocks);
    this.#pool = new BlockPool(this.numBlocks);
    this.#tokens = new Int32Array(this.numBlocks * this.blockSize);
    this.#fill = new Int32Array(this.numBlocks);
    this.#parent = new Int32Array(this.numBlocks).fill(-1);
    tableViews.set(this, (seqId, fn, arg) => this.#running(seqId, fn, arg).table);
  }

  /** Blocks no live sequence holds (cached-but-evictable blocks count as free). */
  get numFreeBlocks(): number {
    return this.#pool.numFreeBlocks;
  }

  /** Ids of the running sequences, in insertion order. */
  get sequenceIds(): number[] {
    const out: number[] = [];
    for (const [id, s] of this.#seqs) if (!s.preempted) out.push(id);
    return out;
  }

  /**
   * Whether a new sequence of `numTokens` tokens can be admitted now: `'ok'` when its blocks fit and
   * leave at least `watermarkBlocks` free, `'later'` when they would fit in an emptier pool, `'never'`
   * when even an empty pool minus the watermark is too small (vLLM's `AllocStatus`). Prefix-cache hits
   * are not counted in advance.
   * @param numTokens - the sequence's tokens (an integer ≥ 0)
   * @returns `'ok'`, `'later'` or `'never'`
   * @throws TypeError / RangeError for a bad numTokens
   * @example
   * ```ts
   * const kv = new KVCacheManager({ numBlocks: 100, blockSize: 16 }); // watermark: 1 block
   * kv.canAdmit(99 * 16); // 'ok'
   * kv.canAdmit(100 * 16); // 'never': would leave no block for the watermark
   * ```
   */
  canAdmit(numTokens: number): 'ok' | 'later' | 'never' {
    integerArg(numTokens, `${FN}.canAdmit`, 'numTokens');
    const needed = Math.ceil(numTokens / this.blockSize);
    if (this.numBlocks - needed < this.watermarkBlocks) return 'never';
    return this.#pool.numFreeBlocks - needed >= this.watermarkBlocks ? 'ok' : 'later';
  }

  /**
   * Adds a running sequence with its prompt: takes `ceil(n / blockSize)` blocks, reusing cached full
   * prefix blocks when prefix caching is on. As vLLM, at most `n − 1` prompt tokens can hit, so the last
   * prompt token is always computed (its logits are needed). Does not apply the watermark: ask
   * {@link KVCacheManager.canAdmit} first when scheduling.
   * @param seqId - a new sequence id (a safe integer ≥ 0)
   * @param promptTokens - token ids (integers in [0, 2³¹ − 1]); may be empty
   * @throws RangeError for a duplicate seqId or a bad token; TypeError for a wrong kind; OutOfBlocksError
   *   when the pool has too few free blocks (nothing changes)
   * @example
   * ```ts
   * const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4, enablePrefixCaching: true });
   * kv.addSequence(0, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
   * kv.addSequence(1, [1, 2, 3, 4, 5, 6, 7, 8, 42]); // reuses the two full blocks
   * kv.getNumCachedTokens(1); // 8
   * ```
   */
  addSequence(seqId: number, promptTokens: ArrayLike<number>): void {
    const fn = `${FN}.addSequence`;
    this.#newId(seqId, fn, 'seqId');
    const tokens = tokensArg(promptTokens, fn, 'promptTokens');
    const seq = this.#admit(tokens, true, fn);
    this.#seqs.set(seqId, seq);
  }

  /**
   * Appends one generated token. Takes a new block when the last one is full; when the last block is
   * partial and shared (after {@link KVCacheManager.fork}), copies it first: the appending sequence gets
   * the new block, the others keep the old one.
   * @param seqId - a running sequence
   * @param token - the token id
   * @returns null, or the {@link CopyOnWrite} whose K/V the caller must copy (`PagedKVStore.copyBlock`)
   *   before writing the new token's K/V
   * @throws RangeError for an unknown or preempted seqId or a bad token; OutOfBlocksError when a block is
   *   needed and none is free (nothing changes)
   * @example
   * ```ts
   * const kv = new KVCacheManager({ numBlocks: 4, blockSize: 2 });
   * kv.addSequence(0, [7]);
   * kv.appendToken(0, 8); // null: fills block 0
   * kv.appendToken(0, 9); // null: takes block 1
   * kv.getBlockTable(0);  // [0, 1]
   * ```
   */
  appendToken(seqId: number, token: number): CopyOnWrite | null {
    const fn = `${FN}.appendToken`;
    const seq = this.#running(seqId, fn, 'seqId');
    if (typeof token !== 'number') throw new TypeError(`${fn}: 'token' must be a number; got ${describe(token)}`);
    if (!Number.isInteger(token) || token < 0 || token > MAX_TOKEN) {
      throw new RangeError(`${fn}: 'token' must be a token id, an integer in [0, ${MAX_TOKEN}]; got ${token}`);
    }
    const bs = this.blockSize;
    const offset = seq.numTokens % bs;
    const table = seq.table;
    let copy: CopyOnWrite | null = null;
    let block: number;
    if (offset === 0) {
      if (this.#pool.numFreeBlocks === 0) throw new OutOfBlocksError(`${fn}: sequence ${seqId} needs a new block and none is free`, 1, 0);
      block = this.#allocate();
      table.push(block);
    } else {
      block = table[table.length - 1]!;
      if (this.#pool.refCount(block) > 1) {
        if (this.#pool.numFreeBlocks === 0) {
          throw new OutOfBlocksError(`${fn}: sequence ${seqId} must copy its shared last block and no block is free`, 1, 0);
        }
        const fresh = this.#allocate();
        this.#tokens.copyWithin(fresh * bs, block * bs, block * bs + offset);
        this.#fill[fresh] = offset;
        this.#filledInUsed += offset;
        this.#pool.release(block); // still held by the others: ref ≥ 1
        table[table.length - 1] = fresh;
        copy = { copyFrom: block, copyTo: fresh };
        block = fresh;
      }
    }
    this.#tokens[block * bs + offset] = token;
    this.#fill[block]!++;
    this.#filledInUsed++;
    this.#logicalTokens++;
    seq.numTokens++;
    if (offset === bs - 1 && this.enablePrefixCaching) this.#cacheFullBlock(seq, table.length - 1);
    return copy;
  }

  /**
   * Forks a running sequence (parallel sampling, beam search): the child shares every block of the
   * parent, ref counts go up, no block is taken. Later appends copy a shared partial block on write.
   * @param parentSeqId - a running sequence
   * @param childSeqId - a new sequence id
   * @throws RangeError for an unknown or preempted parent or an existing child id
   * @example
   * ```ts
   * const kv = new KVCacheManager({ numBlocks: 4, blockSize: 4 });
   * kv.addSequence(0, [1, 2, 3, 4, 5]);
   * kv.fork(0, 1);
   * kv.numFreeBlocks; // 2: the fork took nothing
   * ```
   */
  fork(parentSeqId: number, childSeqId: number): void {
    const fn = `${FN}.fork`;
    const parent = this.#running(parentSeqId, fn, 'parentSeqId');
    this.#newId(childSeqId, fn, 'childSeqId');
    for (const b of parent.table) this.#pool.acquire(b);
    this.#seqs.set(childSeqId, {
      table: parent.table.slice(),
      numTokens: parent.numTokens,
      hashes: parent.hashes.slice(),
      numCachedTokens: parent.numTokens,
      preempted: null,
      saved: null,
    });
    this.#logicalTokens += parent.numTokens;
  }

  /**
   * Frees a sequence (running or preempted): its blocks lose a holder, and blocks nobody holds go to the
   * tail of the free queue in reverse table order (so a sequence's last blocks are evicted first, as
   * vLLM), keeping their cached hashes.
   * @param seqId - a known sequence
   * @throws RangeError for an unknown seqId
   * @example
   * ```ts
   * const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4 });
   * kv.addSequence(0, [1, 2, 3, 4, 5]); // 5 tokens: 2 blocks
   * kv.numFreeBlocks;                   // 6
   * kv.free(0);
   * kv.numFreeBlocks;                   // 8
   * ```
   */
  free(seqId: number): void {
    const fn = `${FN}.free`;
    const seq = this.#known(seqId, fn, 'seqId');
    if (seq.preempted) {
      this.#numPreempted--;
    } else {
      this.#releaseTable(seq.table);
      this.#logicalTokens -= seq.numTokens;
    }
    this.#seqs.delete(seqId);
  }

  /**
   * Preempts a running sequence to make room: its blocks are released (as {@link KVCacheManager.free})
   * and its tokens are kept. `'recompute'`: on {@link KVCacheManager.resume} the K/V are recomputed
   * (prefix-cache hits excepted). `'swap'`: call `PagedKVStore.swapOut` before this, and
   * `PagedKVStore.swapIn` after `resume`, to copy the K/V out and back. Either way the sequence decodes
   * afterwards exactly as if it had never been preempted. Blocks it shared (after a fork or a prefix hit)
   * stay with their other holders; on resume it gets blocks of its own (recompute mode can share full
   * blocks again through the prefix cache).
   * @param seqId - a running sequence
   * @param mode - `'recompute'` or `'swap'`
   * @returns the number of blocks that became free
   * @throws RangeError for an unknown or already preempted seqId or an unknown mode; TypeError for a
   *   mode that is not a string
   * @example
   * ```ts
   * const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4 });
   * kv.addSequence(0, [1, 2, 3, 4, 5, 6]);
   * kv.preempt(0, 'recompute'); // 2 blocks freed
   * kv.getNumTokens(0);         // 6: the tokens are kept
   * kv.getBlockTable(0);        // []
   * ```
   */
  preempt(seqId: number, mode: 'recompute' | 'swap'): number {
    const fn = `${FN}.preempt`;
    const seq = this.#running(seqId, fn, 'seqId');
    choiceArg(mode, fn, 'mode', ['recompute', 'swap'] as const);
    const saved = this.#readTokens(seq);
    const before = this.#pool.numFreeBlocks;
    this.#releaseTable(seq.table);
    this.#logicalTokens -= seq.numTokens;
    seq.table = [];
    seq.hashes = [];
    seq.saved = saved;
    seq.preempted = mode;
    this.#numPreempted++;
    return this.#pool.numFreeBlocks - before;
  }

  /**
   * Brings a preempted sequence back: takes blocks for all its tokens again (recompute mode reuses
   * prefix-cache hits). Does not apply the watermark: ask {@link KVCacheManager.canAdmit} first.
   * @param seqId - a preempted sequence
   * @returns which K/V the caller must restore ({@link ResumeResult})
   * @throws RangeError for an unknown or running seqId; OutOfBlocksError when the pool is too full
   *   (the sequence stays preempted)
   * @example
   * ```ts
   * const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4 });
   * kv.addSequence(0, [1, 2, 3, 4, 5, 6]);
   * kv.preempt(0, 'recompute');
   * kv.resume(0);               // { mode: 'recompute', numTokens: 6, numCachedTokens: 0 }: recompute all 6
   * kv.getBlockTable(0).length; // 2
   * ```
   */
  resume(seqId: number): ResumeResult {
    const fn = `${FN}.resume`;
    const seq = this.#known(seqId, fn, 'seqId');
    if (!seq.preempted) throw new RangeError(`${fn}: 'seqId' ${seqId} is running, not preempted`);
    const mode = seq.preempted;
    const restored = this.#admit(seq.saved!, mode === 'recompute', fn);
    this.#seqs.set(seqId, restored);
    this.#numPreempted--;
    return { mode, numTokens: restored.numTokens, numCachedTokens: restored.numCachedTokens };
  }

  /**
   * The physical block ids of a sequence, logical block i at index i (a copy). A preempted sequence
   * holds none.
   * @throws RangeError for an unknown seqId
   * @example
   * ```ts
   * const kv = new KVCacheManager({ numBlocks: 4, blockSize: 4 });
   * kv.addSequence(7, [9, 9, 9, 9, 9]);
   * kv.getBlockTable(7); // [0, 1]
   * ```
   */
  getBlockTable(seqId: number): readonly number[] {
    return this.#known(seqId, `${FN}.getBlockTable`, 'seqId').table.slice();
  }

  /**
   * The number of tokens of a sequence (running or preempted).
   * @throws RangeError for an unknown seqId
   * @example
   * ```ts
   * const kv = new KVCacheManager({ numBlocks: 4, blockSize: 4 });
   * kv.addSequence(7, [9, 9, 9, 9, 9]);
   * kv.appendToken(7, 3);
   * kv.getNumTokens(7); // 6
   * ```
   */
  getNumTokens(seqId: number): number {
    const seq = this.#known(seqId, `${FN}.getNumTokens`, 'seqId');
    return seq.preempted ? seq.saved!.length : seq.numTokens;
  }

  /**
   * The token ids of a sequence (a copy).
   * @throws RangeError for an unknown seqId
   */
  getTokens(seqId: number): Int32Array {
    const seq = this.#known(seqId, `${FN}.getTokens`, 'seqId');
    return seq.preempted ? seq.saved!.slice() : this.#readTokens(seq);
  }

  /**
   * Leading tokens of a running sequence whose K/V were already in the pool when it was added, resumed
   * or forked (prefix-cache hits; all of the parent's tokens for a fork). The caller computes the K/V of
   * the tokens after them.
   * @throws RangeError for an unknown or preempted seqId
   */
  getNumCachedTokens(seqId: number): number {
    return this.#running(seqId, `${FN}.getNumCachedTokens`, 'seqId').numCachedTokens;
  }

  /** Whether a sequence exists (running or preempted). */
  hasSequence(seqId: number): boolean {
    return this.#seqs.has(seqId);
  }

  /**
   * How a sequence is preempted, or null when it is running.
   * @throws RangeError for an unknown seqId
   */
  getPreemptionMode(seqId: number): 'recompute' | 'swap' | null {
    return this.#known(seqId, `${FN}.getPreemptionMode`, 'seqId').preempted;
  }

  /**
   * The number of sequences holding a physical block (0 when it is free).
   * @param blockId - an integer in [0, numBlocks)
   * @throws RangeError for a block id outside the pool
   */
  getRefCount(blockId: number): number {
    integerArg(blockId, `${FN}.getRefCount`, 'blockId', 0, this.numBlocks - 1);
    return this.#pool.refCount(blockId);
  }

  /**
   * The prefix-cache hash of a physical block, or null when it carries none.
   * @param blockId - an integer in [0, numBlocks)
   * @throws RangeError for a block id outside the pool
   */
  getBlockHash(blockId: number): number | null {
    integerArg(blockId, `${FN}.getBlockHash`, 'blockId', 0, this.numBlocks - 1);
    return this.#pool.blockHash(blockId);
  }

  /**
   * Free blocks in the order allocation takes them, as vLLM's `get_all_free_blocks`: free blocks without
   * a cached hash first (never used ones, then the others in the order they were freed), then free cached
   * blocks from least to most recently used (the eviction order). O(free blocks).
   */
  freeBlockIds(): number[] {
    return this.#pool.freeBlockIds();
  }

  /**
   * Evicts up to `maxBlocks` free cached blocks from the prefix cache, least recently used first (vLLM's
   * `reset_prefix_cache` when called without a limit). Blocks held by sequences are untouched.
   * @param maxBlocks - at most this many (default: all)
   * @returns the number evicted
   * @throws TypeError / RangeError for a bad maxBlocks
   */
  evictCachedBlocks(maxBlocks?: number): number {
    if (maxBlocks !== undefined) integerArg(maxBlocks, `${FN}.evictCachedBlocks`, 'maxBlocks');
    return this.#pool.evictCached(maxBlocks ?? Infinity);
  }

  /**
   * Usage counters, O(1).
   * @returns {@link KVCacheStats}: pool size, free and used blocks, live tokens, internal fragmentation,
   *   prefix-cache queries and hits (counted in blocks) and more
   * @example
   * ```ts
   * const kv = new KVCacheManager({ numBlocks: 4, blockSize: 16 });
   * kv.addSequence(0, new Array(20).fill(1));
   * kv.stats().internalFragmentation; // 12 / 32 = 0.375
   * ```
   */
  stats(): KVCacheStats {
    const used = this.numBlocks - this.#pool.numFreeBlocks;
    const slots = used * this.blockSize;
    return {
      numBlocks: this.numBlocks,
      numFreeBlocks: this.#pool.numFreeBlocks,
      liveTokens: this.#filledInUsed,
      internalFragmentation: slots === 0 ? 0 : 1 - this.#filledInUsed / slots,
      prefixCacheQueries: this.#queries,
      prefixCacheHits: this.#hits,
      prefixCacheHitRate: this.#queries === 0 ? 0 : this.#hits / this.#queries,
      numUsedBlocks: used,
      numCachedBlocks: this.#pool.numCachedBlocks,
      logicalTokens: this.#logicalTokens,
      numSequences: this.#seqs.size - this.#numPreempted,
      numPreempted: this.#numPreempted,
    };
  }

  /**
   * The page table of a batch in FlashInfer's CSR layout (`kv_indptr`, `kv_indices`,
   * `kv_last_page_len`), which vLLM's FlashInfer backend builds from its block tables the same way.
   * @param seqIds - running sequences, in batch order (repeats allowed)
   * @returns {@link PageTable}
   * @throws TypeError when seqIds is not an array; RangeError for an unknown or preempted seqId
   * @example
   * ```ts
   * const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4 });
   * kv.addSequence(0, [1, 2, 3, 4, 5]); // blocks [0, 1]
   * kv.addSequence(1, [6, 7]);          // blocks [2]
   * const { indptr, indices, lastPageLen } = kv.toPageTable([0, 1]);
   * // indptr [0, 2, 3], indices [0, 1, 2], lastPageLen [1, 2]
   * ```
   */
  toPageTable(seqIds: readonly number[]): PageTable {
    const fn = `${FN}.toPageTable`;
    if (!Array.isArray(seqIds)) throw new TypeError(`${fn}: 'seqIds' must be an array of sequence ids; got ${describe(seqIds)}`);
    const seqs = seqIds.map((id, i) => this.#running(id, fn, `seqIds[${i}]`));
    const indptr = new Int32Array(seqs.length + 1);
    for (let i = 0; i < seqs.length; i++) indptr[i + 1] = indptr[i]! + seqs[i]!.table.length;
    const indices = new Int32Array(indptr[seqs.length]!);
    const lastPageLen = new Int32Array(seqs.length);
    for (let i = 0; i < seqs.length; i++) {
      const s = seqs[i]!;
      indices.set(s.table, indptr[i]);
      lastPageLen[i] = s.numTokens === 0 ? 0 : ((s.numTokens - 1) % this.blockSize) + 1;
    }
    return { indptr, indices, lastPageLen };
  }

  /**
   * Checks every invariant, O(numBlocks + total table length): each block's ref count equals the number
   * of block tables holding it; the free queue and the held blocks partition the pool; each table has
   * `ceil(tokens / blockSize)` blocks; fill counts, token counters and the prefix cache agree.
   * For tests and debugging.
   * @throws Error naming the first violation
   */
  checkInvariants(): void {
    this.#pool.checkInvariants();
    const bs = this.blockSize;
    const holders = new Int32Array(this.numBlocks);
    let logical = 0;
    let preempted = 0;
    for (const [id, s] of this.#seqs) {
      if (s.preempted) {
        preempted++;
        if (s.table.length !== 0 || !s.saved) throw new Error(`KVCacheManager: preempted sequence ${id} holds blocks or lost its tokens`);
        continue;
      }
      if (s.table.length !== Math.ceil(s.numTokens / bs)) {
        throw new Error(`KVCacheManager: sequence ${id} has ${s.numTokens} tokens in ${s.table.length} blocks`);
      }
      for (let i = 0; i < s.table.length; i++) {
        const b = s.table[i]!;
        holders[b]!++;
        const expectFill = i < s.table.length - 1 ? bs : s.numTokens - i * bs;
        if (i === s.table.length - 1 ? this.#fill[b]! < expectFill : this.#fill[b] !== bs) {
          throw new Error(`KVCacheManager: block ${b} of sequence ${id} holds ${this.#fill[b]} tokens, expected ${expectFill}`);
        }
      }
      if (this.enablePrefixCaching && s.hashes.length !== Math.floor(s.numTokens / bs)) {
        throw new Error(`KVCacheManager: sequence ${id} has ${s.hashes.length} block hashes for ${s.numTokens} tokens`);
      }
      logical += s.numTokens;
    }
    let filled = 0;
    for (let b = 0; b < this.numBlocks; b++) {
      if (holders[b] !== this.#pool.refCount(b)) throw new Error(`KVCacheManager: block ${b} has ref count ${this.#pool.refCount(b)} but ${holders[b]} holders`);
      if (holders[b]! > 0) filled += this.#fill[b]!;
    }
    if (filled !== this.#filledInUsed) throw new Error(`KVCacheManager: live token counter ${this.#filledInUsed}, blocks hold ${filled}`);
    if (logical !== this.#logicalTokens) throw new Error(`KVCacheManager: logical token counter ${this.#logicalTokens}, sequences hold ${logical}`);
    if (preempted !== this.#numPreempted) throw new Error(`KVCacheManager: preempted counter ${this.#numPreempted}, found ${preempted}`);
  }

  // ---------------------------------------------------------------- internals

  #newId(seqId: unknown, fn: string, arg: string): number {
    integerArg(seqId, fn, arg);
    if (this.#seqs.has(seqId as number)) throw new RangeError(`${fn}: '${arg}' ${seqId as number} already exists`);
    return seqId as number;
  }

  #known(seqId: unknown, fn: string, arg: string): Sequence {
    integerArg(seqId, fn, arg);
    const seq = this.#seqs.get(seqId as number);
    if (!seq) throw new RangeError(`${fn}: '${arg}' ${seqId as number} is not a known sequence`);
    return seq;
  }

  #running(seqId: unknown, fn: string, arg: string): Sequence {
    const seq = this.#known(seqId, fn, arg);
    if (seq.preempted) throw new RangeError(`${fn}: '${arg}' ${seqId as number} is preempted; resume it first`);
    return seq;
  }

  #allocate(): number {
    const b = this.#pool.allocate();
    this.#fill[b] = 0;
    this.#parent[b] = -1;
    return b;
  }

  #releaseTable(table: readonly number[]): void {
    for (let i = table.length - 1; i >= 0; i--) {
      const b = table[i]!;
      if (this.#pool.refCount(b) === 1) this.#filledInUsed -= this.#fill[b]!;
      this.#pool.release(b);
    }
  }

  #readTokens(seq: Sequence): Int32Array {
    const bs = this.blockSize;
    const out = new Int32Array(seq.numTokens);
    for (let i = 0; i < seq.table.length; i++) {
      const start = seq.table[i]! * bs;
      const n = Math.min(bs, seq.numTokens - i * bs);
      out.set(this.#tokens.subarray(start, start + n), i * bs);
    }
    return out;
  }

  /** Registers full block `index` of `seq` in the prefix cache (hash chained on the previous block's). */
  #cacheFullBlock(seq: Sequence, index: number): void {
    const bs = this.blockSize;
    const b = seq.table[index]!;
    const parentHash = index === 0 ? ROOT_HASH : seq.hashes[index - 1]!;
    const h = hashBlockTokens(parentHash, this.#tokens, b * bs, bs);
    seq.hashes.push(h);
    if (this.#pool.cacheBlock(b, h)) this.#parent[b] = index === 0 ? -1 : seq.table[index - 1]!;
  }

  /**
   * Builds a running sequence for `tokens`: prefix-cache lookup (when enabled and `useCache`), a
   * capacity check, then block allocation. Throws before mutating anything.
   */
  #admit(tokens: Int32Array, useCache: boolean, fn: string): Sequence {
    const bs = this.blockSize;
    const n = tokens.length;
    const numFull = Math.floor(n / bs);
    const needed = Math.ceil(n / bs);
    const hashes: number[] = [];
    const hits: number[] = [];
    let eligible = 0;
    if (this.enablePrefixCaching) {
      let parent = ROOT_HASH;
      for (let i = 0; i < numFull; i++) {
        parent = hashBlockTokens(parent, tokens, i * bs, bs);
        hashes.push(parent);
      }
      if (useCache) {
        eligible = n > 0 ? Math.floor((n - 1) / bs) : 0;
        for (let i = 0; i < eligible; i++) {
          const b = this.#pool.lookup(hashes[i]!);
          if (b < 0 || this.#parent[b] !== (i === 0 ? -1 : hits[i - 1]!) || !this.#sameTokens(b, tokens, i * bs)) break;
          hits.push(b);
        }
      }
    }
    let reusedFree = 0;
    for (const b of hits) if (this.#pool.refCount(b) === 0) reusedFree++;
    const fresh = needed - hits.length;
    const available = this.#pool.numFreeBlocks - reusedFree;
    if (fresh > available) {
      throw new OutOfBlocksError(`${fn}: ${n} tokens need ${fresh} new blocks; ${available} are free`, fresh, available);
    }
    // Commit.
    this.#queries += eligible;
    this.#hits += hits.length;
    const table: number[] = [];
    for (const b of hits) {
      if (this.#pool.refCount(b) === 0) this.#filledInUsed += this.#fill[b]!;
      this.#pool.acquire(b);
      table.push(b);
    }
    for (let i = hits.length; i < needed; i++) {
      const b = this.#allocate();
      const start = i * bs;
      const count = Math.min(bs, n - start);
      this.#tokens.set(tokens.subarray(start, start + count), b * bs);
      this.#fill[b] = count;
      this.#filledInUsed += count;
      table.push(b);
      if (count === bs && this.enablePrefixCaching && this.#pool.cacheBlock(b, hashes[i]!)) {
        this.#parent[b] = i === 0 ? -1 : table[i - 1]!;
      }
    }
    this.#logicalTokens += n;
    return { table, numTokens: n, hashes, numCachedTokens: hits.length * bs, preempted: null, saved: null };
  }

  #sameTokens(block: number, tokens: Int32Array, start: number): boolean {
    const bs = this.blockSize;
    const base = block * bs;
    if (this.#fill[block] !== bs) return false;
    for (let j = 0; j < bs; j++) if (this.#tokens[base + j] !== tokens[start + j]) return false;
    return true;
  }
}
