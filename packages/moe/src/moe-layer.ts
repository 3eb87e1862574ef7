import * as tf from '@tensorflow/tfjs-core';
import { topKIndices } from './internal/assignments.js';
import { expertChoicePlan, tokenChoicePlan, type DispatchPlan } from './internal/dispatch-plan.js';
import { expertMixture } from './internal/experts.js';
import { gatherRows, linear } from './internal/row-map.js';
import {
  booleanOption,
  choiceOption,
  floatTensor,
  maskTensor,
  numberOption,
  optionalNumber,
  optionsObject,
} from './internal/validate.js';
import { routerZLoss } from './router-z-loss.js';

/** The routers {@link MoELayer} offers. */
export type MoERouter = 'softmax-topk' | 'noisy-topk' | 'expert-choice';
/** Activation between an expert's two matrices. */
export type ExpertActivation = 'relu' | 'gelu';

/** Options of the {@link MoELayer} constructor. */
export interface MoELayerOptions {
  /** Model width (token activations are `[T, dModel]`). */
  dModel: number;
  /** Hidden width of each expert's FFN. */
  dHidden: number;
  /** Number of experts, E. */
  numExperts: number;
  /** Experts per token (token-choice routers); for 'expert-choice', the average experts per token. */
  k: number;
  /**
   * Capacity factor c in training: each expert takes at most ceil(c·k·T/E) assignments, the rest are
   * dropped in token order. Omitted: nothing is dropped. For 'expert-choice' it sets each expert's
   * bucket size ceil(c·k·T/E) in training and evaluation (default 1).
   */
  capacityFactor?: number;
  /** Capacity factor at evaluation (training false). Omitted: token-choice routers drop nothing. */
  evalCapacityFactor?: number;
  /**
   * 'softmax-topk' (Switch k = 1, Mixtral k = 2; default), 'noisy-topk' (Shazeer et al. 2017: Gaussian
   * noise scaled by a learned softplus(x·W_noise) is added to the logits in training) or 'expert-choice'
   * (Zhou et al. 2022: each expert picks its top tokens; not causal, so not for decoding).
   */
  router?: MoERouter;
  /** Seed of the initial weights and of the training noise (default 0). */
  seed?: number;
  /** Renormalise the top-k gates (default: k > 1), as {@link topKRouting}. */
  normalize?: boolean;
  /**
   * Switch's multiplicative jitter ε: in training the router input is multiplied by U(1 − ε, 1 + ε)
   * element-wise (the experts see the clean input). Default 0.01 for 'softmax-topk' (Switch's value),
   * 0 for the other routers.
   */
  jitter?: number;
  /** Expert activation: 'relu' (Switch/T5, default) or 'gelu' (tanh approximation, Megablocks). */
  activation?: ExpertActivation;
  /** Standard deviation of the router's initial weights (default √(0.1/dModel), Switch's reduced scale). */
  routerInitStd?: number;
}

/** Options of {@link MoELayer.apply}. */
export interface MoEApplyOptions {
  /** Training mode: jitter, router noise and the training capacity apply. Default false (inference). */
  training?: boolean;
  /**
   * Padding mask `[T]` (bool or 0/1; nonzero = real token). Padding tokens are not dispatched, take no
   * capacity, get a zero output row, and are left out of `auxLoss` and `zLoss`.
   */
  mask?: tf.Tensor;
}

/** What {@link MoELayer.apply} returns; the tensors are owned by the caller. */
export interface MoEApplyResult {
  /**
   * `[T, dModel]`: Σ over a token's kept experts of gate · expert(x). No residual is added: a dropped or
   * padding token's row is zero, so `x + output` passes it through unchanged.
   */
  output: tf.Tensor2D;
  /** {@link switchLoadBalancingLoss} of this call's routing (0 for 'expert-choice', balanced by construction). */
  auxLoss: tf.Scalar;
  /** {@link routerZLoss} of the router logits (before router noise). */
  zLoss: tf.Scalar;
  /** int32 `[E]`: tokens each expert processed in this call (after capacity dropping). */
  tokensPerExpert: tf.Tensor1D;
  /** Assignments the router made per expert before capacity dropping (real tokens only), length E. */
  routedCounts: number[];
  /** Real tokens that no expert processed (all their assignments dropped, or picked by no expert). */
  droppedTokens: number;
}

