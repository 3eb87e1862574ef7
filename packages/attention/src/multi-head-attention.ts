import * as tf from '@tensorflow/tfjs-core';
import { chunkedAttention } from './chunked-attention.js';
import { SeededRandom } from './internal/random.js';
import { booleanOption, floatTensor, got, numberOption, optionsObject } from './internal/validate.js';
import { linearAttention, type FeatureMap } from './linear-attention.js';
import { seedOption } from './random-features.js';
import { scaledDotProductAttention } from './scaled-dot-product-attention.js';
import { slidingWindowAttention } from './sliding-window-attention.js';

/** The attention a {@link MultiHeadAttention} block runs between its projections. */
export type AttentionVariant = 'exact' | 'chunked' | 'linear' | 'sliding-window';

/** Options of {@link MultiHeadAttention}. */
export interface MultiHeadAttentionOptions {
  /** Width of the inputs and the output. */
  modelDim: number;
  /** Query heads. */
  numHeads: number;
  /** Key/value heads (grouped-query attention); must divide `numHeads`. Default `numHeads`. */
  numKVHeads?: number;
  /** Width of each head. Default modelDim / numHeads (which must then be an integer). */
  headDim?: number;
  /** Add biases to the four projections. Default true. */
  useBias?: boolean;
  /** Causal self-attention by default in {@link MultiHeadAttention.apply}. Default false. */
  causal?: boolean;
  /** Which attention op runs between the projections. Default 'exact'. */
  attention?: AttentionVariant;
  /** `chunkSize` of 'chunked'. */
  chunkSize?: number;
  /** `window` of 'sliding-window' (required for it). */
  window?: number;
  /** `featureMap` of 'linear'. */
  featureMap?: FeatureMap;
  /** `numFeatures` of 'linear'. */
  numFeatures?: number;
  /** Seed of the Glorot-uniform initial weights (and of the random features of 'linear'). Default 0. */
  seed?: number;
}

/** Options of {@link MultiHeadAttention.apply}. */
export interface MultiHeadAttentionApplyOptions {
  /** Keys/values come from here (cross-attention), `[batch, seqKV, modelDim]`; default the query input. */
  context?: tf.Tensor;
  /** A 0/1 or boolean mask broadcastable to `[batch, numHeads, seq, seqKV]` (attention 'exact' only). */
  mask?: tf.Tensor;
  /** Overrides the block's `causal` for this call. */
  causal?: boolean;
}

const FN = 'MultiHeadAttention';
const VARIANTS: readonly AttentionVariant[] = ['exact', 'chunked', 'linear', 'sliding-window'];

/**
 * A trainable multi-head attention block: query/key/value projections, one of this package's attention
 * ops, and an output projection, with grouped-query heads. The weights are `tf.Variable`s (Glorot-uniform
 * from a seed, biases zero), so any tfjs optimizer trains them (`optimizer.minimize(loss)` finds them,
 * or pass {@link MultiHeadAttention.trainableWeights}). No tfjs-layers dependency.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { MultiHeadAttention } from '@prep/attention';
 * const mha = new MultiHeadAttention({ modelDim: 64, numHeads: 8, numKVHeads: 2, causal: true, seed: 1 });
 * const x = tf.randomNormal([2, 16, 64]);
 * const target = tf.randomNormal([2, 16, 64]);
 * const optimizer = tf.train.adam(1e-2);
 * for (let step = 0; step < 10; step++) {
 *   optimizer.minimize(() => tf.losses.meanSquaredError(target, mha.apply(x)), false, mha.trainableWeights);
 * }
 * mha.dispose();
 * ```
 */
export class MultiHeadAttention {
  readonly modelDim: number;
  readonly numHeads: number;
  readonly numKVHeads: number;
  readonly headDim: number;
  readonly causal: boolean;
  readonly attention: AttentionVariant;
  /** `[modelDim, numHeads·headDim]` */
  readonly queryKernel: tf.Variable;
  /** `[modelDim, numKVHeads·headDim]` */
  readonly keyKernel: tf.Variable;
  /** `[modelDim, numKVHeads·headDim]` */
  readonly valueKernel: tf.Variable;
  /** `[numHeads·headDim, modelDim]` */
  readonly outputKernel: tf.Variable;
  /** The four biases (query, key, value, output), or empty when `useBias` is false. */
  readonly biases: readonly tf.Variable[];
  private readonly variantOptions: { chunkSize?: number; window?: number; featureMap?: FeatureMap; numFeatures?: number; seed: number };
  private disposed = false;

