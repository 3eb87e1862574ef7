import type { SeededRandom } from './random.js';

/** How {@link sampleToken} picks a token. */
export interface SamplingOptions {
  /** Softmax temperature; 0 picks the most likely token (greedy). */
  temperature: number;
  /** Keep only the k most likely tokens before sampling; 0 keeps all. */
  topK: number;
}

/**
 * Picks one token from a row of logits on the host: greedy (the lowest id among ties) when temperature
 * is 0, otherwise a draw from softmax(logits / temperature) restricted to the top k, using `rng`.
 *
 * @param logits - a flat buffer holding the row `[offset, offset + vocabSize)`
 * @param offset - start of the row
 * @param vocabSize - row length
 * @param options - `temperature` (≥ 0) and `topK` (0 = all)
 * @param rng - the sequence's own random stream (unused when greedy)
 * @returns the token id
 * @example
 * ```ts
 * import { sampleToken, SeededRandom } from '@prep/example-tiny-lm';
 * sampleToken([0.1, 3, 2], 0, 3, { temperature: 0, topK: 0 }, new SeededRandom(1)); // 1
 * ```
 */
export function sampleToken(logits: ArrayLike<number>, offset: number, vocabSize: number, options: SamplingOptions, rng: SeededRandom): number {
  let best = 0;
  for (let i = 1; i < vocabSize; i++) if (logits[offset + i]! > logits[offset + best]!) best = i;
  if (options.temperature === 0) return best;
  let ids = Array.from({ length: vocabSize }, (_, i) => i);
  if (options.topK > 0 && options.topK < vocabSize) {
    ids.sort((a, b) => logits[offset + b]! - logits[offset + a]! || a - b);
    ids = ids.slice(0, options.topK);
  }
  const max = logits[offset + best]!;
  const weights = ids.map((i) => Math.exp((logits[offset + i]! - max) / options.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let j = 0; j < ids.length; j++) {
    u -= weights[j]!;
    if (u < 0) return ids[j]!;
  }
  return ids[ids.length - 1]!;
}