/** Default coefficient of the load-balancing loss (Switch Transformer). */
export const DEFAULT_BALANCE_COEFFICIENT = 1e-2;
/** Default coefficient of the router z-loss (ST-MoE). */
export const DEFAULT_Z_LOSS_COEFFICIENT = 1e-3;

const FN = 'MoELayer';
let instances = 0;


/**
 * A mixture-of-experts FFN layer that runs each expert on the tokens routed to it and on no other.
 *
 * `apply` routes the tokens, reads the routing decisions back (T·k int32, or E·C for expert choice),
 * gathers each expert's tokens into one expert-sorted buffer, runs expert e's two matrix products on its
 * rows only, and scatters the outputs back weighted by the gates. Work and memory are O(k·T·dHidden)
 * whatever E is; no `[T, E, dHidden]` tensor and no product of a token with an expert it was not routed
 * to is ever formed. The scatter is written as gathers with a custom gradient, so it runs and trains on
 * backends without `UnsortedSegmentSum` (wasm). Differentiable end to end: gradients reach the expert
 * weights, the router (through the gates and the auxiliary losses) and the input.
 *
 * Each expert is `act(x·W1)·W2` with W1 `[dModel, dHidden]`, W2 `[dHidden, dModel]`, no biases (Switch,
 * Mixtral); W1 and W2 start from N(0, 1/fan_in) (T5). The weights are plain `tf.Variable`s in
 * `trainableWeights`, so any tfjs optimizer trains them; tfjs-layers is not needed.
 *
 * Reading the routing back is synchronous (`dataSync`): each expert's batch size depends on the data.
 * On WebGPU a synchronous read is slow (tfjs warns once); prefer WebGL or wasm for training loops there.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { MoELayer, DEFAULT_BALANCE_COEFFICIENT, DEFAULT_Z_LOSS_COEFFICIENT } from '@prep/moe';
 * const layer = new MoELayer({ dModel: 16, dHidden: 32, numExperts: 8, k: 2, capacityFactor: 1.25, seed: 1 });
 * const x = tf.randomNormal([64, 16]);
 * const target = tf.randomNormal([64, 16]);
 * const optimizer = tf.train.adam(1e-2);
 * optimizer.minimize(() => {
 *   const { output, auxLoss, zLoss } = layer.apply(x, { training: true });
 *   const task = tf.losses.meanSquaredError(target, tf.add(x, output));
 *   return tf.addN([task, tf.mul(auxLoss, DEFAULT_BALANCE_COEFFICIENT), tf.mul(zLoss, DEFAULT_Z_LOSS_COEFFICIENT)]) as tf.Scalar;
 * }, false, layer.trainableWeights);
 * ```
 */
export class MoELayer {
  /** Model width. */
  readonly dModel: number;
  /** Hidden width of each expert. */
  readonly dHidden: number;
  /** Number of experts, E. */
  readonly numExperts: number;
  /** Experts per token. */
  readonly k: number;
  /** The router kind. */
  readonly router: MoERouter;
  /** Capacity factor in training (undefined: no dropping). */
  readonly capacityFactor: number | undefined;
  /** Capacity factor at evaluation (undefined: no dropping). */
  readonly evalCapacityFactor: number | undefined;
  /** Whether top-k gates are renormalised. */
  readonly normalize: boolean;
  /** Switch jitter ε on the router input in training. */
  readonly jitter: number;
  /** Expert activation. */
  readonly activation: ExpertActivation;
  /** Seed of weights and noise. */
  readonly seed: number;
  /** Router weights `[dModel, E]`. */
  readonly routerWeights: tf.Variable<tf.Rank.R2>;
  /** Noise weights `[dModel, E]` of the 'noisy-topk' router (null otherwise), initialised to 0 (Shazeer). */
  readonly noiseWeights: tf.Variable<tf.Rank.R2> | null;
  /** Per expert: W1 `[dModel, dHidden]` and W2 `[dHidden, dModel]`. */
  readonly expertWeights: readonly { readonly w1: tf.Variable<tf.Rank.R2>; readonly w2: tf.Variable<tf.Rank.R2> }[];
  private trainingCalls = 0;
  private disposed = false;

