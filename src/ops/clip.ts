// The piecewise-linear activations of MobileNet: clip (and relu6 = clip to [0, 6]),
// hardSigmoid and hardSwish. Each saves its input x for the backward. The kinks belong
// to the side PyTorch's autograd gives them (see src/backend/activation-kernels.ts).
import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { tracing } from '../autograd/trace.js';
import { unary } from './activation.js';
import { checkFiniteNumber, checkOptions, describeValue } from './validate.js';

export interface ClipOptions {
  /** Lower bound (default −Infinity). */
  min?: number;
  /** Upper bound (default +Infinity); when min > max every output is max (ONNX). */
  max?: number;
}

export interface HardSigmoidOptions {
  /** Slope (default 0.2, ONNX's; PyTorch's Hardsigmoid is 1/6). */
  alpha?: number;
  /** Offset (default 0.5). */
  beta?: number;
}

function bound(op: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`${op}: ${name} must be a number (±Infinity allowed), got ${describeValue(value)}`);
  // Rounded to the tensors' float32 once, so every backend compares with the same bound.
  return Math.fround(value);
}

/** min(max(x, min), max), as ONNX Clip (NaN stays NaN). The gradient passes where
 * min < x < max: at a bound itself it is 0 (PyTorch's clamp would pass it). */
export function clip(x: Tensor, options?: ClipOptions, backend?: Backend): Tensor {
  const o = checkOptions('clip', options, ['min', 'max']);
  const min = bound('clip', 'min', o.min, -Infinity);
  const max = bound('clip', 'max', o.max, Infinity);
  return unary(
    'clip', x, backend, (be, y) => be.clip(x.data, min, max, y.data),
    'x', (be, sx, dy, dx) => be.clipBackward(sx, min, max, dy, dx), tracing() ? { min, max } : undefined,
  );
}

const RELU6_ATTRS = Object.freeze({ min: 0, max: 6 });

/** min(max(x, 0), 6), as PyTorch's relu6 (gradient 0 at 0 and at 6). */
export function relu6(x: Tensor, backend?: Backend): Tensor {
  return unary('relu6', x, backend, (be, y) => be.clip(x.data, 0, 6, y.data), 'x', (be, sx, dy, dx) => be.clipBackward(sx, 0, 6, dy, dx), RELU6_ATTRS);
}

function hardSigmoidOptions(op: string, options: HardSigmoidOptions | undefined): Required<HardSigmoidOptions> {
  const o = checkOptions(op, options, ['alpha', 'beta']);
  return {
    alpha: o.alpha === undefined ? 0.2 : checkFiniteNumber(op, 'alpha', o.alpha),
    beta: o.beta === undefined ? 0.5 : checkFiniteNumber(op, 'beta', o.beta),
  };
}

/** max(0, min(1, alpha·x + beta)), as ONNX HardSigmoid (alpha 0.2, beta 0.5 by default;
 * the Hardsigmoid layer passes PyTorch's alpha 1/6). Gradient alpha strictly inside (0, 1). */
export function hardSigmoid(x: Tensor, options?: HardSigmoidOptions, backend?: Backend): Tensor {
  const { alpha, beta } = hardSigmoidOptions('hardSigmoid', options);
  return unary(
    'hardSigmoid', x, backend, (be, y) => be.hardSigmoid(x.data, alpha, beta, y.data),
    'x', (be, sx, dy, dx) => be.hardSigmoidBackward(sx, alpha, beta, dy, dx), tracing() ? { alpha, beta } : undefined,
  );
}

/** x·relu6(x + 3)/6, as ONNX HardSwish and PyTorch's hardswish. */
export function hardSwish(x: Tensor, backend?: Backend): Tensor {
  return unary('hardSwish', x, backend, (be, y) => be.hardSwish(x.data, y.data), 'x', (be, sx, dy, dx) => be.hardSwishBackward(sx, dy, dx));
}
