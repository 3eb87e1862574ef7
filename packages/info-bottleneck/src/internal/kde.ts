/** Internal: the pairwise-distance sums behind the Kolchinsky–Tracey KDE bounds. */
import * as tf from '@tensorflow/tfjs-core';

/** Largest number of elements of one block of the distance matrix (16 MiB of float32). */
const BLOCK_ELEMENTS = 1 << 22;

/** Largest finite float32 scale: beyond it a zero distance times the scale would give NaN. */
const MAX_SCALE = 3e38;

/** The negative scale factors, −1/(2σ²), for a list of variances, clamped to stay finite in float32. */
export function distanceScales(variances: readonly number[]): number[] {
  return variances.map((v) => -Math.min(1 / (2 * v), MAX_SCALE));
}

/**
 * For rows x_i of `x` `[n, d]` (already centred) with class ids `classIds` `[n]` (int32 in
 * [0, numClasses)), returns a
 * `[2·scales.length]` tensor holding, for each scale s in turn,
 *   Σ_i log Σ_j exp(s·‖x_i − x_j‖²)            (all rows), and
 *   Σ_i log Σ_{j: class j = class i} exp(s·‖x_i − x_j‖²)   (each row against its own class).
 * Squared distances are formed as ‖x_i‖² + ‖x_j‖² − 2 x_i·x_j in row blocks (never more than
 * {@link BLOCK_ELEMENTS} at once), clamped at 0, with the diagonal set to exactly 0 so that each point's own
 * kernel counts exactly 1. The exponentials are computed once per scale and shared by both sums; every
 * block has the same set of ops whatever the classes, so GPU backends compile few programs.
 */
export function kdeRowSums(x: tf.Tensor2D, classIds: tf.Tensor1D, numClasses: number, scales: readonly number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const [n, d] = x.shape;
    const xT = tf.transpose(x);
    const sq = tf.sum(tf.square(x), 1);
    const sqRow = tf.reshape(sq, [1, n]);
    // Same-class indicator as a product of one-hot codes: a [rows, classes]·[classes, n] product is much
    // cheaper on wasm than a broadcast comparison followed by a cast.
    const depth = Math.max(2, numClasses); // tf.oneHot needs depth ≥ 2; an unused column changes nothing
    const codes = tf.cast(tf.oneHot(classIds, depth), 'float32');
    const codesT = tf.transpose(codes);
    const block = Math.max(1, Math.min(n, Math.floor(BLOCK_ELEMENTS / n)));
    let totals: tf.Tensor1D = tf.zeros([2 * scales.length]);
    for (let r0 = 0; r0 < n; r0 += block) {
      const rows = Math.min(block, n - r0);
      const blockTotals = tf.tidy(() => {
        const xb = tf.slice(x, [r0, 0], [rows, d]);
        const sqb = tf.reshape(tf.slice(sq, [r0], [rows]), [rows, 1]);
        const cross = tf.matMul(xb, xT);
        const dist = tf.relu(tf.sub(tf.add(sqb, sqRow), tf.mul(cross, 2)));
        const offDiagonal = tf.sub(1, tf.cast(tf.oneHot(tf.range(r0, r0 + rows, 1, 'int32'), n), 'float32'));
        const exact = tf.mul(dist, offDiagonal);
        const sameClass = tf.matMul(tf.slice(codes, [r0, 0], [rows, depth]), codesT);
        // Every exponent is ≤ 0 and the diagonal's is exactly 0, so each row sum lies in [1, n]: no max
        // subtraction is needed (it would cost two more passes over the block).
        const sums: tf.Scalar[] = [];
        for (const s of scales) {
          const kernel = tf.exp(tf.mul(exact, s));
          sums.push(tf.sum(tf.log(tf.sum(kernel, 1))), tf.sum(tf.log(tf.sum(tf.mul(kernel, sameClass), 1))));
        }
        return tf.stack(sums) as tf.Tensor1D;
      });
      const next = tf.add<tf.Tensor1D>(totals, blockTotals);
      tf.dispose([totals, blockTotals]);
      totals = next;
    }
    return totals;
  });
}