  /**
   * Creates the layer and its variables (seeded).
   *
   * @param options - sizes, router, capacity, seed; see {@link MoELayerOptions}
   * @throws TypeError when `options` or one of its fields has the wrong kind; RangeError when a size is not
   *   a positive integer, k > E, a factor is not positive or `jitter` is outside [0, 1)
   */
  constructor(options: MoELayerOptions) {
    const opts = optionsObject<MoELayerOptions>(options, FN);
    if (options === undefined) throw new TypeError(`${FN}: 'options' must be an object with dModel, dHidden, numExperts and k; got undefined`);
    this.dModel = numberOption(opts.dModel, FN, 'options.dModel', { integer: true, min: 1 });
    this.dHidden = numberOption(opts.dHidden, FN, 'options.dHidden', { integer: true, min: 1 });
    this.numExperts = numberOption(opts.numExperts, FN, 'options.numExperts', { integer: true, min: 1 });
    this.k = numberOption(opts.k, FN, 'options.k', { integer: true, min: 1, max: this.numExperts });
    this.router = choiceOption(opts.router, FN, 'options.router', ['softmax-topk', 'noisy-topk', 'expert-choice'] as const, 'softmax-topk');
    this.capacityFactor = optionalNumber(opts.capacityFactor, FN, 'options.capacityFactor', { positive: true });
    this.evalCapacityFactor = optionalNumber(opts.evalCapacityFactor, FN, 'options.evalCapacityFactor', { positive: true });
    this.seed = optionalNumber(opts.seed, FN, 'options.seed') ?? 0;
    this.normalize = booleanOption(opts.normalize, FN, 'options.normalize', this.k > 1);
    this.jitter = optionalNumber(opts.jitter, FN, 'options.jitter', { min: 0, max: 0.999 }) ?? (this.router === 'softmax-topk' ? 0.01 : 0);
    this.activation = choiceOption(opts.activation, FN, 'options.activation', ['relu', 'gelu'] as const, 'relu');
    const routerStd = optionalNumber(opts.routerInitStd, FN, 'options.routerInitStd', { min: 0 }) ?? Math.sqrt(0.1 / this.dModel);

    const id = instances++;
    const seedOf = (i: number) => this.seed * 7919 + i;
    const { dModel, dHidden, numExperts } = this;
    const variable = (name: string, init: () => tf.Tensor2D): tf.Variable<tf.Rank.R2> => {
      const initial = tf.tidy(init);
      const v = tf.variable(initial, true, `moe${id}/${name}`);
      initial.dispose(); // the variable holds its own reference to the data
      return v;
    };
    this.routerWeights = variable('router', () => tf.truncatedNormal([dModel, numExperts], 0, routerStd, 'float32', seedOf(0)));
    this.noiseWeights = this.router === 'noisy-topk' ? variable('noise', () => tf.zeros([dModel, numExperts])) : null;
    this.expertWeights = Array.from({ length: numExperts }, (_, e) => ({
      w1: variable(`expert${e}/w1`, () => tf.truncatedNormal([dModel, dHidden], 0, 1 / Math.sqrt(dModel), 'float32', seedOf(1 + 2 * e))),
      w2: variable(`expert${e}/w2`, () => tf.truncatedNormal([dHidden, dModel], 0, 1 / Math.sqrt(dHidden), 'float32', seedOf(2 + 2 * e))),
    }));
  }

