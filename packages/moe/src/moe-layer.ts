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
  got,
  tfSeed,
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
  /**
   * Routing decisions computed beforehand by {@link MoELayer.route} for this `x` (and mask, and training
   * flag). `apply` then reads nothing back, so it can run where synchronous reads are impossible (WebGPU)
   * and inside `optimizer.minimize` / `tf.grad`. It uses the routing's noise draws, so the gates and losses
   * match the decisions.
   */
  routing?: MoERouting;
}

/**
 * Routing decisions of one batch, on the host: what {@link MoELayer.route} returns and
 * {@link MoELayer.apply} accepts as `options.routing`. Treat it as opaque.
 */
export interface MoERouting {
  /** Tokens in the batch it was computed for. */
  readonly tokens: number;
  /** Whether it was computed in training mode. */
  readonly training: boolean;
  /** Position in the layer's noise stream (training draws), so that `apply` repeats the same noise. */
  readonly call: number;
  /** Token choice: the k experts of each token (`[T·k]`); expert choice: each expert's picks (`[E·C]`). */
  readonly choices: Int32Array;
  /** Expert choice: the router probability of each pick (negative for padding); null for token choice. */
  readonly scores: Float32Array | null;
  /** The padding mask as read (1 = real token), or null. */
  readonly mask: Uint8Array | null;
}

/**
 * Thrown by {@link MoELayer.apply} on a backend that cannot read tensors synchronously (WebGPU) when no
 * precomputed `options.routing` is given. Use {@link MoELayer.applyAsync}, or {@link MoELayer.route}
 * followed by `apply(x, { routing })`.
 */
export class SynchronousReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynchronousReadError';
  }
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
/** Backends on which a synchronous read is refused (SwiftShader's WebGPU loses its device on one). */
const NO_SYNC_READ = new Set(['webgpu']);
/** The layer each routing came from. */
const routingOwner = new WeakMap<MoERouting, MoELayer>();


