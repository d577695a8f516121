// The smooth activations: silu (swish), gelu (exact or tanh form), elu, softplus. Each
// saves its input x; the kernels are in src/backend/activation-kernels.ts.
import type { Backend, GeluApproximate } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { tracing } from '../autograd/trace.js';
import { unary } from './activation.js';
import { checkFiniteNumber, checkOptions, describeValue } from './validate.js';

export interface GeluOptions {
  /** 'none' (default): exact x·Φ(x) with the erf, as PyTorch's default; 'tanh': the tanh approximation. */
  approximate?: GeluApproximate;
}

export interface EluOptions {
  /** Scale of the negative part, alpha·(eˣ − 1) (default 1). */
  alpha?: number;
}

export interface SoftplusOptions {
  /** log(1 + e^(beta·x))/beta (default 1; must be > 0). */
  beta?: number;
  /** Above beta·x > threshold the output is x itself (default 20, as PyTorch). */
  threshold?: number;
}

/** x·sigmoid(x) (SiLU, also called swish). */
export function silu(x: Tensor, backend?: Backend): Tensor {
  return unary('silu', x, backend, (be, y) => be.silu(x.data, y.data), 'x', (be, sx, dy, dx) => be.siluBackward(sx, dy, dx));
}

/** The same op as silu, by its other name. */
export const swish = silu;

export function geluOptions(op: string, options: GeluOptions | undefined): Required<GeluOptions> {
  const o = checkOptions(op, options, ['approximate']);
  const approximate = o.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`${op}: approximate must be 'none' or 'tanh', got ${describeValue(approximate)}`);
  return { approximate };
}

/** x·Φ(x) with Φ the standard normal CDF (PyTorch's default), or with { approximate:
 * 'tanh' } x/2·(1 + tanh(√(2/π)·(x + 0.044715x³))). */
export function gelu(x: Tensor, options?: GeluOptions, backend?: Backend): Tensor {
  const { approximate } = geluOptions('gelu', options);
  return unary(
    'gelu', x, backend, (be, y) => be.gelu(x.data, approximate, y.data),
    'x', (be, sx, dy, dx) => be.geluBackward(sx, approximate, dy, dx), tracing() ? { approximate } : undefined,
  );
}

export function eluOptions(op: string, options: EluOptions | undefined): Required<EluOptions> {
  const o = checkOptions(op, options, ['alpha']);
  return { alpha: o.alpha === undefined ? 1 : checkFiniteNumber(op, 'alpha', o.alpha) };
}

/** x for x > 0, alpha·(eˣ − 1) otherwise (ONNX Elu, PyTorch's elu). */
export function elu(x: Tensor, options?: EluOptions, backend?: Backend): Tensor {
  const { alpha } = eluOptions('elu', options);
  return unary(
    'elu', x, backend, (be, y) => be.elu(x.data, alpha, y.data), 'x', (be, sx, dy, dx) => be.eluBackward(sx, alpha, dy, dx), tracing() ? { alpha } : undefined,
  );
}

export function softplusOptions(op: string, options: SoftplusOptions | undefined): Required<SoftplusOptions> {
  const o = checkOptions(op, options, ['beta', 'threshold']);
  const beta = o.beta === undefined ? 1 : checkFiniteNumber(op, 'beta', o.beta);
  if (beta <= 0) throw new Error(`${op}: beta must be > 0, got ${beta}`);
  return { beta, threshold: o.threshold === undefined ? 20 : checkFiniteNumber(op, 'threshold', o.threshold) };
}

/** log(1 + e^(beta·x))/beta, and x itself where beta·x > threshold (PyTorch's softplus;
 * ONNX Softplus is beta 1 without the threshold, which changes float32 results by nothing). */
export function softplus(x: Tensor, options?: SoftplusOptions, backend?: Backend): Tensor {
  const { beta, threshold } = softplusOptions('softplus', options);
  return unary(
    'softplus', x, backend, (be, y) => be.softplus(x.data, beta, threshold, y.data),
    'x', (be, sx, dy, dx) => be.softplusBackward(sx, beta, threshold, dy, dx), tracing() ? { beta, threshold } : undefined,
  );
}
