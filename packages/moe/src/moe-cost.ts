import { booleanOption, numberOption, optionalNumber, optionsObject } from './internal/validate.js';

/** Options of {@link moeCost}. */
export interface MoECostOptions {
  /** Model width. */
  dModel: number;
  /** Hidden width of one expert. */
  dHidden: number;
  /** Experts per MoE layer, E. */
  numExperts: number;
  /** Experts per token, k. */
  k: number;
  /** Tokens in the batch (T): sets the capacity and `totalFlops`. */
  tokens: number;
  /**
   * Capacity factor c. Given: the expert compute counts every capacity slot, E · ceil(c·k·T/E) per batch,
   * as static-shape implementations (Mesh-TF, GShard, Switch) pay for padded slots. Omitted: k slots per
   * token (a dropless layer such as {@link MoELayer} or Megablocks).
   */
  capacityFactor?: number;
  /** Gated experts with three matrices (SwiGLU: Mixtral, LLaMA-style); default false (two, ReLU/GELU). */
  gated?: boolean;
  /** Number of MoE layers (default 1). */
  layers?: number;
  /**
   * Parameters outside the MoE layers that every token uses in matrix products (attention, output head,
   * norms), counted once in `params` and `activeParams` and at 2 FLOPs each per token. Default 0.
   */
  sharedParams?: number;
  /** Input-embedding parameters: counted in `params` and `activeParams` but a lookup, not FLOPs. Default 0. */
  embeddingParams?: number;
}

/** What {@link moeCost} returns. */
export interface MoECost {
  /** Total parameters: experts, routers, shared and embedding parameters. */
  params: number;
  /** Forward FLOPs per token (2 per multiply-add): active experts, router, shared matrix products. */
  flopsPerToken: number;
  /** Parameters one token uses: k experts per layer, the routers, shared and embedding parameters. */
  activeParams: number;
  /** Parameters of all experts, all layers. */
  expertParams: number;
  /** Router parameters (dModel · E per layer, no bias). */
  routerParams: number;
  /** Expert slots computed per token per layer: k, or E · capacity / T with a capacity factor. */
  expertSlotsPerToken: number;
  /** Expert capacity per layer, ceil(c·k·T/E), or null without a capacity factor. */
  capacity: number | null;
  /** flopsPerToken · tokens. */
  totalFlops: number;
}

const FN = 'moeCost';

/**
 * Exact parameter and forward-FLOP count of a mixture-of-experts model, and of a dense FFN as the special
 * case E = 1, k = 1 (see {@link moeVsDense}).
 *
 * Per layer: each expert has `m · dModel · dHidden` weights (m = 2, or 3 when `gated`), no biases, and
 * the router `dModel · E`. A token computes k experts (or E · capacity / T slots with a capacity factor)
 * and the router. FLOPs count 2 per multiply-add and leave out element-wise work (activation, softmax,
 * gating) and attention's sequence-length-dependent score products.
 *
 * @param options - the sizes; see {@link MoECostOptions}
 * @returns see {@link MoECost}
 * @throws TypeError when `options` is not an object or a size is not a number; RangeError when a size is
 *   not a positive integer, k > E, or a factor or extra count is negative or not finite
 * @example
 * ```ts
 * import { moeCost, MIXTRAL_8X7B } from '@prep/moe';
 * const mixtral = moeCost(MIXTRAL_8X7B);
 * mixtral.params;        // 46 702 792 704  (≈ 46.7 B, not the "1.8 T" some write)
 * mixtral.activeParams;  // 12 879 925 248  (≈ 12.9 B per token)
 * ```
 */