  /** The variables an optimizer should train: router, noise weights (noisy-topk), then W1, W2 per expert. */
  get trainableWeights(): tf.Variable[] {
    return [
      this.routerWeights,
      ...(this.noiseWeights ? [this.noiseWeights] : []),
      ...this.expertWeights.flatMap(({ w1, w2 }) => [w1, w2]),
    ];
  }

  /** Number of trainable parameters. */
  get numParams(): number {
    return this.trainableWeights.reduce((total, v) => total + v.size, 0);
  }

  /**
   * Runs the layer on a batch of tokens.
   *
   * @param x - token activations `[T, dModel]`, float32
   * @param options - `training` (default false) and a padding `mask` `[T]`
   * @returns `{ output [T, dModel], auxLoss, zLoss, tokensPerExpert [E], routedCounts, droppedTokens }`;
   *   combine the losses as `task + 1e-2·auxLoss + 1e-3·zLoss` ({@link DEFAULT_BALANCE_COEFFICIENT},
   *   {@link DEFAULT_Z_LOSS_COEFFICIENT}) or with your own coefficients
   * @throws TypeError for a wrong kind of argument or after {@link MoELayer.dispose}; RangeError when `x`
   *   is not `[T, dModel]` or the mask is not `[T]`. A refused call changes nothing (not even the noise stream).
   */
  apply(x: tf.Tensor | tf.TensorLike, options?: MoEApplyOptions): MoEApplyResult {
    const name = `${FN}.apply`;
    if (this.disposed) throw new TypeError(`${name}: the layer was disposed`);
    const opts = optionsObject<MoEApplyOptions>(options, name);
    const training = booleanOption(opts.training, name, 'options.training', false);
    return tf.tidy(() => {
      const xt = floatTensor<tf.Rank.R2>(x, name, 'x', 2);
      const [tokens, width] = xt.shape;
      if (width !== this.dModel) throw new RangeError(`${name}: 'x' must be [tokens, ${this.dModel}]; got shape [${xt.shape.join(', ')}]`);
      const mask = opts.mask === undefined ? null : maskTensor(opts.mask, name, tokens);
      const call = training ? this.trainingCalls++ : 0;
      const noiseSeed = (i: number) => this.seed * 7919 + 1_000_003 * (call + 1) + i;

      // Routing in its own scope: the [T, E] router tensors are freed before the experts run (the
      // gradient tape keeps what the backward pass needs).
      let plan: DispatchPlan | null = null;
      const routed = tf.tidy(() => {
        const result = this.route(xt, mask, training, noiseSeed);
        plan = result.plan;
        return { gates: result.gates, auxLoss: result.auxLoss, zLoss: result.zLoss };
      });
      const dispatch = plan as unknown as DispatchPlan;
      const output = dispatch.slots === 0 ? tf.zeros<tf.Rank.R2>([tokens, this.dModel]) : this.runExperts(xt, dispatch, routed.gates);
      const tokensPerExpert = tf.tensor1d(dispatch.counts, 'int32');
      return {
        output,
        auxLoss: routed.auxLoss,
        zLoss: routed.zLoss,
        tokensPerExpert,
        routedCounts: dispatch.routedCounts,
        droppedTokens: dispatch.droppedTokens,
      };
    });
  }

