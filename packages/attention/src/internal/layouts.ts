/** Internal: the block layouts of the sparse ops, in plain TS (shared by the ops and the cost model). */
import { SeededRandom } from './random.js';

/** Largest query tile of the banded computation. */
const MAX_TILE = 256;
/** Smallest query tile (tiny windows would otherwise need one kernel call per few rows). */
const MIN_TILE = 16;

/**
 * The tiling slidingWindowAttention uses: query tiles of `tile` rows (w/2 clamped to [16, 256]), each
 * scoring a band of `bandWidth` keys made of whole tiles (the columns outside the window are masked): the
 * band spans [first row − w/2, last row + w/2], or [first row − w/2, last row] when causal.
 */
export function slidingWindowTiling(
  window: number,
  nQ: number,
  nK: number,
  causal: boolean,
): { tile: number; bandWidth: number; halfWindow: number } {
  const halfWindow = Math.min(window / 2, nK);
  const tile = Math.max(1, Math.min(nQ, MAX_TILE, Math.max(MIN_TILE, halfWindow)));
  const reach = causal ? halfWindow : 2 * halfWindow;
  return { tile, bandWidth: tile * (1 + Math.ceil(reach / tile)), halfWindow };
}

/** The block pattern BigBird attends, as computed by {@link bigBirdLayout}. */
export interface BigBirdLayout {
  /** ⌈sequenceLength / blockSize⌉. */
  numBlocks: number;
  /** numBlocks · blockSize: the internal padded length. */
  paddedLength: number;
  /** Indices of the global blocks, ascending. */
  globalBlocks: number[];
  /** Per query block, the random key blocks drawn for it (empty for global blocks). */
  randomBlocks: number[][];
  /** Per query block, every key block it attends, ascending (all blocks for a global block). */
  attendedBlocks: number[][];
}

/** Block options of BigBird (validated by the caller). */
export interface BlockOptions {
  blockSize: number;
  numRandomBlocks: number;
  numGlobalBlocks: number;
  seed: number;
}

/** The BigBird block pattern for a sequence (pure). */
export function computeLayout(sequenceLength: number, o: BlockOptions): BigBirdLayout {
  const numBlocks = Math.ceil(sequenceLength / o.blockSize);
  const g = o.numGlobalBlocks;
  const globalSet = new Set<number>();
  for (let i = 0; i < Math.ceil(g / 2) && i < numBlocks; i++) globalSet.add(i);
  for (let i = 0; i < Math.floor(g / 2) && i < numBlocks; i++) globalSet.add(numBlocks - 1 - i);
  const globalBlocks = [...globalSet].sort((a, b) => a - b);
  const random = new SeededRandom(o.seed);
  const randomBlocks: number[][] = [];
  const attendedBlocks: number[][] = [];
  const all = Array.from({ length: numBlocks }, (_, i) => i);
  for (let i = 0; i < numBlocks; i++) {
    if (globalSet.has(i)) {
      randomBlocks.push([]);
      attendedBlocks.push(all);
      continue;
    }
    const fixed = new Set<number>([i - 1, i, i + 1].filter((j) => j >= 0 && j < numBlocks));
    for (const j of globalBlocks) fixed.add(j);
    // Partial Fisher–Yates over the blocks outside the window and the global blocks.
    const candidates = all.filter((j) => !fixed.has(j));
    const take = Math.min(o.numRandomBlocks, candidates.length);
    for (let s = 0; s < take; s++) {
      const pick = s + random.integer(candidates.length - s);
      [candidates[s], candidates[pick]] = [candidates[pick]!, candidates[s]!];
    }
    const chosen = candidates.slice(0, take);
    randomBlocks.push(chosen);
    attendedBlocks.push([...fixed, ...chosen].sort((a, b) => a - b));
  }
  return { numBlocks, paddedLength: numBlocks * o.blockSize, globalBlocks, randomBlocks, attendedBlocks };
}