export function moeCost(options: MoECostOptions): MoECost {
  const opts = optionsObject<MoECostOptions>(options, FN);
  const dModel = numberOption(opts.dModel, FN, 'options.dModel', { integer: true, min: 1 });
  const dHidden = numberOption(opts.dHidden, FN, 'options.dHidden', { integer: true, min: 1 });
  const experts = numberOption(opts.numExperts, FN, 'options.numExperts', { integer: true, min: 1 });
  const k = numberOption(opts.k, FN, 'options.k', { integer: true, min: 1, max: experts });
  const tokens = numberOption(opts.tokens, FN, 'options.tokens', { integer: true, min: 1 });
  const capacityFactor = optionalNumber(opts.capacityFactor, FN, 'options.capacityFactor', { positive: true });
  const gated = booleanOption(opts.gated, FN, 'options.gated', false);
  const layers = optionalNumber(opts.layers, FN, 'options.layers', { integer: true, min: 1 }) ?? 1;
  const sharedParams = optionalNumber(opts.sharedParams, FN, 'options.sharedParams', { min: 0 }) ?? 0;
  const embeddingParams = optionalNumber(opts.embeddingParams, FN, 'options.embeddingParams', { min: 0 }) ?? 0;

  const perExpert = (gated ? 3 : 2) * dModel * dHidden;
  const routerPerLayer = experts > 1 ? dModel * experts : 0;
  const capacity = capacityFactor === undefined ? null : Math.ceil((capacityFactor * k * tokens) / experts);
  const slots = capacity === null ? k : (experts * capacity) / tokens;
  const expertParams = layers * experts * perExpert;
  const routerParams = layers * routerPerLayer;
  const params = expertParams + routerParams + sharedParams + embeddingParams;
  const activeParams = layers * (k * perExpert + routerPerLayer) + sharedParams + embeddingParams;
  const flopsPerToken = 2 * (layers * (slots * perExpert + routerPerLayer) + sharedParams);
  return {
    params,
    flopsPerToken,
    activeParams,
    expertParams,
    routerParams,
    expertSlotsPerToken: slots,
    capacity,
    totalFlops: flopsPerToken * tokens,
  };
}

/** What {@link moeVsDense} returns. */
export interface MoEVsDense {
  /** The MoE layer(s). */
  moe: MoECost;
  /** The same model with one dense FFN of width dHidden in place of each MoE layer (no router). */
  dense: MoECost;
  /** moe.params / dense.params. */
  paramsRatio: number;
  /** moe.flopsPerToken / dense.flopsPerToken. */
  flopsRatio: number;
}

/**
 * Compares an MoE configuration with the dense FFN it grows from (one expert's width, no router), the
 * question's "E experts, top-k: E× parameters at k× FLOPs" claim. With E = 64, k = 2, dModel = 4096,
 * dHidden = 16384 it gives paramsRatio ≈ 64.002 and flopsRatio ≈ 2.002: the router adds the small excess.
 *
 * @param options - as {@link moeCost}
 * @returns `{ moe, dense, paramsRatio, flopsRatio }`
 * @throws as {@link moeCost}
 * @example
 * ```ts
 * import { moeVsDense } from '@prep/moe';
 * const r = moeVsDense({ dModel: 4096, dHidden: 16384, numExperts: 64, k: 2, tokens: 1 });
 * r.paramsRatio; // 64.00195…
 * r.flopsRatio;  // 2.00195…
 * ```
 */
export function moeVsDense(options: MoECostOptions): MoEVsDense {
  const moe = moeCost(options);
  const denseOptions: MoECostOptions = { ...options, numExperts: 1, k: 1 };
  delete denseOptions.capacityFactor;
  const dense = moeCost(denseOptions);
  return { moe, dense, paramsRatio: moe.params / dense.params, flopsRatio: moe.flopsPerToken / dense.flopsPerToken };
}

const MIXTRAL = {
  hiddenSize: 4096,
  intermediateSize: 14336,
  layers: 32,
  heads: 32,
  kvHeads: 8,
  headDim: 128,
  vocab: 32000,
};
const mixtralAttention = MIXTRAL.hiddenSize * MIXTRAL.heads * MIXTRAL.headDim * 2 + MIXTRAL.hiddenSize * MIXTRAL.kvHeads * MIXTRAL.headDim * 2;
const mixtralNorms = MIXTRAL.layers * 2 * MIXTRAL.hiddenSize + MIXTRAL.hiddenSize;

/**
 * Mixtral 8×7B's published configuration (Hugging Face `mistralai/Mixtral-8x7B-v0.1` config.json:
 * hidden 4096, intermediate 14336, 32 layers, 8 experts, top-2, SwiGLU experts, 32 query / 8 KV heads of
 * 128, vocabulary 32000, untied output head) as {@link moeCost} options for one token.
 * `sharedParams` = attention (q, k, v, o: 41 943 040 per layer) + RMSNorm weights + the output head;
 * `embeddingParams` = the input embedding. moeCost gives 46.7 B parameters and 12.9 B active per token,
 * matching Mistral's announcement — not the "1.8 T" (nor 8 × 7 = 56 B) the question's source uses.
 */
export const MIXTRAL_8X7B: Readonly<MoECostOptions> = Object.freeze({
  dModel: MIXTRAL.hiddenSize,
  dHidden: MIXTRAL.intermediateSize,
  numExperts: 8,
  k: 2,
  tokens: 1,
  gated: true,
  layers: MIXTRAL.layers,
  sharedParams: MIXTRAL.layers * mixtralAttention + mixtralNorms + MIXTRAL.vocab * MIXTRAL.hiddenSize,
  embeddingParams: MIXTRAL.vocab * MIXTRAL.hiddenSize,
});
