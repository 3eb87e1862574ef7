import { OutOfBlocksError } from './errors.js';
import { integerArg, optionsArg } from './internal/check.js';

/** One contiguous extent of an arena: a sequence's reservation, or a hole when `seqId` is null. */
export interface ArenaSegment {
  /** First token slot. */
  start: number;
  /** Slots in the extent. */
  length: number;
  /** The sequence holding it, or null for free space. */
  seqId: number | null;
}

/** Options of {@link MaxLengthAllocator}. */
export interface MaxLengthAllocatorOptions {
  /** Token slots in the arena. */
  capacityTokens: number;
  /** Slots reserved for every sequence; a longer sequence is refused. */
  maxLength: number;
}

/**
 * The naive contiguous KV cache: every sequence reserves `maxLength` token slots up front, whatever its
 * real length (what a framework that pre-allocates `[batch, maxLength]` K/V tensors does). The arena holds
 * `floor(capacityTokens / maxLength)` sequences; a sequence longer than `maxLength` can never run. All
 * reservations have one size, so there is no external fragmentation, only reserved-but-unused slots.
 * Plain TypeScript.
 *
 * @example
 * ```ts
 * import { MaxLengthAllocator } from '@prep/paged-kv';
 * const arena = new MaxLengthAllocator({ capacityTokens: 100 * 2048, maxLength: 2048 });
 * arena.canAdmit(500);  // 'ok': reserves 2048 slots for 500 tokens
 * arena.canAdmit(3000); // 'never'
 * arena.allocate(0, 500);
 * arena.reservedTokens; // 2048
 * ```
 */
export class MaxLengthAllocator {
  /** Token slots in the arena. */
  readonly capacityTokens: number;
  /** Slots reserved per sequence. */
  readonly maxLength: number;
  /** Sequences the arena can hold at once. */
  readonly numSlots: number;
  readonly #freeSlots: number[];
  readonly #slotOf = new Map<number, number>();

  /**
   * @param options - `capacityTokens`, `maxLength` (integers ≥ 1)
   * @throws TypeError / RangeError for bad options
   */
  constructor(options: MaxLengthAllocatorOptions) {
    const fn = 'MaxLengthAllocator';
    const opts = optionsArg<MaxLengthAllocatorOptions>(options, fn);
    this.capacityTokens = integerArg(opts.capacityTokens, fn, 'options.capacityTokens', 1);
    this.maxLength = integerArg(opts.maxLength, fn, 'options.maxLength', 1);
    this.numSlots = Math.floor(this.capacityTokens / this.maxLength);
    this.#freeSlots = Array.from({ length: this.numSlots }, (_, i) => this.numSlots - 1 - i);
  }

  /** Sequences holding a reservation. */
  get numSequences(): number {
    return this.#slotOf.size;
  }

  /** Slots reserved by sequences (numSequences · maxLength). */
  get reservedTokens(): number {
    return this.#slotOf.size * this.maxLength;
  }

  /** Free slots (capacity minus reservations). */
  get freeTokens(): number {
    return this.capacityTokens - this.reservedTokens;
  }

  /**
   * `'never'` when `length` exceeds maxLength or the arena holds no slot, `'later'` when every slot is
   * taken, else `'ok'`.
   * @param length - the sequence's final length in tokens
   */
  canAdmit(length: number): 'ok' | 'later' | 'never' {
    integerArg(length, 'MaxLengthAllocator.canAdmit', 'length');
    if (length > this.maxLength || this.numSlots === 0) return 'never';
    return this.#freeSlots.length > 0 ? 'ok' : 'later';
  }

