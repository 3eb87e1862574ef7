import * as tf from '@tensorflow/tfjs';
import { MultiHeadAttention, scaledDotProductAttention } from '@prep/attention';
import { MoELayer } from '@prep/moe';

/** Sizes of a {@link TinyLM}. */
export interface TinyLMConfig {
  /** Token ids (96 for {@link CharTokenizer}). */
  vocabSize: number;
  /** Width of the residual stream. */
  dModel: number;
  /** Decoder blocks. */
  numLayers: number;
  /** Query heads per block. */
  numHeads: number;
  /** Key/value heads per block (grouped-query attention); divides numHeads. */
  numKVHeads: number;
  /** Experts of each block's MoE feed-forward. */
  numExperts: number;
  /** Experts per token (top-k). */
  expertsPerToken: number;
  /** Hidden width of each expert. */
  dHidden: number;
  /** Learned absolute positions: the longest sequence the model reads. */
  maxPositions: number;
  /** Expert capacity factor in training (tokens over capacity are dropped); null: no dropping. */
  capacityFactor: number | null;
  /** Seed of every initial weight and of the router jitter. */
  seed: number;
}

/** The default sizes: about 0.19 M parameters, 4 experts of which 2 run per token. */
export const DEFAULT_CONFIG: Readonly<TinyLMConfig> = {
  vocabSize: 96,
  dModel: 64,
  numLayers: 2,
  numHeads: 4,
  numKVHeads: 2,
  numExperts: 4,
  expertsPerToken: 2,
  dHidden: 128,
  maxPositions: 256,
  capacityFactor: 1.25,
  seed: 0,
};

/** One decoder block: pre-norm attention and a pre-norm MoE feed-forward, each with a residual. */
export interface TinyLMBlock {
  /** RMSNorm gain before attention, `[dModel]`. */
  readonly attentionNorm: tf.Variable<tf.Rank.R1>;
  /** Causal grouped-query attention from `@prep/attention` (no biases). */
  readonly attention: MultiHeadAttention;
  /** RMSNorm gain before the feed-forward, `[dModel]`. */
  readonly ffnNorm: tf.Variable<tf.Rank.R1>;
  /** The mixture-of-experts feed-forward from `@prep/moe`. */
  readonly moe: MoELayer;
}

/** What {@link TinyLM.forward} returns; the tensors are owned by the caller. */
export interface TinyLMForwardResult {
  /** `[batch, seq, vocabSize]`. */
  logits: tf.Tensor3D;
  /** Switch load-balancing loss, averaged over the blocks. */
  auxLoss: tf.Scalar;
  /** Router z-loss, averaged over the blocks. */
  zLoss: tf.Scalar;
  /** Per block, the router's assignments per expert (before capacity dropping). */
  routedCounts: number[][];
  /** Token assignments dropped by the capacity limit, summed over blocks (training only). */
  droppedTokens: number;
}

/**
 * The attention of one block for N new tokens whose K/V were just computed. A KV cache implements it:
 * store the new K/V, then attend each query to the keys its sequence holds so far.
 *
 * @param layer - block index
 * @param q - queries `[N, numHeads, headDim]`
 * @param k - the new tokens' keys `[N, numKVHeads, headDim]`
 * @param v - the new tokens' values `[N, numKVHeads, headDim]`
 * @returns the attention output `[N, numHeads, headDim]`
 */
export type CachedAttention = (layer: number, q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D) => tf.Tensor3D;

const FN = 'TinyLM';
const EPS = 1e-5;

function rmsNorm<T extends tf.Tensor>(x: T, gain: tf.Tensor1D): T {
  return tf.tidy(() => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), EPS))), gain));
}

