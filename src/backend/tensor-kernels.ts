// Kernels over whole tensors that every backend shares: binary arithmetic (same shape or
// numpy-broadcast through strides), reductions to a broadcast shape, concatenation, and
// the softmax backwards. Plain loops over flat arrays, float64 arithmetic stored as float32.
import type { BinaryKind, BroadcastGeometry, ConcatGeometry } from './backend.js';

function apply(kind: BinaryKind, a: number, b: number): number {
  switch (kind) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    case 'maximum': return a >= b || a !== a ? a : b;
    case 'minimum': return a <= b || a !== a ? a : b;
    default: return a === b ? 1 : 0;
  }
}

/** y = a ∘ b elementwise over arrays of one length; y may alias a or b. */
export function binary(kind: BinaryKind, a: Float32Array, b: Float32Array, y: Float32Array): void {
  const n = y.length;
  // One loop per kind keeps the per-element work branch-free.
  if (kind === 'add') for (let i = 0; i < n; i++) y[i] = a[i] + b[i];
  else if (kind === 'sub') for (let i = 0; i < n; i++) y[i] = a[i] - b[i];
  else if (kind === 'mul') for (let i = 0; i < n; i++) y[i] = a[i] * b[i];
  else if (kind === 'div') for (let i = 0; i < n; i++) y[i] = a[i] / b[i];
  else for (let i = 0; i < n; i++) y[i] = apply(kind, a[i], b[i]);
}

/** y = alpha·x + beta·y elementwise (beta 0 ignores y's old contents). */
export function axpby(alpha: number, x: Float32Array, beta: number, y: Float32Array): void {
  if (beta === 0) for (let i = 0; i < y.length; i++) y[i] = alpha * x[i];
  else for (let i = 0; i < y.length; i++) y[i] = alpha * x[i] + beta * y[i];
}

/** Walks the output shape of g with an odometer, calling visit(outIndex, aOffset, bOffset). */
function walk(g: BroadcastGeometry, visit: (i: number, ia: number, ib: number) => void): void {
  const { shape, aStrides, bStrides } = g;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let size = 1;
  for (const d of shape) size *= d;
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < size; i++) {
    visit(i, ia, ib);
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      ia += aStrides[d];
      ib += bStrides[d];
      if (index[d] < shape[d]) break;
      ia -= aStrides[d] * shape[d];
      ib -= bStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}

/** y[i] = a[·] ∘ b[·] over g.shape, each operand read through its strides (0 on a
 * broadcast dimension). */
export function broadcastBinary(kind: BinaryKind, g: BroadcastGeometry, a: Float32Array, b: Float32Array, y: Float32Array): void {
  walk(g, (i, ia, ib) => {
    y[i] = apply(kind, a[ia], b[ib]);
  });
}

/** The adjoint of broadcasting: y (read through g.bStrides, 0 on summed dimensions) =
 * Σ of x over g.shape (x contiguous; g.aStrides are its own strides). Overwrites y. */
export function sumToShape(g: BroadcastGeometry, x: Float32Array, y: Float32Array): void {
  const acc = new Float64Array(y.length);
  walk(g, (i, _ia, ib) => {
    acc[ib] += x[i];
  });
  y.set(acc);
}

/** y (contiguous over g.shape) = x read through g.bStrides (0 on broadcast dimensions). */
export function broadcastTo(g: BroadcastGeometry, x: Float32Array, y: Float32Array): void {
  walk(g, (i, _ia, ib) => {
    y[i] = x[ib];
  });
}

/** y = the parts side by side along one axis: each part is [outer, sizes[k]·inner]. */
export function concat(g: ConcatGeometry, parts: readonly Float32Array[], y: Float32Array): void {
  const total = g.sizes.reduce((s, d) => s + d, 0) * g.inner;
  let at = 0;
  parts.forEach((part, k) => {
    const row = g.sizes[k] * g.inner;
    for (let o = 0; o < g.outer; o++) y.set(part.subarray(o * row, (o + 1) * row), o * total + at);
    at += row;
  });
}

/** The adjoint of concat: x cut back into parts (each fully overwritten). */
export function split(g: ConcatGeometry, x: Float32Array, parts: readonly Float32Array[]): void {
  const total = g.sizes.reduce((s, d) => s + d, 0) * g.inner;
  let at = 0;
  parts.forEach((part, k) => {
    const row = g.sizes[k] * g.inner;
    for (let o = 0; o < g.outer; o++) part.set(x.subarray(o * total + at, o * total + at + row), o * row);
    at += row;
  });
}

/** dx = y·(dy − Σ dy·y) per row of [rows, cols], from the softmax output y. */
export function softmaxBackward(y: Float32Array, dy: Float32Array, rows: number, cols: number, dx: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const s = r * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += dy[s + j] * y[s + j];
    for (let j = 0; j < cols; j++) dx[s + j] = y[s + j] * (dy[s + j] - dot);
  }
}

/** dx = dy − exp(y)·Σ dy per row, from the log-softmax output y. */
export function logSoftmaxBackward(y: Float32Array, dy: Float32Array, rows: number, cols: number, dx: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const s = r * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += dy[s + j];
    for (let j = 0; j < cols; j++) dx[s + j] = dy[s + j] - Math.exp(y[s + j]) * sum;
  }
}

export const tensorKernels = Object.freeze({
  binary, axpby, broadcastBinary, sumToShape, broadcastTo, concat, split, softmaxBackward, logSoftmaxBackward,
});