  /**
   * Reserves `maxLength` slots for a sequence.
   * @param seqId - a new sequence id
   * @param length - its final length, at most maxLength
   * @returns the first slot of the reservation
   * @throws RangeError for a duplicate seqId or a length above maxLength; OutOfBlocksError when full
   */
  allocate(seqId: number, length: number): number {
    const fn = 'MaxLengthAllocator.allocate';
    integerArg(seqId, fn, 'seqId');
    integerArg(length, fn, 'length');
    if (this.#slotOf.has(seqId)) throw new RangeError(`${fn}: 'seqId' ${seqId} already exists`);
    if (length > this.maxLength) throw new RangeError(`${fn}: 'length' ${length} exceeds maxLength ${this.maxLength}`);
    const slot = this.#freeSlots.pop();
    if (slot === undefined) throw new OutOfBlocksError(`${fn}: all ${this.numSlots} slots are taken`, this.maxLength, this.freeTokens);
    this.#slotOf.set(seqId, slot);
    return slot * this.maxLength;
  }

  /**
   * Releases a sequence's reservation.
   * @throws RangeError for an unknown seqId
   */
  free(seqId: number): void {
    const fn = 'MaxLengthAllocator.free';
    integerArg(seqId, fn, 'seqId');
    const slot = this.#slotOf.get(seqId);
    if (slot === undefined) throw new RangeError(`${fn}: 'seqId' ${seqId} is not a known sequence`);
    this.#slotOf.delete(seqId);
    this.#freeSlots.push(slot);
  }

  /** The arena as extents in slot order (reservations and holes). */
  segments(): ArenaSegment[] {
    const owner = new Array<number | null>(this.numSlots).fill(null);
    for (const [id, slot] of this.#slotOf) owner[slot] = id;
    const out: ArenaSegment[] = owner.map((seqId, i) => ({ start: i * this.maxLength, length: this.maxLength, seqId }));
    const tail = this.capacityTokens - this.numSlots * this.maxLength;
    if (tail > 0) out.push({ start: this.numSlots * this.maxLength, length: tail, seqId: null });
    return out;
  }
}

/** Options of {@link FirstFitAllocator}. */
export interface FirstFitAllocatorOptions {
  /** Token slots in the arena. */
  capacityTokens: number;
}

/**
 * A contiguous KV cache that knows each sequence's exact final length (an oracle no real server has) and
 * places it first-fit in one arena. Nothing is over-reserved, but as sequences of different lengths come
 * and go the free space splits into holes, and a sequence can be refused while the total free space
 * would hold it: external fragmentation. Holes are kept sorted by offset and merged on free; allocation
 * scans them (O(holes)). Plain TypeScript.
 *
 * @example
 * ```ts
 * import { FirstFitAllocator } from '@prep/paged-kv';
 * const arena = new FirstFitAllocator({ capacityTokens: 4000 });
 * arena.allocate(1, 2000);          // [0, 2000)
 * arena.allocate(2, 500);           // [2000, 2500)
 * arena.allocate(3, 1500);          // [2500, 4000)
 * arena.free(1);                    // a 2000-slot hole at the front
 * arena.free(3);                    // a 1500-slot hole at the back
 * arena.canAdmit(2500);             // 'later': 3500 slots free, but the largest hole holds 2000
 * arena.externalFragmentation;      // 1 − 2000 / 3500 ≈ 0.43
 * ```
 */
export class FirstFitAllocator {
  /** Token slots in the arena. */
  readonly capacityTokens: number;
  // Holes sorted by start, never adjacent (merged on free).
  readonly #holeStart: number[];
  readonly #holeLength: number[];
  readonly #extent = new Map<number, { start: number; length: number }>();
  #free: number;

  /**
   * @param options - `capacityTokens` (an integer ≥ 1)
   * @throws TypeError / RangeError for bad options
   */
  constructor(options: FirstFitAllocatorOptions) {
    const fn = 'FirstFitAllocator';
    const opts = optionsArg<FirstFitAllocatorOptions>(options, fn);
    this.capacityTokens = integerArg(opts.capacityTokens, fn, 'options.capacityTokens', 1);
    this.#holeStart = [0];
    this.#holeLength = [this.capacityTokens];
    this.#free = this.capacityTokens;
  }

  /** Sequences holding an extent. */
  get numSequences(): number {
    return this.#extent.size;
  }

  /** Slots held by sequences. */
  get reservedTokens(): number {
    return this.capacityTokens - this.#free;
  }

  /** Free slots, over all holes. */
  get freeTokens(): number {
    return this.#free;
  }

  /** The largest hole. O(holes). */
  get largestFreeExtent(): number {
    let max = 0;
    for (const len of this.#holeLength) if (len > max) max = len;
    return max;
  }

  /** Number of holes. */
  get numHoles(): number {
    return this.#holeStart.length;
  }

  /** 1 − largest hole / free slots: the share of free space that a request as large as the free space cannot use (0 when nothing is free). */
  get externalFragmentation(): number {
    return this.#free === 0 ? 0 : 1 - this.largestFreeExtent / this.#free;
  }

  /**
   * `'never'` when `length` exceeds the arena, `'ok'` when some hole holds it, else `'later'`.
   * @param length - the sequence's final length in tokens
   */
  canAdmit(length: number): 'ok' | 'later' | 'never' {
    integerArg(length, 'FirstFitAllocator.canAdmit', 'length');
    if (length > this.capacityTokens) return 'never';
    return this.#findHole(length) >= 0 ? 'ok' : 'later';
  }

  /**
   * Places a sequence of `length` slots in the first hole that holds it.
   * @param seqId - a new sequence id
   * @param length - its final length (≥ 1)
   * @returns the first slot of its extent
   * @throws RangeError for a duplicate seqId or a bad length; OutOfBlocksError when no hole holds it
   *   (even if the free slots add up to enough)
   */
  allocate(seqId: number, length: number): number {
    const fn = 'FirstFitAllocator.allocate';
    integerArg(seqId, fn, 'seqId');
    integerArg(length, fn, 'length', 1);
    if (this.#extent.has(seqId)) throw new RangeError(`${fn}: 'seqId' ${seqId} already exists`);
    const h = this.#findHole(length);
    if (h < 0) {
      throw new OutOfBlocksError(
        `${fn}: no hole holds ${length} slots (${this.#free} free, largest hole ${this.largestFreeExtent})`,
        length,
        this.largestFreeExtent,
      );
    }
    const start = this.#holeStart[h]!;
    if (this.#holeLength[h] === length) {
      this.#holeStart.splice(h, 1);
      this.#holeLength.splice(h, 1);
    } else {
      this.#holeStart[h] = start + length;
      this.#holeLength[h]! -= length;
    }
    this.#free -= length;
    this.#extent.set(seqId, { start, length });
    return start;
  }

  /**
   * Frees a sequence's extent, merging it with neighbouring holes.
   * @throws RangeError for an unknown seqId
   */
  free(seqId: number): void {
    const fn = 'FirstFitAllocator.free';
    integerArg(seqId, fn, 'seqId');
    const ext = this.#extent.get(seqId);
    if (!ext) throw new RangeError(`${fn}: 'seqId' ${seqId} is not a known sequence`);
    this.#extent.delete(seqId);
    this.#free += ext.length;
    const starts = this.#holeStart;
    const lengths = this.#holeLength;
    // First hole after the extent (binary search).
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! < ext.start) lo = mid + 1;
      else hi = mid;
    }
    const end = ext.start + ext.length;
    const joinPrev = lo > 0 && starts[lo - 1]! + lengths[lo - 1]! === ext.start;
    const joinNext = lo < starts.length && starts[lo] === end;
    if (joinPrev && joinNext) {
      lengths[lo - 1]! += ext.length + lengths[lo]!;
      starts.splice(lo, 1);
      lengths.splice(lo, 1);
    } else if (joinPrev) {
      lengths[lo - 1]! += ext.length;
    } else if (joinNext) {
      starts[lo] = ext.start;
      lengths[lo]! += ext.length;
    } else {
      starts.splice(lo, 0, ext.start);
      lengths.splice(lo, 0, ext.length);
    }
  }

  /** The arena as extents in slot order (reservations and holes). */
  segments(): ArenaSegment[] {
    const out: ArenaSegment[] = [];
    for (const [seqId, e] of this.#extent) out.push({ start: e.start, length: e.length, seqId });
    for (let i = 0; i < this.#holeStart.length; i++) out.push({ start: this.#holeStart[i]!, length: this.#holeLength[i]!, seqId: null });
    return out.sort((a, b) => a.start - b.start);
  }

  #findHole(length: number): number {
    const lengths = this.#holeLength;
    for (let i = 0; i < lengths.length; i++) if (lengths[i]! >= length) return i;
    return -1;
  }
}
