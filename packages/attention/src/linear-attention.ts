import * as tf from '@tensorflow/tfjs-core';
import { headMatrix, rows, stackHeads } from './internal/heads.js';
import { randomFeatureValues, seedOption } from './random-features.js';
import { attentionDims, booleanOption, floatTensor, got, kvHeadOf, numberOption, optionsObject } from './internal/validate.js';

/** The feature maps of {@link linearAttention}. */
export type FeatureMap = 'elu' | 'favor+' | 'relu';

/** Options of {@link linearAttention}. */
export interface LinearAttentionOptions {
  /**
   * φ, the positive feature map that replaces exp(q·k/√d):
   * - `'elu'` (default): φ(x) = elu(x) + 1 on the raw headDim features (Katharopoulos et al.,
   *   fast-transformers); the normaliser gets + 1e-6 as there.
   * - `'favor+'`: Performer's positive random features for the softmax kernel,
   *   φ(x) = (exp(ω·x̂ − ‖x̂‖²/2 − c) + 1e-6) / √m with x̂ = x·headDim^(−1/4), so that
   *   E[φ(q)·φ(k)] ∝ exp(q·k/√headDim); c is a stabiliser that cancels in the normalisation (the row max
   *   for queries; for keys the max over the whole sequence, or none when `causal`, so that no future key
   *   leaks into the ε term and streaming stays exact).
   * - `'relu'`: Performer's generalised ReLU kernel, φ(x) = relu(ω·x / √m) + 1e-3.
   */
  featureMap?: FeatureMap;
  /** m, the number of random features of `'favor+'` and `'relu'` (ignored by `'elu'`). Default 256. */
  numFeatures?: number;
  /** Orthogonal random features (blocks of headDim orthogonal rows by QR). Default true. */
  orthogonal?: boolean;
  /**
   * Causal masking: query i sees keys j ≤ i + nK − nQ (bottom-right, as the exact ops), computed by
   * prefix sums of φ(k)·vᵀ carried from chunk to chunk (memory O(m·valueDim) per head plus one chunk).
   */
  causal?: boolean;
  /** Seed of the random features: the same seed gives the same features on every backend. Default 0. */
  seed?: number;
}

/** Resolved feature-map settings (internal). */
export interface FeatureConfig {
  featureMap: FeatureMap;
  numFeatures: number;
  orthogonal: boolean;
  seed: number;
}

/** Performer's ε inside FAVOR+ features. */
export const FAVOR_EPSILON = 1e-6;
/** Performer's ε added to ReLU features. */
export const RELU_EPSILON = 1e-3;
/** fast-transformers' ε added to the ELU normaliser. */
export const ELU_EPSILON = 1e-6;
/** Rows per chunk of the causal prefix-sum form. */
export const CAUSAL_LINEAR_CHUNK = 128;

const FN = 'linearAttention';
const FEATURE_MAPS: readonly FeatureMap[] = ['elu', 'favor+', 'relu'];

/** Validates the feature-map options shared by linear attention and its recurrent state. */
export function featureConfig(opts: Partial<LinearAttentionOptions>, fn: string): FeatureConfig {
  let featureMap: FeatureMap = 'elu';
  if (opts.featureMap !== undefined) {
    if (typeof opts.featureMap !== 'string') {
      throw new TypeError(`${fn}: 'options.featureMap' must be one of ${FEATURE_MAPS.join(', ')}; got ${got(opts.featureMap)}`);
    }
    if (!FEATURE_MAPS.includes(opts.featureMap)) {
      throw new RangeError(`${fn}: 'options.featureMap' must be one of ${FEATURE_MAPS.join(', ')}; got '${opts.featureMap}'`);
    }
    featureMap = opts.featureMap;
  }
  const numFeatures =
    opts.numFeatures === undefined ? 256 : numberOption(opts.numFeatures, fn, 'options.numFeatures', { positive: true, integer: true });
  const orthogonal = booleanOption(opts.orthogonal, fn, 'options.orthogonal', true);
  const seed = seedOption(opts.seed, fn, 'options.seed', 0);
  return { featureMap, numFeatures, orthogonal, seed };
}

/** Number of features φ produces for a head dimension. */
export function featureCount(config: FeatureConfig, headDim: number): number {
  return config.featureMap === 'elu' ? headDim : config.numFeatures;
}

/**
 * φ of one head's rows `[n, headDim]` → `[n, features]`. `role` selects the FAVOR+ stabiliser: per row
 * for queries, over the whole head for keys of non-causal attention, none for keys of causal attention
 * (streaming). `omegaT` is the transposed projection `[headDim, m]` (unused by 'elu').
 */
