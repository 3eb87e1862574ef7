/**
 * Thrown when the block pool cannot serve an operation (admission, an appended token, a copy-on-write, a
 * resume). The manager is left exactly as it was before the call.
 *
 * @example
 * ```ts
 * import { KVCacheManager, OutOfBlocksError } from '@prep/paged-kv';
 * const kv = new KVCacheManager({ numBlocks: 1, blockSize: 4 });
 * kv.addSequence(0, [1, 2, 3, 4]);
 * try {
 *   kv.appendToken(0, 5); // needs a second block
 * } catch (err) {
 *   if (err instanceof OutOfBlocksError) console.log(err.needed, err.available); // 1 0
 * }
 * ```
 */
export class OutOfBlocksError extends Error {
  /** Blocks (or token slots, for the contiguous baselines) the refused operation needed. */
  readonly needed: number;
  /** Blocks (or token slots) that were available to it. */
  readonly available: number;

  /**
   * @param message - what was refused and why
   * @param needed - blocks (or slots) the operation needed
   * @param available - blocks (or slots) it could use
   */
  constructor(message: string, needed = 0, available = 0) {
    super(message);
    this.name = 'OutOfBlocksError';
    this.needed = needed;
    this.available = available;
  }
}
