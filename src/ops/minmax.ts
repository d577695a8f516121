// maximum / minimum of two operands, and the elementwise sum, mean, maximum and minimum
// of several (ONNX Sum, Mean, Max, Min), all with numpy broadcasting (a number is a
// scalar operand). The gradient of a maximum or minimum goes to the operand that holds
// the result; on a tie it is split evenly between the operands that hold it, so
// maximum(a, a)'s halves add up to one, as PyTorch's torch.maximum does. Where the result
// is NaN (NaN propagates) its gradient is NaN.
import type { Backend, BinaryKind } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { tracing } from '../autograd/trace.js';
import { Tensor, zerosOn, type Shape } from '../tensor.js';
import { broadcastShapes, compute, operand, reduceTo, scalarsOf, type Operand } from './arithmetic.js';
import { describeValue, resolveBackend, sameShape } from './validate.js';

function operands(op: string, values: unknown, names?: readonly string[]): Tensor[] {
  if (!Array.isArray(values) || values.length === 0) {
    throw new Error(`${op}: expected a non-empty array of tensors or numbers, got ${Array.isArray(values) ? '[]' : describeValue(values)}`);
  }
  return values.map((v, i) => operand(op, names?.[i] ?? `operand ${i}`, v as Operand));
}

function commonShape(op: string, ts: readonly Tensor[]): Shape {
  let shape: Shape = ts[0].shape;
  for (let i = 1; i < ts.length; i++) if (!sameShape(shape, ts[i].shape)) shape = broadcastShapes(op, shape, ts[i].shape);
  return shape;
}

/** The operands folded with `kind` into a new tensor of their broadcast shape. */
function fold(be: Backend, kind: BinaryKind, ts: readonly Tensor[], shape: Shape): Tensor {
  if (ts.length === 1) {
    const y = zerosOn(be, shape);
    be.axpby(1, ts[0].data, 0, y.data);
    return y;
  }
  let y = compute(be, kind, ts[0], ts[1], shape);
  for (let i = 2; i < ts.length; i++) y = compute(be, kind, y, ts[i], shape);
  return y;
}

/** The op trace's attrs of an n-ary op over `values` (which were numbers), only while tracing. */
function naryAttrs(values: unknown): { scalars: (number | null)[] } | undefined {
  return tracing() ? { scalars: scalarsOf(values as readonly unknown[]) } : undefined;
}

/** Elementwise maximum or minimum of the operands; the gradient goes to where the result came from. */
function extreme(op: string, kind: 'maximum' | 'minimum', values: unknown, names: readonly string[] | undefined, backend: Backend | undefined): Tensor {
  const ts = operands(op, values, names);
  const be = resolveBackend(op, backend);
  const shape = commonShape(op, ts);
  const y = fold(be, kind, ts, shape);
  return record(op, y, ts, be, (dy, needs) => {
    // Input k holds the result where it equals y; count = how many inputs hold it there.
    const masks = ts.map((t) => compute(be, 'equal', t, y, shape));
    let share = dy;
    if (ts.length > 1) {
      const count = fold(be, 'add', masks, shape);
      share = compute(be, 'div', dy, count, shape);
    }
    return ts.map((t, k) => (needs[k] ? reduceTo(be, compute(be, 'mul', masks[k], share, shape), t.shape) : null));
  }, naryAttrs(values));
}

/** The larger of a and b elementwise (broadcasting); NaN propagates. On a tie each gets half the gradient. */
export function maximum(a: Operand, b: Operand, backend?: Backend): Tensor {
  return extreme('maximum', 'maximum', [a, b], ['a', 'b'], backend);
}

/** The smaller of a and b elementwise (broadcasting); NaN propagates. On a tie each gets half the gradient. */
export function minimum(a: Operand, b: Operand, backend?: Backend): Tensor {
  return extreme('minimum', 'minimum', [a, b], ['a', 'b'], backend);
}

/** The elementwise maximum of one or more operands (broadcasting), ONNX Max. A tie among
 * k operands gives each 1/k of the gradient. */
export function maxOf(values: readonly Operand[], backend?: Backend): Tensor {
  return extreme('maxOf', 'maximum', values, undefined, backend);
}

/** The elementwise minimum of one or more operands (broadcasting), ONNX Min. */
export function minOf(values: readonly Operand[], backend?: Backend): Tensor {
  return extreme('minOf', 'minimum', values, undefined, backend);
}

function total(op: string, values: unknown, scale: boolean, backend: Backend | undefined): Tensor {
  const ts = operands(op, values);
  const be = resolveBackend(op, backend);
  const shape = commonShape(op, ts);
  const y = fold(be, 'add', ts, shape);
  const factor = scale ? 1 / ts.length : 1;
  if (scale) be.axpby(factor, y.data, 0, y.data);
  return record(op, y, ts, be, (dy, needs) => {
    let g = dy;
    if (scale) {
      g = zerosOn(be, shape);
      be.axpby(factor, dy.data, 0, g.data);
    }
    return ts.map((t, k) => (needs[k] ? reduceTo(be, g, t.shape) : null));
  }, naryAttrs(values));
}

/** The elementwise sum of one or more operands (broadcasting), ONNX Sum. */
export function sumOf(values: readonly Operand[], backend?: Backend): Tensor {
  return total('sumOf', values, false, backend);
}

/** The elementwise mean of one or more operands (broadcasting), ONNX Mean. */
export function meanOf(values: readonly Operand[], backend?: Backend): Tensor {
  return total('meanOf', values, true, backend);
}
