import { tf } from '@prep/test-utils/tensor';
import { TinyLM, type TinyLMConfig } from '../src/index.js';

/** A tiny model for CI: 2 blocks, 4 query heads over 2 KV heads (headDim 4), 4 experts with top-2. */
export const TINY: Partial<TinyLMConfig> = {
  dModel: 16,
  numLayers: 2,
  numHeads: 4,
  numKVHeads: 2,
  numExperts: 4,
  expertsPerToken: 2,
  dHidden: 16,
  maxPositions: 48,
  seed: 3,
};

/**
 * The tiny model with a larger token embedding than the 0.02 initialisation, so that logits differ
 * clearly between contexts (an equality test on near-uniform logits would prove little).
 */
export function tinyModel(config: Partial<TinyLMConfig> = {}): TinyLM {
  const model = new TinyLM({ ...TINY, ...config });
  tf.tidy(() => model.tokenEmbedding.assign(tf.mul(model.tokenEmbedding, 40)));
  tf.tidy(() => model.positionEmbedding.assign(tf.mul(model.positionEmbedding, 20)));
  return model;
}

/** Seeded pseudo-random token ids in [0, 96). */
export function tokensFor(length: number, seed: number): number[] {
  let state = seed * 2654435761 + 1;
  return Array.from({ length }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % 96;
  });
}

/** Logits of the last position of `tokens` by full recomputation (no cache), `[vocabSize]`. */
export function fullLogits(model: TinyLM, tokens: readonly number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const { logits, auxLoss, zLoss } = model.forward([tokens.slice()]);
    tf.dispose([auxLoss, zLoss]);
    return tf.reshape(tf.slice(logits, [0, tokens.length - 1, 0], [1, 1, model.config.vocabSize]), [model.config.vocabSize]);
  });
}
