import * as tf from '@tensorflow/tfjs-core';
import { maskedMean } from './internal/masked.js';
import { expectShape, floatTensor, maskTensor, numberOption, requiredOptions } from './internal/validate.js';

/** Options of {@link ppoValueLoss}. */
export interface PPOValueLossOptions {
  /** Value predictions under the current parameters, `[batch, T]` (differentiate through this). */
  values: tf.Tensor2D;
  /** Value predictions recorded at sampling time, `[batch, T]`. */
  oldValues: tf.Tensor2D;
  /** Value targets `[batch, T]` (the `returns` of {@link gae}). */
  returns: tf.Tensor2D;
  /** 0/1 `[batch, T]`, 1 = real token. Default: every token is real. */
  mask?: tf.Tensor2D;
  /** How far the prediction may move from `oldValues` before the clipped error takes over; default 0.2 (TRL's `cliprange_value`). */
  clipRange?: number;
}

const FN = 'ppoValueLoss';

/**
 * PPO's clipped value loss, as TRL v0.8.6: 0.5 · masked mean of max((v − R)², (clip(v, v_old ± ε) − R)²).
 * The clipped prediction is v_old + clip(v − v_old, −ε, ε), which has the same value and gradient as
 * clamping v between v_old − ε and v_old + ε. An all-masked batch gives 0. Differentiable in `values`.
 *
 * @param options - `values`, `oldValues`, `returns`, optional `mask`, all `[batch, T]`; `clipRange`
 * @returns the loss, a scalar owned by the caller
 * @throws TypeError when an option has the wrong kind; RangeError for mismatched shapes, empty tensors or a
 *   negative clip range
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { ppoValueLoss } from '@prep/rlhf';
 * const loss = ppoValueLoss({
 *   values: tf.tensor2d([[1.0]]),
 *   oldValues: tf.tensor2d([[0.0]]),
 *   returns: tf.tensor2d([[1.0]]),
 * });
 * loss.dataSync()[0]; // 0.5 · max(0², (0.2 − 1)²) = 0.32
 * ```
 */
export function ppoValueLoss(options: PPOValueLossOptions): tf.Scalar {
  const opts = requiredOptions<PPOValueLossOptions>(options, FN);
  const clipRange = numberOption(opts.clipRange, FN, 'options.clipRange', 0.2, { min: 0 });
  return tf.tidy(() => {
    const values = floatTensor<tf.Rank.R2>(opts.values, FN, 'options.values', 2);
    const oldValues = floatTensor<tf.Rank.R2>(opts.oldValues, FN, 'options.oldValues', 2);
    expectShape(oldValues, values.shape, FN, 'options.oldValues', 'options.values');
    const returns = floatTensor<tf.Rank.R2>(opts.returns, FN, 'options.returns', 2);
    expectShape(returns, values.shape, FN, 'options.returns', 'options.values');
    const mask = opts.mask === undefined ? null : maskTensor(opts.mask, values.shape, FN, 'options.values');

    const clippedValues = tf.add(oldValues, tf.clipByValue(tf.sub(values, oldValues), -clipRange, clipRange));
    const unclippedError = tf.square(tf.sub(values, returns));
    const clippedError = tf.square(tf.sub(clippedValues, returns));
    return tf.mul(maskedMean(tf.maximum(unclippedError, clippedError), mask), 0.5);
  });
}
