// Data movement shared by the js and wasm backends: transpose, slice and pad (and their
// adjoints) as strided box copies. A box is `counts` elements read from src through one
// set of strides and written to dst through another; transpose permutes the source
// strides, slice scales them by the steps, constant pad writes into the interior of the
// output. Before copying, axes of one element are dropped and neighbours that are
// contiguous in both arrays merged, so an NCHW channel slice or ShuffleNet's channel
// shuffle is a few long row copies. Reflect and edge padding read through per-axis index
// maps. The naive backend has its own element-by-element versions (naive-layout.ts).
import type { PadGeometry, SliceGeometry, TransposeGeometry } from './backend.js';

/** `counts` elements from src at srcBase + Σ i·srcStrides to dst at dstBase + Σ i·dstStrides. */
export interface Box {
  readonly counts: readonly number[];
  readonly srcStrides: readonly number[];
  readonly dstStrides: readonly number[];
  readonly srcBase: number;
  readonly dstBase: number;
}

/** Row-major strides of a contiguous shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

function product(values: readonly number[]): number {
  let n = 1;
  for (const v of values) n *= v;
  return n;
}

/** The same copy with axes of one element dropped and contiguous neighbours merged (an
 * empty box keeps one axis of count 0). */
export function simplifyBox(box: Box): Box {
  if (box.counts.some((c) => c === 0)) return { counts: [0], srcStrides: [1], dstStrides: [1], srcBase: box.srcBase, dstBase: box.dstBase };
  const counts: number[] = [];
  const src: number[] = [];
  const dst: number[] = [];
  box.counts.forEach((c, d) => {
    if (c === 1) return;
    const k = counts.length - 1;
    if (k >= 0 && src[k] === box.srcStrides[d] * c && dst[k] === box.dstStrides[d] * c) {
      counts[k] *= c;
      src[k] = box.srcStrides[d];
      dst[k] = box.dstStrides[d];
    } else {
      counts.push(c);
      src.push(box.srcStrides[d]);
      dst.push(box.dstStrides[d]);
    }
  });
  return { counts, srcStrides: src, dstStrides: dst, srcBase: box.srcBase, dstBase: box.dstBase };
}

const SET_MIN = 48; // below this a loop beats subarray + set
const TILE = 32;

/** Copies one simplified box (see simplifyBox). */
export function copyBox(src: Float32Array, dst: Float32Array, box: Box): void {
  const { counts, srcStrides: ss, dstStrides: ds } = box;
  const r = counts.length;
  if (r === 0) {
    dst[box.dstBase] = src[box.srcBase];
    return;
  }
  const n = counts[r - 1];
  if (n === 0) return;
  const sIn = ss[r - 1];
  const dIn = ds[r - 1];
  // A transpose: the inner run is strided in src; copy 32×32 tiles of it and of the axis
  // that is contiguous in src, so both sides stay in cache.
  const a = sIn !== 1 && dIn === 1 ? ss.indexOf(1) : -1;
  const outer = counts.map((c, d) => (d === r - 1 || d === a ? 1 : c));
  const rows = product(outer);
  const index = new Array<number>(r).fill(0);
  let so = box.srcBase;
  let dO = box.dstBase;
  for (let row = 0; row < rows; row++) {
    if (a >= 0) {
      const A = counts[a];
      const dA = ds[a];
      for (let a0 = 0; a0 < A; a0 += TILE) {
        const aEnd = Math.min(A, a0 + TILE);
        for (let b0 = 0; b0 < n; b0 += TILE) {
          const bEnd = Math.min(n, b0 + TILE);
          for (let i = a0; i < aEnd; i++) {
            const s = so + i;
            const t = dO + i * dA;
            for (let j = b0; j < bEnd; j++) dst[t + j] = src[s + j * sIn];
          }
        }
      }
    } else if (sIn === 1 && dIn === 1) {
      if (n >= SET_MIN) dst.set(src.subarray(so, so + n), dO);
      else for (let j = 0; j < n; j++) dst[dO + j] = src[so + j];
    } else {
      for (let j = 0; j < n; j++) dst[dO + j * dIn] = src[so + j * sIn];
    }
    for (let d = r - 2; d >= 0; d--) {
      if (outer[d] === 1) continue;
      index[d]++;
      so += ss[d];
      dO += ds[d];
      if (index[d] < counts[d]) break;
      so -= ss[d] * counts[d];
      dO -= ds[d] * counts[d];
      index[d] = 0;
    }
  }
}

/** The box that reads x [shape] in the order of its axes permuted by perm. */
export function transposeBox(g: TransposeGeometry): Box {
  const inStrides = contiguousStrides(g.shape);
  const counts = g.perm.map((p) => g.shape[p]);
  return simplifyBox({ counts, srcStrides: g.perm.map((p) => inStrides[p]), dstStrides: contiguousStrides(counts), srcBase: 0, dstBase: 0 });
}

/** The box that reads the window of a slice (x the source, y contiguous). */
export function sliceBox(g: SliceGeometry): Box {
  const inStrides = contiguousStrides(g.inShape);
  let base = 0;
  g.starts.forEach((s, d) => (base += s * inStrides[d]));
  return simplifyBox({
    counts: g.outShape, srcStrides: g.steps.map((s, d) => s * inStrides[d]), dstStrides: contiguousStrides(g.outShape), srcBase: base, dstBase: 0,
  });
}

