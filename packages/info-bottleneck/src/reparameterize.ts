import * as tf from '@tensorflow/tfjs-core';
import { asFloat, checkTensor, numberOption } from './internal/validate.js';

const FN = 'reparameterize';

/**
 * Draws z = μ + σ·ε with ε ~ N(0, I) from a seed (the reparameterisation trick), so that z is a
 * differentiable function of `mean` and `logVariance` and {@link vibLoss} can train the encoder.
 *
 * ε comes from `tf.randomNormal` with the given seed, which tfjs generates on the CPU: the same seed gives
 * the same ε on every backend.
 *
 * @param mean - μ `[batch, latentDim]`
 * @param logVariance - log σ² `[batch, latentDim]`
 * @param seed - integer seed of ε; use a new one per step
 * @returns z `[batch, latentDim]`, owned by the caller
 * @throws TypeError when an input is not a float/int tensor or the seed not a number; RangeError for a
 *   wrong rank, mismatched shapes or a non-integer seed
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { reparameterize } from '@prep/info-bottleneck';
 * const z = reparameterize(tf.zeros([4, 2]), tf.fill([4, 2], -20), 7); // σ ≈ 5e-5: z ≈ μ = 0
 * ```
 */
export function reparameterize(mean: tf.Tensor2D, logVariance: tf.Tensor2D, seed: number): tf.Tensor2D {
  const mu = checkTensor<tf.Rank.R2>(mean, FN, 'mean', 2);
  const lv = checkTensor<tf.Rank.R2>(logVariance, FN, 'logVariance', 2);
  const s = numberOption(seed, FN, 'seed', { integer: true });
  if (lv.shape[0] !== mu.shape[0] || lv.shape[1] !== mu.shape[1]) {
    throw new RangeError(`${FN}: 'logVariance' must have the shape of 'mean' [${mu.shape.join(', ')}]; got [${lv.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const eps = tf.randomNormal(mu.shape, 0, 1, 'float32', s);
    return tf.add(asFloat(mu), tf.mul(tf.exp(tf.mul(asFloat(lv), 0.5)), eps));
  });
}
