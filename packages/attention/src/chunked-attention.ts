import * as tf from '@tensorflow/tfjs-core';
import { CausalBiasCache, causalTileState, tile, type Block } from './internal/blocks.js';
import { source, type Source } from './internal/block-sparse.js';
import {
  attentionDims,
  booleanOption,
  floatTensor,
  kvHeadOf,
  numberOption,
  optionsObject,
  type AttentionDims,
} from './internal/validate.js';

/** Options of {@link chunkedAttention}. */
export interface ChunkedAttentionOptions {
  /** Causal masking aligned bottom-right (query i sees key j ≤ i + nK − nQ), as `scaledDotProductAttention`. */
  causal?: boolean;
  /** Multiplier of the scores; default 1/√headDim. */
  scale?: number;
  /**
   * Tile edge: queries and keys are processed in tiles of `chunkSize × chunkSize` scores. Any positive
   * integer; it need not divide the sequence lengths. Default {@link DEFAULT_CHUNK_SIZE}.
   */
  chunkSize?: number;
}

/**
 * Default tile edge of {@link chunkedAttention}: 512 × 512 float32 scores are 1 MiB, small enough for
 * caches and large enough that the wasm matrix products run at full speed (measured in BENCHMARKS.md).
 */
export const DEFAULT_CHUNK_SIZE = 512;

const FN = 'chunkedAttention';

interface Config {
  dims: AttentionDims;
  scale: number;
  causal: boolean;
  chunk: number;
}

/**
 * Exact softmax attention computed tile by tile with an online softmax (FlashAttention's algorithm), so no
 * `[nQ, nK]` tensor ever exists: neither in the forward pass nor in the gradient.
 *
 * Forward: for each query tile, the key tiles are visited in order; each tile's softmax is merged into the
 * running result through its log-sum-exp (`lse = max + log Σ exp(s − max)`), and only the output and the
 * per-row log-sum-exp are kept. Backward (`tf.customGrad`): every score tile is recomputed from q, k and
 * the saved log-sum-exp (FlashAttention-2), so the gradient also needs O((nQ + nK)·headDim) memory plus one
 * tile. Causal tiles above the diagonal are skipped entirely. Results equal
 * {@link scaledDotProductAttention} up to float32 rounding, including grouped-query heads, bottom-right
 * causal alignment and rows without any key (they output zeros and receive no gradient).
 *
 * @param q - queries `[batch, headsQ, nQ, headDim]`
 * @param k - keys `[batch, headsKV, nK, headDim]`; headsQ must be a multiple of headsKV
 * @param v - values `[batch, headsKV, nK, valueDim]`
 * @param options - `causal`, `scale`, `chunkSize` (see {@link ChunkedAttentionOptions})
 * @returns the attention output `[batch, headsQ, nQ, valueDim]`, owned by the caller
 * @throws TypeError for a wrong kind of argument or option; RangeError for mismatched shapes, a bad scale
 *   or a `chunkSize` that is not a positive integer
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { chunkedAttention } from '@prep/attention';
 * const q = tf.randomNormal([1, 4, 1000, 32]);
 * const out = chunkedAttention(q, q, q, { causal: true, chunkSize: 128 }); // [1, 4, 1000, 32]
 * const dq = tf.grad((x) => tf.sum(chunkedAttention(x, q, q, { chunkSize: 128 })))(q); // no 1000×1000 tensor
 * ```
 */
