import * as tf from '@tensorflow/tfjs-core';
import { validColumn } from './internal/assignments.js';
import { floatTensor, maskTensor, optionsObject } from './internal/validate.js';

/** Options of {@link routerZLoss}. */
export interface RouterZLossOptions {
  /** Padding mask `[T]` (bool or 0/1; nonzero = real token): the mean runs over real tokens only. */
  mask?: tf.Tensor;
}

const FN = 'routerZLoss';

/**
 * The router z-loss of ST-MoE (Zoph et al., 2022): the mean over tokens of logsumexp(logits)², without its
 * coefficient (ST-MoE uses 1e-3). It keeps router logits small, which keeps the float32 softmax and the
 * routing decisions stable. All-padding input gives 0.
 *
 * @param logits - router logits `[T, E]`, float32
 * @param options - `mask`
 * @returns a scalar, differentiable with respect to `logits`
 * @throws TypeError for a wrong kind of argument; RangeError for a tensor that is not `[T, E]` or a mask
 *   that is not `[T]`
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { routerZLoss } from '@prep/moe';
 * const logits = tf.zeros([3, 4]);           // logsumexp = ln 4 for every token
 * await routerZLoss(logits).data();           // [1.9218…] = (ln 4)²
 * ```
 */
export function routerZLoss(logits: tf.Tensor | tf.TensorLike, options?: RouterZLossOptions): tf.Scalar {
  const opts = optionsObject<RouterZLossOptions>(options, FN);
  return tf.tidy(() => {
    const z = floatTensor<tf.Rank.R2>(logits, FN, 'logits', 2);
    const tokens = z.shape[0];
    const mask = opts.mask === undefined ? null : maskTensor(opts.mask, FN, tokens);
    const valid = tf.reshape(validColumn(mask, tokens), [tokens]);
    const squared = tf.square(tf.logSumExp(z, 1));
    return tf.div<tf.Scalar>(tf.sum(tf.mul(squared, valid)), tf.maximum(tf.sum(valid), 1));
  });
}
