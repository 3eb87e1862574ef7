import * as tf from '@tensorflow/tfjs-core';
import { headMatrix } from './internal/heads.js';
import { slidingWindowTiling } from './internal/layouts.js';
import { MASKED_SCORE } from './internal/mask.js';
import { attentionDims, booleanOption, floatTensor, got, kvHeadOf, numberOption, optionsObject } from './internal/validate.js';

/** Options of {@link slidingWindowAttention}. */
export interface SlidingWindowAttentionOptions {
  /**
   * Longformer's window w, a positive even integer: query i attends keys j with |i − j| ≤ w/2, or
   * i − w/2 ≤ j ≤ i when `causal` (positions aligned bottom-right when nQ < nK). A window of at least
   * 2·(n − 1) covers the whole sequence and gives exact full attention.
   */
  window: number;
  /**
   * Positions (key indices) with symmetric global attention, as Longformer: a global token attends every
   * key and every query attends it. Duplicates are ignored. Default none.
   */
  globalTokens?: readonly number[];
  /** Causal: nothing attends a later position, global tokens included. Default false. */
  causal?: boolean;
  /** Multiplier of the scores; default 1/√headDim. */
  scale?: number;
}

const FN = 'slidingWindowAttention';

/**
 * Sliding-window (Longformer) attention with optional symmetric global tokens, computed band by band:
 * each tile of queries scores only the keys of its window (plus the global keys), so time and memory grow
 * as n·(window + globals), never n², in the forward pass and in the tfjs-autodiff gradient.
 *
 * Each row is an exact softmax over its allowed keys (so rows sum to 1 and, for a window covering the
 * sequence, the result is full attention). Global query rows are exact softmax rows over all keys. Query
 * head h reads KV head ⌊h·headsKV/headsQ⌋. Requires nQ ≤ nK (queries are the last nQ positions).
 *
 * @param q - queries `[batch, headsQ, nQ, headDim]`
 * @param k - keys `[batch, headsKV, nK, headDim]`
 * @param v - values `[batch, headsKV, nK, valueDim]`
 * @param options - `window` (required), `globalTokens`, `causal`, `scale`
 * @returns `[batch, headsQ, nQ, valueDim]`, owned by the caller
 * @throws TypeError for a wrong kind of argument or option; RangeError for mismatched shapes, nQ > nK, a
 *   window that is not a positive even integer, or a global token that is not an integer in [0, nK)
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { slidingWindowAttention } from '@prep/attention';
 * const x = tf.randomNormal([1, 4, 4096, 64]);
 * // each token sees 128 neighbours on each side; token 0 (a [CLS]-like token) is global
 * const out = slidingWindowAttention(x, x, x, { window: 256, globalTokens: [0] }); // [1, 4, 4096, 64]
 * ```
 */
