import * as tf from '@tensorflow/tfjs-core';
import { headMatrix } from './internal/heads.js';
import { attentionDims, floatTensor, kvHeadOf, optionsObject } from './internal/validate.js';
import {
  causalLinearAligned,
  ELU_EPSILON,
  featureConfig,
  featureCount,
  featureMapHead,
  projectionT,
  type FeatureConfig,
  type FeatureMap,
} from './linear-attention.js';

/** Options of {@link LinearAttentionState}: the feature options of `linearAttention`. */
export interface LinearAttentionStateOptions {
  /** φ: `'elu'` (default), `'favor+'` or `'relu'`, as in `linearAttention`. */
  featureMap?: FeatureMap;
  /** Random features of `'favor+'` / `'relu'`. Default 256. */
  numFeatures?: number;
  /** Orthogonal random features. Default true. */
  orthogonal?: boolean;
  /** Seed of the random features; use the same as the batch call to get the same result. Default 0. */
  seed?: number;
}

const FN = 'LinearAttentionState';

/**
 * The recurrent form of causal linear attention, for streaming decode: it keeps, per (batch, KV head),
 * S = Σ φ(k_j) v_jᵀ `[m, valueDim]` and z = Σ φ(k_j) `[m]`, and each new token costs O(m·valueDim)
 * time and memory however long the stream already is. Feeding tokens one at a time (or in blocks) gives
 * the same outputs as `linearAttention(q, k, v, { causal: true, ...options })` over the whole sequence.
 *
 * The shapes are fixed by the first {@link LinearAttentionState.step}; later steps must match them
 * (a mismatching step throws and leaves the state unchanged). The state holds tensors: call
 * {@link LinearAttentionState.dispose} when done.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { LinearAttentionState } from '@prep/attention';
 * const state = new LinearAttentionState({ featureMap: 'favor+', numFeatures: 128, seed: 3 });
 * for (let t = 0; t < 100; t++) {
 *   const x = tf.randomNormal([1, 4, 1, 32]);        // one token: [batch, heads, 1, headDim]
 *   const y = state.step(x, x, x);                  // [1, 4, 1, 32], O(1) per token
 *   tf.dispose([x, y]);
 * }
 * state.length; // 100
 * state.dispose();
 * ```
 */
export class LinearAttentionState {
  private readonly config: FeatureConfig;
  private kvState: tf.Tensor4D | null = null;
  private zState: tf.Tensor4D | null = null;
  private shape: { batch: number; headsQ: number; headsKV: number; headDim: number; valueDim: number } | null = null;
  private tokens = 0;
  private disposed = false;

  /**
   * @param options - `featureMap`, `numFeatures`, `orthogonal`, `seed` (as `linearAttention`)
   * @throws TypeError / RangeError for bad options, naming the option
   */
  constructor(options?: LinearAttentionStateOptions) {
    this.config = featureConfig(optionsObject<LinearAttentionStateOptions>(options, FN), FN);
  }

  /** Number of tokens consumed so far. */
  get length(): number {
    return this.tokens;
  }

  /** S = Σ φ(k) vᵀ, `[batch, headsKV, m, valueDim]`, or null before the first step (owned by the state). */
  get kv(): tf.Tensor4D | null {
    return this.kvState;
  }

  /** z = Σ φ(k), `[batch, headsKV, m, 1]`, or null before the first step (owned by the state). */
  get normalizer(): tf.Tensor4D | null {
    return this.zState;
  }