function positiveInt(value: unknown, name: string): number {
  if (typeof value !== 'number') throw new TypeError(`${FN}: 'config.${name}' must be a number; got ${typeof value}`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${FN}: 'config.${name}' must be a positive integer; got ${value}`);
  return value;
}

function checkConfig(partial: Partial<TinyLMConfig>): TinyLMConfig {
  if (partial === null || typeof partial !== 'object') throw new TypeError(`${FN}: 'config' must be an object; got ${String(partial)}`);
  const c = { ...DEFAULT_CONFIG, ...partial };
  for (const key of ['vocabSize', 'dModel', 'numLayers', 'numHeads', 'numKVHeads', 'numExperts', 'expertsPerToken', 'dHidden', 'maxPositions'] as const) {
    positiveInt(c[key], key);
  }
  if (c.numHeads % c.numKVHeads !== 0) throw new RangeError(`${FN}: 'config.numKVHeads' (${c.numKVHeads}) must divide 'config.numHeads' (${c.numHeads})`);
  if (c.dModel % c.numHeads !== 0) throw new RangeError(`${FN}: 'config.dModel' (${c.dModel}) must be divisible by 'config.numHeads' (${c.numHeads})`);
  if (c.expertsPerToken > c.numExperts) {
    throw new RangeError(`${FN}: 'config.expertsPerToken' (${c.expertsPerToken}) must be at most 'config.numExperts' (${c.numExperts})`);
  }
  if (c.capacityFactor !== null && (typeof c.capacityFactor !== 'number' || !(c.capacityFactor > 0))) {
    throw new RangeError(`${FN}: 'config.capacityFactor' must be a positive number or null; got ${String(c.capacityFactor)}`);
  }
  if (typeof c.seed !== 'number' || !Number.isInteger(c.seed)) throw new TypeError(`${FN}: 'config.seed' must be an integer; got ${String(c.seed)}`);
  return c;
}

/**
 * A small decoder-only language model: token embedding plus learned absolute positions, `numLayers`
 * pre-norm blocks (RMSNorm → causal grouped-query {@link MultiHeadAttention} from `@prep/attention` →
 * residual; RMSNorm → {@link MoELayer} from `@prep/moe` → residual), a final RMSNorm and an output head
 * tied to the token embedding (logits = h · Eᵀ).
 *
 * Two ways to run it: {@link TinyLM.forward} reads whole sequences (training, and the no-cache reference),
 * {@link TinyLM.forwardCached} reads only new tokens and lets a KV cache supply the earlier keys and
 * values (decoding with `@prep/paged-kv`). Both give the same logits. The MoE layers drop no token at
 * inference, so a token routes the same way alone as inside a full sequence.
 *
 * Every weight is a `tf.Variable` seeded from `config.seed`; {@link TinyLM.trainableWeights} lists them
 * for an optimizer.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { TinyLM } from '@prep/example-tiny-lm';
 * const model = new TinyLM({ dModel: 32, numLayers: 1, maxPositions: 64 });
 * const { logits, auxLoss, zLoss } = model.forward(tf.tensor2d([[1, 2, 3]], [1, 3], 'int32'));
 * logits.shape; // [1, 3, 96]
 * tf.dispose([logits, auxLoss, zLoss]);
 * model.dispose();
 * ```
 */
export class TinyLM {
  /** The model's sizes. */
  readonly config: Readonly<TinyLMConfig>;
  /** Channels per attention head, dModel / numHeads. */
  readonly headDim: number;
  /** Token embedding `[vocabSize, dModel]`, also the output head (tied). */
  readonly tokenEmbedding: tf.Variable<tf.Rank.R2>;
  /** Position embedding `[maxPositions, dModel]`. */
  readonly positionEmbedding: tf.Variable<tf.Rank.R2>;
  /** The decoder blocks. */
  readonly blocks: readonly TinyLMBlock[];
  /** RMSNorm gain before the head, `[dModel]`. */
  readonly finalNorm: tf.Variable<tf.Rank.R1>;
  #disposed = false;
  readonly #masks = new Map<number, Uint8Array>();

  /**
   * @param config - sizes and seed; omitted fields take {@link DEFAULT_CONFIG}
   * @throws TypeError for a field of the wrong kind; RangeError for sizes that are not positive integers,
   *   numKVHeads not dividing numHeads, dModel not divisible by numHeads, or expertsPerToken > numExperts
   */
  constructor(config: Partial<TinyLMConfig> = {}) {
    const c = checkConfig(config);
    this.config = Object.freeze(c);
    this.headDim = c.dModel / c.numHeads;
    const std = 0.02;
    const variable = <R extends tf.Rank>(init: () => tf.Tensor<R>): tf.Variable<R> => {
      const initial = tf.tidy(init);
      const v = tf.variable(initial, true);
      initial.dispose();
      return v;
    };
    this.tokenEmbedding = variable(() => tf.truncatedNormal([c.vocabSize, c.dModel], 0, std, 'float32', c.seed * 1009 + 1));
    this.positionEmbedding = variable(() => tf.truncatedNormal([c.maxPositions, c.dModel], 0, std, 'float32', c.seed * 1009 + 2));
    this.blocks = Array.from({ length: c.numLayers }, (_, l) => ({
      attentionNorm: variable(() => tf.ones<tf.Rank.R1>([c.dModel])),
      attention: new MultiHeadAttention({
        modelDim: c.dModel,
        numHeads: c.numHeads,
        numKVHeads: c.numKVHeads,
        useBias: false,
        causal: true,
        seed: c.seed * 1009 + 10 + l,
      }),
      ffnNorm: variable(() => tf.ones<tf.Rank.R1>([c.dModel])),
      moe: new MoELayer({
        dModel: c.dModel,
        dHidden: c.dHidden,
        numExperts: c.numExperts,
        k: c.expertsPerToken,
        ...(c.capacityFactor === null ? {} : { capacityFactor: c.capacityFactor }),
        seed: c.seed * 1009 + 100 + l,
      }),
    }));
    this.finalNorm = variable(() => tf.ones<tf.Rank.R1>([c.dModel]));
  }

  /** Every trainable variable (embeddings, norms, attention and MoE weights). */
  get trainableWeights(): tf.Variable[] {
    return this.namedWeights().map(({ variable }) => variable);
  }

  /** Number of trainable parameters. */
  get numParams(): number {
    return this.trainableWeights.reduce((sum, v) => sum + v.size, 0);
  }

  /**
   * Every variable with a stable name (`embedding/tokens`, `blocks/0/attention/query`,
   * `blocks/0/moe/expert_3/w1`, ...), the names a checkpoint uses.
   */
  namedWeights(): { name: string; variable: tf.Variable }[] {
    const out: { name: string; variable: tf.Variable }[] = [
      { name: 'embedding/tokens', variable: this.tokenEmbedding },
      { name: 'embedding/positions', variable: this.positionEmbedding },
    ];
    this.blocks.forEach((block, l) => {
      const p = `blocks/${l}`;
      const a = block.attention;
      out.push(
        { name: `${p}/attention_norm`, variable: block.attentionNorm },
        { name: `${p}/attention/query`, variable: a.queryKernel },
        { name: `${p}/attention/key`, variable: a.keyKernel },
        { name: `${p}/attention/value`, variable: a.valueKernel },
        { name: `${p}/attention/output`, variable: a.outputKernel },
        { name: `${p}/ffn_norm`, variable: block.ffnNorm },
        { name: `${p}/moe/router`, variable: block.moe.routerWeights },
      );
      if (block.moe.noiseWeights) out.push({ name: `${p}/moe/noise`, variable: block.moe.noiseWeights });
      block.moe.expertWeights.forEach(({ w1, w2 }, e) => {
        out.push({ name: `${p}/moe/expert_${e}/w1`, variable: w1 }, { name: `${p}/moe/expert_${e}/w2`, variable: w2 });
      });
    });
    out.push({ name: 'final_norm', variable: this.finalNorm });
    return out;
  }

  /**
   * Runs whole sequences (no cache): what training and the no-cache reference use.
   *
   * @param tokens - int32 token ids `[batch, seq]`, seq ≤ maxPositions (a tensor or nested array)
   * @param options - `training` (default false): router jitter and expert capacity apply
   * @returns logits `[batch, seq, vocabSize]`, the two MoE losses and the routing counts
   * @throws TypeError for a disposed model or tokens of the wrong kind; RangeError for a bad shape, a
   *   sequence longer than maxPositions, or a token id outside the vocabulary
   */
  forward(tokens: tf.Tensor2D | number[][], options: { training?: boolean } = {}): TinyLMForwardResult {
    const fn = `${FN}.forward`;
    this.#alive(fn);
    const training = options.training ?? false;
    if (typeof training !== 'boolean') throw new TypeError(`${fn}: 'options.training' must be a boolean; got ${typeof training}`);
    const { vocabSize, dModel, maxPositions } = this.config;
    const routedCounts: number[][] = [];
    let droppedTokens = 0;
    const result = tf.tidy(() => {
      const ids = this.#tokenTensor(tokens, fn);
      const [batch, seq] = ids.shape;
      if (seq > maxPositions) throw new RangeError(`${fn}: 'tokens' has ${seq} positions; the model reads at most ${maxPositions}`);
      const flat = tf.reshape(ids, [batch * seq]);
      const embedded = tf.matMul(tf.oneHot(flat, vocabSize), this.tokenEmbedding); // one-hot product: trains on wasm (gather's gradient needs UnsortedSegmentSum)
      let x: tf.Tensor3D = tf.add(tf.reshape(embedded, [batch, seq, dModel]), tf.slice(this.positionEmbedding, [0, 0], [seq, dModel]));
      const aux: tf.Scalar[] = [];
      const z: tf.Scalar[] = [];
      const mask = this.#causalMask(seq);
      for (const block of this.blocks) {
        x = tf.add(x, this.#selfAttention(block, rmsNorm(x, block.attentionNorm), mask));
        const routed = block.moe.apply(tf.reshape(rmsNorm(x, block.ffnNorm), [batch * seq, dModel]), { training });
        x = tf.add(x, tf.reshape(routed.output, [batch, seq, dModel]));
        aux.push(routed.auxLoss);
        z.push(routed.zLoss);
        routedCounts.push(routed.routedCounts);
        droppedTokens += routed.droppedTokens;
      }
      const hidden = tf.reshape(rmsNorm(x, this.finalNorm), [batch * seq, dModel]);
      const logits: tf.Tensor3D = tf.reshape(tf.matMul(hidden, this.tokenEmbedding, false, true), [batch, seq, vocabSize]);
      return { logits, auxLoss: tf.mean<tf.Scalar>(tf.stack(aux)), zLoss: tf.mean<tf.Scalar>(tf.stack(z)) };
    });
    return { ...result, routedCounts, droppedTokens };
  }

  /**
   * Runs N new tokens (at inference) whose earlier context lives in a KV cache: each block projects the
   * new tokens' queries, keys and values and hands them to `attend`, which stores the K/V and returns the
   * attention output. One decode step of B sequences is N = B tokens (one per sequence); a prefill of one
   * sequence is N = its new prompt tokens.
   *
   * @param tokens - N token ids
   * @param positions - N positions (each < maxPositions)
   * @param attend - the cache's attention ({@link CachedAttention})
   * @returns logits `[N, vocabSize]`, owned by the caller
   * @throws TypeError for a disposed model; RangeError for mismatched lengths, a bad token or position
   */
  forwardCached(tokens: ArrayLike<number>, positions: ArrayLike<number>, attend: CachedAttention): tf.Tensor2D {
    const fn = `${FN}.forwardCached`;
    this.#alive(fn);
    const { vocabSize, maxPositions, numHeads, numKVHeads } = this.config;
    const n = tokens.length;
    if (n === 0) throw new RangeError(`${fn}: 'tokens' must not be empty`);
    if (positions.length !== n) throw new RangeError(`${fn}: 'positions' must have one entry per token (${n}); got ${positions.length}`);
    const ids = Int32Array.from(tokens);
    const pos = Int32Array.from(positions);
    for (let i = 0; i < n; i++) {
      if (!(ids[i]! >= 0 && ids[i]! < vocabSize) || ids[i] !== tokens[i]) throw new RangeError(`${fn}: 'tokens[${i}]' must be an integer in [0, ${vocabSize}); got ${tokens[i]}`);
      if (!(pos[i]! >= 0 && pos[i]! < maxPositions) || pos[i] !== positions[i]) {
        throw new RangeError(`${fn}: 'positions[${i}]' must be an integer in [0, ${maxPositions}); got ${positions[i]}`);
      }
    }
    const hd = this.headDim;
    return tf.tidy(() => {
      let x: tf.Tensor2D = tf.add(tf.gather(this.tokenEmbedding, tf.tensor1d(ids, 'int32')), tf.gather(this.positionEmbedding, tf.tensor1d(pos, 'int32')));
      this.blocks.forEach((block, layer) => {
        const a = block.attention;
        const h = rmsNorm(x, block.attentionNorm);
        const project = (kernel: tf.Variable, bias: tf.Variable | undefined, heads: number): tf.Tensor3D => {
          const flat: tf.Tensor2D = bias ? tf.add(tf.matMul(h, kernel), bias) : tf.matMul(h, kernel);
          return tf.reshape(flat, [n, heads, hd]);
        };
        const [bq, bk, bv, bo] = a.biases;
        const q = project(a.queryKernel, bq, numHeads);
        const k = project(a.keyKernel, bk, numKVHeads);
        const v = project(a.valueKernel, bv, numKVHeads);
        const attended = attend(layer, q, k, v);
        let out: tf.Tensor2D = tf.matMul(tf.reshape(attended, [n, numHeads * hd]), a.outputKernel);
        if (bo) out = tf.add(out, bo);
        x = tf.add(x, out);
        x = tf.add(x, block.moe.apply(rmsNorm(x, block.ffnNorm)).output);
      });
      return tf.matMul(rmsNorm(x, this.finalNorm), this.tokenEmbedding, false, true);
    });
  }

  /**
   * Copies weights into the model's variables (a checkpoint's tensors, by {@link TinyLM.namedWeights} name).
   * @param weights - name → tensor of the variable's shape
   * @throws TypeError for a disposed model; RangeError when a name is missing or a shape differs (no
   *   variable changes then)
   */
  loadWeights(weights: Readonly<Record<string, tf.Tensor>>): void {
    const fn = `${FN}.loadWeights`;
    this.#alive(fn);
    const named = this.namedWeights();
    for (const { name, variable } of named) {
      const t = weights[name];
      if (!(t instanceof tf.Tensor)) throw new RangeError(`${fn}: 'weights' has no tensor named '${name}'`);
      if (t.shape.join(',') !== variable.shape.join(',')) {
        throw new RangeError(`${fn}: '${name}' must have shape [${variable.shape.join(', ')}]; got [${t.shape.join(', ')}]`);
      }
    }
    for (const { name, variable } of named) variable.assign(weights[name]!);
  }

  /** Disposes every variable; the model cannot be used afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    tf.dispose([this.tokenEmbedding, this.positionEmbedding, this.finalNorm, ...this.blocks.flatMap((b) => [b.attentionNorm, b.ffnNorm])]);
    for (const block of this.blocks) {
      block.attention.dispose();
      block.moe.dispose();
    }
    this.#masks.clear();
    this.#disposed = true;
  }

  /**
   * Causal self-attention of one block over whole sequences `[batch, seq, dModel]`: the same computation
   * as `block.attention.apply(x, { causal: true })` (a test checks it), arranged for speed on wasm. The
   * projections run once over all batch·seq tokens; {@link scaledDotProductAttention} then runs once per
   * sequence, because on wasm every Slice copies its whole input tensor (the backend's `readSync` copies
   * the heap), so the per-head slices inside the op cost O(batch²) when it gets the whole batch.
   */
  #selfAttention(block: TinyLMBlock, x: tf.Tensor3D, mask: tf.Tensor4D): tf.Tensor3D {
    const [batch, seq, dModel] = x.shape;
    const { numHeads, numKVHeads } = this.config;
    const hd = this.headDim;
    const a = block.attention;
    const [bq, bk, bv, bo] = a.biases;
    const flat = tf.reshape(x, [batch * seq, dModel]);
    const heads = (kernel: tf.Variable, bias: tf.Variable | undefined, count: number): tf.Tensor4D[] => {
      const projected: tf.Tensor2D = bias ? tf.add(tf.matMul(flat, kernel), bias) : tf.matMul(flat, kernel);
      const rows = batch === 1 ? [projected] : tf.split(projected, batch, 0);
      return rows.map((row) => tf.transpose(tf.reshape(row, [1, seq, count, hd]), [0, 2, 1, 3]));
    };
    const qs = heads(a.queryKernel, bq, numHeads);
    const ks = heads(a.keyKernel, bk, numKVHeads);
    const vs = heads(a.valueKernel, bv, numKVHeads);
    // The mask is the causal pattern (see #causalMask); `causal: true` would rebuild it on every call.
    const outs = qs.map((q, b) => scaledDotProductAttention(q, ks[b]!, vs[b]!, { mask }));
    const merged = tf.reshape(tf.transpose(batch === 1 ? outs[0]! : tf.concat(outs, 0), [0, 2, 1, 3]), [batch * seq, numHeads * hd]);
    const out: tf.Tensor2D = bo ? tf.add(tf.matMul(merged, a.outputKernel), bo) : tf.matMul(merged, a.outputKernel);
    return tf.reshape(out, [batch, seq, dModel]);
  }

  /**
   * The causal pattern `[1, 1, seq, seq]` (bool), its host values cached per length. Passed as a mask
   * rather than `causal: true`, which rebuilds the pattern with a broadcast int32 comparison on every call
   * (≈ 10 ms at 128² on wasm, and here there is one call per sequence).
   */
  #causalMask(seq: number): tf.Tensor4D {
    let values = this.#masks.get(seq);
    if (!values) {
      values = new Uint8Array(seq * seq);
      for (let i = 0; i < seq; i++) values.fill(1, i * seq, i * seq + i + 1);
      if (this.#masks.size >= 8) this.#masks.clear();
      this.#masks.set(seq, values);
    }
    return tf.tensor4d(values, [1, 1, seq, seq], 'bool');
  }

  #alive(fn: string): void {
    if (this.#disposed) throw new TypeError(`${fn}: the model has been disposed`);
  }

  #tokenTensor(tokens: unknown, fn: string): tf.Tensor2D {
    let t: tf.Tensor;
    if (tokens instanceof tf.Tensor) {
      if (tokens.isDisposed) throw new TypeError(`${fn}: 'tokens' is a disposed tensor`);
      if (tokens.dtype !== 'int32') throw new TypeError(`${fn}: 'tokens' must be an int32 tensor; got dtype ${tokens.dtype}`);
      t = tokens as tf.Tensor;
    } else if (Array.isArray(tokens)) {
      t = tf.tensor2d(tokens as number[][], undefined, 'int32');
    } else {
      throw new TypeError(`${fn}: 'tokens' must be an int32 tensor [batch, seq] or a nested array; got ${typeof tokens}`);
    }
    const created = t !== tokens;
    try {
      if (t.rank !== 2 || t.shape[0] === 0 || t.shape[1] === 0) throw new RangeError(`${fn}: 'tokens' must have shape [batch, seq] with both ≥ 1; got [${t.shape.join(', ')}]`);
      // Out-of-vocabulary ids would silently embed as zeros (oneHot): check them.
      const { vocabSize } = this.config;
      const values = t.dataSync();
      for (let i = 0; i < values.length; i++) {
        const id = values[i]!;
        if (!(id >= 0 && id < vocabSize)) throw new RangeError(`${fn}: 'tokens' must hold ids in [0, ${vocabSize}); found ${id}`);
      }
    } catch (error) {
      if (created) t.dispose();
      throw error;
    }
    return t as tf.Tensor2D;
  }
}