export function slidingWindowAttention(
  q: tf.Tensor | tf.TensorLike,
  k: tf.Tensor | tf.TensorLike,
  v: tf.Tensor | tf.TensorLike,
  options: SlidingWindowAttentionOptions,
): tf.Tensor4D {
  const opts = optionsObject<SlidingWindowAttentionOptions>(options, FN);
  if (opts.window === undefined) throw new TypeError(`${FN}: 'options.window' is required (a positive even integer); got undefined`);
  const window = numberOption(opts.window, FN, 'options.window', { positive: true, integer: true });
  if (window % 2 !== 0) throw new RangeError(`${FN}: 'options.window' must be a positive even integer; got ${window}`);
  const causal = booleanOption(opts.causal, FN, 'options.causal', false);
  const scaleOption = opts.scale === undefined ? undefined : numberOption(opts.scale, FN, 'options.scale');
  const globalsOption = opts.globalTokens;
  if (globalsOption !== undefined && !Array.isArray(globalsOption)) {
    throw new TypeError(`${FN}: 'options.globalTokens' must be an array of integer positions; got ${got(globalsOption)}`);
  }
  return tf.tidy(() => {
    const qt = floatTensor<tf.Rank.R4>(q, FN, 'q', 4);
    const kt = floatTensor<tf.Rank.R4>(k, FN, 'k', 4);
    const vt = floatTensor<tf.Rank.R4>(v, FN, 'v', 4);
    const { batch, headsQ, headsKV, nQ, nK, headDim, valueDim } = attentionDims(qt, kt, vt, FN);
    if (nQ > nK) throw new RangeError(`${FN}: 'q' must not have more positions than 'k' (${nK}); got ${nQ}`);
    const globals = globalPositions(globalsOption ?? [], nK);
    const scale = scaleOption ?? 1 / Math.sqrt(headDim);
    const offset = nK - nQ;
    const half = window / 2;
    const { tile, bandWidth, halfWindow } = slidingWindowTiling(window, nQ, nK, causal);
    const numTiles = Math.ceil(nQ / tile);
    const piecesPerBand = bandWidth / tile;
    const numPieces = numTiles + piecesPerBand - 1;
    // Key pieces cover absolute positions [base, base + numPieces·tile); tile t's band starts at piece t.
    const base = offset - halfWindow;
    const allowed = (query: number, key: number): boolean =>
      key >= 0 && key < nK && (causal ? key <= query && key >= query - half : Math.abs(query - key) <= half);

    // One bias per distinct tile layout (interior tiles share one).
    const biasCache = new Map<string, tf.Tensor2D | null>();
    const bandBias = (t: number): tf.Tensor2D | null => {
      const firstQuery = t * tile + offset;
      const firstKey = base + t * tile;
      const lo = Math.max(0, -firstKey);
      const hi = Math.max(0, firstKey + bandWidth - nK);
      const rowsPast = Math.max(0, (t + 1) * tile - nQ);
      const id = `${lo}|${hi}|${rowsPast}`;
      if (biasCache.has(id)) return biasCache.get(id)!;
      {
        const values = new Float32Array(tile * bandWidth);
        let any = false;
        for (let r = 0; r < tile; r++) {
          for (let c = 0; c < bandWidth; c++) {
            // Rows past nQ are padding: give them a harmless key so no row is fully masked.
            const ok = firstQuery + r - offset >= nQ ? c === 0 : allowed(firstQuery + r, firstKey + c);
            if (!ok) {
              values[r * bandWidth + c] = MASKED_SCORE;
              any = true;
            }
          }
        }
        const bias = any ? tf.tensor2d(values, [tile, bandWidth]) : null;
        biasCache.set(id, bias);
        return bias;
      }
    };
    // Global keys a tile's rows see outside their band (inside it they are already counted).
    const globalBias = (t: number): tf.Tensor2D | null => {
      if (globals.length === 0) return null;
      const values = new Float32Array(tile * globals.length);
      let anyOpen = false;
      for (let r = 0; r < tile; r++) {
        const query = t * tile + offset + r;
        globals.forEach((g, c) => {
          const open = query - offset < nQ && !allowed(query, g) && (!causal || g <= query);
          if (open) anyOpen = true;
          else values[r * globals.length + c] = MASKED_SCORE;
        });
      }
      return anyOpen ? tf.tensor2d(values, [tile, globals.length]) : null;
    };
    // Built up front in this scope: the per-tile scopes below must not dispose shared biases.
    const tileBiases = Array.from({ length: numTiles }, (_, t) => bandBias(t));
    const globalBiases = Array.from({ length: numTiles }, (_, t) => globalBias(t));

    // Selection matrices (one-hot) for global keys and global query rows: differentiable gathers.
    const globalRows = globals.map((g) => g - offset).filter((i) => i >= 0 && i < nQ);
    const selectKeys = globals.length ? oneHot(globals, nK) : null;
    const selectRows = globalRows.length ? oneHot(globalRows, nQ) : null;
    const scatterRows = globalRows.length ? tf.transpose(selectRows!) : null;
    const localRows = globalRows.length ? tf.tensor2d(rowMask(globalRows, nQ), [nQ, 1]) : null;
    const globalRowBias = globalRows.length && causal ? causalRowsBias(globalRows.map((i) => i + offset), nK) : null;

    const outputs: tf.Tensor2D[] = [];
    for (let b = 0; b < batch; b++) {
      for (let g = 0; g < headsKV; g++) {
        // One scope per KV head and one per query head: outside tf.grad only the outputs accumulate.
        const group = tf.tidy(() => {
          const groupOut: tf.Tensor2D[] = [];
          const kh = headMatrix(kt, b, g);
          const vh = headMatrix(vt, b, g);
          const keyPieces = splitInto(tf.transpose(window1d(kh, base, numPieces * tile)), numPieces, 1);
          const valuePieces = splitInto(window1d(vh, base, numPieces * tile), numPieces, 0);
          const keysGT = selectKeys ? tf.transpose(tf.matMul(selectKeys, kh)) : null;
          const valuesG = selectKeys ? tf.matMul(selectKeys, vh) : null;
          for (let h = 0; h < headsQ; h++) {
            if (kvHeadOf(h, headsQ, headsKV) !== g) continue;
            groupOut.push(tf.tidy(() => {
              const qh = tf.mul(headMatrix(qt, b, h), scale);
              const queryTiles = splitInto(window1d(qh as tf.Tensor2D, 0, numTiles * tile), numTiles, 0);
              const tiles: tf.Tensor2D[] = [];
              for (let t = 0; t < numTiles; t++) {
                // One scope per tile: outside tf.grad only the tile's output stays alive.
                tiles.push(
                  tf.tidy(() => {
                    const bandKT = piecesPerBand === 1 ? keyPieces[t]! : tf.concat(keyPieces.slice(t, t + piecesPerBand), 1);
                    const bandV = piecesPerBand === 1 ? valuePieces[t]! : tf.concat(valuePieces.slice(t, t + piecesPerBand), 0);
                    let scores: tf.Tensor2D = tf.matMul(queryTiles[t]!, bandKT);
                    const bias = tileBiases[t];
                    if (bias) scores = tf.add(scores, bias);
                    const gBias = globalBiases[t];
                    if (!gBias) return tf.matMul(tf.softmax(scores), bandV);
                    const gScores = tf.add(tf.matMul(queryTiles[t]!, keysGT!), gBias);
                    const [pBand, pGlobal] = tf.split(tf.softmax(tf.concat([scores, gScores], 1)), [bandWidth, globals.length], 1);
                    return tf.add<tf.Tensor2D>(tf.matMul(pBand!, bandV), tf.matMul(pGlobal!, valuesG!));
                  }),
                );
              }
              let out: tf.Tensor2D = tf.slice(tf.concat(tiles, 0), [0, 0], [nQ, valueDim]);
              if (selectRows) {
                // Global query rows: exact softmax over every (visible) key.
                let gScores: tf.Tensor2D = tf.matMul(tf.matMul(selectRows, qh), tf.transpose(kh));
                if (globalRowBias) gScores = tf.add(gScores, globalRowBias);
                const gOut = tf.matMul(tf.softmax(gScores), vh);
                out = tf.add(tf.mul(out, localRows!), tf.matMul(scatterRows!, gOut));
              }
              return out;
            }));
          }
          return groupOut;
        });
        let next = 0;
        for (let h = 0; h < headsQ; h++) if (kvHeadOf(h, headsQ, headsKV) === g) outputs[b * headsQ + h] = group[next++]!;
      }
    }
    return tf.reshape(tf.stack(outputs), [batch, headsQ, nQ, valueDim]);
  });
}

