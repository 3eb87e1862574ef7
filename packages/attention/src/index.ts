export { scaledDotProductAttention } from './scaled-dot-product-attention.js';
export type { ScaledDotProductAttentionOptions } from './scaled-dot-product-attention.js';
export { chunkedAttention, DEFAULT_CHUNK_SIZE } from './chunked-attention.js';
export type { ChunkedAttentionOptions } from './chunked-attention.js';
export { randomFeatureMatrix } from './random-features.js';
export type { RandomFeatureOptions } from './random-features.js';
export { linearAttention, linearAttentionFeatures } from './linear-attention.js';
export type { LinearAttentionOptions, FeatureMap } from './linear-attention.js';
export { LinearAttentionState } from './linear-attention-state.js';
export type { LinearAttentionStateOptions } from './linear-attention-state.js';
export { slidingWindowAttention } from './sliding-window-attention.js';
export type { SlidingWindowAttentionOptions } from './sliding-window-attention.js';
export { bigBirdAttention, bigBirdLayout } from './big-bird-attention.js';
export type { BigBirdAttentionOptions, BigBirdLayout, BigBirdLayoutOptions } from './big-bird-attention.js';
export { MultiHeadAttention } from './multi-head-attention.js';
export type { AttentionVariant, MultiHeadAttentionApplyOptions, MultiHeadAttentionOptions } from './multi-head-attention.js';
export { attentionCost, maxSequenceLength, scoreMatrixBytes, sourceComparison, SOFTMAX_FLOPS_PER_SCORE } from './attention-cost.js';
export type { AttentionCost, AttentionCostOptions, AttentionCostVariant, SourceClaimCheck } from './attention-cost.js';
export { attentionScalingExperiment, favorApproximationExperiment } from './experiments.js';
export type {
  AttentionScalingOptions,
  FavorApproximationOptions,
  FavorApproximationPoint,
  ScalingRow,
  ScalingVariant,
} from './experiments.js';
