import { OutOfBlocksError } from './errors.js';
import { integerArg } from './internal/check.js';

const FN = 'BlockPool';
const NO_HASH = -1;

/**
 * The physical block pool under {@link KVCacheManager}: ref counts, and one free queue that is also the
 * LRU list of evictable prefix-cache blocks, as vLLM v1's `FreeKVCacheBlockQueue`.
 *
 * Every operation is O(1): the free queue is an intrusive doubly linked list in two `Int32Array`s, so a
 * cached block that a new sequence hits is unlinked from the middle of the queue without a search.
 * Blocks that reach ref count 0 are appended to the tail; allocation pops the head (the least recently
 * freed block) and, when that block still carries a prefix-cache hash, evicts the hash. So free and
 * evictable-cached blocks are one set, `numFreeBlocks` counts both, and the cache keeps as much as the
 * pool can spare. Plain TypeScript, no tfjs.
 *
 * @example
 * ```ts
 * import { BlockPool } from '@prep/paged-kv';
 * const pool = new BlockPool(4);
 * const a = pool.allocate(); // 0: the head of the free queue
 * pool.acquire(a);           // a second holder: ref count 2
 * pool.release(a);
 * pool.release(a);           // ref count 0: back to the tail of the free queue
 * pool.numFreeBlocks;        // 4
 * ```
 */
export class BlockPool {
  /** Number of physical blocks. */
  readonly numBlocks: number;
  readonly #ref: Int32Array;
  // Links of the free queue; index numBlocks is the sentinel (head = next[S], tail = prev[S]).
  readonly #next: Int32Array;
  readonly #prev: Int32Array;
  readonly #hash: Float64Array;
  readonly #cache = new Map<number, number>();
  #numFree: number;

  /**
   * @param numBlocks - number of physical blocks, an integer in [1, 2³⁰]
   * @throws TypeError when numBlocks is not a number; RangeError when it is not a positive integer
   */
  constructor(numBlocks: number) {
    this.numBlocks = integerArg(numBlocks, FN, 'numBlocks', 1, 2 ** 30);
    const n = this.numBlocks;
    this.#ref = new Int32Array(n);
    this.#next = new Int32Array(n + 1);
    this.#prev = new Int32Array(n + 1);
    this.#hash = new Float64Array(n).fill(NO_HASH);
    // Initial order 0, 1, …, n − 1 from head to tail.
    for (let i = 0; i <= n; i++) {
      this.#next[i] = i === n ? 0 : i + 1;
      this.#prev[i] = i === 0 ? n : i - 1;
    }
    this.#numFree = n;
  }

  /** Blocks no holder references (never used, freed, or cached-but-evictable). */
  get numFreeBlocks(): number {
    return this.#numFree;
  }

  /** Blocks that carry a prefix-cache hash (held or evictable). */
  get numCachedBlocks(): number {
    return this.#cache.size;
  }

  /**
   * Takes the least recently freed block (the head of the free queue), evicting its cached hash if it has
   * one, and gives it ref count 1. O(1).
   * @returns the block id
   * @throws OutOfBlocksError when no block is free (nothing changes)
   */
  allocate(): number {
    const s = this.numBlocks;
    const b = this.#next[s]!;
    if (b === s) throw new OutOfBlocksError('BlockPool.allocate: no free block', 1, 0);
    this.#unlink(b);
    this.#ref[b] = 1;
    const h = this.#hash[b]!;
    if (h !== NO_HASH) {
      this.#cache.delete(h);
      this.#hash[b] = NO_HASH;
    }
    return b;
  }

