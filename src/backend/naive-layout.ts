// The naive backend's data-movement kernels (transpose, slice, pad and their adjoints):
// one output element at a time, its multi-index decoded by division and the input
// element found from the definition. Obvious rather than fast: the reference the shared
// row-copying kernels of layout-kernels.ts are tested against.
import type { PadGeometry, SliceGeometry, TransposeGeometry } from './backend.js';

function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous shape. */
function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

/** The multi-index of flat position i in shape (written into index). */
function decode(i: number, shape: readonly number[], index: number[]): void {
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
}

function transpose(g: TransposeGeometry, x: Float32Array, y: Float32Array): void {
  const outShape = g.perm.map((p) => g.shape[p]);
  const inStrides = strides(g.shape);
  const index = new Array<number>(outShape.length);
  const n = size(outShape);
  for (let i = 0; i < n; i++) {
    decode(i, outShape, index);
    let at = 0;
    for (let k = 0; k < index.length; k++) at += index[k] * inStrides[g.perm[k]];
    y[i] = x[at];
  }
}

/** Flat input position read by output i of a slice. */
function sliceSource(g: SliceGeometry, inStrides: number[], index: number[], i: number): number {
  decode(i, g.outShape, index);
  let at = 0;
  for (let d = 0; d < index.length; d++) at += (g.starts[d] + index[d] * g.steps[d]) * inStrides[d];
  return at;
}

function slice(g: SliceGeometry, x: Float32Array, y: Float32Array): void {
  const inStrides = strides(g.inShape);
  const index = new Array<number>(g.outShape.length);
  const n = size(g.outShape);
  for (let i = 0; i < n; i++) y[i] = x[sliceSource(g, inStrides, index, i)];
}

function sliceBackward(g: SliceGeometry, dy: Float32Array, dx: Float32Array): void {
  const inStrides = strides(g.inShape);
  const index = new Array<number>(g.outShape.length);
  dx.fill(0);
  const n = size(g.outShape);
  for (let i = 0; i < n; i++) dx[sliceSource(g, inStrides, index, i)] = dy[i];
}

/** The input coordinate that output coordinate o of an axis of n elements reads, or −1
 * for a constant fill. */
function padSource(mode: PadGeometry['mode'], o: number, before: number, n: number): number {
  let c = o - before;
  if (c >= 0 && c < n) return c;
  if (mode === 'constant') return -1;
  if (mode === 'edge') return c < 0 ? 0 : n - 1;
  // reflect: the border element is the mirror, so −1 reads 1 and n reads n − 2.
  c = c < 0 ? -c : 2 * (n - 1) - c;
  return c;
}

/** Flat input position read by output i of a pad, or −1 for the constant. */
function padPosition(g: PadGeometry, inStrides: number[], index: number[], i: number): number {
  decode(i, g.outShape, index);
  let at = 0;
  for (let d = 0; d < index.length; d++) {
    const c = padSource(g.mode, index[d], g.before[d], g.inShape[d]);
    if (c < 0) return -1;
    at += c * inStrides[d];
  }
  return at;
}

function pad(g: PadGeometry, x: Float32Array, y: Float32Array): void {
  const inStrides = strides(g.inShape);
  const index = new Array<number>(g.outShape.length);
  const n = size(g.outShape);
  for (let i = 0; i < n; i++) {
    const at = padPosition(g, inStrides, index, i);
    y[i] = at < 0 ? g.value : x[at];
  }
}

function padBackward(g: PadGeometry, dy: Float32Array, dx: Float32Array): void {
  const inStrides = strides(g.inShape);
  const index = new Array<number>(g.outShape.length);
  const acc = new Float64Array(dx.length);
  const n = size(g.outShape);
  for (let i = 0; i < n; i++) {
    const at = padPosition(g, inStrides, index, i);
    if (at >= 0) acc[at] += dy[i];
  }
  dx.set(acc);
}

export const naiveLayoutKernels = Object.freeze({ transpose, slice, sliceBackward, pad, padBackward });
