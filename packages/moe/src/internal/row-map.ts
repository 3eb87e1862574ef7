/**
 * Internal: moving rows between the token layout `[tokens, d]` and the expert-sorted layout `[slots, d]`
 * with gathers only, in both directions.
 *
 * tfjs's gradient of `tf.gather` is `UnsortedSegmentSum`, which the wasm backend does not have. Here a
 * 0/1 matrix A is described by one or more gather index lists instead: `A · src = Σ_i gather(src, fwd_i)`,
 * and its transpose by lists `bwd_j` with `Aᵀ · dy = Σ_j gather(dy, bwd_j)`. Every list may hold a sentinel
 * (the number of source rows) that reads a zero row. Because MoE routing maps each slot to one token and
 * each token to at most k (or E) slots, both directions are a few gathers: the scatter-add of the backward
 * pass becomes one gather per "occurrence rank" of a token.
 */
import * as tf from '@tensorflow/tfjs-core';

/** One gather index list; `padded` says whether it holds the sentinel (a read of the zero row). */
export interface IndexList {
  index: Int32Array;
  padded: boolean;
}

/** Wraps an index array; scans it once for the sentinel `rows`. */
export function indexList(index: Int32Array, rows: number): IndexList {
  let padded = false;
  for (let i = 0; i < index.length; i++) {
    if (index[i] === rows) {
      padded = true;
      break;
    }
  }
  return { index, padded };
}

function gatherSum(src: tf.Tensor2D, lists: readonly IndexList[]): tf.Tensor2D {
  return tf.tidy(() => {
    const width = src.shape[1];
    const needsPad = lists.some((l) => l.padded);
    const source: tf.Tensor2D = needsPad ? tf.concat([src, tf.zeros([1, width])], 0) : src;
    let out: tf.Tensor2D | null = null;
    for (const list of lists) {
      if (list.index.length === 0) continue;
      const part = tf.gather<tf.Tensor2D>(source, tf.tensor1d(list.index, 'int32'), 0);
      out = out ? tf.add<tf.Tensor2D>(out, part) : part;
    }
    if (out) return out;
    const outRows = lists[0]?.index.length ?? 0;
    return tf.zeros([outRows, width]);
  });
}

/**
 * `A · src` for the 0/1 matrix A given by `forward` (gather lists of the output length), differentiable,
 * with the gradient `Aᵀ · dy` given by `backward` (gather lists of the source length). The caller
 * guarantees that `backward` describes the transpose of `forward`.
 *
 * @param src - `[rows, d]` float32
 * @param forward - gather lists with entries in `[0, rows]` (rows = zero row), all of the same length
 * @param backward - gather lists of length `rows` with entries in `[0, outRows]`
 * @returns `[outRows, d]`
 */
export function rowMap(src: tf.Tensor2D, forward: readonly IndexList[], backward: readonly IndexList[]): tf.Tensor2D {
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: gatherSum(inputs[0] as tf.Tensor2D, forward),
    gradFunc: (dy: tf.Tensor) => gatherSum(dy as tf.Tensor2D, backward),
  }));
  return op(src) as tf.Tensor2D;
}

/**
 * Gathers rows `src[index[i]]` for an index that reads each source row at most once, with the exact
 * transpose (a gather by the inverse index) as its gradient.
 *
 * @param src - `[rows, d]`
 * @param index - distinct entries in `[0, rows)`
 * @returns `[index.length, d]`
 */
export function gatherDistinctRows(src: tf.Tensor2D, index: Int32Array): tf.Tensor2D {
  const rows = src.shape[0];
  const inverse = new Int32Array(rows).fill(index.length);
  for (let i = 0; i < index.length; i++) inverse[index[i]!] = i;
  return rowMap(src, [indexList(index, rows)], [indexList(inverse, index.length)]);
}
