import * as tf from '@tensorflow/tfjs-core';
import { asFloat, checkTensor, got, numberOption } from './internal/validate.js';

/** Inputs of {@link vibLoss}. */
export interface VibLossOptions {
  /** μ of the encoder's Gaussian q(z|x), `[batch, latentDim]`. */
  mean: tf.Tensor2D;
  /** log σ² of q(z|x), `[batch, latentDim]` (a log-variance keeps σ² positive without constraints). */
  logVariance: tf.Tensor2D;
  /** The decoder's class logits computed from a sample z ~ q(z|x), `[batch, classes]`. */
  logits: tf.Tensor2D;
  /**
   * The class of each example, `[batch]`, int32 (float32 is cast, dropping any fraction). Values must lie in
   * [0, classes): they are not checked (that would need a synchronous read), and an out-of-range label
   * contributes 0 to the cross-entropy, as `tf.oneHot` gives it an all-zero row.
   */
  labels: tf.Tensor1D;
  /** β ≥ 0, the weight of the compression term. */
  beta: number;
}

/** The three scalars of {@link vibLoss}, all owned by the caller (a plain object, so `tf.dispose` takes it). */
export type VibLossResult = {
  /** crossEntropy + β·kl, the quantity to minimise. */
  loss: tf.Scalar;
  /** Mean softmax cross-entropy of the logits against the labels, in nats. */
  crossEntropy: tf.Scalar;
  /** Mean over the batch of KL(N(μ, σ²) ‖ N(0, I)), summed over latent dimensions, in nats. */
  kl: tf.Scalar;
};

const FN = 'vibLoss';

function checkOptions(options: unknown): VibLossOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options) || options instanceof tf.Tensor) {
    throw new TypeError(`${FN}: 'options' must be an object { mean, logVariance, logits, labels, beta }; got ${got(options)}`);
  }
  const o = options as Partial<Record<keyof VibLossOptions, unknown>>;
  const mean = checkTensor<tf.Rank.R2>(o.mean, FN, 'options.mean', 2);
  const logVariance = checkTensor<tf.Rank.R2>(o.logVariance, FN, 'options.logVariance', 2);
  const logits = checkTensor<tf.Rank.R2>(o.logits, FN, 'options.logits', 2);
  const labels = checkTensor<tf.Rank.R1>(o.labels, FN, 'options.labels', 1);
  const beta = numberOption(o.beta, FN, 'options.beta', { min: 0 });
  const [batch, latent] = mean.shape;
  if (logVariance.shape[0] !== batch || logVariance.shape[1] !== latent) {
    throw new RangeError(`${FN}: 'options.logVariance' must have the shape of 'options.mean' [${batch}, ${latent}]; got [${logVariance.shape.join(', ')}]`);
  }
  if (logits.shape[0] !== batch) throw new RangeError(`${FN}: 'options.logits' must have ${batch} rows like 'options.mean'; got shape [${logits.shape.join(', ')}]`);
  if (labels.shape[0] !== batch) throw new RangeError(`${FN}: 'options.labels' must have ${batch} entries like 'options.mean'; got shape [${labels.shape.join(', ')}]`);
  return { mean, logVariance, logits, labels, beta };
}

/**
 * The deep variational information bottleneck loss of Alemi et al.: cross-entropy + β·KL(q(z|x) ‖ N(0, I)),
 * with a diagonal Gaussian encoder q(z|x) = N(μ, diag σ²).
 *
 * KL = ½ Σ_k (μ_k² + σ_k² − log σ_k² − 1) per example, summed over latent dimensions and averaged over the
 * batch; the cross-entropy is averaged over the batch. Averaged over the data, the KL term is a variational
 * upper bound on I(Z;X) and H(Y) − crossEntropy a lower bound on I(Z;Y) (both in nats), so minimising the
 * loss trades the two off with β. Differentiable in `mean`, `logVariance` and `logits` with tfjs autodiff;
 * sample z with {@link reparameterize} so that gradients reach the encoder.
 *
 * @param options - `mean` and `logVariance` `[batch, latentDim]`, `logits` `[batch, classes]`, `labels`
 *   `[batch]` int32, `beta` ≥ 0; see {@link VibLossOptions}
 * @returns `{ loss, crossEntropy, kl }`, three scalars owned by the caller
 * @throws TypeError when an input is not a float/int tensor or `beta` is not a number; RangeError for a
 *   wrong rank, mismatched batch or latent sizes, or a negative or non-finite `beta`
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { vibLoss } from '@prep/info-bottleneck';
 * const mean = tf.zeros([2, 3]);
 * const logVariance = tf.zeros([2, 3]);           // μ = 0, σ = 1: exactly the prior, KL = 0
 * const logits = tf.tensor2d([[2, 0], [0, 2]]);
 * const { loss, crossEntropy, kl } = vibLoss({ mean, logVariance, logits, labels: tf.tensor1d([0, 1], 'int32'), beta: 1e-3 });
 * await kl.data(); // [0]
 * ```
 */
export function vibLoss(options: VibLossOptions): VibLossResult {
  const { mean, logVariance, logits, labels, beta } = checkOptions(options);
  return tf.tidy(() => {
    const classes = logits.shape[1];
    const targets = tf.oneHot(labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32'), classes);
    const logProbs = tf.logSoftmax(asFloat(logits));
    const crossEntropy = tf.neg(tf.mean(tf.sum(tf.mul(targets, logProbs), 1))) as tf.Scalar;
    const mu = asFloat(mean);
    const lv = asFloat(logVariance);
    const perDim = tf.sub(tf.sub(tf.add(tf.square(mu), tf.exp(lv)), lv), 1);
    const kl = tf.mean<tf.Scalar>(tf.mul(tf.sum(perDim, 1), 0.5));
    const loss = tf.add<tf.Scalar>(crossEntropy, tf.mul(kl, beta));
    return { loss, crossEntropy, kl };
  });
}
