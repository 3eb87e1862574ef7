/** Internal: counting assignments per expert on tensors. */
import * as tf from '@tensorflow/tfjs-core';

/** The padding mask as a float32 column `[T, 1]` (ones when there is no mask). */
export function validColumn(mask: tf.Tensor1D | null, tokens: number): tf.Tensor2D {
  return mask ? tf.reshape<tf.Rank.R2>(mask, [tokens, 1]) : tf.ones([tokens, 1]);
}

/**
 * Assignments per expert over all k slots, `[E]` float32, each token weighted by `valid` `[T, 1]`. One
 * one-hot `[T, E]` per slot, never `[T, k, E]`. Indices outside [0, E) count for no expert.
 */
export function expertCounts(indices: tf.Tensor2D, experts: number, valid: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const columns = columnsOf(indices);
    const counts = columns.map((column) => tf.sum(tf.mul(oneHotFloat(column, experts), valid), 0));
    return (counts.length === 1 ? counts[0] : tf.addN(counts)) as tf.Tensor1D;
  });
}

/**
 * One-hot rows `[T, depth]` as float32. Built as int32 and cast: the wasm backend of tfjs 4.22 writes
 * int32 bit patterns into a float32 `oneHot` (1 reads as 1.4e-45).
 */
export function oneHotFloat(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  // tf.oneHot wants depth ≥ 2; one expert is the first column of a depth-2 one-hot.
  if (depth === 1) return tf.slice(tf.cast(tf.oneHot(indices, 2), 'float32'), [0, 0], [indices.shape[0], 1]) as tf.Tensor2D;
  return tf.cast(tf.oneHot(indices, depth), 'float32') as tf.Tensor2D;
}

/**
 * The columns of a `[T, k]` tensor as `[T]` tensors. For k = 1 a reshape: the gradient of a one-output
 * `unstack` is broken in tfjs 4.22 (it hands `stack` a tensor instead of a list).
 */
export function columnsOf(t: tf.Tensor2D): tf.Tensor1D[] {
  const [rows, cols] = t.shape;
  return cols === 1 ? [tf.reshape(t, [rows])] : (tf.unstack(t, 1) as tf.Tensor1D[]);
}

/**
 * The top-k experts per token by logit (ties to the lower index), int32 `[T, k]`, from a kernel whose
 * gradient is zero: tfjs has no gradient for TopK, and indices need none.
 */
export function topKIndices(logits: tf.Tensor2D, k: number): tf.Tensor2D {
  return tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const source = inputs[0] as tf.Tensor2D;
    return { value: tf.topk(source, k, true).indices, gradFunc: () => tf.zerosLike(source) };
  })(logits);
}
