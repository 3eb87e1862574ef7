/**
 * A small seeded pseudo-random generator (mulberry32): the same seed gives the same stream on every
 * platform, so training batches, sampling and the corpus reproduce exactly.
 *
 * @example
 * ```ts
 * import { SeededRandom } from '@prep/example-tiny-lm';
 * const rng = new SeededRandom(42);
 * rng.next(); // a float in [0, 1), the same on every run
 * ```
 */
export class SeededRandom {
  #state: number;

  /**
   * @param seed - any finite number; non-integers are truncated, negative values wrap
   * @throws TypeError when the seed is not a finite number
   */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new TypeError(`SeededRandom: 'seed' must be a finite number; got ${String(seed)}`);
    }
    this.#state = Math.trunc(seed) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A uniformly chosen element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/**
 * Mixes several integers into one 32-bit seed (so that request i, sample j gets its own stream whatever
 * order the scheduler runs them in).
 *
 * @param parts - integers (seed, request index, sample index, ...)
 * @returns an unsigned 32-bit integer
 * @example
 * ```ts
 * mixSeed(0, 3, 1) !== mixSeed(0, 1, 3); // true
 * ```
 */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (Math.trunc(part) >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}
