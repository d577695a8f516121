// sum, mean, max and min over all elements or some axes; the gradient broadcasts back
// (for max and min: to the elements that hold the result, split evenly on a tie).
import type { Backend, BroadcastGeometry } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { tracing } from '../autograd/trace.js';
import { Tensor, formatShape, zerosOn } from '../tensor.js';
import { broadcastStrides } from './arithmetic.js';
import { normalizeAxis } from './shape.js';
import { checkOptions, checkTensor, resolveBackend } from './validate.js';

export interface ReduceOptions {
  /** Axes to reduce (default: all). */
  axis?: number | readonly number[];
  /** Keep reduced axes as size 1 (default false). */
  keepDims?: boolean;
}

type ReduceOp = 'sum' | 'mean' | 'max' | 'min';

interface Reduction {
  /** x's shape with the reduced axes kept as 1, and the output's shape. */
  kept: number[];
  shape: number[];
  /** Elements reduced into each output. */
  count: number;
  g: BroadcastGeometry;
  /** The reduced axes, ascending, and whether they are kept (the op trace's attrs). */
  axes: number[];
  keepDims: boolean;
}

function reduction(op: ReduceOp, x: Tensor, options: ReduceOptions | undefined): Reduction {
  checkTensor(op, 'input', x);
  const opts = checkOptions(op, options, ['axis', 'keepDims']);
  const rank = x.rank;
  const list = opts.axis === undefined ? [...Array(rank).keys()] : Array.isArray(opts.axis) ? opts.axis : [opts.axis];
  const axes = new Set(list.map((a) => normalizeAxis(op, a, rank)));
  if (axes.size !== list.length) throw new Error(`${op}: axis ${JSON.stringify(opts.axis)} repeats an axis of input ${formatShape(x.shape)}`);
  if (opts.keepDims !== undefined && typeof opts.keepDims !== 'boolean') throw new Error(`${op}: keepDims must be true or false, got ${String(opts.keepDims)}`);
  if (x.size === 0) throw new Error(`${op}: input ${formatShape(x.shape)} is empty`);
  const kept = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const shape = opts.keepDims ? kept : x.shape.filter((_, i) => !axes.has(i));
  let count = 1;
  for (const a of axes) count *= x.shape[a];
  const g = { shape: x.shape, aStrides: broadcastStrides(x.shape, x.shape), bStrides: broadcastStrides(kept, x.shape) };
  return { kept, shape, count, g, axes: [...axes].sort((a, b) => a - b), keepDims: opts.keepDims ?? false };
}

function reduce(op: 'sum' | 'mean', x: Tensor, options: ReduceOptions | undefined, backend: Backend | undefined): Tensor {
  const { shape, count, g, axes, keepDims } = reduction(op, x, options);
  const be = resolveBackend(op, backend);
  const y = zerosOn(be, shape);
  be.sumToShape(g, x.data, y.data);
  if (op === 'mean') be.axpby(1 / count, y.data, 0, y.data);
  return record(op, y, [x], be, (dy) => {
    const dx = zerosOn(be, x.shape);
    be.broadcastTo(g, dy.data, dx.data);
    if (op === 'mean') be.axpby(1 / count, dx.data, 0, dx.data);
    return [dx];
  }, tracing() ? { axes, keepDims } : undefined);
}

/** max or min over axes. The gradient of each output goes to the elements equal to it,
 * split evenly on a tie (as torch.amax / amin); where the output is NaN it is NaN. */
function extreme(op: 'max' | 'min', x: Tensor, options: ReduceOptions | undefined, backend: Backend | undefined): Tensor {
  const { shape, g, axes, keepDims } = reduction(op, x, options);
  const be = resolveBackend(op, backend);
  const y = zerosOn(be, shape);
  if (op === 'max') be.maxToShape(g, x.data, y.data);
  else be.minToShape(g, x.data, y.data);
  return record(op, y, [x], be, (dy) => {
    // mask: where x holds its output; ties: how many elements of each output's set do.
    const mask = zerosOn(be, x.shape);
    be.broadcastBinary('equal', g, x.data, y.data, mask.data);
    const ties = zerosOn(be, shape);
    be.sumToShape(g, mask.data, ties.data);
    const share = zerosOn(be, shape);
    be.binary('div', dy.data, ties.data, share.data);
    const dx = zerosOn(be, x.shape);
    be.broadcastBinary('mul', g, mask.data, share.data, dx.data);
    return [dx];
  }, tracing() ? { axes, keepDims } : undefined);
}

/** Σ x over all elements or the given axes. */
export function sum(x: Tensor, options?: ReduceOptions, backend?: Backend): Tensor {
  return reduce('sum', x, options, backend);
}

/** The mean of x over all elements or the given axes. */
export function mean(x: Tensor, options?: ReduceOptions, backend?: Backend): Tensor {
  return reduce('mean', x, options, backend);
}

/** The maximum of x over all elements or the given axes (NaN propagates). The gradient
 * goes to the elements that hold the maximum, split evenly between tied ones. */
export function max(x: Tensor, options?: ReduceOptions, backend?: Backend): Tensor {
  return extreme('max', x, options, backend);
}

/** The minimum of x over all elements or the given axes (NaN propagates); the gradient as max's. */
export function min(x: Tensor, options?: ReduceOptions, backend?: Backend): Tensor {
  return extreme('min', x, options, backend);
}
