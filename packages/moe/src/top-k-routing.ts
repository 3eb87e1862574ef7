import * as tf from '@tensorflow/tfjs-core';
import { columnsOf, oneHotFloat } from './internal/assignments.js';
import { booleanOption, floatTensor, maskTensor, numberOption, optionalNumber, optionsObject, tfSeed } from './internal/validate.js';

/** Options of {@link topKRouting}. */
export interface TopKRoutingOptions {
  /**
   * Expert capacity factor c: each expert takes at most `ceil(c · k · T / E)` assignments; the rest are
   * dropped in token order. Omitted: nothing is dropped (capacity = T). Applies when `training` is true.
   */
  capacityFactor?: number;
  /**
   * Capacity factor used when `training` is false. Omitted: nothing is dropped at evaluation, so a single
   * decoded token routes exactly as it did inside the full sequence.
   */
  evalCapacityFactor?: number;
  /**
   * Renormalise the k chosen probabilities to sum to 1 (Mixtral, GShard top-2). Default: true for k > 1,
   * false for k = 1 (Switch: the gate is the raw probability, the only path by which the task loss
   * reaches the router when k = 1).
   */
  normalize?: boolean;
  /** Standard deviation of Gaussian noise added to the logits when `training` (default 0: none). */
  noiseStd?: number;
  /** Seed of that noise (default 0). */
  seed?: number;
  /** Training mode: noise and `capacityFactor` apply. Default true (the op does what its options say). */
  training?: boolean;
  /**
   * Padding mask `[T]` (bool or 0/1; nonzero = real token). Padding tokens are routed (their rows of
   * `indices`/`weights` are filled) but never kept (`keep` 0) and take no capacity.
   */
  mask?: tf.Tensor;
}

/** What {@link topKRouting} returns; every tensor is owned by the caller. */
export interface TopKRoutingResult {
  /** int32 `[T, k]`: the chosen experts, best first. */
  indices: tf.Tensor2D;
  /** float32 `[T, k]`: the gate of each choice (renormalised when `normalize`). Differentiable. */
  weights: tf.Tensor2D;
  /** float32 `[T, E]`: softmax of the (noisy) logits. Differentiable. */
  probs: tf.Tensor2D;
  /** int32 `[T, k]`: 1 where the assignment fits in the expert's capacity (and the token is not padding). */
  keep: tf.Tensor2D;
  /** Assignments each expert may take: `ceil(c · k · T / E)`, or T when nothing is dropped. */
  capacity: number;
}

const FN = 'topKRouting';

/**
 * Token-choice top-k routing: softmax over experts in float32, the k best experts per token, their gates,
 * and the expert-capacity mask.
 *
 * Capacity follows Mesh-TensorFlow / GShard / Hugging Face Switch: capacity = ceil(c · k · T / E), and an
 * expert that is chosen more often keeps its assignments in priority order — all first choices in token
 * order, then all second choices in token order, and so on — and drops the rest. A dropped assignment
 * contributes nothing; a token whose assignments are all dropped gets a zero expert output and passes
 * through the residual connection unchanged. Ties between equal logits pick the lower expert index.
 *
 * Gates are read from `probs` through a one-hot product (tfjs has no gradient for `topk`), so `weights`
 * and `probs` are differentiable with respect to `logits`. `indices` and `keep` are discrete.
 *
 * @param logits - router logits `[T, E]` (tokens × experts), float32
 * @param k - experts per token, an integer in [1, E]
 * @param options - `capacityFactor`, `evalCapacityFactor`, `normalize`, `noiseStd`, `seed`, `training`, `mask`
 * @returns `{ indices, weights, probs, keep, capacity }`, see {@link TopKRoutingResult}
 * @throws TypeError when `logits` is not a tensor/array or an option has the wrong kind; RangeError when
 *   `logits` is not `[T, E]`, `k` is not an integer in [1, E], a factor is not positive, `noiseStd` is
 *   negative or the mask does not have shape `[T]`
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { topKRouting } from '@prep/moe';
 * const logits = tf.tensor2d([[2, 1, 0, 0], [2, 0, 1, 0], [2, 0, 0, 1]]);
 * const r = topKRouting(logits, 1, { capacityFactor: 1 });   // capacity = ceil(1·1·3/4) = 1
 * await r.indices.array(); // [[0], [0], [0]]
 * await r.keep.array();    // [[1], [0], [0]]: expert 0 keeps the first token only
 * ```
 */
