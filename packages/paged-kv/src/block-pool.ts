import { OutOfBlocksError } from './errors.js';
import { integerArg } from './internal/check.js';

const FN = 'BlockPool';
const NO_HASH = -1;

/**
 * The physical block pool under {@link KVCacheManager}: ref counts, a free list, and an LRU list of
 * evictable prefix-cache blocks.
 *
 * Every operation is O(1) and touches little memory. Free blocks without a cached hash wait in a FIFO
 * ring (sequential memory, so allocation stays fast from 10³ to 10⁶ blocks). Free blocks that still
 * carry a prefix-cache hash wait in an intrusive doubly linked list in least-recently-freed order, so a
 * cache hit unlinks its block from the middle in O(1) (vLLM v1's `FreeKVCacheBlockQueue` keeps both kinds
 * in one queue). Allocation takes an uncached block first and evicts the least recently used cached
 * block only when none is left, so the cache keeps everything the pool can spare. `numFreeBlocks` counts
 * both kinds. Plain TypeScript, no tfjs.
 *
 * @example
 * ```ts
 * import { BlockPool } from '@prep/paged-kv';
 * const pool = new BlockPool(4);
 * const a = pool.allocate(); // 0: the head of the free list
 * pool.acquire(a);           // a second holder: ref count 2
 * pool.release(a);
 * pool.release(a);           // ref count 0: back to the tail of the free list
 * pool.numFreeBlocks;        // 4
 * ```
 */
export class BlockPool {
  /** Number of physical blocks. */
  readonly numBlocks: number;
  readonly #ref: Int32Array;
  // FIFO ring of free uncached blocks.
  readonly #ring: Int32Array;
  #ringHead = 0;
  #ringCount: number;
  // LRU list of free cached blocks; index numBlocks is the sentinel (head = next[S], tail = prev[S]).
  readonly #next: Int32Array;
  readonly #prev: Int32Array;
  #numCachedFree = 0;
  readonly #hash: Float64Array;
  /** 1 where the block carries a hash: a compact copy of `#hash !== NO_HASH` for the hot release path. */
  readonly #cached: Uint8Array;
  readonly #cache = new Map<number, number>();

  /**
   * @param numBlocks - number of physical blocks, an integer in [1, 2³⁰]
   * @throws TypeError when numBlocks is not a number; RangeError when it is not a positive integer
   */
  constructor(numBlocks: number) {
    this.numBlocks = integerArg(numBlocks, FN, 'numBlocks', 1, 2 ** 30);
    const n = this.numBlocks;
    this.#ref = new Int32Array(n);
    this.#ring = new Int32Array(n);
    for (let i = 0; i < n; i++) this.#ring[i] = i;
    this.#ringCount = n;
    this.#next = new Int32Array(n + 1);
    this.#prev = new Int32Array(n + 1);
    this.#next[n] = n;
    this.#prev[n] = n;
    this.#hash = new Float64Array(n).fill(NO_HASH);
    this.#cached = new Uint8Array(n);
  }

  /** Blocks no holder references (never used, freed, or cached-but-evictable). */
  get numFreeBlocks(): number {
    return this.#ringCount + this.#numCachedFree;
  }

  /** Blocks that carry a prefix-cache hash (held or evictable). */
  get numCachedBlocks(): number {
    return this.#cache.size;
  }

