/**
 * Special functions behind the distributions: log-gamma, log-beta, the regularized incomplete beta
 * function and the complementary error function. Written here (not taken from @stdlib) because the
 * @stdlib packages that provide them weigh 36–54 kB gzipped once bundled and pull in Node-only modules
 * (see the package README); these few functions are about 2 kB and are tested against scipy.special.
 *
 * All functions assume validated, finite arguments; they are not exported from the package index.
 */

const LN_SQRT_2PI = 0.9189385332046728; // log(√(2π))
const SQRT_PI = 1.772453850905516;
const EPS = 2.220446049250313e-16;
const TINY = 1e-300;

/**
 * The remainder of Stirling's series for log Γ(x), x ≥ 10: log Γ(x) − [(x − ½) log x − x + log √(2π)].
 * Seven terms leave an absolute error below 1e-17 at x = 10.
 */
export function stirlingRemainder(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  return (
    r *
    (1 / 12 +
      r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156)))))))
  );
}

/** log Γ(x) for x > 0, to an absolute error of a few 1e-16 (what an exponentiated result needs). */
export function logGamma(x: number): number {
  if (!(x > 0)) return NaN;
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingRemainder(x);
  // Shift up with Γ(x) = Γ(x + k) / (x (x + 1) … (x + k − 1)).
  let product = 1;
  let shifted = x;
  while (shifted < 10) {
    product *= shifted;
    shifted += 1;
  }
  return logGamma(shifted) - Math.log(product);
}

/**
 * log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b), arranged so that large arguments do not cancel
 * (the Stirling terms of the three gammas are combined analytically, as in R's lbeta).
 */
export function logBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p >= 10) {
    const corr = stirlingRemainder(p) + stirlingRemainder(q) - stirlingRemainder(p + q);
    return -0.5 * Math.log(q) + LN_SQRT_2PI + corr + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q));
  }
  if (q >= 10) {
    const corr = stirlingRemainder(q) - stirlingRemainder(p + q);
    return logGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return logGamma(p) + logGamma(q) - logGamma(p + q);
}

/** Continued fraction of the incomplete beta function (modified Lentz), for x < (a + 1) / (a + b + 2). */
function betaContinuedFraction(x: number, y: number, a: number, b: number): number {
  const sum = a + b;
  const aPlus = a + 1;
  const aMinus = a - 1;
  let c = 1;
  // 1 − (a + b)x/(a + 1), written with y = 1 − x so that x near 1 with a large a does not cancel
  let d = x < 0.5 ? 1 - (sum * x) / aPlus : (1 - b + sum * y) / aPlus;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100_000; m++) {
    const m2 = 2 * m;
    let coef = (m * (b - m) * x) / ((aMinus + m2) * (a + m2));
    d = 1 + coef * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + coef / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    coef = (-(a + m) * (sum + m) * x) / ((a + m2) * (aPlus + m2));
    d = 1 + coef * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + coef / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < EPS) break;
  }
  return h;
}

/**
 * The regularized incomplete beta function I_x(a, b), or its complement 1 − I_x(a, b) when `upper`,
 * each computed without subtracting from 1 where it would lose digits. Both `x` and `y = 1 − x` are
 * passed so that callers who know `y` more accurately than `1 − x` (the t distribution) keep it.
 */
export function incompleteBeta(x: number, y: number, a: number, b: number, upper = false): number {
  if (x <= 0) return upper ? 1 : 0;
  if (y <= 0) return upper ? 0 : 1;
  const logX = x < y ? Math.log(x) : Math.log1p(-y);
  const logY = y < x ? Math.log(y) : Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) {
    const lower = (Math.exp(a * logX + b * logY - logBeta(a, b)) / a) * betaContinuedFraction(x, y, a, b);
    return upper ? 1 - lower : lower;
  }
  // Symmetry: I_x(a, b) = 1 − I_y(b, a); the continued fraction converges fast on this side.
  const complement = (Math.exp(a * logX + b * logY - logBeta(a, b)) / b) * betaContinuedFraction(y, x, b, a);
  return upper ? complement : 1 - complement;
}

/**
 * exp(−x²) without the error of rounding x² first: x = m + f with m a multiple of 1/128, so m² is exact
 * and only the small part 2mf + f² goes through a rounded exponent.
 */
export function expMinusSquare(x: number): number {
  const m = Math.round(x * 128) / 128;
  const f = x - m;
  return Math.exp(-m * m) * Math.exp(-(2 * m * f + f * f));
}

/** erfc(x) for x ≥ 0: 1 − erf by a positive series below 1, a contracted continued fraction (Lentz) above. */
export function erfcNonNegative(x: number): number {
  if (x < 1) {
    // erf(x) = 2/√π · x · e^{−x²} · Σ (2x²)^n / (1·3·…·(2n+1)): all terms positive, no cancellation.
    const twoX2 = 2 * x * x;
    let term = 1;
    let sum = 1;
    for (let n = 1; n < 200; n++) {
      term *= twoX2 / (2 * n + 1);
      sum += term;
      if (term < sum * EPS * 0.5) break;
    }
    return 1 - ((2 / SQRT_PI) * x * expMinusSquare(x) * sum);
  }
  if (x > 27.3) return 0; // below the smallest subnormal
  // erfc(x) = 2x e^{−x²}/√π / (2x² + 1 − 1·2/(2x² + 5 − 3·4/(2x² + 9 − …))): the even contraction of
  // Laplace's fraction, half the terms (83 at x = 1, 28 at x = 2, 8 at x = 5)
  const twoX2 = 2 * x * x;
  let f = twoX2 + 1;
  let c = f;
  let d = 0;
  for (let j = 1; j < 5000; j++) {
    const coef = -(2 * j - 1) * (2 * j);
    const b = twoX2 + 1 + 4 * j;
    d = b + coef * d;
    if (d === 0) d = TINY;
    c = b + coef / c;
    if (c === 0) c = TINY;
    d = 1 / d;
    const step = c * d;
    f *= step;
    if (Math.abs(step - 1) < EPS) break;
  }
  return (2 * x * expMinusSquare(x)) / (SQRT_PI * f);
}
