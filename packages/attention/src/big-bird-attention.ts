import * as tf from '@tensorflow/tfjs-core';
import { blockSparseAttention, type TilePlan } from './internal/block-sparse.js';
import { MASKED_SCORE } from './internal/mask.js';
import { computeLayout, type BigBirdLayout, type BlockOptions } from './internal/layouts.js';
import { attentionDims, floatTensor, numberOption, optionsObject } from './internal/validate.js';
import { seedOption } from './random-features.js';

/** Options of {@link bigBirdAttention}. */
export interface BigBirdAttentionOptions {
  /** Tokens per block b (a positive integer). The sequence is padded internally to a multiple of b. */
  blockSize: number;
  /** r, random key blocks per (non-global) query block, drawn from the blocks outside its window. */
  numRandomBlocks: number;
  /**
   * Global blocks: the first ⌈g/2⌉ and the last ⌊g/2⌋ blocks (g = 2: first and last, as Hugging Face's
   * BigBird). They attend every key and every query attends them. Default 2.
   */
  numGlobalBlocks?: number;
  /** Seed of the random blocks (required, so results reproduce). */
  seed: number;
  /** Multiplier of the scores; default 1/√headDim. */
  scale?: number;
}

/** Options of {@link bigBirdLayout}. */
export interface BigBirdLayoutOptions {
  sequenceLength: number;
  blockSize: number;
  numRandomBlocks: number;
  numGlobalBlocks?: number;
  seed: number;
}

const FN = 'bigBirdAttention';

function layoutOptions(opts: Partial<BigBirdLayoutOptions>, fn: string, prefix: string): BlockOptions {
  const need = (name: keyof BigBirdLayoutOptions): void => {
    if (opts[name] === undefined) throw new TypeError(`${fn}: '${prefix}${name}' is required; got undefined`);
  };
  need('blockSize');
  need('numRandomBlocks');
  need('seed');
  return {
    blockSize: numberOption(opts.blockSize, fn, `${prefix}blockSize`, { positive: true, integer: true }),
    numRandomBlocks: numberOption(opts.numRandomBlocks, fn, `${prefix}numRandomBlocks`, { integer: true, min: 0 }),
    numGlobalBlocks:
      opts.numGlobalBlocks === undefined ? 2 : numberOption(opts.numGlobalBlocks, fn, `${prefix}numGlobalBlocks`, { integer: true, min: 0 }),
    seed: seedOption(opts.seed, fn, `${prefix}seed`, 0),
  };
}

/**
 * The block pattern of {@link bigBirdAttention} for a sequence length: a window of 3 blocks (i − 1, i,
 * i + 1), the global blocks, and r random blocks per query block drawn without replacement from the
 * remaining blocks with a seeded generator (the same pattern on every backend; one pattern shared by all
 * heads, where Hugging Face draws one per head). Useful to plot the pattern or build the equivalent
 * dense mask.
 *
 * @param options - `sequenceLength`, `blockSize`, `numRandomBlocks`, `numGlobalBlocks` (2), `seed`
 * @returns the layout (plain numbers)
 * @throws TypeError for missing or non-number options; RangeError for non-integer or negative values
 * @example
 * ```ts
 * import { bigBirdLayout } from '@prep/attention';
 * const layout = bigBirdLayout({ sequenceLength: 1000, blockSize: 64, numRandomBlocks: 3, seed: 0 });
 * layout.numBlocks;          // 16 (1024 tokens after padding)
 * layout.attendedBlocks[5];  // [0, 4, 5, 6, 15] plus 3 random blocks, ascending
 * ```
 */
export function bigBirdLayout(options: BigBirdLayoutOptions): BigBirdLayout {
  const fn = 'bigBirdLayout';
  const opts = optionsObject<BigBirdLayoutOptions>(options, fn);
  if (opts.sequenceLength === undefined) throw new TypeError(`${fn}: 'options.sequenceLength' is required; got undefined`);
  const n = numberOption(opts.sequenceLength, fn, 'options.sequenceLength', { positive: true, integer: true });
  return computeLayout(n, layoutOptions(opts, fn, 'options.'));
}

