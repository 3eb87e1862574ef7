import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from './internal/normalize.js';
import { floatTensor } from './internal/validate.js';

const FN = 'classEmbeddings';

/**
 * One embedding per class from the text embeddings of several prompt templates ("a photo of a {c}.",
 * "a drawing of a {c}.", …), by OpenAI's prompt-ensembling recipe used in CLIP's zero-shot evaluation and
 * open_clip's `build_zero_shot_classifier`: normalise each template embedding, average over the templates,
 * normalise the average.
 *
 * @param templateEmbeddings - `[classes, templates, dim]`
 * @returns `[classes, dim]` unit rows (a class whose templates average to zero stays zero), owned by the
 *   caller; differentiable
 * @throws TypeError when the argument is not a tensor/array of numbers; RangeError when it is not rank 3
 *   or empty
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { classEmbeddings } from '@prep/contrastive';
 * const perTemplate = tf.randomNormal([10, 4, 64]); // 10 classes, 4 templates each
 * const classes = classEmbeddings(perTemplate);     // [10, 64], unit rows
 * ```
 */
export function classEmbeddings(templateEmbeddings: tf.Tensor3D | tf.TensorLike): tf.Tensor2D {
  return tf.tidy(() => {
    const x = floatTensor<tf.Rank.R3>(templateEmbeddings, FN, 'templateEmbeddings', 3, ' [classes, templates, dim]');
    return l2Normalize(tf.mean<tf.Tensor2D>(l2Normalize(x), 1));
  });
}
