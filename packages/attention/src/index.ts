export { scaledDotProductAttention } from './scaled-dot-product-attention.js';
export type { ScaledDotProductAttentionOptions } from './scaled-dot-product-attention.js';
