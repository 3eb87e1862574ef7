/**
 * Normal, Student t and noncentral t distribution functions, built on ./special.ts. Tails are computed
 * directly (never as 1 − cdf), so a p-value of 1e-50 stays 1e-50. Arguments are assumed validated.
 */
import { erfcNonNegative, expMinusSquare, incompleteBeta, logBeta } from './special.js';

const SQRT_2PI = 2.5066282746310002;

/** Standard normal density. */
export function normalPdf(z: number): number {
  return expMinusSquare(z * Math.SQRT1_2) / SQRT_2PI;
}

/** Standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z < 0) return 0.5 * erfcNonNegative(-z * Math.SQRT1_2);
  return 1 - 0.5 * erfcNonNegative(z * Math.SQRT1_2);
}

/** Standard normal survival function 1 − Φ(z), accurate far in the upper tail. */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

// Acklam's rational approximation (relative error 1.2e-9), refined below by Halley steps on Φ.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function acklam(p: number): number {
  const [a0, a1, a2, a3, a4, a5] = A as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = B as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = C as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = D as [number, number, number, number];
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/** The lower-tail quantile of the standard normal for p ≤ 0.5 (so that tiny p keep their digits). */
function normalQuantileLower(p: number): number {
  if (p === 0) return -Infinity;
  const x = acklam(p);
  // One Halley step (cubic convergence) takes Acklam's 1.2e-9 to below double precision.
  const u = (normalCdf(x) - p) / normalPdf(x);
  const next = x - u / (1 + (x * u) / 2);
  return Number.isFinite(next) ? next : x;
}

/** Quantile of the standard normal, Φ⁻¹(p), p in [0, 1]. */
export function normalQuantile(p: number): number {
  if (p === 0.5) return 0;
  if (p < 0.5) return normalQuantileLower(p);
  if (p === 1) return Infinity;
  return -normalQuantileLower(1 - p);
}

/** Quantile of the upper tail: the z with 1 − Φ(z) = q (exact for q far below 1e-16). */
export function normalQuantileUpper(q: number): number {
  return -normalQuantile(q);
}

/** P(T ≤ −|t|) for Student's t with `df` degrees of freedom: the smaller tail, never from 1 − cdf. */
function studentTTail(t: number, df: number): number {
  if (t === 0) return 0.5;
  const abs = Math.abs(t);
  if (abs === Infinity) return 0;
  if (df === Infinity) return normalCdf(-abs);
  let x: number;
  let y: number;
  if (abs * abs < df) {
    x = df / (df + abs * abs);
    y = (abs * abs) / (df + abs * abs);
  } else {
    const r = df / abs / abs; // no overflow of t² for huge t
    x = r / (1 + r);
    y = 1 / (1 + r);
  }
  return 0.5 * incompleteBeta(x, y, df / 2, 0.5);
}

/** Student t CDF, P(T ≤ t). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  const tail = studentTTail(t, df);
  return t <= 0 ? tail : 1 - tail;
}

/** Student t survival function, P(T > t), accurate in the far upper tail. */
export function studentTSf(t: number, df: number): number {
  return studentTCdf(-t, df);
}

/** Student t density. */
export function studentTPdf(t: number, df: number): number {
  if (df === Infinity) return normalPdf(t);
  return Math.exp(-((df + 1) / 2) * Math.log1p((t * t) / df) - logBeta(df / 2, 0.5)) / Math.sqrt(df);
}

/** The t > 0 whose upper tail P(T > t) is q, q in (0, 0.5). */
function studentTUpperQuantile(q: number, df: number): number {
  if (df === 1) return 1 / Math.tan(Math.PI * q);
  if (df === 2) return (1 - 2 * q) / Math.sqrt(2 * q * (1 - q));
  if (df === Infinity) return normalQuantileUpper(q);
  // Start from the Cornish–Fisher expansion around the normal quantile, then safeguarded Newton steps
  // on log P(T > t) inside a bracket, bisecting whenever a step leaves it.
  const z = normalQuantileUpper(q);
  const z2 = z * z;
  let t =
    z +
    (z * (z2 + 1)) / (4 * df) +
    (z * (3 + z2 * (16 + 5 * z2))) / (96 * df * df) +
    (z * (-15 + z2 * (17 + z2 * (19 + 3 * z2)))) / (384 * df * df * df);
  if (!(t > 0) || !Number.isFinite(t)) t = z > 0 ? z : 1;
  let lo = 0;
  let hi = Infinity;
  const logQ = Math.log(q);
  const logDensityScale = -logBeta(df / 2, 0.5) - 0.5 * Math.log(df);
  for (let i = 0; i < 200; i++) {
    const tail = studentTTail(t, df);
    const f = Math.log(tail) - logQ;
    if (f > 0) lo = t; // tail too large: the root is to the right
    else hi = t;
    if (f === 0) return t;
    // d/dt log P(T > t) = −pdf(t) / P(T > t)
    const pdf = Math.exp(logDensityScale - ((df + 1) / 2) * Math.log1p((t * t) / df));
    const step = f / (pdf / tail);
    let next = t + step;
    if (!(next > lo && next < hi)) next = hi === Infinity ? Math.max(2 * t, lo * 2) : (lo + hi) / 2;
    // Newton converges quadratically: a step below 1e-9·t leaves an error far below one ulp.
    else if (Math.abs(step) <= 1e-9 * next) return next;
    t = next;
  }
  return t;
}

