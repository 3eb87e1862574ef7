/** Internal: validation of a critic's score matrix for the variational lower bounds. */
import type * as tf from '@tensorflow/tfjs-core';
import { checkTensor } from './validate.js';

/** Checks that `scores` is a square `[N, N]` float tensor with N ≥ `minN`. */
export function squareScores(scores: unknown, fn: string, minN: number): tf.Tensor2D {
  const s = checkTensor<tf.Rank.R2>(scores, fn, 'scores', 2);
  const [rows, cols] = s.shape;
  if (rows !== cols) throw new RangeError(`${fn}: 'scores' must be square [N, N] (row i pairs x_i with every y_j); got shape [${rows}, ${cols}]`);
  if (rows < minN) throw new RangeError(`${fn}: 'scores' must be at least [${minN}, ${minN}]; got shape [${rows}, ${cols}]`);
  return s;
}
