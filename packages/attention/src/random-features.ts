import * as tf from '@tensorflow/tfjs-core';
import { orthogonalFactor } from './internal/qr.js';
import { SeededRandom } from './internal/random.js';
import { booleanOption, numberOption, optionsObject } from './internal/validate.js';

/** Options of {@link randomFeatureMatrix}. */
export interface RandomFeatureOptions {
  /**
   * Draw the rows in blocks of `headDim` mutually orthogonal directions (QR of a Gaussian matrix), with
   * lengths drawn from the χ(headDim) distribution, as google-research performer's
   * `create_projection_matrix(scaling=0)`. `false` draws i.i.d. Gaussian rows. Default `true`.
   */
  orthogonal?: boolean;
  /** Seed of the draw; the same seed gives the same matrix on every backend. Default 0. */
  seed?: number;
}

const FN = 'randomFeatureMatrix';
const cache = new Map<string, Float32Array>();
const CACHE_LIMIT = 16;

/**
 * The projection values ω (row-major `[numFeatures, headDim]`), computed in float64 from a seeded
 * stream and cached. Internal; validated by the callers.
 */
export function randomFeatureValues(numFeatures: number, headDim: number, orthogonal: boolean, seed: number): Float32Array {
  const key = `${numFeatures}|${headDim}|${orthogonal}|${seed}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const random = new SeededRandom(seed);
  const out = new Float32Array(numFeatures * headDim);
  if (!orthogonal) {
    for (let i = 0; i < out.length; i++) out[i] = random.normal();
  } else {
    const block = new Float64Array(headDim * headDim);
    for (let row0 = 0; row0 < numFeatures; row0 += headDim) {
      for (let i = 0; i < block.length; i++) block[i] = random.normal();
      const q = orthogonalFactor(block, headDim);
      // Rows of the projection are the columns of Q (performer transposes Q).
      const rows = Math.min(headDim, numFeatures - row0);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < headDim; c++) out[(row0 + r) * headDim + c] = q[c * headDim + r]!;
      }
    }
    // Lengths: the norms of i.i.d. Gaussian vectors (χ(headDim)), so each row is marginally N(0, I).
    for (let r = 0; r < numFeatures; r++) {
      let sq = 0;
      for (let c = 0; c < headDim; c++) sq += random.normal() ** 2;
      const length = Math.sqrt(sq);
      for (let c = 0; c < headDim; c++) out[r * headDim + c] = out[r * headDim + c]! * length;
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, out);
  return out;
}

/** Validates a seed: any safe integer (used modulo 2³²). */
export function seedOption(value: unknown, fn: string, arg: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${fn}: '${arg}' must be an integer; got ${typeof value}`);
  if (!Number.isSafeInteger(value)) throw new RangeError(`${fn}: '${arg}' must be a safe integer; got ${value}`);
  return value;
}

/**
 * The random projection ω of FAVOR+ (and of the random-feature ReLU kernel): `numFeatures` rows in
 * `headDim` dimensions, orthogonal in blocks of `headDim` rows (Householder QR in float64) with χ-distributed
 * lengths, following google-research performer's `create_projection_matrix`. Drawn in plain JS from
 * `seed`, so every backend (cpu, wasm, webgl, webgpu) gets exactly the same features.
 *
 * @param numFeatures - number of random features m (rows), a positive integer
 * @param headDim - dimension d of queries and keys (columns), a positive integer
 * @param options - `orthogonal` (default true) and `seed` (default 0)
 * @returns a float32 tensor `[numFeatures, headDim]`, owned by the caller
 * @throws TypeError for a non-number size or seed, a non-boolean `orthogonal` or a non-object `options`;
 *   RangeError for sizes that are not positive integers or a seed that is not a safe integer
 * @example
 * ```ts
 * import { randomFeatureMatrix } from '@prep/attention';
 * const omega = randomFeatureMatrix(256, 64, { seed: 7 });   // [256, 64]
 * // rows 0..63 are mutually orthogonal, and so are rows 64..127, ...
 * ```
 */
export function randomFeatureMatrix(numFeatures: number, headDim: number, options?: RandomFeatureOptions): tf.Tensor2D {
  const m = numberOption(numFeatures, FN, 'numFeatures', { positive: true, integer: true });
  const d = numberOption(headDim, FN, 'headDim', { positive: true, integer: true });
  const opts = optionsObject<RandomFeatureOptions>(options, FN);
  const orthogonal = booleanOption(opts.orthogonal, FN, 'options.orthogonal', true);
  const seed = seedOption(opts.seed, FN, 'options.seed', 0);
  return tf.tensor2d(randomFeatureValues(m, d, orthogonal, seed), [m, d], 'float32');
}