/**
 * A mixture-of-experts FFN layer that runs each expert on the tokens routed to it and on no other.
 *
 * `apply` routes the tokens, reads the routing decisions back (T·k int32, or E·C for expert choice),
 * gathers each expert's tokens (`gatherND`), runs expert e's two matrix products on those rows only, and
 * scatter-adds the outputs back weighted by the gates (`scatterND`). Work and memory are O(k·T·dHidden)
 * whatever E is; no `[T, E, dHidden]` tensor and no product of a token with an expert it was not routed
 * to is ever formed. The expert phase has a hand-written backward pass (gather ↔ scatter, untransposed
 * products), so it trains on backends without `UnsortedSegmentSum` (wasm) and avoids tfjs-wasm's slow
 * transposed products. Differentiable end to end: gradients reach the expert weights, the router
 * (through the gates and the auxiliary losses), the noise scale and the input.
 *
 * Each expert is `act(x·W1)·W2` with W1 `[dModel, dHidden]`, W2 `[dHidden, dModel]`, no biases (Switch,
 * Mixtral); W1 and W2 start from N(0, 1/fan_in) (T5). The weights are plain `tf.Variable`s in
 * `trainableWeights`, so any tfjs optimizer trains them; tfjs-layers is not needed.
 *
 * Each expert's batch size depends on the routing, so the decisions (T·k int32, or E·C for expert
 * choice) are read back to the host once per call: `apply` reads synchronously (`dataSync`) on cpu,
 * wasm and WebGL. On WebGPU, where a synchronous read is not possible, call `await layer.route(x)` first
 * and pass the result as `apply(x, { routing })` (also inside `optimizer.minimize`), or use
 * `await layer.applyAsync(x)`.
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
    const seedOf = (i: number) => tfSeed(this.seed * 7919 + i);
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

  /**
   * The variables an optimizer should train: router, noise weights (noisy-topk), then W1, W2 per expert.
   *
   * @returns the list, in that order (a new array each time; the variables are the layer's own)
   * @example
   * ```ts
   * optimizer.minimize(() => lossOf(layer.apply(x, { training: true })), false, layer.trainableWeights);
   * ```
   */
  get trainableWeights(): tf.Variable[] {
    return [
      this.routerWeights,
      ...(this.noiseWeights ? [this.noiseWeights] : []),
      ...this.expertWeights.flatMap(({ w1, w2 }) => [w1, w2]),
    ];
  }

  /**
   * Number of trainable parameters: E·2·dModel·dHidden + dModel·E (+ dModel·E for the noise weights).
   *
   * @returns the count
   * @example
   * ```ts
   * new MoELayer({ dModel: 256, dHidden: 1024, numExperts: 64, k: 2 }).numParams; // 33 570 816
   * ```
   */
  get numParams(): number {
    return this.trainableWeights.reduce((total, v) => total + v.size, 0);
  }

  /**
   * Runs the layer on a batch of tokens.
   *
   * @param x - token activations `[T, dModel]`, float32
   * @param options - `training` (default false), a padding `mask` `[T]`, and precomputed `routing`
   * @returns `{ output [T, dModel], auxLoss, zLoss, tokensPerExpert [E], routedCounts, droppedTokens }`;
   *   combine the losses as `task + 1e-2·auxLoss + 1e-3·zLoss` ({@link DEFAULT_BALANCE_COEFFICIENT},
   *   {@link DEFAULT_Z_LOSS_COEFFICIENT}) or with your own coefficients
   * @throws TypeError for a wrong kind of argument, a routing from another layer, or after
   *   {@link MoELayer.dispose}; RangeError when `x` is not `[T, dModel]`, the mask is not `[T]`, or the
   *   routing does not fit this batch; {@link SynchronousReadError} on WebGPU without `routing`. A refused
   *   call changes nothing (not even the noise stream).
   */
  apply(x: tf.Tensor | tf.TensorLike, options?: MoEApplyOptions): MoEApplyResult {
    const name = `${FN}.apply`;
    const { training, routing } = this.checkCall(name, options);
    return tf.tidy(() => {
      const { xt, mask } = this.checkInputs(name, x, options, routing);
      if (!routing && NO_SYNC_READ.has(tf.getBackend())) {
        throw new SynchronousReadError(
          `${name}: the '${tf.getBackend()}' backend cannot read the routing back synchronously; ` +
            'use await layer.applyAsync(x), or pass options.routing from await layer.route(x)',
        );
      }
      const call = routing ? routing.call : training ? this.trainingCalls++ : 0;
      const tokens = xt.shape[0];
      // Routing in its own scope: the [T, E] router tensors are freed before the experts run (the
      // gradient tape keeps what the backward pass needs).
      let plan: DispatchPlan | null = null;
      const routed = tf.tidy(() => {
        const logits = this.logits(xt, training, call);
        const decisions = routing ?? this.readDecisions(logits, mask, training, call);
        const result = this.gatesAndLosses(logits, mask, training, decisions);
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

  /**
   * Computes the routing decisions of a batch and reads them back asynchronously (works on every backend,
   * WebGPU included). In training mode it draws this call's noise; `apply(x, { training: true, routing })`
   * then reuses the same draws. Call `apply` with the same `x`, mask and training flag, before the router
   * weights change.
   *
   * @param x - token activations `[T, dModel]`
   * @param options - `training` and `mask`, as for {@link MoELayer.apply}
   * @returns a Promise of the routing, for `apply(x, { routing })`
   * @throws (as a rejected Promise) as {@link MoELayer.apply}
   * @example
   * ```ts
   * const routing = await layer.route(x, { training: true });
   * optimizer.minimize(() => layer.apply(x, { training: true, routing }).auxLoss);
   * ```
   */
  async route(x: tf.Tensor | tf.TensorLike, options?: Omit<MoEApplyOptions, 'routing'>): Promise<MoERouting> {
    const name = `${FN}.route`;
    const { training } = this.checkCall(name, options);
    let call = 0;
    let tokens = 0;
    let hasMask = false;
    const tensors = tf.tidy(() => {
      const { xt, mask } = this.checkInputs(name, x, options, undefined);
      tokens = xt.shape[0];
      hasMask = mask !== null;
      call = training ? this.trainingCalls++ : 0;
      const decisions = this.decisionTensors(this.logits(xt, training, call).routing, mask, training);
      return mask ? [...decisions, mask] : decisions;
    });
    try {
      const values = await Promise.all(tensors.map((t) => t.data()));
      const maskValues = hasMask ? values[values.length - 1]! : null;
      const routing: MoERouting = {
        tokens,
        training,
        call,
        choices: Int32Array.from(values[0]!),
        scores: this.router === 'expert-choice' ? Float32Array.from(values[1]!) : null,
        mask: maskValues ? Uint8Array.from(maskValues, (v) => (v !== 0 ? 1 : 0)) : null,
      };
      routingOwner.set(routing, this);
      return routing;
    } finally {
      tf.dispose(tensors);
    }
  }

  /**
   * {@link MoELayer.route} then {@link MoELayer.apply}: the forward pass on any backend, WebGPU included.
   *
   * @param x - token activations `[T, dModel]`
   * @param options - `training` and `mask`
   * @returns a Promise of what `apply` returns
   * @throws (as a rejected Promise) as {@link MoELayer.apply}
   */
  async applyAsync(x: tf.Tensor | tf.TensorLike, options?: Omit<MoEApplyOptions, 'routing'>): Promise<MoEApplyResult> {
    const routing = await this.route(x, options);
    return this.apply(x, { ...(options ?? {}), routing });
  }

  private checkCall(name: string, options: unknown): { training: boolean; routing: MoERouting | undefined } {
    if (this.disposed) throw new TypeError(`${name}: the layer was disposed`);
    const opts = optionsObject<MoEApplyOptions>(options, name);
    const training = booleanOption(opts.training, name, 'options.training', false);
    const routing = opts.routing;
    if (routing !== undefined) {
      if (routing === null || typeof routing !== 'object' || routingOwner.get(routing) !== this) {
        throw new TypeError(`${name}: 'options.routing' must come from this layer's route(); got ${got(routing)}`);
      }
      if (routing.training !== training) {
        throw new RangeError(`${name}: 'options.routing' was computed with training ${routing.training}, but options.training is ${training}`);
      }
    }
    return { training, routing };
  }

  private checkInputs(
    name: string,
    x: unknown,
    options: MoEApplyOptions | undefined,
    routing: MoERouting | undefined,
  ): { xt: tf.Tensor2D; mask: tf.Tensor1D | null } {
    const xt = floatTensor<tf.Rank.R2>(x, name, 'x', 2);
    const [tokens, width] = xt.shape;
    if (width !== this.dModel) throw new RangeError(`${name}: 'x' must be [tokens, ${this.dModel}]; got shape [${xt.shape.join(', ')}]`);
    const mask = options?.mask === undefined ? null : maskTensor(options.mask, name, tokens);
    if (routing && routing.tokens !== tokens) {
      throw new RangeError(`${name}: 'options.routing' is for ${routing.tokens} tokens; 'x' has ${tokens}`);
    }
    if (routing && (routing.mask !== null) !== (mask !== null)) {
      throw new RangeError(`${name}: 'options.routing' was computed ${routing.mask ? 'with' : 'without'} a mask; options.mask ${mask ? 'is' : 'is not'} given`);
    }
    return { xt, mask };
  }

  /** Router logits (jittered input in training), and the logits the decisions use (plus router noise). */
  private logits(x: tf.Tensor2D, training: boolean, call: number): { clean: tf.Tensor2D; routing: tf.Tensor2D } {
    const [tokens] = x.shape;
    const noiseSeed = (i: number) => tfSeed(this.seed * 7919 + 1_000_003 * (call + 1) + i);
    const input =
      training && this.jitter > 0
        ? tf.mul<tf.Tensor2D>(x, tf.randomUniform([tokens, this.dModel], 1 - this.jitter, 1 + this.jitter, 'float32', noiseSeed(1)))
        : x;
    const clean = linear(input, this.routerWeights);
    let routing = clean;
    if (this.noiseWeights && training) {
      const noiseScale = tf.softplus(linear(input, this.noiseWeights));
      routing = tf.add(clean, tf.mul(tf.randomNormal([tokens, this.numExperts], 0, 1, 'float32', noiseSeed(2)), noiseScale));
    }
    return { clean, routing };
  }

  private expertChoiceCapacity(tokens: number, training: boolean): number {
    const factor = (training ? this.capacityFactor : (this.evalCapacityFactor ?? this.capacityFactor)) ?? 1;
    return Math.min(tokens, Math.ceil((factor * this.k * tokens) / this.numExperts));
  }

  /** The tensors holding the discrete decisions: top-k choices, or each expert's picks and their scores. */
  private decisionTensors(routingLogits: tf.Tensor2D, mask: tf.Tensor1D | null, training: boolean): tf.Tensor[] {
    const [tokens, experts] = routingLogits.shape;
    if (this.router !== 'expert-choice') return [topKIndices(routingLogits, this.k)];
    const probs = tf.softmax<tf.Tensor2D>(routingLogits);
    // Padding gets score −1, below every probability, and is skipped when the plan is built.
    const scores = mask ? tf.where(tf.greater(tf.reshape(mask, [tokens, 1]), 0), probs, tf.fill([tokens, experts], -1)) : probs;
    const { values, indices } = tf.topk(tf.transpose(scores), this.expertChoiceCapacity(tokens, training), true);
    return [indices, values];
  }

  /** Reads the decisions back synchronously (cpu, wasm, WebGL). */
  private readDecisions(logits: { routing: tf.Tensor2D }, mask: tf.Tensor1D | null, training: boolean, call: number): MoERouting {
    const tensors = this.decisionTensors(logits.routing, mask, training);
    const maskValues = mask ? mask.dataSync() : null;
    return {
      tokens: logits.routing.shape[0],
      training,
      call,
      choices: Int32Array.from(tensors[0]!.dataSync()),
      scores: tensors[1] ? Float32Array.from(tensors[1].dataSync()) : null,
      mask: maskValues ? Uint8Array.from(maskValues, (v) => (v !== 0 ? 1 : 0)) : null,
    };
  }

  /** The dispatch plan (host), the gate of every slot, and the two auxiliary losses. */
  private gatesAndLosses(
    logits: { clean: tf.Tensor2D; routing: tf.Tensor2D },
    mask: tf.Tensor1D | null,
    training: boolean,
    decisions: MoERouting,
  ): { plan: DispatchPlan; gates: tf.Tensor2D; auxLoss: tf.Scalar; zLoss: tf.Scalar } {
    const [tokens, experts] = logits.routing.shape;
    const zLoss = routerZLoss(logits.clean, mask ? { mask } : {});
    const probs = tf.softmax<tf.Tensor2D>(logits.routing);

    if (this.router === 'expert-choice') {
      let realTokens = tokens;
      if (decisions.mask) for (const v of decisions.mask) if (v === 0) realTokens--;
      const capacity = this.expertChoiceCapacity(tokens, training);
      const plan = expertChoicePlan(decisions.choices, decisions.scores!, tokens, experts, capacity, realTokens);
      const gates = tf.reshape<tf.Rank.R2>(probs, [tokens * experts, 1]);
      return { plan, gates, auxLoss: tf.scalar(0), zLoss };
    }

    const chosen = decisions.choices;
    const factor = training ? this.capacityFactor : this.evalCapacityFactor;
    const capacity = factor === undefined ? tokens : Math.ceil((factor * this.k * tokens) / experts);
    const plan = tokenChoicePlan(chosen, decisions.mask, tokens, this.k, experts, capacity);
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

  /**
   * Disposes the layer's variables; later calls to `apply` and `route` throw a TypeError. Calling it
   * twice is harmless.
   *
   * @example
   * ```ts
   * layer.dispose();
   * ```
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.trainableWeights);
  }
}
