/**
 * Node-lane only (sizes too large for SwiftShader): the large numpy fixtures, and the variational lower
 * bounds on correlated Gaussians, where I(X;Y) is known exactly.
 */
import { expect, it } from 'vitest';
import { expectArrayClose, loadFixture } from '@prep/test-utils';
import { describeBackends, tf } from '@prep/test-utils/tensor';
import { binnedMutualInformation, infoNCEBound, kdeMutualInformation, nwjBound } from '../src/index.js';
import { SeededRandom } from '../src/internal/random.js';
import type { BinnedCase, KdeCase } from './helpers.js';
import raw from './fixtures/info_bottleneck_large.json';

const large = loadFixture<{ binned: BinnedCase[]; kde: KdeCase[] }>(raw);

// X, Y ∈ R^d with unit variances and corr(X_k, Y_k) = ρ per coordinate: I(X;Y) = −(d/2)·log(1 − ρ²) nats.
const d = 5;
const rho = 0.8;
const exactI = -(d / 2) * Math.log(1 - rho * rho); // 2.554 nats

/** x, y `[n, d]` and the critic matrices: the optimal one, log p(y|x)/p(y) (+1 for NWJ), and a bilinear one. */
function criticScores(n: number, seed: number) {
  const random = new SeededRandom(seed);
  const a = random.normals(n * d);
  const b = random.normals(n * d);
  const yValues = a.map((v, i) => rho * v + Math.sqrt(1 - rho * rho) * b[i]!);
  return tf.tidy(() => {
    const x = tf.tensor2d(a, [n, d]);
    const y = tf.tensor2d(yValues, [n, d]);
    const xy = tf.matMul(x, tf.transpose(y));
    const x2 = tf.sum(tf.square(x), 1, true);
    const y2 = tf.reshape(tf.sum(tf.square(y), 1), [1, n]);
    // log p(x,y)/(p(x)p(y)) = I − ρ²(‖x‖² + ‖y‖²)/(2(1−ρ²)) + ρ x·y/(1−ρ²)
    const logRatio = tf.add(tf.sub(tf.mul(xy, rho / (1 - rho * rho)), tf.mul(tf.add(x2, y2), (rho * rho) / (2 * (1 - rho * rho)))), exactI);
    // The best critic of the form c·x·y + b for NWJ: c solves ρ = c/(1 − c²), b = 1 + (d/2)·log(1 − c²).
    const c = (-1 + Math.sqrt(1 + 4 * rho * rho)) / (2 * rho);
    const bilinear = tf.add(tf.mul(xy, c), 1 + (d / 2) * Math.log(1 - c * c));
    return { logRatio: logRatio as tf.Tensor2D, nwjOptimal: tf.add<tf.Tensor2D>(logRatio, 1), bilinear: bilinear as tf.Tensor2D };
  });
}
const c = (-1 + Math.sqrt(1 + 4 * rho * rho)) / (2 * rho);
const bilinearPopulation = d * (c * rho + 0.5 * Math.log(1 - c * c)); // 1.299 nats

const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const stdError = (xs: number[]) => Math.sqrt(xs.reduce((s, v) => s + (v - mean(xs)) ** 2, 0) / (xs.length - 1) / xs.length);

describeBackends('estimators at scale', () => {
  it('binning and KDE match numpy on 600–2048 rows', async () => {
    for (const k of large.binned) {
      const t = tf.tensor2d(k.activations, k.shape);
      const got = await binnedMutualInformation(t, k.labels, { bins: k.bins, range: k.range });
      expectArrayClose([got.iXT, got.iTY], [k.expected.iXT, k.expected.iTY], { atol: 1e-11, rtol: 1e-12 }, k.name);
      t.dispose();
    }
    for (const k of large.kde) {
      const t = tf.tensor2d(k.activations, k.shape);
      const got = await kdeMutualInformation(t, k.labels, { noiseVariance: k.noiseVariance });
      const e = k.expected;
      // float32 distances, see kde-mutual-information.test.ts; measured ≤ 5e-7 bits here
      expectArrayClose([got.upper.iXT, got.upper.iTY, got.lower.iXT, got.lower.iTY], [e.upper.iXT, e.upper.iTY, e.lower.iXT, e.lower.iTY], { atol: 5e-5, rtol: 0 }, k.name);
      t.dispose();
    }
  });

  it('on correlated Gaussians the lower bounds stay below I = −(d/2)·log(1 − ρ²) and approach it as N grows', async () => {
    const sizes = [16, 64, 256, 1024];
    const seeds = [1, 2, 3, 4, 5, 6];
    const rows: { n: number; nce: number[]; nwj: number[]; nwjBilinear: number[] }[] = [];
    for (const n of sizes) {
      const row = { n, nce: [] as number[], nwj: [] as number[], nwjBilinear: [] as number[] };
      for (const seed of seeds) {
        const s = criticScores(n, 100 * n + seed);
        row.nce.push(await infoNCEBound(s.logRatio, { units: 'nats' }));
        row.nwj.push(await nwjBound(s.nwjOptimal, { units: 'nats' }));
        row.nwjBilinear.push(await nwjBound(s.bilinear, { units: 'nats' }));
        tf.dispose([s.logRatio, s.nwjOptimal, s.bilinear]);
      }
      rows.push(row);
    }
    for (const { n, nce, nwj, nwjBilinear } of rows) {
      // InfoNCE: never above log N; its mean below I (the optimal critic's batch estimate is biased low).
      for (const v of nce) expect(v).toBeLessThanOrEqual(Math.log(n));
      expect(mean(nce), `InfoNCE N=${n}`).toBeLessThan(exactI);
      // NWJ with the bilinear critic: below I in every batch (the critic family cannot reach I).
      for (const v of nwjBilinear) expect(v, `bilinear NWJ N=${n}`).toBeLessThan(exactI);
      // NWJ with the optimal critic is unbiased: below I in expectation, i.e. within 3 standard errors.
      expect(mean(nwj), `NWJ N=${n}`).toBeLessThan(exactI + 3 * stdError(nwj));
    }
    const gaps = rows.map((r) => exactI - mean(r.nce));
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!, 'the InfoNCE gap shrinks as N grows').toBeLessThan(gaps[i - 1]!);
    expect(gaps[0]!).toBeGreaterThan(0.5); // log 16 = 2.77 is close to I = 2.55: InfoNCE is far below
    expect(gaps.at(-1)!).toBeLessThan(0.1);
    const nwjError = rows.map((r) => mean(r.nwj.map((v) => Math.abs(v - exactI))));
    expect(nwjError.at(-1)!, 'NWJ estimates tighten around I').toBeLessThan(nwjError[0]! / 3);
    const bilinearError = rows.map((r) => Math.abs(mean(r.nwjBilinear) - bilinearPopulation));
    expect(bilinearError.at(-1)!).toBeLessThan(0.02);
  });
}, ['wasm']); // correctness on cpu is covered by the small fixtures; at these sizes cpu costs 20 s
