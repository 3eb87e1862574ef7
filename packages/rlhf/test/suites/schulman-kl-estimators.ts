/**
 * Schulman's table ("Approximating KL divergence", 2020) as a seeded Monte-Carlo test of klEstimate:
 * samples x ~ q = N(0, 1) (the policy), p = N(μ, 1) (the reference). The exact bias and standard deviation
 * of each estimator come from gen_rlhf.py (numerical integration). Node lane only (100 000 samples).
 */
import { expect, it } from 'vitest';
import { describeBackends, tf } from '@prep/test-utils/tensor';
import { klEstimate } from '../../src/index.js';
import { fixture } from '../fixture.js';

/** Registers the suite (called by a test file; a module of its own keeps one concept per file). */
export function schulmanKlEstimatorsSuite(): void {
  const SAMPLES = 100_000;

  /** Seeded standard normals (mulberry32 + Box-Muller), float64. */
  function normals(count: number, seed: number): Float64Array {
    let state = seed >>> 0;
    const uniform = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
    };
    const out = new Float64Array(count);
    for (let i = 0; i < count; i += 2) {
      const r = Math.sqrt(-2 * Math.log(uniform()));
      const a = 2 * Math.PI * uniform();
      out[i] = r * Math.cos(a);
      if (i + 1 < count) out[i + 1] = r * Math.sin(a);
    }
    return out;
  }

  function meanAndStd(values: ArrayLike<number>): { mean: number; std: number } {
    let mean = 0;
    for (let i = 0; i < values.length; i++) mean += values[i]!;
    mean /= values.length;
    let ss = 0;
    for (let i = 0; i < values.length; i++) ss += (values[i]! - mean) ** 2;
    return { mean, std: Math.sqrt(ss / (values.length - 1)) };
  }

  describeBackends("Schulman's KL estimator table", () => {
    for (const row of fixture.schulmanTable) {
      it(`q = N(0,1), p = N(${row.mu},1): true KL ${row.trueKL.toPrecision(3)}; k1 and k3 unbiased, k2 biased by ${(100 * row.k2.relativeBias).toPrecision(2)}%, k3 far less variable than k1`, async () => {
        const x = normals(SAMPLES, 1234 + Math.round(row.mu * 10));
        const halfLog2Pi = 0.5 * Math.log(2 * Math.PI);
        const logq = tf.tensor1d(Float32Array.from(x, (v) => -0.5 * v * v - halfLog2Pi));
        const logp = tf.tensor1d(Float32Array.from(x, (v) => -0.5 * (v - row.mu) ** 2 - halfLog2Pi));
        const read = async (estimator: 'k1' | 'k2' | 'k3') => {
          const out = klEstimate(logq, logp, estimator);
          const values = await out.data();
          out.dispose();
          return values;
        };
        const [k1, k2, k3] = [await read('k1'), await read('k2'), await read('k3')];
        tf.dispose([logq, logp]);
        const kl = row.trueKL;
        const s1 = meanAndStd(k1);
        const s2 = meanAndStd(k2);
        const s3 = meanAndStd(k3);
        const se = (s: { std: number }) => s.std / Math.sqrt(SAMPLES);

        // unbiased: within 4 standard errors of the true KL
        expect(Math.abs(s1.mean - kl)).toBeLessThan(4 * se(s1));
        expect(Math.abs(s3.mean - kl)).toBeLessThan(4 * se(s3));
        // k2's bias, measured on the same samples as k3 (common random numbers): E[k2 − k3] = E[k2] − KL
        const diff = Float64Array.from(k2, (v, i) => v - k3[i]!);
        const d = meanAndStd(diff);
        const expectedBias = row.k2.relativeBias * kl;
        expect(Math.abs(d.mean - expectedBias)).toBeLessThan(4 * se(d) + 1e-3 * expectedBias);
        expect(d.mean / se(d)).toBeGreaterThan(4); // the bias is real, not noise
        // the table's standard deviations (relative to the true KL), within 3%
        expect(Math.abs(s1.std / kl / row.k1.relativeStd - 1)).toBeLessThan(0.03);
        expect(Math.abs(s2.std / kl / row.k2.relativeStd - 1)).toBeLessThan(0.03);
        expect(Math.abs(s3.std / kl / row.k3.relativeStd - 1)).toBeLessThan(0.03);
        // k3's variance far below k1's: (20 / 1.42)² ≈ 200× at μ = 0.1, (2 / 1.7)² ≈ 1.4× at μ = 1
        expect(s1.std ** 2 / s3.std ** 2).toBeGreaterThan(row.mu < 0.5 ? 150 : 1.3);
        // k2 and k3 never negative; k1 often is
        expect(k3.every((v) => v >= 0)).toBe(true);
        expect(k1.some((v) => v < 0)).toBe(true);
      });
    }
  });
}
