// The complementary error function in float64, for the exact GELU (JavaScript's Math has
// no erf). Two textbook expansions (Abramowitz & Stegun 7.1.6 and the even contraction of
// the continued fraction 7.1.14), switched at |z| = 2 where each needs about 30 terms:
//   erf(z)  = 2/√π · e^(−z²) · Σ_n 2ⁿ z^(2n+1) / (1·3·…·(2n+1))      (all terms positive)
//   erfc(z) = e^(−z²)/√π · 2z / (2z²+1 − 1·2/(2z²+5 − 3·4/(2z²+9 − …)))   (z > 0)
// Checked against C's erfc (Python's math.erfc) on a 0.0137 grid over [-27, 27] where
// erfc > 1e-300: relative error below 1e-13 (worst where 1 − erf cancels, just under
// z = 2), far below float32's 6e-8, where GELU stores it. test/activation-kernels.test.ts
// holds reference values.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
const SWITCH = 2;

/** erf(z) for 0 ≤ z < SWITCH by the positive series (no cancellation). */
function erfSeries(z: number): number {
  const z2 = z * z;
  let term = z;
  let sum = z;
  for (let n = 1; n < 60; n++) {
    term *= (2 * z2) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-z2) * sum;
}

/** erfc(z) for z ≥ SWITCH by the continued fraction (modified Lentz). */
function erfcFraction(z: number): number {
  const b0 = 2 * z * z + 1;
  let f = b0;
  let c = b0;
  let d = 0;
  for (let n = 1; n < 60; n++) {
    const a = -(2 * n - 1) * (2 * n);
    const b = b0 + 4 * n;
    d = 1 / (b + a * d);
    c = b + a / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return ((INV_SQRT_PI * Math.exp(-z * z)) * 2 * z) / f;
}

/** 1 − erf(z), accurate in both tails (erfc(z) ≈ 0 for large z, ≈ 2 for very negative z). */
export function erfc(z: number): number {
  if (z !== z) return NaN;
  if (z >= 27) return 0; // below the smallest float64
  if (z <= -27) return 2;
  if (z >= SWITCH) return erfcFraction(z);
  if (z >= 0) return 1 - erfSeries(z);
  if (z > -SWITCH) return 1 + erfSeries(-z);
  return 2 - erfcFraction(-z);
}

export function erf(z: number): number {
  if (z !== z) return NaN;
  if (Math.abs(z) < SWITCH) return z < 0 ? -erfSeries(-z) : erfSeries(z);
  return z < 0 ? erfc(-z) - 1 : 1 - erfc(z);
}
