/**
 * Internal: the orthogonal factor of a QR decomposition by Householder reflections, in float64.
 * Signs are fixed so that diag(R) > 0, which makes Q unique (and Haar-distributed for a Gaussian input).
 */

/**
 * Returns Q (row-major, size×size) of A = QR for a square row-major matrix `a`, with diag(R) ≥ 0.
 */
export function orthogonalFactor(a: Float64Array, size: number): Float64Array {
  const r = Float64Array.from(a);
  // Q starts as the identity; each reflection H = I − 2 v vᵀ / (vᵀv) is applied on the right: Q ← Q H.
  const q = new Float64Array(size * size);
  for (let i = 0; i < size; i++) q[i * size + i] = 1;
  const v = new Float64Array(size);
  for (let col = 0; col < size - 1; col++) {
    let norm = 0;
    for (let row = col; row < size; row++) norm += r[row * size + col]! ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const head = r[col * size + col]!;
    const alpha = head > 0 ? -norm : norm;
    v.fill(0);
    for (let row = col; row < size; row++) v[row] = r[row * size + col]!;
    v[col] = head - alpha;
    let vv = 0;
    for (let row = col; row < size; row++) vv += v[row]! ** 2;
    if (vv === 0) continue;
    // R ← H R
    for (let j = col; j < size; j++) {
      let dot = 0;
      for (let row = col; row < size; row++) dot += v[row]! * r[row * size + j]!;
      const f = (2 * dot) / vv;
      for (let row = col; row < size; row++) r[row * size + j] = r[row * size + j]! - f * v[row]!;
    }
    // Q ← Q H
    for (let i = 0; i < size; i++) {
      let dot = 0;
      for (let row = col; row < size; row++) dot += q[i * size + row]! * v[row]!;
      const f = (2 * dot) / vv;
      for (let row = col; row < size; row++) q[i * size + row] = q[i * size + row]! - f * v[row]!;
    }
  }
  // Make diag(R) non-negative: flip the matching columns of Q.
  for (let j = 0; j < size; j++) {
    if (r[j * size + j]! < 0) {
      for (let i = 0; i < size; i++) q[i * size + j] = -q[i * size + j]!;
    }
  }
  return q;
}