/**
 * BigBird block-sparse attention (Zaheer et al. 2020, ITC variant): the sequence is cut into blocks of
 * `blockSize`; each query block attends its window of 3 blocks, the global blocks and `numRandomBlocks`
 * random blocks; global blocks attend everything. Each row is an exact softmax over its allowed keys.
 * Only the attended blocks are gathered (copied tile by tile, with a hand-written gradient),
 * so time and memory grow as n·(3 + g + r)·blockSize plus n·g·blockSize for the global rows: linear in n
 * for fixed blocks, in the forward pass and in the tfjs-autodiff gradient. Inputs are padded internally
 * to a multiple of `blockSize` (padded keys are masked, padded rows dropped). Requires nQ = nK
 * (self-attention); query head h reads KV head ⌊h·headsKV/headsQ⌋.
 *
 * @param q - queries `[batch, headsQ, n, headDim]`
 * @param k - keys `[batch, headsKV, n, headDim]`
 * @param v - values `[batch, headsKV, n, valueDim]`
 * @param options - `blockSize`, `numRandomBlocks`, `numGlobalBlocks` (2), `seed`, `scale`
 * @returns `[batch, headsQ, n, valueDim]`, owned by the caller
 * @throws TypeError for a wrong kind of argument or a missing option; RangeError for mismatched shapes,
 *   nQ ≠ nK or option values out of range
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { bigBirdAttention } from '@prep/attention';
 * const x = tf.randomNormal([1, 4, 4096, 64]);
 * const out = bigBirdAttention(x, x, x, { blockSize: 64, numRandomBlocks: 3, seed: 0 }); // [1, 4, 4096, 64]
 * ```
 */
export function bigBirdAttention(
  q: tf.Tensor | tf.TensorLike,
  k: tf.Tensor | tf.TensorLike,
  v: tf.Tensor | tf.TensorLike,
  options: BigBirdAttentionOptions,
): tf.Tensor4D {
  const opts = optionsObject<BigBirdAttentionOptions>(options, FN);
  const layoutOpts = layoutOptions(opts, FN, 'options.');
  const scaleOption = opts.scale === undefined ? undefined : numberOption(opts.scale, FN, 'options.scale');
  return tf.tidy(() => {
    const qt = floatTensor<tf.Rank.R4>(q, FN, 'q', 4);
    const kt = floatTensor<tf.Rank.R4>(k, FN, 'k', 4);
    const vt = floatTensor<tf.Rank.R4>(v, FN, 'v', 4);
    const { batch, headsQ, headsKV, nQ, nK, headDim, valueDim } = attentionDims(qt, kt, vt, FN);
    if (nQ !== nK) throw new RangeError(`${FN}: 'q' and 'k' must have the same length (self-attention); got ${nQ} and ${nK}`);
    const n = nQ;
    const scale = scaleOption ?? 1 / Math.sqrt(headDim);
    const layout = computeLayout(n, layoutOpts);
    const { numBlocks, paddedLength, attendedBlocks } = layout;
    const blockSize = layoutOpts.blockSize;
    const padding = paddedLength - n;
    // Padded keys live in the last block: mask their columns wherever that block is attended.
    // Blocks are attended in ascending order, so padded keys are always the last `padding` columns.
    const biasCache = new Map<number, Float32Array>();
    const biasFor = (blocks: readonly number[]): Float32Array | null => {
      if (padding === 0 || blocks[blocks.length - 1] !== numBlocks - 1) return null;
      let bias = biasCache.get(blocks.length);
      if (!bias) {
        bias = new Float32Array(blockSize * blocks.length * blockSize);
        for (let r = 0; r < blockSize; r++) bias.fill(MASKED_SCORE, (r + 1) * blocks.length * blockSize - padding, (r + 1) * blocks.length * blockSize);
        biasCache.set(blocks.length, bias);
      }
      return bias;
    };
    const plans: TilePlan[] = attendedBlocks.map((blocks) => ({ blocks, bias: biasFor(blocks) }));
    const pad = (x: tf.Tensor4D, width: number): tf.Tensor3D => {
      const flat = tf.reshape<tf.Rank.R3>(x, [x.shape[0] * x.shape[1], n, width]);
      return padding === 0 ? flat : tf.pad(flat, [[0, 0], [0, padding], [0, 0]]);
    };
    // One query block per tile, its attended key blocks gathered in O(block) each (blockSparseAttention):
    // no per-block slice of an O(n) tensor, which tfjs-backend-wasm's Slice makes quadratic.
    const result = blockSparseAttention(pad(qt, headDim), pad(kt, headDim), pad(vt, valueDim), {
      tile: blockSize,
      block: blockSize,
      plans,
      groupSize: headsQ / headsKV,
      scale,
    });
    return tf.reshape(tf.slice(result, [0, 0, 0], [batch * headsQ, n, valueDim]), [batch, headsQ, n, valueDim]);
  });
}

export type { BigBirdLayout };