/** The part of x that a constant pad keeps, as a box from x into y (negative pads crop). */
export function padInteriorBox(g: PadGeometry): Box {
  const inStrides = contiguousStrides(g.inShape);
  const outStrides = contiguousStrides(g.outShape);
  let srcBase = 0;
  let dstBase = 0;
  const counts = g.inShape.map((n, d) => {
    const lo = Math.max(0, -g.before[d]);
    const hi = Math.min(n, g.outShape[d] - g.before[d]);
    srcBase += lo * inStrides[d];
    dstBase += (lo + g.before[d]) * outStrides[d];
    return Math.max(0, hi - lo);
  });
  return simplifyBox({ counts, srcStrides: inStrides, dstStrides: outStrides, srcBase, dstBase });
}

/** The same box with source and destination swapped (an adjoint copy). */
export function reverseBox(b: Box): Box {
  return { counts: b.counts, srcStrides: b.dstStrides, dstStrides: b.srcStrides, srcBase: b.dstBase, dstBase: b.srcBase };
}

/** Whether every input element of a constant pad appears in the output (no crop). */
export function padKeepsAll(g: PadGeometry): boolean {
  return g.before.every((b, d) => b >= 0 && g.outShape[d] - g.inShape[d] - b >= 0);
}

/** Per output axis, the input coordinate each output coordinate reads (reflect / edge). */
function padMaps(g: PadGeometry): Int32Array[] {
  return g.outShape.map((size, d) => {
    const n = g.inShape[d];
    const map = new Int32Array(size);
    for (let o = 0; o < size; o++) {
      const c = o - g.before[d];
      if (c >= 0 && c < n) map[o] = c;
      else if (g.mode === 'edge') map[o] = c < 0 ? 0 : n - 1;
      else map[o] = c < 0 ? -c : 2 * (n - 1) - c;
    }
    return map;
  });
}

/** Reflect or edge pad (backward: accumulate), one output row at a time. */
function mappedPad(g: PadGeometry, x: Float32Array, y: Float32Array, backward: boolean): void {
  const r = g.outShape.length;
  if (product(g.outShape) === 0) return;
  if (r === 0) {
    if (backward) x[0] = y[0];
    else y[0] = x[0];
    return;
  }
  const maps = padMaps(g);
  const inStrides = contiguousStrides(g.inShape);
  const width = g.outShape[r - 1];
  const inner = maps[r - 1];
  // The interior of the row: outputs before..before+n read inputs 0..n in order.
  const lo = Math.max(0, g.before[r - 1]);
  const hi = Math.min(width, g.before[r - 1] + g.inShape[r - 1]);
  const rows = product(g.outShape) / width;
  const index = new Array<number>(r).fill(0);
  let yo = 0;
  for (let row = 0; row < rows; row++, yo += width) {
    let xo = 0;
    for (let d = 0; d < r - 1; d++) xo += maps[d][index[d]] * inStrides[d];
    if (backward) {
      for (let o = 0; o < lo; o++) x[xo + inner[o]] += y[yo + o];
      for (let o = lo, s = xo + inner[lo]; o < hi; o++, s++) x[s] += y[yo + o];
      for (let o = hi; o < width; o++) x[xo + inner[o]] += y[yo + o];
    } else {
      for (let o = 0; o < lo; o++) y[yo + o] = x[xo + inner[o]];
      for (let o = lo, s = xo + inner[lo]; o < hi; o++, s++) y[yo + o] = x[s];
      for (let o = hi; o < width; o++) y[yo + o] = x[xo + inner[o]];
    }
    for (let d = r - 2; d >= 0; d--) {
      if (++index[d] < g.outShape[d]) break;
      index[d] = 0;
    }
  }
}

export function transpose(g: TransposeGeometry, x: Float32Array, y: Float32Array): void {
  copyBox(x, y, transposeBox(g));
}

export function slice(g: SliceGeometry, x: Float32Array, y: Float32Array): void {
  copyBox(x, y, sliceBox(g));
}

export function sliceBackward(g: SliceGeometry, dy: Float32Array, dx: Float32Array): void {
  dx.fill(0);
  copyBox(dy, dx, reverseBox(sliceBox(g)));
}

export function pad(g: PadGeometry, x: Float32Array, y: Float32Array): void {
  if (g.mode !== 'constant') return mappedPad(g, x, y, false);
  y.fill(g.value);
  copyBox(x, y, padInteriorBox(g));
}

export function padBackward(g: PadGeometry, dy: Float32Array, dx: Float32Array): void {
  if (g.mode !== 'constant') {
    dx.fill(0);
    return mappedPad(g, dx, dy, true);
  }
  // The adjoint of a constant pad crops dy; cropped inputs (negative pads) get 0.
  if (!padKeepsAll(g)) dx.fill(0);
  copyBox(dy, dx, reverseBox(padInteriorBox(g)));
}

export const layoutKernels = Object.freeze({ transpose, slice, sliceBackward, pad, padBackward });
