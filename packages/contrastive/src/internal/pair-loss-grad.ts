/** Internal: the custom-gradient wrapper shared by the chunked losses. */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize, l2NormalizeGrad } from './normalize.js';

/** What a chunked loss computes in its forward pass: the loss and the small tensors its backward reuses. */
// A type alias, not an interface, so that it is a TensorContainer that tf.tidy may return.
export type ChunkedForward = {
  value: tf.Scalar;
  /** O(N) statistics (log-sum-exps) kept for the backward pass; never an N×N tensor. */
  stats: tf.Tensor[];
};

/** Gradients of a loss over one batch of pairs, already multiplied by the upstream gradient `dy`. */
export interface ChunkedGradients {
  dImage: tf.Tensor2D;
  dText: tf.Tensor2D;
  dScale: tf.Scalar;
  dBias: tf.Scalar;
}

type Forward = (image: tf.Tensor2D, text: tf.Tensor2D, scale: tf.Scalar, bias: tf.Scalar) => ChunkedForward;
type Backward = (image: tf.Tensor2D, text: tf.Tensor2D, scale: tf.Scalar, bias: tf.Scalar, stats: tf.Tensor[], dy: tf.Scalar) => ChunkedGradients;

/**
 * Wraps a chunked forward/backward pair into one `tf.customGrad` op of (image, text, scale, bias). The row
 * normalisation runs inside the op and its gradient is applied by hand, so between the passes only the raw
 * inputs and the O(N) statistics are kept (autodiff through the normalisation would keep several more
 * `[N, dim]` tensors alive until the whole gradient is done).
 */
export function chunkedPairLoss(normalize: boolean, forward: Forward, backward: Backward) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [image, text, scale, bias, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Scalar, tf.Scalar, tf.GradSaveFunc];
    const { value, stats } = tf.tidy(() =>
      normalize ? forward(l2Normalize(image), l2Normalize(text), scale, bias) : forward(image, text, scale, bias),
    );
    save([image, text, scale, bias, ...stats]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [rawImage, rawText, s, b, ...kept] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Scalar, tf.Scalar, ...tf.Tensor[]];
        const upstream = dy as tf.Scalar;
        if (!normalize) {
          const g = backward(rawImage, rawText, s, b, kept, upstream);
          return [g.dImage, g.dText, g.dScale, g.dBias];
        }
        const image = l2Normalize(rawImage);
        const text = l2Normalize(rawText);
        const g = backward(image, text, s, b, kept, upstream);
        const dImage = l2NormalizeGrad(rawImage, image, g.dImage);
        tf.dispose([g.dImage, image]);
        const dText = l2NormalizeGrad(rawText, text, g.dText);
        tf.dispose([g.dText, text]);
        return [dImage, dText, g.dScale, g.dBias];
      },
    };
  });
}