export function chunkedAttention(
  q: tf.Tensor | tf.TensorLike,
  k: tf.Tensor | tf.TensorLike,
  v: tf.Tensor | tf.TensorLike,
  options?: ChunkedAttentionOptions,
): tf.Tensor4D {
  const opts = optionsObject<ChunkedAttentionOptions>(options, FN);
  const causal = booleanOption(opts.causal, FN, 'options.causal', false);
  const scaleOption = opts.scale === undefined ? undefined : numberOption(opts.scale, FN, 'options.scale');
  const chunk =
    opts.chunkSize === undefined
      ? DEFAULT_CHUNK_SIZE
      : numberOption(opts.chunkSize, FN, 'options.chunkSize', { positive: true, integer: true });
  return tf.tidy(() => {
    const qt = floatTensor<tf.Rank.R4>(q, FN, 'q', 4);
    const kt = floatTensor<tf.Rank.R4>(k, FN, 'k', 4);
    const vt = floatTensor<tf.Rank.R4>(v, FN, 'v', 4);
    const dims = attentionDims(qt, kt, vt, FN);
    const config: Config = { dims, causal, chunk, scale: scaleOption ?? 1 / Math.sqrt(dims.headDim) };
    const op = tf.customGrad(((qq: tf.Tensor4D, kk: tf.Tensor4D, vv: tf.Tensor4D, save: tf.GradSaveFunc) => {
      const { out, lse } = forward(qq, kk, vv, config);
      save([qq, kk, vv, out, lse]);
      return { value: out, gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => backward(dy, saved as tf.Tensor4D[], config) };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(qt, kt, vt) as tf.Tensor4D;
  });
}

/** Rows of a query tile that have at least one key (only rows i < nQ − nK can have none, when causal). */
function liveRows(query: Block, config: Config): tf.Tensor2D | null {
  const offset = config.dims.nK - config.dims.nQ;
  if (!config.causal || query.start + offset >= 0) return null;
  const values = new Float32Array(query.size);
  for (let r = 0; r < query.size; r++) values[r] = query.start + r + offset >= 0 ? 1 : 0;
  return tf.tensor2d(values, [query.size, 1]);
}

function keyTiles(config: Config): Block[] {
  return tile(config.dims.nK, config.chunk);
}

/** The key tiles a query tile must visit, with their causal state. */
function visits(query: Block, config: Config): { key: Block; index: number; partial: boolean }[] {
  const offset = config.dims.nK - config.dims.nQ;
  const out: { key: Block; index: number; partial: boolean }[] = [];
  keyTiles(config).forEach((key, index) => {
    const state = config.causal ? causalTileState(query, key, offset) : 'full';
    if (state !== 'empty') out.push({ key, index, partial: state === 'partial' });
  });
  return out;
}

/** log(Σ exp(s)) of each row of a score tile, from its softmax (max p = 1 / Σ exp(s − max s)). */
function rowLogSumExp(scores: tf.Tensor2D, probs: tf.Tensor2D): tf.Tensor2D {
  return tf.sub(tf.max(scores, 1, true), tf.log(tf.max(probs, 1, true)));
}

function forward(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, config: Config): { out: tf.Tensor4D; lse: tf.Tensor4D } {
  const { batch, headsQ, headsKV, nQ, valueDim } = config.dims;
  const biases = new CausalBiasCache(config.dims.nK - nQ);
  const kTiles = keyTiles(config);
  // Tiles are copied out in O(tile) each (see `source`): tf.split / tf.slice of a whole head would copy the
  // whole input per tile on wasm, quadratic in n.
  const sources = [q, k, v].map(source);
  const [qs, ks, vs] = sources as [Source, Source, Source];
  const outputs: tf.Tensor2D[] = [];
  const logSumExps: tf.Tensor2D[] = [];
  try {
    for (let b = 0; b < batch; b++) {
      for (let g = 0; g < headsKV; g++) {
        const keysT = kTiles.map((key) => tf.tidy(() => tf.transpose(ks.take(b * headsKV + g, [key]))));
        const values = kTiles.map((key) => vs.take(b * headsKV + g, [key]));
        for (let h = 0; h < headsQ; h++) {
          if (kvHeadOf(h, headsQ, headsKV) !== g) continue;
          const headOut: tf.Tensor2D[] = [];
          const headLse: tf.Tensor2D[] = [];
          for (const query of tile(nQ, config.chunk)) {
            const todo = visits(query, config);
            if (todo.length === 0) {
              headOut.push(tf.zeros([query.size, valueDim]));
              headLse.push(tf.zeros([query.size, 1]));
              continue;
            }
            const qi = tf.tidy(() => tf.mul<tf.Tensor2D>(qs.take(b * headsQ + h, [query]), config.scale));
            let acc: tf.Tensor2D | null = null;
            let lse: tf.Tensor2D | null = null;
            for (const { key, index, partial } of todo) {
              const next = tf.tidy(() => {
                let scores: tf.Tensor2D = tf.matMul(qi, keysT[index]!);
                if (partial) scores = tf.add(scores, biases.get(query, key));
                const probs = tf.softmax(scores);
                const tileOut = tf.matMul(probs, values[index]!);
                const tileLse = rowLogSumExp(scores, probs);
                if (!acc || !lse) return [tileOut, tileLse];
                // Merge two normalised partial results by their log-sum-exp weights.
                const top = tf.maximum(lse, tileLse);
                const wOld = tf.exp(tf.sub(lse, top));
                const wNew = tf.exp(tf.sub(tileLse, top));
                const total = tf.add(wOld, wNew);
                const merged = tf.div(tf.add(tf.mul(acc, wOld), tf.mul(tileOut, wNew)), total);
                return [merged, tf.add(top, tf.log(total))];
              }) as [tf.Tensor2D, tf.Tensor2D];
              release(acc, lse);
              [acc, lse] = next;
            }
            qi.dispose();
            const live = liveRows(query, config);
            if (live) {
              const masked = tf.mul<tf.Tensor2D>(acc!, live);
              release(acc, live);
              acc = masked;
            }
            headOut.push(acc!);
            headLse.push(lse!);
          }
          outputs.push(concatRows(headOut));
          logSumExps.push(concatRows(headLse));
        }
        tf.dispose([...keysT, ...values]);
      }
    }
    const out = reorderHeads(outputs, config);
    const lse = reorderHeads(logSumExps, config);
    return { out, lse };
  } finally {
    biases.dispose();
    for (const s of sources) s.dispose();
  }
}

/** Disposes the tensors given, skipping empty slots. */
function release(...tensors: (tf.Tensor | null | undefined)[]): void {
  for (const t of tensors) t?.dispose();
}

/** Concatenates row blocks and disposes them. */
function concatRows(blocks: tf.Tensor2D[]): tf.Tensor2D {
  if (blocks.length === 1) return blocks[0]!;
  const out = tf.concat(blocks, 0);
  tf.dispose(blocks);
  return out;
}

/**
 * Per-head results were produced KV-group by KV-group; put them back in (batch, headQ) order and stack.
 * Disposes the inputs.
 */
function reorderHeads(perHead: tf.Tensor2D[], config: Config): tf.Tensor4D {
  const { batch, headsQ, headsKV } = config.dims;
  const order: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let g = 0; g < headsKV; g++) {
      for (let h = 0; h < headsQ; h++) if (kvHeadOf(h, headsQ, headsKV) === g) order.push(b * headsQ + h);
    }
  }
  const sorted: tf.Tensor2D[] = new Array<tf.Tensor2D>(perHead.length);
  order.forEach((slot, i) => (sorted[slot] = perHead[i]!));
  const [n, d] = sorted[0]!.shape;
  const out = tf.reshape<tf.Rank.R4>(tf.stack(sorted), [batch, headsQ, n, d]);
  tf.dispose(perHead);
  return out;
}

function backward(dy: tf.Tensor4D, saved: tf.Tensor4D[], config: Config): tf.Tensor[] {
  const [q, k, v, out, lse] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  const { batch, headsQ, headsKV, nQ, nK, headDim, valueDim } = config.dims;
  const biases = new CausalBiasCache(nK - nQ);
  const kTiles = keyTiles(config);
  const dQ: tf.Tensor2D[] = [];
  const dK: tf.Tensor2D[] = [];
  const dV: tf.Tensor2D[] = [];
  const sources = [q, k, v, out, lse, dy].map(source);
  const [qSrc, kSrc, vSrc, outSrc, lseSrc, dySrc] = sources as [Source, Source, Source, Source, Source, Source];
  const slice2 = (src: Source, b: number, h: number, query: Block): tf.Tensor2D => src.take(b * headsQ + h, [query]);
  try {
    for (let b = 0; b < batch; b++) {
      for (let g = 0; g < headsKV; g++) {
        const [keys, keysT, valuesT] = tf.tidy((): [tf.Tensor2D[], tf.Tensor2D[], tf.Tensor2D[]] => {
          const keys = kTiles.map((key) => kSrc.take(b * headsKV + g, [key]));
          return [keys, keys.map((x) => tf.transpose(x)), kTiles.map((key) => tf.transpose(vSrc.take(b * headsKV + g, [key])))];
        });
        // Transposed accumulators (dKᵀ, dVᵀ per key tile) keep every product in the fast, untransposed form.
        const dKT: (tf.Tensor2D | null)[] = kTiles.map(() => null);
        const dVT: (tf.Tensor2D | null)[] = kTiles.map(() => null);
        for (let h = 0; h < headsQ; h++) {
          if (kvHeadOf(h, headsQ, headsKV) !== g) continue;
          const headDQ: tf.Tensor2D[] = [];
          for (const query of tile(nQ, config.chunk)) {
            const todo = visits(query, config);
            if (todo.length === 0) {
              headDQ.push(tf.zeros([query.size, headDim]));
              continue;
            }
            const [qi, qiT, dOi, dOiT, lsei, deltai] = tf.tidy(() => {
              const qs = tf.mul(slice2(qSrc, b, h, query), config.scale);
              const live = liveRows(query, config);
              let dO = slice2(dySrc, b, h, query);
              if (live) dO = tf.mul(dO, live);
              const delta = tf.sum(tf.mul(dO, slice2(outSrc, b, h, query)), 1, true);
              return [qs, tf.transpose(qs), dO, tf.transpose(dO), slice2(lseSrc, b, h, query), delta];
            }) as tf.Tensor2D[];
            let dQi: tf.Tensor2D | null = null;
            for (const { key, index, partial } of todo) {
              const next = tf.tidy(() => {
                let scores: tf.Tensor2D = tf.matMul(qi!, keysT[index]!);
                if (partial) scores = tf.add(scores, biases.get(query, key));
                const soft = tf.softmax(scores);
                // P = exp(S − lse): the tile softmax rescaled from its own log-sum-exp to the row's.
                const probs = tf.mul(soft, tf.exp(tf.sub(rowLogSumExp(scores, soft), lsei!)));
                const dVTj = tf.matMul(dOiT!, probs);
                const dScores = tf.mul(probs, tf.sub(tf.matMul(dOi!, valuesT[index]!), deltai!));
                const dQij = tf.matMul(dScores, keys[index]!);
                const dKTj = tf.matMul(qiT!, dScores);
                const prevK = dKT[index];
                const prevV = dVT[index];
                return [
                  dQi ? tf.add(dQi, dQij) : dQij,
                  prevK ? tf.add(prevK, dKTj) : dKTj,
                  prevV ? tf.add(prevV, dVTj) : dVTj,
                ];
              }) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
              release(dQi, dKT[index], dVT[index]);
              [dQi, dKT[index], dVT[index]] = next;
            }
            tf.dispose([qi, qiT, dOi, dOiT, lsei, deltai]);
            const scaled = tf.mul(dQi!, config.scale);
            dQi!.dispose();
            headDQ.push(scaled as tf.Tensor2D);
          }
          dQ.push(concatRows(headDQ));
        }
        const [dKg, dVg] = tf.tidy((): [tf.Tensor2D, tf.Tensor2D] => {
          const fill = (list: (tf.Tensor2D | null)[], width: number) =>
            list.map((t, i) => t ?? tf.zeros<tf.Rank.R2>([width, kTiles[i]!.size]));
          return [tf.transpose(tf.concat(fill(dKT, headDim), 1)), tf.transpose(tf.concat(fill(dVT, valueDim), 1))];
        });
        tf.dispose([...keys, ...keysT, ...valuesT, ...dKT.filter((t) => t !== null), ...dVT.filter((t) => t !== null)]);
        dK.push(dKg);
        dV.push(dVg);
      }
    }
    const dq = reorderHeads(dQ, config);
    const dk = tf.reshape(tf.stack(dK), [batch, headsKV, nK, headDim]);
    const dv = tf.reshape(tf.stack(dV), [batch, headsKV, nK, valueDim]);
    tf.dispose([...dK, ...dV]);
    return [dq, dk, dv];
  } finally {
    biases.dispose();
    for (const s of sources) s.dispose();
  }
}