export function topKRouting(logits: tf.Tensor | tf.TensorLike, k: number, options?: TopKRoutingOptions): TopKRoutingResult {
  const opts = optionsObject<TopKRoutingOptions>(options, FN);
  const training = booleanOption(opts.training, FN, 'options.training', true);
  const capacityFactor = optionalNumber(opts.capacityFactor, FN, 'options.capacityFactor', { positive: true });
  const evalCapacityFactor = optionalNumber(opts.evalCapacityFactor, FN, 'options.evalCapacityFactor', { positive: true });
  const noiseStd = optionalNumber(opts.noiseStd, FN, 'options.noiseStd', { min: 0 }) ?? 0;
  const seed = optionalNumber(opts.seed, FN, 'options.seed') ?? 0;
  return tf.tidy(() => {
    const z = floatTensor<tf.Rank.R2>(logits, FN, 'logits', 2);
    const [tokens, experts] = z.shape;
    numberOption(k, FN, 'k', { integer: true, min: 1, max: experts });
    const normalize = booleanOption(opts.normalize, FN, 'options.normalize', k > 1);
    const mask = opts.mask === undefined ? null : maskTensor(opts.mask, FN, tokens);
    const factor = training ? capacityFactor : evalCapacityFactor;
    const capacity = factor === undefined ? tokens : Math.ceil((factor * k * tokens) / experts);

    const noisy = training && noiseStd > 0 ? tf.add(z, tf.randomNormal([tokens, experts], 0, noiseStd, 'float32', tfSeed(seed))) : z;
    const probs = tf.softmax(noisy) as tf.Tensor2D;
    // Discrete decisions (indices, keep) come out of one kernel with a zero gradient: tfjs has no
    // gradient for TopK, Less or LogicalAnd, and none is needed.
    const decisions = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const source = inputs[0] as tf.Tensor2D;
      return {
        value: decide(source, k, capacity, mask),
        gradFunc: () => tf.zerosLike(source),
      };
    })(noisy);
    const indices = tf.slice<tf.Rank.R2, tf.Tensor2D>(decisions, [0, 0], [tokens, k]);
    const keep = tf.slice<tf.Rank.R2, tf.Tensor2D>(decisions, [0, k], [tokens, k]);
    const oneHots = columnsOf(indices).map((column) => oneHotFloat(column, experts));
    let gates = oneHots.map((oh) => tf.sum<tf.Tensor1D>(tf.mul(probs, oh), 1));
    if (normalize) {
      const total = tf.addN(gates);
      gates = gates.map((g) => tf.div<tf.Tensor1D>(g, total));
    }
    const weights = tf.stack(gates, 1) as tf.Tensor2D;
    return { indices, weights, probs, keep, capacity };
  });
}

/**
 * `[T, 2k]` int32: the top-k experts by logit (ties to the lower index), then the keep flags. Position of
 * each assignment in its expert's queue: rank-major, token order within a rank (Mesh-TF, GShard).
 */
function decide(logits: tf.Tensor2D, k: number, capacity: number, mask: tf.Tensor1D | null): tf.Tensor2D {
  return tf.tidy(() => {
    const [tokens, experts] = logits.shape;
    // Rank by the logits, not the probabilities: far-apart logits can underflow to equal probabilities.
    const { indices } = tf.topk(logits, k, true);
    if (capacity >= tokens && !mask) return tf.concat<tf.Tensor2D>([indices, tf.ones([tokens, k], 'int32')], 1);
    const valid = mask ? tf.reshape(mask, [tokens, 1]) : tf.ones([tokens, 1]);
    const realToken = tf.greater(tf.reshape(valid, [tokens]), 0);
    let filled: tf.Tensor = tf.zeros([1, experts]);
    const keeps: tf.Tensor1D[] = [];
    for (const column of columnsOf(indices)) {
      const counted = tf.mul(oneHotFloat(column, experts), valid);
      const position = tf.add(tf.sub(tf.cumsum(counted, 0), 1), filled);
      const own = tf.sum(tf.mul(position, counted), 1);
      keeps.push(tf.cast(tf.logicalAnd(tf.less(own, capacity), realToken), 'int32') as tf.Tensor1D);
      filled = tf.add(filled, tf.sum(counted, 0, true));
    }
    return tf.concat([indices, tf.stack(keeps, 1)], 1) as tf.Tensor2D;
  });
}
