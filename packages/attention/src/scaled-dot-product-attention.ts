import * as tf from '@tensorflow/tfjs-core';
import { allowedToBias, causalAllowed, normalizeMask } from './internal/mask.js';
import { headMatrix } from './internal/heads.js';
import { attentionDims, booleanOption, floatTensor, kvHeadOf, numberOption, optionsObject } from './internal/validate.js';

/** Options of {@link scaledDotProductAttention}. */
export interface ScaledDotProductAttentionOptions {
  /**
   * Causal masking aligned bottom-right (FlashAttention's convention): query i attends key j when
   * j ≤ i + (nK − nQ), so the last query sees every key. This is what a decode step with a KV cache needs.
   */
  causal?: boolean;
  /**
   * A 0/1 or boolean tensor broadcastable to `[batch, headsQ, nQ, nK]`; 1 (true) = may attend. Combined
   * with `causal` by logical and.
   */
  mask?: tf.Tensor;
  /** Multiplier of the scores; default 1/√headDim. */
  scale?: number;
}

const FN = 'scaledDotProductAttention';

/**
 * Exact softmax attention, softmax(scale · Q·Kᵀ + mask) · V, with grouped-query heads.
 *
 * Each (batch, head) pair runs as rank-2 matrix products with Kᵀ transposed once per KV head, which is
 * several times faster on the wasm backend than one batched 4-D product. Query head h reads KV head
 * ⌊h·headsKV/headsQ⌋ (contiguous groups, as HF `repeat_kv`). A query row that may attend no key at all
 * (possible with a mask, or causal with nQ > nK) outputs zeros, as FlashAttention does. Differentiable
 * with tfjs autodiff. Memory: one `[nQ, nK]` score matrix per head is live at a time during the forward
 * pass; use `chunkedAttention` when that is too large.
 *
 * @param q - queries `[batch, headsQ, nQ, headDim]`, float32
 * @param k - keys `[batch, headsKV, nK, headDim]`; headsQ must be a multiple of headsKV
 * @param v - values `[batch, headsKV, nK, valueDim]`
 * @param options - `causal`, `mask`, `scale` (see {@link ScaledDotProductAttentionOptions})
 * @returns the attention output `[batch, headsQ, nQ, valueDim]`, owned by the caller
 * @throws TypeError when an argument is not a tensor/array or an option has the wrong kind; RangeError for
 *   mismatched shapes, headsQ not a multiple of headsKV, a mask that does not broadcast or a bad scale
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { scaledDotProductAttention } from '@prep/attention';
 * const q = tf.randomNormal([1, 8, 16, 64]);      // 8 query heads
 * const kv = tf.randomNormal([1, 2, 16, 64]);     // 2 KV heads: grouped-query attention
 * const out = scaledDotProductAttention(q, kv, kv, { causal: true });
 * out.shape; // [1, 8, 16, 64]
 * ```
 */
export function scaledDotProductAttention(
  q: tf.Tensor | tf.TensorLike,
  k: tf.Tensor | tf.TensorLike,
  v: tf.Tensor | tf.TensorLike,
  options?: ScaledDotProductAttentionOptions,
): tf.Tensor4D {
  const opts = optionsObject<ScaledDotProductAttentionOptions>(options, FN);
  const causal = booleanOption(opts.causal, FN, 'options.causal', false);
  const scaleOption = opts.scale === undefined ? undefined : numberOption(opts.scale, FN, 'options.scale');
  return tf.tidy(() => {
    const qt = floatTensor<tf.Rank.R4>(q, FN, 'q', 4);
    const kt = floatTensor<tf.Rank.R4>(k, FN, 'k', 4);
    const vt = floatTensor<tf.Rank.R4>(v, FN, 'v', 4);
    const dims = attentionDims(qt, kt, vt, FN);
    const { batch, headsQ, headsKV, nQ, nK, headDim, valueDim } = dims;
    const scale = scaleOption ?? 1 / Math.sqrt(headDim);
    const mask = opts.mask === undefined ? null : normalizeMask(opts.mask, [batch, headsQ, nQ, nK], FN);
    const causalPattern = causal ? causalAllowed(nQ, nK) : null;

    // Bias and "row has a key" factor per (batch, head); shared when the mask does not vary.
    const maskFor = (b: number, h: number): { bias: tf.Tensor | null; rowLive: tf.Tensor | null } => {
      let allowed: tf.Tensor | null = causalPattern;
      if (mask) {
        const [mb, mh, mq, mk] = mask.shape;
        const slice = tf.reshape(tf.slice(mask, [Math.min(b, mb - 1), Math.min(h, mh - 1), 0, 0], [1, 1, mq, mk]), [mq, mk]);
        allowed = allowed ? tf.logicalAnd(allowed, slice) : tf.logicalAnd(slice, tf.ones([nQ, nK], 'bool'));
      }
      if (!allowed) return { bias: null, rowLive: null };
      const needsRowLive = mask !== null || nQ > nK;
      return {
        bias: allowedToBias(allowed),
        rowLive: needsRowLive ? tf.cast(tf.any(allowed, 1, true), 'float32') : null,
      };
    };
    const sharedMask = !mask || (mask.shape[0] === 1 && mask.shape[1] === 1) ? maskFor(0, 0) : null;

    const outputs: tf.Tensor2D[] = [];
    for (let b = 0; b < batch; b++) {
      const keysT: tf.Tensor2D[] = [];
      const values: tf.Tensor2D[] = [];
      for (let g = 0; g < headsKV; g++) {
        keysT.push(tf.tidy(() => tf.transpose(headMatrix(kt, b, g))));
        values.push(tf.tidy(() => headMatrix(vt, b, g)));
      }
      for (let h = 0; h < headsQ; h++) {
        // One head at a time in its own scope: only one [nQ, nK] score matrix is live (outside tf.grad).
        outputs.push(
          tf.tidy(() => {
            const g = kvHeadOf(h, headsQ, headsKV);
            const qh = tf.mul(headMatrix(qt, b, h), scale);
            let scores: tf.Tensor2D = tf.matMul(qh, keysT[g]!);
            const { bias, rowLive } = sharedMask ?? maskFor(b, h);
            if (bias) scores = tf.add(scores, bias);
            const out: tf.Tensor2D = tf.matMul(tf.softmax(scores), values[g]!);
            return rowLive ? tf.mul(out, rowLive) : out;
          }),
        );
      }
      tf.dispose([...keysT, ...values]);
    }
    return tf.reshape(tf.stack(outputs), [batch, headsQ, nQ, valueDim]);
  });
}