  /**
   * Consumes `t` new tokens (usually 1) and returns their attention outputs. Token s of this step sees all
   * earlier tokens and tokens ≤ s of this step.
   *
   * @param q - queries `[batch, headsQ, t, headDim]`
   * @param k - keys `[batch, headsKV, t, headDim]`
   * @param v - values `[batch, headsKV, t, valueDim]`
   * @returns `[batch, headsQ, t, valueDim]`, owned by the caller
   * @throws TypeError for non-tensors or a disposed state; RangeError when q, k and v do not have the same
   *   number of tokens or do not match the shapes of earlier steps (the state is then unchanged)
   */
  step(q: tf.Tensor | tf.TensorLike, k: tf.Tensor | tf.TensorLike, v: tf.Tensor | tf.TensorLike): tf.Tensor4D {
    const fn = `${FN}.step`;
    if (this.disposed) throw new TypeError(`${fn}: the state has been disposed`);
    const result = tf.tidy(() => {
      const qt = floatTensor<tf.Rank.R4>(q, fn, 'q', 4);
      const kt = floatTensor<tf.Rank.R4>(k, fn, 'k', 4);
      const vt = floatTensor<tf.Rank.R4>(v, fn, 'v', 4);
      const { batch, headsQ, headsKV, nQ, nK, headDim, valueDim } = attentionDims(qt, kt, vt, fn);
      if (nQ !== nK) throw new RangeError(`${fn}: 'q' and 'k' must hold the same number of new tokens; got ${nQ} and ${nK}`);
      const known = this.shape;
      if (known) {
        const now = { batch, headsQ, headsKV, headDim, valueDim };
        for (const key of Object.keys(now) as (keyof typeof now)[]) {
          if (now[key] !== known[key]) {
            throw new RangeError(`${fn}: '${key === 'headsQ' ? 'q' : key === 'valueDim' ? 'v' : 'k'}' has ${key} ${now[key]}, but earlier steps had ${known[key]}`);
          }
        }
      }
      const omegaT = projectionT(this.config, headDim);
      const epsilon = this.config.featureMap === 'elu' ? ELU_EPSILON : 0;
      const m = featureCount(this.config, headDim);
      const outputs: tf.Tensor2D[] = [];
      const kvs: tf.Tensor2D[] = [];
      const zs: tf.Tensor2D[] = [];
      for (let b = 0; b < batch; b++) {
        for (let g = 0; g < headsKV; g++) {
          const prefix = this.kvState && this.zState ? { kv: headMatrix(this.kvState, b, g), z: headMatrix(this.zState, b, g) } : null;
          const fk = featureMapHead(headMatrix(kt, b, g), this.config, 'causal-key', omegaT);
          const vh = headMatrix(vt, b, g);
          let next = prefix;
          for (let h = 0; h < headsQ; h++) {
            if (kvHeadOf(h, headsQ, headsKV) !== g) continue;
            const step = causalLinearAligned(featureMapHead(headMatrix(qt, b, h), this.config, 'query', omegaT), fk, vh, prefix, epsilon);
            outputs[b * headsQ + h] = step.out;
            next = step.prefix;
          }
          kvs.push(next!.kv);
          zs.push(next!.z);
        }
      }
      return {
        out: tf.reshape<tf.Rank.R4>(tf.stack(outputs), [batch, headsQ, nQ, valueDim]),
        kv: tf.reshape<tf.Rank.R4>(tf.stack(kvs), [batch, headsKV, m, valueDim]),
        z: tf.reshape<tf.Rank.R4>(tf.stack(zs), [batch, headsKV, m, 1]),
        shape: { batch, headsQ, headsKV, headDim, valueDim },
        tokens: nQ,
      };
    });
    // Commit only after everything succeeded: a refused step leaves the state as it was.
    tf.dispose([this.kvState, this.zState].filter((t): t is tf.Tensor4D => t !== null));
    this.kvState = tf.keep(result.kv);
    this.zState = tf.keep(result.z);
    this.shape = result.shape;
    this.tokens += result.tokens;
    return result.out;
  }

  /** Forgets all tokens (keeps the feature options). */
  reset(): void {
    tf.dispose([this.kvState, this.zState].filter((t): t is tf.Tensor4D => t !== null));
    this.kvState = null;
    this.zState = null;
    this.shape = null;
    this.tokens = 0;
  }

  /** Releases the state's tensors; the state cannot be used afterwards. */
  dispose(): void {
    this.reset();
    this.disposed = true;
  }
}
