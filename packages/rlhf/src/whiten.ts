import * as tf from '@tensorflow/tfjs-core';
import { booleanOption, floatTensor, maskTensor, optionsObject } from './internal/validate.js';

/** Options of {@link whiten}. */
export interface WhitenOptions {
  /** 0/1 tensor of the shape of `x`, 1 = real value. Only real values enter the statistics. */
  mask?: tf.Tensor;
  /** Subtract the mean (default true). False rescales only and keeps the mean, as TRL's `shift_mean=False`. */
  shiftMean?: boolean;
}

const FN = 'whiten';
/** Added to the variance before the inverse square root, as TRL. */
const VARIANCE_EPSILON = 1e-8;

/**
 * Normalizes `x` to mean 0 and unit variance over all its elements, as TRL's `whiten`/`masked_whiten`:
 * (x − mean) / √(var + 1e-8) with the unbiased (n − 1) variance; with `shiftMean: false` the mean is added
 * back. With a mask, the statistics use only the real values, so the result at real positions equals
 * whitening the unmasked slice alone; masked positions are set to 0 (our convention: TRL transforms them
 * too, though nothing reads them). With fewer than two real values the variance is taken as 0 (TRL raises
 * for none; a mask cannot be read synchronously on every backend). Differentiable.
 *
 * @param x - values to normalize, any shape with at least two elements (e.g. advantages `[batch, T]`)
 * @param options - `mask` of the shape of `x`, `shiftMean` (see {@link WhitenOptions})
 * @returns the whitened tensor, the shape of `x`, owned by the caller
 * @throws TypeError when `x` is not a tensor/array or an option has the wrong kind; RangeError when `x` has
 *   fewer than two elements (without a mask) or the mask has another shape
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { whiten } from '@prep/rlhf';
 * const x = tf.tensor2d([[1, 2, 3, 99]]);
 * const mask = tf.tensor2d([[1, 1, 1, 0]]);
 * whiten(x, { mask }).arraySync(); // ≈ [[-1, 0, 1, 0]]: mean 2, unbiased variance 1 of [1, 2, 3]
 * ```
 */
export function whiten(x: tf.Tensor | tf.TensorLike, options?: WhitenOptions): tf.Tensor {
  const opts = optionsObject<WhitenOptions>(options, FN);
  const shiftMean = booleanOption(opts.shiftMean, FN, 'options.shiftMean', true);
  return tf.tidy(() => {
    const values = floatTensor(x, FN, 'x', null);
    if (opts.mask === undefined) {
      if (values.size < 2) {
        throw new RangeError(`${FN}: 'x' needs at least two values for an unbiased variance; got shape [${values.shape.join(', ')}]`);
      }
      const mean = tf.mean(values);
      const centered = tf.sub(values, mean);
      const variance = tf.div(tf.sum(tf.square(centered)), values.size - 1);
      const scaled = tf.mul(centered, tf.rsqrt(tf.add(variance, VARIANCE_EPSILON)));
      return shiftMean ? scaled : tf.add(scaled, mean);
    }
    const mask = maskTensor(opts.mask, values.shape, FN, 'x');
    const count = tf.sum(mask);
    const mean = tf.div(tf.sum(tf.mul(values, mask)), tf.maximum(count, 1));
    const centered = tf.sub(values, mean);
    const variance = tf.div(tf.sum(tf.mul(tf.square(centered), mask)), tf.maximum(tf.sub(count, 1), 1));
    let out: tf.Tensor = tf.mul(centered, tf.rsqrt(tf.add(variance, VARIANCE_EPSILON)));
    if (!shiftMean) out = tf.add(out, mean);
    return tf.mul(out, mask);
  });
}
