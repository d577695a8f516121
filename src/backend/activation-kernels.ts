// The activations of modern CNNs (MobileNet's ReLU6 and hard-swish, EfficientNet's SiLU,
// GELU, ELU, softplus, PReLU), shared by every backend; wasm overrides clip and
// hardSwish with SIMD kernels (assembly/activation.ts). Plain loops over flat arrays,
// float64 arithmetic stored as float32; every output may alias its input (x or dy).
// Semantics: forward as ONNX/PyTorch; backward as PyTorch's autograd, including which side
// of a kink owns it. NaN in x gives NaN out of every forward.
import type { GeluApproximate } from './backend.js';
import { erfc } from './erf.js';

/** min(max(x, min), max): NaN stays NaN; min > max gives max everywhere (ONNX, numpy). */
export function clip(x: Float32Array, min: number, max: number, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const t = v < min ? min : v;
    y[i] = t > max ? max : t;
  }
}

/** dx = dy where min < x < max, else 0 (the bounds themselves pass nothing, as PyTorch's
 * relu6/hardtanh and simdnet's relu at 0; NaN x passes nothing). */
export function clipBackward(x: Float32Array, min: number, max: number, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    dx[i] = v > min && v < max ? dy[i] : 0;
  }
}

/** max(0, min(1, alpha·x + beta)) (ONNX HardSigmoid). */
export function hardSigmoid(x: Float32Array, alpha: number, beta: number, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const t = alpha * x[i] + beta;
    y[i] = t <= 0 ? 0 : t >= 1 ? 1 : t;
  }
}

/** dx = alpha·dy where 0 < alpha·x + beta < 1, else 0. */
export function hardSigmoidBackward(x: Float32Array, alpha: number, beta: number, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const t = alpha * x[i] + beta;
    dx[i] = t > 0 && t < 1 ? alpha * dy[i] : 0;
  }
}

/** x·relu6(x + 3)/6: 0 for x ≤ −3, x for x ≥ 3 (exactly), x·(x + 3)/6 between. */
export function hardSwish(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6;
  }
}

/** dx = 0 for x < −3, dy for x > 3, dy·(2x + 3)/6 on [−3, 3] (PyTorch: −dy/2 at −3, 3dy/2 at 3). */
export function hardSwishBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    dx[i] = v < -3 ? 0 : v > 3 ? dy[i] : (dy[i] * (2 * v + 3)) / 6;
  }
}

/** 1 / (1 + e^−v) without overflow. */
function sigmoidOf(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** x·sigmoid(x) (SiLU, swish); 0 where sigmoid underflows (so −∞ gives 0, not NaN). */
export function silu(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const s = sigmoidOf(v);
    y[i] = s === 0 ? 0 : v * s;
  }
}

/** dx = dy·s·(1 + x·(1 − s)), s = sigmoid(x). */
export function siluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const s = sigmoidOf(v);
    const d = s === 0 ? 0 : s === 1 ? 1 : s * (1 + v * (1 - s));
    dx[i] = dy[i] * d;
  }
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/** 'none': x·Φ(x) with Φ(x) = erfc(−x/√2)/2 (accurate in the lower tail); 'tanh':
 * x/2·(1 + tanh(√(2/π)·(x + 0.044715x³))), as PyTorch's approximate='tanh'. */
export function gelu(x: Float32Array, approximate: GeluApproximate, y: Float32Array): void {
  if (approximate === 'tanh') {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const p = 1 + Math.tanh(SQRT_2_OVER_PI * (v + GELU_CUBIC * v * v * v));
      y[i] = p === 0 ? 0 : 0.5 * v * p;
    }
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const cdf = 0.5 * erfc(-v * SQRT1_2);
      y[i] = cdf === 0 ? 0 : v * cdf;
    }
  }
}

/** dx = dy·(Φ(x) + x·φ(x)) for 'none'; the derivative of the tanh form for 'tanh'. */
export function geluBackward(x: Float32Array, approximate: GeluApproximate, dy: Float32Array, dx: Float32Array): void {
  if (approximate === 'tanh') {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const t = Math.tanh(SQRT_2_OVER_PI * (v + GELU_CUBIC * v * v * v));
      const sech2 = 1 - t * t;
      const inner = sech2 === 0 ? 0 : 0.5 * v * sech2 * SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * v * v);
      dx[i] = dy[i] * (0.5 * (1 + t) + inner);
    }
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
      const cdf = 0.5 * erfc(-v * SQRT1_2);
      dx[i] = dy[i] * (pdf === 0 ? cdf : cdf + v * pdf);
    }
  }
}

/** x for x > 0, alpha·(eˣ − 1) otherwise (expm1: no cancellation near 0). */
export function elu(x: Float32Array, alpha: number, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > 0 ? v : alpha * Math.expm1(v);
  }
}

/** dx = dy for x > 0, dy·alpha·eˣ otherwise. */
export function eluBackward(x: Float32Array, alpha: number, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    dx[i] = v > 0 ? dy[i] : dy[i] * alpha * Math.exp(v);
  }
}

/** log(1 + e^(beta·x))/beta, or x where beta·x > threshold (PyTorch's Softplus). Written as
 * max(z, 0) + log1p(e^−|z|) so that no threshold makes e^z overflow. */
export function softplus(x: Float32Array, beta: number, threshold: number, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const z = beta * v;
    y[i] = z > threshold ? v : (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))) / beta;
  }
}

/** dx = dy where beta·x > threshold, else dy·sigmoid(beta·x). */
export function softplusBackward(x: Float32Array, beta: number, threshold: number, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const z = beta * x[i];
    dx[i] = z > threshold ? dy[i] : dy[i] * sigmoidOf(z);
  }
}

/** y = x where x > 0, else slope[c]·x, for x viewed as [outer, channels, inner]. */
export function prelu(x: Float32Array, slope: Float32Array, outer: number, channels: number, inner: number, y: Float32Array): void {
  let p = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const a = slope[c];
      for (let i = 0; i < inner; i++, p++) {
        const v = x[p];
        y[p] = v > 0 ? v : a * v;
      }
    }
  }
}

/** dx = dy where x > 0, else slope[c]·dy (when dx is not null); dslope[c] = Σ x·dy over
 * the elements where x ≤ 0 (NaN x included), in float64 (when dslope is not null). */
export function preluBackward(
  x: Float32Array, slope: Float32Array, dy: Float32Array, outer: number, channels: number, inner: number,
  dx: Float32Array | null, dslope: Float32Array | null,
): void {
  const acc = new Float64Array(channels);
  let p = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const a = slope[c];
      let s = 0;
      for (let i = 0; i < inner; i++, p++) {
        const v = x[p];
        const g = dy[p];
        if (v > 0) {
          if (dx) dx[p] = g;
        } else {
          if (dx) dx[p] = a * g;
          s += v * g;
        }
      }
      acc[c] += s;
    }
  }
  if (dslope) for (let c = 0; c < channels; c++) dslope[c] = acc[c];
}

export const activationKernels = Object.freeze({
  clip, clipBackward, hardSigmoid, hardSigmoidBackward, hardSwish, hardSwishBackward, silu, siluBackward,
  gelu, geluBackward, elu, eluBackward, softplus, softplusBackward, prelu, preluBackward,
});
