// Kernels along one axis that every backend shares: the maximum / minimum over broadcast
// dimensions (the forward of max / min over axes) and softmax / log-softmax along a
// strided axis (any axis but the last, which the row-wise kernels take). Plain loops,
// float64 arithmetic stored as float32.
import type { AxisGeometry, BroadcastGeometry } from './backend.js';

/** y (read through g.bStrides, 0 on reduced dimensions) = max or min of x over g.shape.
 * NaN wins, so it propagates as in PyTorch's amax. */
function extremeToShape(g: BroadcastGeometry, x: Float32Array, y: Float32Array, max: boolean): void {
  const { shape, bStrides } = g;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  const seen = new Uint8Array(y.length);
  let ib = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!seen[ib]) {
      y[ib] = v;
      seen[ib] = 1;
    } else {
      const old = y[ib];
      if (old === old && (v !== v || (max ? v > old : v < old))) y[ib] = v;
    }
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      ib += bStrides[d];
      if (index[d] < shape[d]) break;
      ib -= bStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}

export function maxToShape(g: BroadcastGeometry, x: Float32Array, y: Float32Array): void {
  extremeToShape(g, x, y, true);
}

export function minToShape(g: BroadcastGeometry, x: Float32Array, y: Float32Array): void {
  extremeToShape(g, x, y, false);
}

/** The maximum of one line (NaN if it holds one). */
function lineMax(x: Float32Array, start: number, size: number, step: number): number {
  let m = -Infinity;
  for (let j = 0, p = start; j < size; j++, p += step) {
    const v = x[p];
    if (v !== v) return v;
    if (v > m) m = v;
  }
  return m;
}

function stridedSoftmax(g: AxisGeometry, x: Float32Array, y: Float32Array, log: boolean): void {
  const { outer, size, inner } = g;
  const e = new Float64Array(size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const start = o * size * inner + i;
      const m = lineMax(x, start, size, inner);
      let sum = 0;
      for (let j = 0, p = start; j < size; j++, p += inner) {
        e[j] = Math.exp(x[p] - m);
        sum += e[j];
      }
      if (log) {
        const logSum = Math.log(sum);
        for (let j = 0, p = start; j < size; j++, p += inner) y[p] = x[p] - m - logSum;
      } else {
        for (let j = 0, p = start; j < size; j++, p += inner) y[p] = e[j] / sum;
      }
    }
  }
}

/** Softmax along the middle axis of x viewed as [outer, size, inner]; y may be x. */
export function softmaxStrided(g: AxisGeometry, x: Float32Array, y: Float32Array): void {
  stridedSoftmax(g, x, y, false);
}

/** Log-softmax along the middle axis: x − max − log Σ exp(x − max); y may be x. */
export function logSoftmaxStrided(g: AxisGeometry, x: Float32Array, y: Float32Array): void {
  stridedSoftmax(g, x, y, true);
}

/** dx = y·(dy − Σ dy·y) along the axis, from the softmax output y. */
export function softmaxStridedBackward(g: AxisGeometry, y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  const { outer, size, inner } = g;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const start = o * size * inner + i;
      let dot = 0;
      for (let j = 0, p = start; j < size; j++, p += inner) dot += dy[p] * y[p];
      for (let j = 0, p = start; j < size; j++, p += inner) dx[p] = y[p] * (dy[p] - dot);
    }
  }
}

/** dx = dy − exp(y)·Σ dy along the axis, from the log-softmax output y. */
export function logSoftmaxStridedBackward(g: AxisGeometry, y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  const { outer, size, inner } = g;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const start = o * size * inner + i;
      let sum = 0;
      for (let j = 0, p = start; j < size; j++, p += inner) sum += dy[p];
      for (let j = 0, p = start; j < size; j++, p += inner) dx[p] = dy[p] - Math.exp(y[p]) * sum;
    }
  }
}

export const axisKernels = Object.freeze({
  maxToShape, minToShape, softmaxStrided, logSoftmaxStrided, softmaxStridedBackward, logSoftmaxStridedBackward,
});
