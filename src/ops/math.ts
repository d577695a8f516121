// Elementwise math for imported graphs and user code: exp, log, sqrt, abs, reciprocal,
// erf and pow by a scalar exponent (ONNX Exp, Log, Sqrt, Abs, Reciprocal, Erf, Pow). Each
// saves its input and output; the kernels are src/backend/math-kernels.ts.
import type { Backend, UnaryKind } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { tracing } from '../autograd/trace.js';
import { zerosOn, type Tensor } from '../tensor.js';
import { checkFiniteNumber, checkTensor, resolveBackend } from './validate.js';

function math(kind: UnaryKind, x: Tensor, backend: Backend | undefined): Tensor {
  checkTensor(kind, 'input', x);
  const be = resolveBackend(kind, backend);
  const y = zerosOn(be, x.shape);
  be.unary(kind, x.data, y.data);
  return record(kind, y, [x], be, (dy) => {
    const dx = zerosOn(be, x.shape);
    be.unaryBackward(kind, x.data, y.data, dy.data, dx.data);
    return [dx];
  });
}

/** eˣ. */
export function exp(x: Tensor, backend?: Backend): Tensor {
  return math('exp', x, backend);
}

/** The natural logarithm: −∞ at 0, NaN below. */
export function log(x: Tensor, backend?: Backend): Tensor {
  return math('log', x, backend);
}

/** √x: NaN below 0; the gradient at 0 is +∞ (as PyTorch). */
export function sqrt(x: Tensor, backend?: Backend): Tensor {
  return math('sqrt', x, backend);
}

/** |x|; the gradient at 0 is 0 (as PyTorch). */
export function abs(x: Tensor, backend?: Backend): Tensor {
  return math('abs', x, backend);
}

/** 1/x. */
export function reciprocal(x: Tensor, backend?: Backend): Tensor {
  return math('reciprocal', x, backend);
}

/** The error function, 2/√π·∫₀ˣ e^(−t²) dt (float64, rounded once to float32). */
export function erf(x: Tensor, backend?: Backend): Tensor {
  return math('erf', x, backend);
}

/** x^exponent for a scalar exponent (ONNX Pow with a one-element exponent); a negative
 * base with a non-integer exponent is NaN. The gradient is exponent·x^(exponent−1), 0
 * everywhere for exponent 0 (as PyTorch). */
export function pow(x: Tensor, exponent: number, backend?: Backend): Tensor {
  const op = 'pow';
  checkTensor(op, 'input', x);
  const p = checkFiniteNumber(op, 'exponent', exponent);
  const be = resolveBackend(op, backend);
  const y = zerosOn(be, x.shape);
  be.powScalar(x.data, p, y.data);
  return record(op, y, [x], be, (dy) => {
    const dx = zerosOn(be, x.shape);
    be.powScalarBackward(x.data, p, dy.data, dx.data);
    return [dx];
  }, tracing() ? { exponent: p } : undefined);
}