  /** Router logits, the routing decisions (read back once), the dispatch plan, the gates and the losses. */
  private route(
    x: tf.Tensor2D,
    mask: tf.Tensor1D | null,
    training: boolean,
    noiseSeed: (i: number) => number,
  ): { plan: DispatchPlan; gates: tf.Tensor2D; auxLoss: tf.Scalar; zLoss: tf.Scalar } {
    const [tokens] = x.shape;
    const experts = this.numExperts;
    const routerInput =
      training && this.jitter > 0
        ? tf.mul<tf.Tensor2D>(x, tf.randomUniform([tokens, this.dModel], 1 - this.jitter, 1 + this.jitter, 'float32', noiseSeed(1)))
        : x;
    const logits = linear(routerInput, this.routerWeights);
    const zLoss = routerZLoss(logits, mask ? { mask } : {});

    if (this.router === 'expert-choice') {
      const probs = tf.softmax<tf.Tensor2D>(logits);
      const factor = (training ? this.capacityFactor : (this.evalCapacityFactor ?? this.capacityFactor)) ?? 1;
      const capacity = Math.min(tokens, Math.ceil((factor * this.k * tokens) / experts));
      // Padding gets score −1, below every probability, and is skipped when the plan is built.
      const scores = mask ? tf.where(tf.greater(tf.reshape(mask, [tokens, 1]), 0), probs, tf.fill([tokens, experts], -1)) : probs;
      const { values, indices } = tf.topk(tf.transpose(scores), capacity, true);
      const maskValues = mask ? mask.dataSync() : null;
      let realTokens = tokens;
      if (maskValues) for (const v of maskValues) if (v === 0) realTokens--;
      const plan = expertChoicePlan(indices.dataSync(), values.dataSync(), tokens, experts, capacity, realTokens);
      const gates = tf.reshape<tf.Rank.R2>(probs, [tokens * experts, 1]);
      return { plan, gates, auxLoss: tf.scalar(0), zLoss };
    }

    let routingLogits: tf.Tensor2D = logits;
    if (this.noiseWeights && training) {
      const noiseScale = tf.softplus(linear(routerInput, this.noiseWeights));
      routingLogits = tf.add(logits, tf.mul(tf.randomNormal([tokens, experts], 0, 1, 'float32', noiseSeed(2)), noiseScale));
    }
    const probs = tf.softmax<tf.Tensor2D>(routingLogits);
    const chosen = topKIndices(routingLogits, this.k).dataSync();
    const factor = training ? this.capacityFactor : this.evalCapacityFactor;
    const capacity = factor === undefined ? tokens : Math.ceil((factor * this.k * tokens) / experts);
    const plan = tokenChoicePlan(chosen, mask ? mask.dataSync() : null, tokens, this.k, experts, capacity);
    // The gates of all T·k choices, read from the probabilities by a gather (no [T, k, E] one-hot).
    const flatChoice = new Int32Array(tokens * this.k);
    for (let i = 0; i < flatChoice.length; i++) flatChoice[i] = Math.floor(i / this.k) * experts + chosen[i]!;
    let gates = gatherRows(tf.reshape(probs, [tokens * experts, 1]), flatChoice);
    if (this.normalize) {
      const perToken = tf.reshape(gates, [tokens, this.k]);
      gates = tf.reshape(tf.div(perToken, tf.sum(perToken, 1, true)), [tokens * this.k, 1]);
    }
    // The Switch loss from the assignment counts the plan already holds: the value of
    // switchLoadBalancingLoss(probs, indices, { mask }) without its [T, E] one-hot counts.
    const realTokens = Math.max(plan.routedCounts.reduce((a, b) => a + b, 0) / this.k, 1);
    const f = tf.tensor1d(plan.routedCounts.map((c) => c / realTokens));
    const probSums = mask ? tf.sum(tf.mul(probs, tf.reshape(mask, [tokens, 1])), 0) : tf.sum(probs, 0);
    const auxLoss = tf.mul<tf.Scalar>(tf.sum(tf.mul(f, probSums)), experts / realTokens);
    return { plan, gates, auxLoss, zLoss };
  }

  /** Gathers each expert's rows, runs the expert on them only, scatters back weighted by the gates. */
  private runExperts(x: tf.Tensor2D, plan: DispatchPlan, gateSource: tf.Tensor2D): tf.Tensor2D {
    const gates = gatherRows(gateSource, plan.gateIndex);
    const weights = plan.layout.active.map((e) => this.expertWeights[e]!);
    return expertMixture(
      x,
      gates,
      plan.layout,
      weights.map((w) => w.w1),
      weights.map((w) => w.w2),
      this.activation,
    );
  }

  /** Disposes the layer's variables; later calls to `apply` throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.trainableWeights);
  }
}
