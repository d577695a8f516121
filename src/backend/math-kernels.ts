// Elementwise math every backend shares: exp, log, sqrt, abs, reciprocal, erf (the
// UnaryKind ops) and pow by a scalar exponent, with their backwards. Plain loops over flat
// arrays in float64 stored as float32, as the other shared kernels (no wasm kernel: these
// follow no hot convolution, and Math.exp/log/pow in float64 round once to float32).
// Semantics as ONNX (forward) and PyTorch's autograd (backward): log(0) = −∞, log(−1) and
// sqrt(−1) = NaN, NaN in gives NaN out.
import type { UnaryKind } from './backend.js';
import { erf } from './erf.js';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** y = f(x) for one UnaryKind; y may alias x. */
export function unary(kind: UnaryKind, x: Float32Array, y: Float32Array): void {
  const n = x.length;
  switch (kind) {
    case 'exp': for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]); break;
    case 'log': for (let i = 0; i < n; i++) y[i] = Math.log(x[i]); break;
    case 'sqrt': for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]); break;
    case 'abs': for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]); break;
    case 'reciprocal': for (let i = 0; i < n; i++) y[i] = 1 / x[i]; break;
    case 'erf': for (let i = 0; i < n; i++) y[i] = erf(x[i]); break;
    default: throw new Error(`unary: unknown kind '${String(kind)}'`);
  }
}

/** dx = dy·f'(x), from the forward input x and output y (each kind uses what is cheaper):
 * exp dy·y, log dy/x, sqrt dy/(2y), abs dy·sign(x) (0 at 0, as PyTorch), reciprocal
 * −dy·y², erf dy·2/√π·e^(−x²). dx may alias dy. */
export function unaryBackward(kind: UnaryKind, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  const n = x.length;
  switch (kind) {
    case 'exp': for (let i = 0; i < n; i++) dx[i] = dy[i] * y[i]; break;
    case 'log': for (let i = 0; i < n; i++) dx[i] = dy[i] / x[i]; break;
    case 'sqrt': for (let i = 0; i < n; i++) dx[i] = dy[i] / (2 * y[i]); break;
    case 'abs':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        dx[i] = v > 0 ? dy[i] : v < 0 ? -dy[i] : v === 0 ? 0 : Number.NaN;
      }
      break;
    case 'reciprocal': for (let i = 0; i < n; i++) dx[i] = -dy[i] * y[i] * y[i]; break;
    case 'erf':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        dx[i] = dy[i] * TWO_OVER_SQRT_PI * Math.exp(-v * v);
      }
      break;
    default: throw new Error(`unaryBackward: unknown kind '${String(kind)}'`);
  }
}

/** y = x^p (Math.pow: a negative base with a non-integer p is NaN, as ONNX Pow); y may alias x. */
export function powScalar(x: Float32Array, p: number, y: Float32Array): void {
  if (p === 2) for (let i = 0; i < x.length; i++) y[i] = x[i] * x[i];
  else for (let i = 0; i < x.length; i++) y[i] = x[i] ** p;
}

/** dx = dy·p·x^(p−1); p = 0 gives 0 everywhere (PyTorch's rule, also at x = 0). */
export function powScalarBackward(x: Float32Array, p: number, dy: Float32Array, dx: Float32Array): void {
  if (p === 0) dx.fill(0);
  else if (p === 1) dx.set(dy);
  else if (p === 2) for (let i = 0; i < x.length; i++) dx[i] = 2 * dy[i] * x[i];
  else for (let i = 0; i < x.length; i++) dx[i] = dy[i] * p * x[i] ** (p - 1);
}

export const mathKernels = Object.freeze({ unary, unaryBackward, powScalar, powScalarBackward });
