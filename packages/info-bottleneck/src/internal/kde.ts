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
 * For rows x_i of `x` `[n, d]` (already centred), returns a `[scales.length]` tensor with
 * Σ_i logsumexp_j(scale · ‖x_i − x_j‖²) for each scale. Squared distances are formed as
 * ‖x_i‖² + ‖x_j‖² − 2 x_i·x_j in row blocks (never more than {@link BLOCK_ELEMENTS} at once), clamped at 0,
 * with the diagonal set to exactly 0 so that each point's own kernel counts exactly 1.
 */
export function sumRowLogSumExp(x: tf.Tensor2D, scales: readonly number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const [n, d] = x.shape;
    const xT = tf.transpose(x);
    const sq = tf.sum(tf.square(x), 1);
    const sqRow = tf.reshape(sq, [1, n]);
    const block = Math.max(1, Math.min(n, Math.floor(BLOCK_ELEMENTS / n)));
    let totals: tf.Tensor1D = tf.zeros([scales.length]);
    for (let r0 = 0; r0 < n; r0 += block) {
      const rows = Math.min(block, n - r0);
      const blockTotals = tf.tidy(() => {
        const xb = tf.slice(x, [r0, 0], [rows, d]);
        const sqb = tf.reshape(tf.slice(sq, [r0], [rows]), [rows, 1]);
        const cross = tf.matMul(xb, xT);
        const dist = tf.relu(tf.sub(tf.add(sqb, sqRow), tf.mul(cross, 2)));
        const offDiagonal = tf.sub(1, tf.cast(tf.oneHot(tf.range(r0, r0 + rows, 1, 'int32'), n), 'float32'));
        const exact = tf.mul(dist, offDiagonal);
        // Every exponent is ≤ 0 and the diagonal's is exactly 0, so each row sum lies in [1, n]: no max
        // subtraction is needed (it would cost two more passes over the block).
        return tf.stack(scales.map((s) => tf.sum(tf.log(tf.sum(tf.exp(tf.mul(exact, s)), 1))))) as tf.Tensor1D;
      });
      const next = tf.add<tf.Tensor1D>(totals, blockTotals);
      tf.dispose([totals, blockTotals]);
      totals = next;
    }
    return totals;
  });
}