  /**
   * Adds a holder to `block`. A free (cached) block leaves the free queue: this is a prefix-cache hit
   * "touching" the block. O(1).
   * @param block - block id in [0, numBlocks)
   * @throws RangeError for a block id outside the pool
   */
  acquire(block: number): void {
    this.#check(block, 'acquire');
    if (this.#ref[block]! === 0) this.#unlink(block);
    this.#ref[block]!++;
  }

  /**
   * Removes a holder from `block`; at ref count 0 the block goes to the tail of the free queue, keeping
   * its cached hash (evictable, least recently used last). O(1).
   * @param block - a block id with ref count ≥ 1
   * @throws RangeError when the block is already free (nothing changes)
   */
  release(block: number): void {
    this.#check(block, 'release');
    const r = this.#ref[block]!;
    if (!(r > 0)) throw new RangeError(`BlockPool.release: 'block' ${block} is not held by anyone`);
    this.#ref[block] = r - 1;
    if (r === 1) {
      const s = this.numBlocks;
      const tail = this.#prev[s]!;
      this.#next[tail] = block;
      this.#prev[block] = tail;
      this.#next[block] = s;
      this.#prev[s] = block;
      this.#numFree++;
    }
  }

  /** The number of holders of `block` (0 when free). */
  refCount(block: number): number {
    this.#check(block, 'refCount');
    return this.#ref[block]!;
  }

  /** The prefix-cache hash of `block`, or null. */
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
   * Registers `block` (a full block that a holder references) in the prefix cache under `hash`, unless
   * that hash already names another block (then the block stays uncached).
   * @returns true when registered
   */
  cacheBlock(block: number, hash: number): boolean {
    this.#check(block, 'cacheBlock');
    if (!(this.#ref[block]! > 0)) throw new RangeError(`BlockPool.cacheBlock: 'block' ${block} is free; only held blocks can be cached`);
    if (!Number.isSafeInteger(hash) || hash < 0) throw new RangeError(`BlockPool.cacheBlock: 'hash' must be a non-negative safe integer; got ${hash}`);
    if (this.#cache.has(hash) || this.#hash[block]! !== NO_HASH) return false;
    this.#cache.set(hash, block);
    this.#hash[block] = hash;
    return true;
  }

  /**
   * Drops the hashes of up to `maxBlocks` evictable cached blocks, least recently used first. The blocks
   * stay free. Walks the free queue from its head: O(free blocks) in the worst case.
   * @param maxBlocks - how many to evict at most (default: all)
   * @returns the number evicted
   */
  evictCached(maxBlocks = Infinity): number {
    if (typeof maxBlocks !== 'number') throw new TypeError(`BlockPool.evictCached: 'maxBlocks' must be a number; got ${typeof maxBlocks}`);
    if (!(maxBlocks >= 0)) throw new RangeError(`BlockPool.evictCached: 'maxBlocks' must be ≥ 0; got ${maxBlocks}`);
    const s = this.numBlocks;
    let evicted = 0;
    for (let b = this.#next[s]!; b !== s && evicted < maxBlocks; b = this.#next[b]!) {
      const h = this.#hash[b]!;
      if (h !== NO_HASH) {
        this.#cache.delete(h);
        this.#hash[b] = NO_HASH;
        evicted++;
      }
    }
    return evicted;
  }

  /** The free queue from head (next to be allocated) to tail, as vLLM's `get_all_free_blocks`. O(free). */
  freeBlockIds(): number[] {
    const s = this.numBlocks;
    const out: number[] = [];
    for (let b = this.#next[s]!; b !== s; b = this.#next[b]!) out.push(b);
    return out;
  }

  /**
   * Checks the pool's own consistency: the free queue is a well-linked list of exactly the blocks with
   * ref count 0, and the cache map and per-block hashes agree. O(numBlocks). For tests and debugging.
   * @throws Error naming the first violation
   */
  checkInvariants(): void {
    const s = this.numBlocks;
    let count = 0;
    const seen = new Uint8Array(s);
    for (let b = this.#next[s]!, prev = s; b !== s; prev = b, b = this.#next[b]!) {
      if (b < 0 || b >= s) throw new Error(`BlockPool: free queue links to ${b}`);
      if (seen[b]) throw new Error(`BlockPool: free queue visits block ${b} twice`);
      if (this.#prev[b] !== prev) throw new Error(`BlockPool: block ${b} has a broken back link`);
      if (this.#ref[b] !== 0) throw new Error(`BlockPool: block ${b} is in the free queue with ref count ${this.#ref[b]}`);
      seen[b] = 1;
      count++;
    }
    if (count !== this.#numFree) throw new Error(`BlockPool: free queue holds ${count} blocks, counter says ${this.#numFree}`);
    for (let b = 0; b < s; b++) {
      if (!seen[b] && !(this.#ref[b]! > 0)) throw new Error(`BlockPool: block ${b} is neither free nor held`);
      const h = this.#hash[b]!;
      if (h !== NO_HASH && this.#cache.get(h) !== b) throw new Error(`BlockPool: block ${b} has hash ${h} but the cache maps it elsewhere`);
    }
    for (const [h, b] of this.#cache) {
      if (this.#hash[b] !== h) throw new Error(`BlockPool: cache entry ${h} → ${b} does not match the block's hash`);
    }
  }

  #check(block: number, method: string): void {
    // Integer test without a call: cheap enough for the O(1) paths.
    if (!(block >= 0 && block < this.numBlocks && block === Math.floor(block))) {
      throw new RangeError(`BlockPool.${method}: 'block' must be an integer in [0, ${this.numBlocks}); got ${String(block)}`);
    }
  }

  #unlink(b: number): void {
    const p = this.#prev[b]!;
    const n = this.#next[b]!;
    this.#next[p] = n;
    this.#prev[n] = p;
    this.#numFree--;
  }
}
