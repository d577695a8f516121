// Ops that move or view data without arithmetic: reshape, flatten, concat.
import type { Backend, ConcatGeometry } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { Tensor, formatShape, shapeSize, zeros, type Shape } from '../tensor.js';
import { checkTensor, resolveBackend } from './validate.js';

/** A view with another shape (one size may be −1); the gradient is reshaped back. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  checkTensor('reshape', 'input', x);
  return x.reshape(shape);
}

/** Dimensions startDim.. merged into one: [N, C, H, W] → [N, C·H·W] by default (a view). */
export function flatten(x: Tensor, startDim = 1): Tensor {
  checkTensor('flatten', 'input', x);
  if (!Number.isInteger(startDim) || startDim < 0 || startDim >= Math.max(1, x.rank)) {
    throw new Error(`flatten: startDim must be an integer in [0, ${Math.max(0, x.rank - 1)}] for input ${formatShape(x.shape)}, got ${String(startDim)}`);
  }
  return x.reshape([...x.shape.slice(0, startDim), shapeSize(x.shape.slice(startDim))]);
}

/** An axis in [−rank, rank), normalized to [0, rank). */
export function normalizeAxis(op: string, axis: unknown, rank: number): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`${op}: axis must be an integer in [${-rank}, ${rank - 1}], got ${String(axis)}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** The tensors joined along `axis` (default 1, the channels of NCHW); every other size must agree. */
export function concat(tensors: readonly Tensor[], axis = 1, backend?: Backend): Tensor {
  const op = 'concat';
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error(`${op}: expected a non-empty array of tensors, got ${String(tensors)}`);
  tensors.forEach((t, i) => checkTensor(op, `tensor ${i}`, t));
  const first = tensors[0].shape;
  const ax = normalizeAxis(op, axis, first.length);
  tensors.forEach((t, i) => {
    if (t.rank !== first.length || t.shape.some((d: number, k: number) => k !== ax && d !== first[k])) {
      throw new Error(`${op}: tensor ${i} has shape ${formatShape(t.shape)}, which does not match tensor 0's ${formatShape(first)} outside axis ${ax}`);
    }
  });
  const be = resolveBackend(op, backend);
  const g: ConcatGeometry = {
    outer: shapeSize(first.slice(0, ax)),
    inner: shapeSize(first.slice(ax + 1)),
    sizes: tensors.map((t) => t.shape[ax]),
  };
  const shape = [...first];
  shape[ax] = g.sizes.reduce((a, b) => a + b, 0);
  const y = zeros(shape);
  be.concat(g, tensors.map((t) => t.data), y.data);
  return record(op, y, tensors, be, (dy, needs) => {
    const parts = tensors.map((t) => zeros(t.shape));
    be.split(g, dy.data, parts.map((p) => p.data));
    return parts.map((p, i) => (needs[i] ? p : null));
  });
}