  /**
   * @param options - sizes, `attention` variant and its options, `seed` (see {@link MultiHeadAttentionOptions})
   * @throws TypeError for a wrong kind of option; RangeError for sizes that are not positive integers,
   *   numKVHeads not dividing numHeads, modelDim not divisible by numHeads without `headDim`, an unknown
   *   variant or 'sliding-window' without `window`
   */
  constructor(options: MultiHeadAttentionOptions) {
    const opts = optionsObject<MultiHeadAttentionOptions>(options, FN);
    const int = (value: unknown, name: string): number => {
      if (value === undefined) throw new TypeError(`${FN}: 'options.${name}' is required; got undefined`);
      return numberOption(value, FN, `options.${name}`, { positive: true, integer: true });
    };
    this.modelDim = int(opts.modelDim, 'modelDim');
    this.numHeads = int(opts.numHeads, 'numHeads');
    this.numKVHeads = opts.numKVHeads === undefined ? this.numHeads : int(opts.numKVHeads, 'numKVHeads');
    if (this.numHeads % this.numKVHeads !== 0) {
      throw new RangeError(`${FN}: 'options.numKVHeads' (${this.numKVHeads}) must divide 'options.numHeads' (${this.numHeads})`);
    }
    if (opts.headDim === undefined && this.modelDim % this.numHeads !== 0) {
      throw new RangeError(`${FN}: 'options.modelDim' (${this.modelDim}) must be divisible by 'options.numHeads' (${this.numHeads}), or give 'options.headDim'`);
    }
    this.headDim = opts.headDim === undefined ? this.modelDim / this.numHeads : int(opts.headDim, 'headDim');
    const useBias = booleanOption(opts.useBias, FN, 'options.useBias', true);
    this.causal = booleanOption(opts.causal, FN, 'options.causal', false);
    const attention = opts.attention ?? 'exact';
    if (typeof attention !== 'string') throw new TypeError(`${FN}: 'options.attention' must be one of ${VARIANTS.join(', ')}; got ${got(attention)}`);
    if (!VARIANTS.includes(attention)) throw new RangeError(`${FN}: 'options.attention' must be one of ${VARIANTS.join(', ')}; got '${attention}'`);
    this.attention = attention;
    if (attention === 'sliding-window' && opts.window === undefined) {
      throw new RangeError(`${FN}: 'options.window' is required with attention 'sliding-window'`);
    }
    const seed = seedOption(opts.seed, FN, 'options.seed', 0);
    this.variantOptions = {
      seed,
      ...(opts.chunkSize === undefined ? {} : { chunkSize: opts.chunkSize }),
      ...(opts.window === undefined ? {} : { window: opts.window }),
      ...(opts.featureMap === undefined ? {} : { featureMap: opts.featureMap }),
      ...(opts.numFeatures === undefined ? {} : { numFeatures: opts.numFeatures }),
    };

    const random = new SeededRandom(seed);
    const glorot = (rows: number, cols: number): tf.Variable => {
      const limit = Math.sqrt(6 / (rows + cols));
      const values = new Float32Array(rows * cols);
      for (let i = 0; i < values.length; i++) values[i] = (2 * random.uniform() - 1) * limit;
      return tf.tidy(() => tf.variable(tf.tensor2d(values, [rows, cols]), true));
    };
    const inner = this.numHeads * this.headDim;
    const innerKV = this.numKVHeads * this.headDim;
    this.queryKernel = glorot(this.modelDim, inner);
    this.keyKernel = glorot(this.modelDim, innerKV);
    this.valueKernel = glorot(this.modelDim, innerKV);
    this.outputKernel = glorot(inner, this.modelDim);
    this.biases = useBias ? [inner, innerKV, innerKV, this.modelDim].map((width) => tf.tidy(() => tf.variable(tf.zeros([width]), true))) : [];
  }

