import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from './internal/normalize.js';
import { booleanOption, embeddingMatrix, numberOption, optionsObject } from './internal/validate.js';

/** Options of {@link zeroShotClassify}. */
export interface ZeroShotClassifyOptions {
  /** Multiplier of the cosine similarities before the softmax (default 100, as CLIP and open_clip). */
  logitScale?: number;
  /** L2-normalise the rows of both inputs first (default true). */
  normalize?: boolean;
}

/** What {@link zeroShotClassify} returns; both tensors are owned by the caller. */
export interface ZeroShotResult {
  /** Class probabilities `[N, classes]`, softmax of logitScale · cosine similarity. */
  probs: tf.Tensor2D;
  /** The most similar class of each image `[N]`, int32; ties go to the lower class index. */
  predictions: tf.Tensor1D;
}

const FN = 'zeroShotClassify';

/**
 * Zero-shot classification as in CLIP: each image is assigned the class whose text embedding is most
 * similar (cosine), with probabilities softmax(logitScale · cos).
 *
 * @param imageEmb - image embeddings `[N, dim]`
 * @param classEmb - one embedding per class `[classes, dim]`, e.g. from {@link classEmbeddings}
 * @param options - `logitScale`, `normalize` (see {@link ZeroShotClassifyOptions})
 * @returns `{ probs, predictions }`, see {@link ZeroShotResult}
 * @throws TypeError when an argument has the wrong kind; RangeError for a shape mismatch or a logitScale
 *   that is not a positive finite number
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { zeroShotClassify } from '@prep/contrastive';
 * const classes = tf.tensor2d([[1, 0], [0, 1]]);
 * const { probs, predictions } = zeroShotClassify(tf.tensor2d([[0.9, 0.1], [0.2, 0.8]]), classes);
 * predictions.arraySync(); // [0, 1]
 * ```
 */
export function zeroShotClassify(
  imageEmb: tf.Tensor2D | tf.TensorLike,
  classEmb: tf.Tensor2D | tf.TensorLike,
  options?: ZeroShotClassifyOptions,
): ZeroShotResult {
  const opts = optionsObject<ZeroShotClassifyOptions>(options, FN);
  const logitScale = opts.logitScale === undefined ? 100 : numberOption(opts.logitScale, FN, 'options.logitScale', { positive: true });
  const normalize = booleanOption(opts.normalize, FN, 'options.normalize', true);
  return tf.tidy(() => {
    const image = embeddingMatrix(imageEmb, FN, 'imageEmb');
    const classes = embeddingMatrix(classEmb, FN, 'classEmb');
    if (classes.shape[1] !== image.shape[1]) {
      throw new RangeError(`${FN}: 'classEmb' must have the dim of 'imageEmb' (${image.shape[1]}); got shape [${classes.shape.join(', ')}]`);
    }
    const img = normalize ? l2Normalize(image) : image;
    const cls = normalize ? l2Normalize(classes) : classes;
    const logits = tf.mul<tf.Tensor2D>(tf.matMul(img, tf.transpose(cls)), logitScale);
    return { probs: tf.softmax(logits), predictions: tf.argMax<tf.Tensor1D>(logits, 1) };
  });
}