export function featureMapHead(x: tf.Tensor2D, config: FeatureConfig, role: 'query' | 'key' | 'causal-key', omegaT: tf.Tensor2D | null): tf.Tensor2D {
  return tf.tidy(() => {
    if (config.featureMap === 'elu') return tf.add(tf.elu(x), 1);
    const m = config.numFeatures;
    if (config.featureMap === 'relu') return tf.add(tf.relu(tf.mul(tf.matMul(x, omegaT!), 1 / Math.sqrt(m))), RELU_EPSILON);
    const headDim = x.shape[1];
    const scaled = tf.mul(x, headDim ** -0.25);
    const projected = tf.matMul(scaled, omegaT!);
    let shift: tf.Tensor = tf.mul(tf.sum(tf.square(scaled), 1, true), 0.5);
    if (role === 'query') shift = tf.add(shift, tf.max(projected, 1, true));
    if (role === 'key') shift = tf.add(shift, tf.max(projected));
    return tf.mul(tf.add(tf.exp(tf.sub(projected, shift)), FAVOR_EPSILON), 1 / Math.sqrt(m));
  });
}

/** The transposed random projection `[headDim, m]` of a config, or null for 'elu'. Call inside a tidy. */
export function projectionT(config: FeatureConfig, headDim: number): tf.Tensor2D | null {
  if (config.featureMap === 'elu') return null;
  const m = config.numFeatures;
  return tf.transpose(tf.tensor2d(randomFeatureValues(m, headDim, config.orthogonal, config.seed), [m, headDim]));
}

/** φ of every head of a rank-4 tensor `[batch, heads, n, headDim]` → `[batch, heads, n, features]`. */
export function applyFeatureMap(x: tf.Tensor4D, config: FeatureConfig, role: 'query' | 'key' | 'causal-key'): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, heads] = x.shape;
    const omegaT = projectionT(config, x.shape[3]);
    const out: tf.Tensor2D[] = [];
    for (let b = 0; b < batch; b++) for (let h = 0; h < heads; h++) out.push(featureMapHead(headMatrix(x, b, h), config, role, omegaT));
    return stackHeads(out, batch, heads);
  });
}

/**
 * The feature maps φ(q) and φ(k) that {@link linearAttention} uses, for inspection and for reference
 * computations (for example the masked quadratic form φ(Q)φ(K)ᵀ that causal linear attention avoids).
 *
 * @param q - queries `[batch, headsQ, nQ, headDim]`
 * @param k - keys `[batch, headsKV, nK, headDim]`
 * @param options - the feature options of {@link linearAttention} (`featureMap`, `numFeatures`,
 *   `orthogonal`, `seed`, and `causal`, which selects the streaming-safe key stabiliser of FAVOR+)
 * @returns `{ queryFeatures: [batch, headsQ, nQ, m], keyFeatures: [batch, headsKV, nK, m] }`, owned by the
 *   caller (m = headDim for `'elu'`, else `numFeatures`)
 * @throws TypeError / RangeError as {@link linearAttention}
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { linearAttentionFeatures } from '@prep/attention';
 * const x = tf.randomNormal([1, 2, 10, 16]);
 * const { queryFeatures, keyFeatures } = linearAttentionFeatures(x, x, { featureMap: 'favor+', numFeatures: 64 });
 * queryFeatures.shape; // [1, 2, 10, 64], all entries > 0
 * ```
 */
export function linearAttentionFeatures(
  q: tf.Tensor | tf.TensorLike,
  k: tf.Tensor | tf.TensorLike,
  options?: LinearAttentionOptions,
): { queryFeatures: tf.Tensor4D; keyFeatures: tf.Tensor4D } {
  const fn = 'linearAttentionFeatures';
  const opts = optionsObject<LinearAttentionOptions>(options, fn);
  const config = featureConfig(opts, fn);
  const causal = booleanOption(opts.causal, fn, 'options.causal', false);
  const [queryFeatures, keyFeatures] = tf.tidy(() => {
    const qt = floatTensor<tf.Rank.R4>(q, fn, 'q', 4);
    const kt = floatTensor<tf.Rank.R4>(k, fn, 'k', 4);
    if (kt.shape[3] !== qt.shape[3]) {
      throw new RangeError(`${fn}: 'k' must have headDim ${qt.shape[3]} like 'q'; got shape [${kt.shape.join(', ')}]`);
    }
    return [applyFeatureMap(qt, config, 'query'), applyFeatureMap(kt, config, causal ? 'causal-key' : 'key')];
  });
  return { queryFeatures: queryFeatures, keyFeatures: keyFeatures };
}