  /**
   * Takes a free block and gives it ref count 1: the oldest free uncached block, or else the least
   * recently used cached one, whose hash is evicted. O(1).
   * @returns the block id
   * @throws OutOfBlocksError when no block is free (nothing changes)
   */
  allocate(): number {
    let b: number;
    if (this.#ringCount > 0) {
      b = this.#ring[this.#ringHead]!;
      if (++this.#ringHead === this.numBlocks) this.#ringHead = 0;
      this.#ringCount--;
    } else {
      const s = this.numBlocks;
      b = this.#next[s]!;
      if (b === s) throw new OutOfBlocksError('BlockPool.allocate: no free block', 1, 0);
      this.#unlink(b);
      this.#cache.delete(this.#hash[b]!);
      this.#hash[b] = NO_HASH;
      this.#cached[b] = 0;
    }
    this.#ref[b] = 1;
    return b;
  }

  /**
   * Adds a holder to a held block, or takes a free cached block out of the LRU list (a prefix-cache
   * hit "touching" it). O(1).
   * @param block - a held block, or a free block that carries a hash
   * @throws RangeError for a block id outside the pool, or a free block without a hash (allocate it)
   */
  acquire(block: number): void {
    this.#check(block, 'acquire');
    if (this.#ref[block]! === 0) {
      if (this.#cached[block] === 0) {
        throw new RangeError(`BlockPool.acquire: 'block' ${block} is free and not cached; take free blocks with allocate()`);
      }
      this.#unlink(block);
    }
    this.#ref[block]!++;
  }

  /**
   * Removes a holder from `block`. At ref count 0 a block with a cached hash goes to the tail of the LRU
   * list (evictable, most recently used), one without to the tail of the free ring. O(1).
   * @param block - a block id with ref count ≥ 1
   * @throws RangeError for a block id outside the pool or a block that is already free (nothing changes)
   */
  release(block: number): void {
    this.#check(block, 'release');
    const r = this.#ref[block]!;
    if (!(r > 0)) throw new RangeError(`BlockPool.release: 'block' ${block} is not held by anyone`);
    this.#ref[block] = r - 1;
    if (r === 1) {
      if (this.#cached[block] === 0) this.#pushRing(block);
      else this.#pushLru(block);
    }
  }

  /**
   * The number of holders of `block` (0 when free).
   * @throws RangeError for a block id outside the pool
   */
  refCount(block: number): number {
    this.#check(block, 'refCount');
    return this.#ref[block]!;
  }

  /**
   * The prefix-cache hash of `block`, or null.
   * @throws RangeError for a block id outside the pool
   */
  blockHash(block: number): number | null {
    this.#check(block, 'blockHash');
    const h = this.#hash[block]!;
    return h === NO_HASH ? null : h;
  }

  /** The cached block with this hash, or -1. */
  lookup(hash: number): number {
    return this.#cache.get(hash) ?? -1;
  }

  /**
   * Registers a held block (full of tokens) in the prefix cache under `hash`, unless that hash already
   * names another block or the block has a hash (then nothing changes).
   * @param block - a held block
   * @param hash - a non-negative safe integer
   * @returns true when registered
   * @throws RangeError for a block outside the pool, a free block or a bad hash
   */
  cacheBlock(block: number, hash: number): boolean {
    this.#check(block, 'cacheBlock');
    if (!(this.#ref[block]! > 0)) throw new RangeError(`BlockPool.cacheBlock: 'block' ${block} is free; only held blocks can be cached`);
    if (!Number.isSafeInteger(hash) || hash < 0) throw new RangeError(`BlockPool.cacheBlock: 'hash' must be a non-negative safe integer; got ${hash}`);
    if (this.#cache.has(hash) || this.#hash[block]! !== NO_HASH) return false;
    this.#cache.set(hash, block);
    this.#hash[block] = hash;
    this.#cached[block] = 1;
    return true;
  }

  /**
   * Drops the hashes of up to `maxBlocks` free cached blocks, least recently used first; they join the
   * tail of the free ring. Held blocks keep theirs. O(evicted).
   * @param maxBlocks - how many to evict at most (default: all)
   * @returns the number evicted
   * @throws TypeError / RangeError for a bad maxBlocks
   */
  evictCached(maxBlocks = Infinity): number {
    if (typeof maxBlocks !== 'number') throw new TypeError(`BlockPool.evictCached: 'maxBlocks' must be a number; got ${typeof maxBlocks}`);
    if (!(maxBlocks >= 0)) throw new RangeError(`BlockPool.evictCached: 'maxBlocks' must be ≥ 0; got ${maxBlocks}`);
    const s = this.numBlocks;
    let evicted = 0;
    while (evicted < maxBlocks && this.#next[s] !== s) {
      const b = this.#next[s]!;
      this.#unlink(b);
      this.#cache.delete(this.#hash[b]!);
      this.#hash[b] = NO_HASH;
      this.#cached[b] = 0;
      this.#pushRing(b);
      evicted++;
    }
    return evicted;
  }

  /**
   * Free blocks in the order allocation takes them: the free ring from its head, then the cached blocks
   * from least to most recently used (vLLM's `get_all_free_blocks`). O(free).
   */
  freeBlockIds(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.#ringCount; i++) out.push(this.#ring[(this.#ringHead + i) % this.numBlocks]!);
    const s = this.numBlocks;
    for (let b = this.#next[s]!; b !== s; b = this.#next[b]!) out.push(b);
    return out;
  }

  /**
   * Checks the pool's own consistency: the ring holds free uncached blocks, the LRU list is a well-linked
   * list of free cached blocks, together they are exactly the blocks with ref count 0, and the cache map
   * and per-block hashes agree. O(numBlocks). For tests and debugging.
   * @throws Error naming the first violation
   */
  checkInvariants(): void {
    const n = this.numBlocks;
    const seen = new Uint8Array(n);
    for (let i = 0; i < this.#ringCount; i++) {
      const b = this.#ring[(this.#ringHead + i) % n]!;
      if (!(b >= 0 && b < n)) throw new Error(`BlockPool: the free ring holds ${b}`);
      if (seen[b]) throw new Error(`BlockPool: block ${b} is free twice`);
      if (this.#ref[b] !== 0) throw new Error(`BlockPool: block ${b} is in the free ring with ref count ${this.#ref[b]}`);
      if (this.#hash[b] !== NO_HASH) throw new Error(`BlockPool: block ${b} in the free ring carries a hash`);
      seen[b] = 1;
    }
    let cachedFree = 0;
    for (let b = this.#next[n]!, prev = n; b !== n; prev = b, b = this.#next[b]!) {
      if (!(b >= 0 && b < n)) throw new Error(`BlockPool: the LRU list links to ${b}`);
      if (seen[b]) throw new Error(`BlockPool: block ${b} is free twice`);
      if (this.#prev[b] !== prev) throw new Error(`BlockPool: block ${b} has a broken back link`);
      if (this.#ref[b] !== 0) throw new Error(`BlockPool: block ${b} is in the LRU list with ref count ${this.#ref[b]}`);
      if (this.#hash[b] === NO_HASH) throw new Error(`BlockPool: block ${b} in the LRU list has no hash`);
      seen[b] = 1;
      cachedFree++;
    }
    if (cachedFree !== this.#numCachedFree) throw new Error(`BlockPool: LRU list holds ${cachedFree} blocks, counter says ${this.#numCachedFree}`);
    for (let b = 0; b < n; b++) {
      if (!seen[b] && !(this.#ref[b]! > 0)) throw new Error(`BlockPool: block ${b} is neither free nor held`);
      const h = this.#hash[b]!;
      if ((h !== NO_HASH) !== (this.#cached[b] === 1)) throw new Error(`BlockPool: block ${b}'s cached flag disagrees with its hash`);
      if (h !== NO_HASH && this.#cache.get(h) !== b) throw new Error(`BlockPool: block ${b} has hash ${h} but the cache maps it elsewhere`);
    }
    for (const [h, b] of this.#cache) {
      if (this.#hash[b] !== h) throw new Error(`BlockPool: cache entry ${h} → ${b} does not match the block's hash`);
    }
  }

  #check(block: number, method: string): void {
    // An integer range test without a call: cheap enough for the O(1) paths.
    if (!(block >= 0 && block < this.numBlocks && block === Math.floor(block))) {
      throw new RangeError(`BlockPool.${method}: 'block' must be an integer in [0, ${this.numBlocks}); got ${String(block)}`);
    }
  }

  #pushRing(b: number): void {
    let at = this.#ringHead + this.#ringCount;
    if (at >= this.numBlocks) at -= this.numBlocks;
    this.#ring[at] = b;
    this.#ringCount++;
  }

  #pushLru(b: number): void {
    const s = this.numBlocks;
    const tail = this.#prev[s]!;
    this.#next[tail] = b;
    this.#prev[b] = tail;
    this.#next[b] = s;
    this.#prev[s] = b;
    this.#numCachedFree++;
  }

  #unlink(b: number): void {
    const p = this.#prev[b]!;
    const n = this.#next[b]!;
    this.#next[p] = n;
    this.#prev[n] = p;
    this.#numCachedFree--;
  }
}
