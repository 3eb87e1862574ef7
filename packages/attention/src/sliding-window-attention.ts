import * as tf from '@tensorflow/tfjs-core';
import { slidingWindowTiling } from './internal/layouts.js';
import { blockSparseAttention, type TilePlan } from './internal/block-sparse.js';
import { MASKED_SCORE } from './internal/mask.js';
import { attentionDims, booleanOption, floatTensor, got, numberOption, optionsObject } from './internal/validate.js';

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
    const groupSize = headsQ / headsKV;
    const BK = batch * headsKV;
    const BQ = batch * headsQ;
    // Key pieces cover absolute positions [base, base + numPieces·tile); tile t's band starts at piece t.
    const base = offset - halfWindow;
    const allowed = (query: number, key: number): boolean =>
      key >= 0 && key < nK && (causal ? key <= query && key >= query - half : Math.abs(query - key) <= half);

    // One bias per distinct tile layout (interior tiles share one).
    const biasCache = new Map<string, Float32Array | null>();
    const bandBias = (t: number): Float32Array | null => {
      const firstQuery = t * tile + offset;
      const firstKey = base + t * tile;
      const lo = Math.max(0, -firstKey);
      const hi = Math.max(0, firstKey + bandWidth - nK);
      const rowsPast = Math.max(0, (t + 1) * tile - nQ);
      const id = `${lo}|${hi}|${rowsPast}`;
      if (biasCache.has(id)) return biasCache.get(id)!;
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
      const bias = any ? values : null;
      biasCache.set(id, bias);
      return bias;
    };
    const plans: TilePlan[] = Array.from({ length: numTiles }, (_, t) => ({
      blocks: Array.from({ length: piecesPerBand }, (_, j) => t + j),
      bias: bandBias(t),
    }));
    // Global keys a row sees outside its band (inside it they are already counted).
    let globalBias: tf.Tensor2D | null = null;
    if (globals.length > 0) {
      const G = globals.length;
      const values = new Float32Array(numTiles * tile * G);
      let anyOpen = false;
      for (let row = 0; row < numTiles * tile; row++) {
        const query = row + offset;
        globals.forEach((g, c) => {
          const open = row < nQ && !allowed(query, g) && (!causal || g <= query);
          if (open) anyOpen = true;
          else values[row * G + c] = MASKED_SCORE;
        });
      }
      if (anyOpen) globalBias = tf.tensor2d(values, [numTiles * tile, G]);
    }
    const globalRows = globals.map((g) => g - offset).filter((i) => i >= 0 && i < nQ);

    // The bands: padded keys [base, base + numPieces·tile) cut into pieces of `tile`; tile t reads pieces
    // t … t + piecesPerBand − 1. The tile loop runs in blockSparseAttention (tiles gathered, not sliced:
    // tfjs-backend-wasm's Slice copies its whole input, so a slice per tile would be quadratic in n).
    const k3 = tf.reshape<tf.Rank.R3>(kt, [BK, nK, headDim]);
    const v3 = tf.reshape<tf.Rank.R3>(vt, [BK, nK, valueDim]);
    const rowsQ = numTiles * tile;
    const banded = blockSparseAttention(
      window3d(tf.reshape<tf.Rank.R3>(qt, [BQ, nQ, headDim]), 0, rowsQ),
      window3d(k3, base, numPieces * tile),
      window3d(v3, base, numPieces * tile),
      { tile, block: tile, plans, groupSize, scale },
    );
    let out: tf.Tensor3D = tf.slice(banded, [0, 0, 0], [BQ, rowsQ, valueDim]);
    if (globalBias) {
      // Merge the global keys through the band's log-sum-exp: one softmax over band ∪ open globals.
      const G = globals.length;
      const lseBand = tf.slice(banded, [0, 0, valueDim], [BQ, rowsQ, 1]);
      const qs = tf.reshape<tf.Rank.R3>(tf.mul(window3d(tf.reshape<tf.Rank.R3>(qt, [BQ, nQ, headDim]), 0, rowsQ), scale), [BK, groupSize * rowsQ, headDim]);
      const gScores = tf.add(tf.reshape(tf.matMul(qs, rowsOf(k3, globals), false, true), [BQ, rowsQ, G]), globalBias);
      const lse = tf.logSumExp(tf.concat([lseBand, gScores], 2), 2, true);
      const pGlobal = tf.reshape<tf.Rank.R3>(tf.exp(tf.sub(gScores, lse)), [BK, groupSize * rowsQ, G]);
      const fromGlobals = tf.reshape(tf.matMul(pGlobal, rowsOf(v3, globals)), [BQ, rowsQ, valueDim]);
      out = tf.add(tf.mul(out, tf.exp(tf.sub(lseBand, lse))), fromGlobals);
    }
    if (rowsQ !== nQ) out = tf.slice(out, [0, 0, 0], [BQ, nQ, valueDim]);

    if (globalRows.length) {
      // Global query rows: exact softmax over every (visible) key.
      const R = globalRows.length;
      const qs = tf.mul<tf.Tensor3D>(tf.reshape<tf.Rank.R3>(qt, [BQ, nQ, headDim]), scale);
      const gq = tf.reshape(rowsOf(qs, globalRows), [BK, groupSize * R, headDim]);
      let gScores: tf.Tensor = tf.matMul(gq, k3, false, true);
      if (causal) {
        const bias = causalRowsBias(globalRows.map((i) => i + offset), nK);
        gScores = tf.reshape(tf.add(tf.reshape(gScores, [BK, groupSize, R, nK]), bias), [BK, groupSize * R, nK]);
      }
      const gOut = tf.reshape(tf.matMul(tf.softmax(gScores) as tf.Tensor3D, v3), [BQ, R, valueDim]);
      // Scatter the global rows into place: out·(1 − onehot) + onehotᵀ·gOut, as one matMul over every head.
      const scatter = tf.transpose(oneHot(globalRows, nQ));
      const placed = tf.matMul(scatter, tf.reshape(tf.transpose(gOut, [1, 0, 2]), [R, BQ * valueDim]));
      const localRows = tf.tensor2d(rowMask(globalRows, nQ), [nQ, 1]);
      out = tf.add(tf.mul(out, localRows), tf.transpose(tf.reshape(placed, [nQ, BQ, valueDim]), [1, 0, 2]));
    }
    return tf.reshape(out, [batch, headsQ, nQ, valueDim]);
  });
}

/** Rows `positions` of every matrix of `[batch, n, width]`, as one one-hot matMul (differentiable everywhere). */
function rowsOf(x: tf.Tensor3D, positions: readonly number[]): tf.Tensor3D {
  const [batch, n, width] = x.shape;
  const picked = tf.matMul(oneHot(positions, n), tf.reshape(tf.transpose(x, [1, 0, 2]), [n, batch * width]));
  return tf.transpose(tf.reshape(picked, [positions.length, batch, width]), [1, 0, 2]);
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

/** Rows [start, start + length) of each matrix of `[batch, n, width]`, zero rows where the range leaves [0, n). */
function window3d(x: tf.Tensor3D, start: number, length: number): tf.Tensor3D {
  const [batch, n, width] = x.shape;
  const from = Math.max(0, start);
  const to = Math.min(n, start + length);
  const before = Math.max(0, -start);
  if (to <= from) return tf.zeros([batch, length, width]);
  const body = from === 0 && to === n ? x : tf.slice(x, [0, from, 0], [batch, to - from, width]);
  const after = length - before - (to - from);
  return before === 0 && after === 0 ? body : tf.pad(body, [[0, 0], [before, after], [0, 0]]);
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