/**
 * Linear attention: out_i = φ(q_i)·Σ_j φ(k_j) v_jᵀ / φ(q_i)·Σ_j φ(k_j), computed as φ(Q)·(φ(K)ᵀV) so that
 * time and memory grow linearly with the sequence length and no `[nQ, nK]` tensor is formed (forward or
 * gradient; the gradient is tfjs autodiff through the same linear-size products).
 *
 * FAVOR+ (google-research performer `softmax_kernel_transformation` + `favor_attention`) approximates
 * softmax attention without bias: the estimate improves as `numFeatures` grows. `'elu'` and `'relu'` define
 * different (not softmax) attention kernels. With `causal`, rows use prefix sums over their visible keys
 * in chunks of 128 rows (the masked φ(Q_c)φ(K_c)ᵀ inside a chunk is 128 × 128), equal to
 * the masked quadratic form (φ(Q)φ(K)ᵀ ⊙ M)V / rowsum, and to feeding the tokens one by one through
 * {@link LinearAttentionState}. Query head h reads KV head ⌊h·headsKV/headsQ⌋. Random features are drawn
 * once from `seed` in plain JS ({@link randomFeatureMatrix}), shared by all heads, identical on every backend.
 *
 * @param q - queries `[batch, headsQ, nQ, headDim]`
 * @param k - keys `[batch, headsKV, nK, headDim]`; headsQ must be a multiple of headsKV
 * @param v - values `[batch, headsKV, nK, valueDim]`
 * @param options - `featureMap` ('elu'), `numFeatures` (256), `orthogonal` (true), `causal` (false), `seed` (0)
 * @returns `[batch, headsQ, nQ, valueDim]`, owned by the caller; rows without any visible key (causal with
 *   nQ > nK) are zeros
 * @throws TypeError for a wrong kind of argument or option; RangeError for mismatched shapes, an unknown
 *   `featureMap`, a `numFeatures` that is not a positive integer or a seed that is not a safe integer
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { linearAttention } from '@prep/attention';
 * const q = tf.randomNormal([1, 8, 4096, 64]);
 * const fast = linearAttention(q, q, q, { featureMap: 'favor+', numFeatures: 256, seed: 1 }); // O(n)
 * const causal = linearAttention(q, q, q, { causal: true });                                  // ELU+1
 * ```
 */
export function linearAttention(
  q: tf.Tensor | tf.TensorLike,
  k: tf.Tensor | tf.TensorLike,
  v: tf.Tensor | tf.TensorLike,
  options?: LinearAttentionOptions,
): tf.Tensor4D {
  const opts = optionsObject<LinearAttentionOptions>(options, FN);
  const config = featureConfig(opts, FN);
  const causal = booleanOption(opts.causal, FN, 'options.causal', false);
  return tf.tidy(() => {
    const qt = floatTensor<tf.Rank.R4>(q, FN, 'q', 4);
    const kt = floatTensor<tf.Rank.R4>(k, FN, 'k', 4);
    const vt = floatTensor<tf.Rank.R4>(v, FN, 'v', 4);
    const { batch, headsQ, headsKV, nQ, nK, valueDim } = attentionDims(qt, kt, vt, FN);
    const omegaT = projectionT(config, qt.shape[3]);
    const epsilon = config.featureMap === 'elu' ? ELU_EPSILON : 0;
    const outputs: tf.Tensor2D[] = [];
    for (let b = 0; b < batch; b++) {
      for (let g = 0; g < headsKV; g++) {
        // Features one head at a time: outside tf.grad at most one head's φ(K) and φ(Q) are alive.
        const [fk, kv, z] = tf.tidy(() => {
          const keys = featureMapHead(headMatrix(kt, b, g), config, causal ? 'causal-key' : 'key', omegaT);
          if (causal) return [keys];
          // φ(K)ᵀV as (Vᵀφ(K))ᵀ: untransposed products only (transposed matMul operands are slow on wasm).
          return [keys, tf.transpose(tf.matMul(tf.transpose(headMatrix(vt, b, g)), keys)), tf.reshape(tf.sum(keys, 0), [-1, 1])];
        }) as tf.Tensor2D[];
        for (let h = 0; h < headsQ; h++) {
          if (kvHeadOf(h, headsQ, headsKV) !== g) continue;
          outputs[b * headsQ + h] = tf.tidy(() => {
            const fq = featureMapHead(headMatrix(qt, b, h), config, 'query', omegaT);
            if (!causal) return tf.div(tf.matMul(fq, kv!), tf.add(tf.matMul(fq, z!), epsilon));
            return causalLinearHead(fq, fk!, headMatrix(vt, b, g), nQ, nK, valueDim, epsilon);
          });
        }
        tf.dispose([fk, kv, z].filter((t): t is tf.Tensor2D => t !== undefined));
      }
    }
    return tf.reshape(tf.stack(outputs), [batch, headsQ, nQ, valueDim]);
  });
}