/** `tf.split` into equal parts; one part is the tensor itself (tfjs's SplitV gradient fails for a single part). */
export function splitInto(x: tf.Tensor2D, parts: number, axis: number): tf.Tensor2D[] {
  return parts === 1 ? [x] : tf.split(x, parts, axis);
}

/** Validated, sorted, de-duplicated global positions. */
function globalPositions(list: readonly unknown[], nK: number): number[] {
  const seen = new Set<number>();
  list.forEach((value, i) => {
    if (typeof value !== 'number') {
      throw new TypeError(`${FN}: 'options.globalTokens[${i}]' must be an integer position; got ${got(value)}`);
    }
    if (!Number.isInteger(value) || value < 0 || value >= nK) {
      throw new RangeError(`${FN}: 'options.globalTokens[${i}]' must be an integer in [0, ${nK}); got ${value}`);
    }
    seen.add(value);
  });
  return [...seen].sort((a, b) => a - b);
}

/** Rows [start, start + length) of a matrix, zero rows where the range leaves [0, rows). */
function window1d(x: tf.Tensor2D, start: number, length: number): tf.Tensor2D {
  const [n, width] = x.shape;
  const from = Math.max(0, start);
  const to = Math.min(n, start + length);
  const before = Math.max(0, -start);
  if (to <= from) return tf.zeros([length, width]);
  const body = from === 0 && to === n ? x : tf.slice(x, [from, 0], [to - from, width]);
  const after = length - before - (to - from);
  return before === 0 && after === 0 ? body : tf.pad(body, [[before, after], [0, 0]]);
}

/** One-hot rows `[positions.length, n]`. */
function oneHot(positions: readonly number[], n: number): tf.Tensor2D {
  const values = new Float32Array(positions.length * n);
  positions.forEach((p, r) => (values[r * n + p] = 1));
  return tf.tensor2d(values, [positions.length, n]);
}

/** 1 for ordinary rows, 0 for global rows. */
function rowMask(globalRows: readonly number[], n: number): Float32Array {
  const values = new Float32Array(n).fill(1);
  for (const r of globalRows) values[r] = 0;
  return values;
}

/** Causal bias `[rows.length, nK]` for global query rows at absolute positions `positions`. */
function causalRowsBias(positions: readonly number[], nK: number): tf.Tensor2D {
  const values = new Float32Array(positions.length * nK);
  positions.forEach((p, r) => {
    for (let j = p + 1; j < nK; j++) values[r * nK + j] = MASKED_SCORE;
  });
  return tf.tensor2d(values, [positions.length, nK]);
}