  /** Every trainable variable: the four kernels, then the biases. */
  get trainableWeights(): tf.Variable[] {
    return [this.queryKernel, this.keyKernel, this.valueKernel, this.outputKernel, ...this.biases];
  }

  /**
   * Runs the block: project, attend (per the block's variant), project back.
   *
   * @param input - `[batch, seq, modelDim]` (queries, and keys/values unless `context` is given)
   * @param options - `context` `[batch, seqKV, modelDim]`, `mask` (exact only), `causal`
   * @returns `[batch, seq, modelDim]`, owned by the caller; differentiable w.r.t. the input and the weights
   * @throws TypeError for non-tensors or a disposed block; RangeError for shapes that do not fit or a mask
   *   with a variant other than 'exact'
   */
  apply(input: tf.Tensor | tf.TensorLike, options?: MultiHeadAttentionApplyOptions): tf.Tensor3D {
    const fn = `${FN}.apply`;
    if (this.disposed) throw new TypeError(`${fn}: the block has been disposed`);
    const opts = optionsObject<MultiHeadAttentionApplyOptions>(options, fn);
    const causal = booleanOption(opts.causal, fn, 'options.causal', this.causal);
    if (opts.mask !== undefined && this.attention !== 'exact') {
      throw new RangeError(`${fn}: 'options.mask' is only supported with attention 'exact'; this block uses '${this.attention}'`);
    }
    return tf.tidy(() => {
      const x = floatTensor<tf.Rank.R3>(input, fn, 'input', 3);
      const context = opts.context === undefined ? x : floatTensor<tf.Rank.R3>(opts.context, fn, 'options.context', 3);
      const [batch, seq, width] = x.shape;
      const [cBatch, seqKV, cWidth] = context.shape;
      if (width !== this.modelDim) throw new RangeError(`${fn}: 'input' must have modelDim ${this.modelDim} features; got shape [${x.shape.join(', ')}]`);
      if (cBatch !== batch || cWidth !== this.modelDim) {
        throw new RangeError(`${fn}: 'options.context' must be [${batch}, seqKV, ${this.modelDim}]; got shape [${context.shape.join(', ')}]`);
      }
      const [bq, bk, bv, bo] = this.biases;
      const project = (t: tf.Tensor3D, kernel: tf.Variable, bias: tf.Variable | undefined, heads: number, n: number): tf.Tensor4D => {
        let flat: tf.Tensor2D = tf.matMul(tf.reshape(t, [batch * n, this.modelDim]), kernel);
        if (bias) flat = tf.add(flat, bias);
        return tf.transpose(tf.reshape(flat, [batch, n, heads, this.headDim]), [0, 2, 1, 3]);
      };
      const q = project(x, this.queryKernel, bq, this.numHeads, seq);
      const k = project(context, this.keyKernel, bk, this.numKVHeads, seqKV);
      const v = project(context, this.valueKernel, bv, this.numKVHeads, seqKV);
      const o = this.variantOptions;
      let attended: tf.Tensor4D;
      switch (this.attention) {
        case 'chunked':
          attended = chunkedAttention(q, k, v, { causal, ...(o.chunkSize === undefined ? {} : { chunkSize: o.chunkSize }) });
          break;
        case 'linear':
          attended = linearAttention(q, k, v, {
            causal,
            seed: o.seed,
            ...(o.featureMap === undefined ? {} : { featureMap: o.featureMap }),
            ...(o.numFeatures === undefined ? {} : { numFeatures: o.numFeatures }),
          });
          break;
        case 'sliding-window':
          attended = slidingWindowAttention(q, k, v, { causal, window: o.window! });
          break;
        default:
          attended = scaledDotProductAttention(q, k, v, { causal, ...(opts.mask === undefined ? {} : { mask: opts.mask }) });
      }
      const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [batch * seq, this.numHeads * this.headDim]);
      let out: tf.Tensor2D = tf.matMul(merged, this.outputKernel);
      if (bo) out = tf.add(out, bo);
      return tf.reshape(out, [batch, seq, this.modelDim]);
    });
  }

  /** Disposes the variables; the block cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    tf.dispose(this.trainableWeights);
    this.disposed = true;
  }
}
