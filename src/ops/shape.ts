// Ops that view or join data without arithmetic: reshape, flatten, squeeze, unsqueeze
// (views), concat and its inverse split / chunk (copies). transpose, slice and pad have
// their own files.
import type { Backend, ConcatGeometry, SliceGeometry } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { tracing } from '../autograd/trace.js';
import { Tensor, formatShape, shapeSize, zerosOn, type Shape } from '../tensor.js';
import { checkTensor, describeValue, resolveBackend } from './validate.js';

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

/** An axis or a list of distinct axes of a tensor of rank `rank`, normalized. */
function axisList(op: string, axes: number | readonly number[], rank: number, shape: readonly number[]): number[] {
  const list = typeof axes === 'number' ? [axes] : axes;
  if (!Array.isArray(list)) throw new Error(`${op}: axes must be an integer or an array of integers, got ${describeValue(axes)}`);
  const out = list.map((a) => normalizeAxis(op, a, rank));
  if (new Set(out).size !== out.length) throw new Error(`${op}: axes ${describeValue(axes)} repeat an axis (input ${formatShape(shape)})`);
  return out;
}

/** x without the given axes of size 1 (all of them when axes is omitted; ONNX Squeeze:
 * squeezing an axis of another size is an error). A view. */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const op = 'squeeze';
  checkTensor(op, 'input', x);
  const drop = axes === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : axisList(op, axes, x.rank, x.shape);
  for (const a of drop) {
    if (x.shape[a] !== 1) throw new Error(`${op}: axis ${a} of input ${formatShape(x.shape)} has size ${x.shape[a]}, not 1`);
  }
  return x.reshape(x.shape.filter((_, i) => !drop.includes(i)));
}

/** x with axes of size 1 inserted so that they sit at `axes` of the output (ONNX
 * Unsqueeze: axes in [−r, r) for the output rank r = rank + number of axes). A view. */
export function unsqueeze(x: Tensor, axes: number | readonly number[]): Tensor {
  const op = 'unsqueeze';
  checkTensor(op, 'input', x);
  const count = typeof axes === 'number' ? 1 : Array.isArray(axes) ? axes.length : 0;
  const insert = new Set(axisList(op, axes, x.rank + count, x.shape));
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < x.rank + count; i++) shape.push(insert.has(i) ? 1 : x.shape[k++]);
  return x.reshape(shape);
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
  const y = zerosOn(be, shape);
  be.concat(g, tensors.map((t) => t.data), y.data);
  return record(op, y, tensors, be, (dy, needs) => {
    const parts = tensors.map((t) => zerosOn(be, t.shape));
    be.split(g, dy.data, parts.map((p) => p.data));
    return parts.map((p, i) => (needs[i] ? p : null));
  }, tracing() ? { axis: ax } : undefined);
}

/** x cut along `axis` (default 1, as concat) into parts of the given sizes (they must add
 * up to the axis), or into `count` equal parts (count must divide the axis). Each part is
 * its own tensor on the tape: its rule puts its gradient into its window of a zero
 * gradient of x, so the gradients of several parts add up in backward and a part that
 * does not reach the loss contributes nothing. */
export function split(x: Tensor, sizesOrCount: number | readonly number[], axis = 1, backend?: Backend): Tensor[] {
  const op = 'split';
  checkTensor(op, 'input', x);
  const ax = normalizeAxis(op, axis, x.rank);
  const d = x.shape[ax];
  let sizes: number[];
  if (typeof sizesOrCount === 'number') {
    const n = sizesOrCount;
    if (!Number.isInteger(n) || n < 1 || d % n !== 0) {
      throw new Error(`${op}: count must be a positive integer dividing axis ${ax} (size ${d}) of input ${formatShape(x.shape)}, got ${describeValue(n)} (pass sizes, or use chunk, for unequal parts)`);
    }
    sizes = new Array<number>(n).fill(d / n);
  } else {
    if (!Array.isArray(sizesOrCount) || sizesOrCount.length === 0 || !sizesOrCount.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new Error(`${op}: sizes must be a non-empty array of non-negative integers, got ${describeValue(sizesOrCount)}`);
    }
    sizes = [...sizesOrCount];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== d) throw new Error(`${op}: sizes ${describeValue(sizesOrCount)} add up to ${total}, not to axis ${ax} (size ${d}) of input ${formatShape(x.shape)}`);
  }
  return splitInto(op, x, ax, sizes, resolveBackend(op, backend));
}

/** PyTorch's chunk: `chunks` parts of ⌈size / chunks⌉ along `axis` (default 1), the last
 * one smaller, so there may be fewer than `chunks` parts (6 in 4 chunks: 2, 2, 2). */
export function chunk(x: Tensor, chunks: number, axis = 1, backend?: Backend): Tensor[] {
  const op = 'chunk';
  checkTensor(op, 'input', x);
  const ax = normalizeAxis(op, axis, x.rank);
  const d = x.shape[ax];
  if (!Number.isInteger(chunks) || chunks < 1) throw new Error(`${op}: chunks must be a positive integer, got ${describeValue(chunks)}`);
  if (d === 0) throw new Error(`${op}: axis ${ax} of input ${formatShape(x.shape)} is empty`);
  const size = Math.ceil(d / chunks);
  const sizes: number[] = [];
  for (let at = 0; at < d; at += size) sizes.push(Math.min(size, d - at));
  return splitInto(op, x, ax, sizes, resolveBackend(op, backend));
}

function splitInto(op: string, x: Tensor, ax: number, sizes: readonly number[], be: Backend): Tensor[] {
  const g: ConcatGeometry = { outer: shapeSize(x.shape.slice(0, ax)), inner: shapeSize(x.shape.slice(ax + 1)), sizes };
  const parts = sizes.map((s) => {
    const shape = [...x.shape];
    shape[ax] = s;
    return zerosOn(be, shape);
  });
  be.split(g, x.data, parts.map((p) => p.data));
  let at = 0;
  // One trace entry per part: its index, and every part (a Split node has them all as outputs).
  const traced = tracing() ? Object.freeze([...parts]) : null;
  return parts.map((part, index) => {
    const window: SliceGeometry = {
      inShape: x.shape, outShape: part.shape, starts: x.shape.map((_, i) => (i === ax ? at : 0)), steps: x.shape.map(() => 1),
    };
    at += part.shape[ax];
    return record(op, part, [x], be, (dy) => {
      const dx = zerosOn(be, x.shape);
      be.sliceBackward(window, dy.data, dx.data);
      return [dx];
    }, traced ? { axis: ax, sizes, index, parts: traced } : undefined);
  });
}
