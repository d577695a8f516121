// sum and mean over all elements or some axes; the gradient broadcasts back.
import type { Backend } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { Tensor, formatShape, zeros } from '../tensor.js';
import { broadcastStrides } from './arithmetic.js';
import { normalizeAxis } from './shape.js';
import { checkOptions, checkTensor, resolveBackend } from './validate.js';

export interface ReduceOptions {
  /** Axes to reduce (default: all). */
  axis?: number | readonly number[];
  /** Keep reduced axes as size 1 (default false). */
  keepDims?: boolean;
}

function reduce(op: 'sum' | 'mean', x: Tensor, options: ReduceOptions | undefined, backend: Backend | undefined): Tensor {
  checkTensor(op, 'input', x);
  const opts = checkOptions(op, options, ['axis', 'keepDims']);
  const rank = x.rank;
  const list = opts.axis === undefined ? [...Array(rank).keys()] : Array.isArray(opts.axis) ? opts.axis : [opts.axis];
  const axes = new Set(list.map((a) => normalizeAxis(op, a, rank)));
  if (axes.size !== list.length) throw new Error(`${op}: axis ${JSON.stringify(opts.axis)} repeats an axis of input ${formatShape(x.shape)}`);
  if (opts.keepDims !== undefined && typeof opts.keepDims !== 'boolean') throw new Error(`${op}: keepDims must be true or false, got ${String(opts.keepDims)}`);
  if (x.size === 0) throw new Error(`${op}: input ${formatShape(x.shape)} is empty`);
  const be = resolveBackend(op, backend);
  const kept = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const shape = opts.keepDims ? kept : x.shape.filter((_, i) => !axes.has(i));
  let count = 1;
  for (const a of axes) count *= x.shape[a];
  const g = { shape: x.shape, aStrides: broadcastStrides(x.shape, x.shape), bStrides: broadcastStrides(kept, x.shape) };
  const y = zeros(shape);
  be.sumToShape(g, x.data, y.data);
  if (op === 'mean') be.axpby(1 / count, y.data, 0, y.data);
  return record(op, y, [x], be, (dy) => {
    const dx = zeros(x.shape);
    be.broadcastTo(g, dy.data, dx.data);
    if (op === 'mean') be.axpby(1 / count, dx.data, 0, dx.data);
    return [dx];
  });
}

/** Σ x over all elements or the given axes. */
export function sum(x: Tensor, options?: ReduceOptions, backend?: Backend): Tensor {
  return reduce('sum', x, options, backend);
}

/** The mean of x over all elements or the given axes. */
export function mean(x: Tensor, options?: ReduceOptions, backend?: Backend): Tensor {
  return reduce('mean', x, options, backend);
}