/** Running sums of causal linear attention for one head: S = Σ φ(k) vᵀ `[m, valueDim]`, z = Σ φ(k) `[m, 1]`. */
export interface LinearPrefix {
  kv: tf.Tensor2D;
  z: tf.Tensor2D;
}

/**
 * Causal linear attention of aligned rows (query t sees keys ≤ t) continuing from `prefix`, chunk by
 * chunk. Returns the outputs `[L, valueDim]` and the new prefix. Call inside a tidy.
 */
export function causalLinearAligned(
  fq: tf.Tensor2D,
  fk: tf.Tensor2D,
  v: tf.Tensor2D,
  prefix: LinearPrefix | null,
  epsilon: number,
): { out: tf.Tensor2D; prefix: LinearPrefix } {
  const length = fq.shape[0];
  const outs: tf.Tensor2D[] = [];
  let state = prefix;
  for (let start = 0; start < length; start += CAUSAL_LINEAR_CHUNK) {
    const size = Math.min(CAUSAL_LINEAR_CHUNK, length - start);
    // One scope per chunk: outside tf.grad only the outputs and the running sums stay alive.
    const previous: LinearPrefix | null = state;
    const [out, kv, z] = tf.tidy(() => {
      const fqc = rows(fq, start, size);
      const fkcT = tf.transpose(rows(fk, start, size));
      const vc = rows(v, start, size);
      const within = tf.mul(tf.matMul(fqc, fkcT), lowerTriangle(size));
      let numerator: tf.Tensor2D = tf.matMul(within, vc);
      let denominator: tf.Tensor2D = tf.sum(within, 1, true);
      if (previous) {
        numerator = tf.add(numerator, tf.matMul(fqc, previous.kv));
        denominator = tf.add(denominator, tf.matMul(fqc, previous.z));
      }
      const chunkKV = tf.matMul<tf.Tensor2D>(fkcT, vc);
      const chunkZ = tf.sum<tf.Tensor2D>(fkcT, 1, true);
      return [
        tf.div<tf.Tensor2D>(numerator, tf.add(denominator, epsilon)),
        previous ? tf.add<tf.Tensor2D>(previous.kv, chunkKV) : chunkKV,
        previous ? tf.add<tf.Tensor2D>(previous.z, chunkZ) : chunkZ,
      ];
    });
    outs.push(out);
    // The caller's prefix is the caller's; sums made here are replaced.
    if (previous && previous !== prefix) tf.dispose([previous.kv, previous.z]);
    state = { kv: kv, z: z };
  }
  return { out: outs.length === 1 ? outs[0]! : tf.concat(outs, 0), prefix: state! };
}

const triangles = new Map<number, Float32Array>();

/** 0/1 lower-triangular `[size, size]` (diagonal included). */
function lowerTriangle(size: number): tf.Tensor2D {
  let values = triangles.get(size);
  if (!values) {
    values = new Float32Array(size * size);
    for (let r = 0; r < size; r++) for (let c = 0; c <= r; c++) values[r * size + c] = 1;
    triangles.set(size, values);
  }
  return tf.tensor2d(values, [size, size]);
}

/** One head of causal linear attention with bottom-right alignment (query i sees keys j ≤ i + nK − nQ). */
function causalLinearHead(
  fq: tf.Tensor2D,
  fk: tf.Tensor2D,
  v: tf.Tensor2D,
  nQ: number,
  nK: number,
  valueDim: number,
  epsilon: number,
): tf.Tensor2D {
  const offset = nK - nQ;
  if (offset >= 0) {
    // Keys before the first query's own position are visible to every query: they form the start prefix.
    let prefix: LinearPrefix | null = null;
    if (offset > 0) {
      const fkT = tf.transpose(rows(fk, 0, offset));
      prefix = { kv: tf.matMul(fkT, rows(v, 0, offset)), z: tf.sum(fkT, 1, true) };
    }
    return causalLinearAligned(fq, rows(fk, offset, nQ), rows(v, offset, nQ), prefix, epsilon).out;
  }
  // More queries than keys: the first −offset queries see no key at all and output zeros.
  const aligned = causalLinearAligned(rows(fq, -offset, nK), fk, v, null, epsilon).out;
  return tf.concat([tf.zeros([-offset, valueDim]), aligned], 0);
}