/** Quantile of Student's t, p in [0, 1]. */
export function studentTQuantile(p: number, df: number): number {
  if (p === 0.5) return 0;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  return p < 0.5 ? -studentTUpperQuantile(p, df) : studentTUpperQuantile(1 - p, df);
}

/** The t with P(T > t) = q, for q in (0, 1), without forming 1 − q when q is tiny. */
export function studentTQuantileUpper(q: number, df: number): number {
  if (q === 0.5) return 0;
  return q < 0.5 ? studentTUpperQuantile(q, df) : -studentTUpperQuantile(1 - q, df);
}

/**
 * Noncentral t CDF, P(T ≤ t) with `df` degrees of freedom and noncentrality `ncp` (or the upper tail when
 * `lower` is false), by the series of Lenth (1989, algorithm AS 243): a Poisson-weighted sum of
 * incomplete beta functions, summed until the bound on the remaining terms is below 1e-12. For very
 * large df or ncp it falls back to the normal approximation that R's pt uses there.
 */
export function noncentralTCdf(t: number, df: number, ncp: number, lower = true): number {
  if (ncp === 0) return lower ? studentTCdf(t, df) : studentTSf(t, df);
  let negate: boolean;
  let tt: number;
  let delta: number;
  if (t >= 0) {
    negate = false;
    tt = t;
    delta = ncp;
  } else {
    negate = true;
    tt = -t;
    delta = -ncp;
  }
  const wantLower = lower !== negate;
  if (df > 4e5 || delta * delta > 2 * Math.LN2 * 1021) {
    // Abramowitz & Stegun 26.7.10
    const s = 1 / (4 * df);
    const z = (tt * (1 - s) - delta) / Math.sqrt(1 + tt * tt * 2 * s);
    return wantLower ? normalCdf(z) : normalSf(z);
  }
  let total = 0;
  const x = (tt * tt) / (tt * tt + df);
  if (x > 0) {
    const y = df / (tt * tt + df);
    const lambda = delta * delta;
    let p = 0.5 * Math.exp(-0.5 * lambda);
    let q = Math.sqrt(2 / Math.PI) * p * delta;
    let s = 0.5 - p;
    if (s < 1e-7) s = -0.5 * Math.expm1(-0.5 * lambda);
    let a = 0.5;
    const b = 0.5 * df;
    const rxb = Math.pow(y, b);
    const logBetaHalf = logBeta(0.5, b);
    let xOdd = incompleteBeta(x, y, a, b);
    let gOdd = 2 * rxb * Math.exp(a * Math.log(x) - logBetaHalf);
    const bx = b * x;
    let xEven = bx < Number.EPSILON ? bx : 1 - rxb;
    let gEven = bx * rxb;
    total = p * xOdd + q * xEven;
    for (let it = 1; it <= 1000; it++) {
      a += 1;
      xOdd -= gOdd;
      xEven -= gEven;
      gOdd *= (x * (a + b - 1)) / a;
      gEven *= (x * (a + b - 0.5)) / (a + 0.5);
      p *= lambda / (2 * it);
      q *= lambda / (2 * it + 1);
      total += p * xOdd + q * xEven;
      s -= p;
      if (s < -1e-10) break;
      if (s <= 0 && it > 1) break;
      const bound = 2 * s * (xOdd - gOdd);
      if (Math.abs(bound) < 1e-12 && it > 1) break;
    }
  }
  total += normalCdf(-delta);
  const cdf = Math.min(total, 1);
  return wantLower ? cdf : 1 - cdf;
}
