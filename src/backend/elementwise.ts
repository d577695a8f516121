// Elementwise kernels shared by the naive and js backends (and by wasm where a wasm
// version would not pay). Plain loops over flat arrays; arithmetic is done in float64
// (JS numbers) and stored as float32. Every output may alias its input.
import { activationKernels } from './activation-kernels.js';
import { axisKernels } from './axis-kernels.js';
import { batchNormKernels } from './batchnorm.js';
import { groupNormKernels } from './groupnorm.js';
import { layoutKernels } from './layout-kernels.js';
import { mathKernels } from './math-kernels.js';
import { resizeKernels } from './resize-kernels.js';
import { tensorKernels } from './tensor-kernels.js';

/** y[o, c, i] = x[o, c, i] + bias[c] for x viewed as [outer, channels, inner]. */
export function addBias(x: Float32Array, bias: Float32Array, outer: number, channels: number, inner: number, y: Float32Array): void {
  let p = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const b = bias[c];
      for (let i = 0; i < inner; i++, p++) y[p] = x[p] + b;
    }
  }
}

/** db[c] = Σ_o Σ_i dy[o, c, i], accumulated in float64 (overwrites db). */
export function sumBias(dy: Float32Array, outer: number, channels: number, inner: number, db: Float32Array): void {
  const acc = new Float64Array(channels);
  let p = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      let s = 0;
      for (let i = 0; i < inner; i++, p++) s += dy[p];
      acc[c] += s;
    }
  }
  for (let c = 0; c < channels; c++) db[c] = acc[c];
}

/** max(x, 0); NaN stays NaN (a silent 0 would hide a diverged network). */
export function relu(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > 0 || v !== v ? v : 0;
  }
}

/** dx = dy where x > 0, else 0 (the subgradient at 0 is 0, as PyTorch). */
export function reluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
}

export function leakyRelu(x: Float32Array, slope: number, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > 0 ? v : slope * v;
  }
}

export function leakyReluBackward(x: Float32Array, slope: number, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : slope * dy[i];
}

/** 1 / (1 + e^-x), written so that exp never overflows. */
export function sigmoid(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v >= 0) {
      y[i] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      y[i] = e / (1 + e);
    }
  }
}

/** dx = dy · y · (1 − y), from the forward output y. */
export function sigmoidBackward(y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < y.length; i++) {
    const s = y[i];
    dx[i] = dy[i] * s * (1 - s);
  }
}

export function tanh(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
}

/** dx = dy · (1 − y²), from the forward output y. */
export function tanhBackward(y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < y.length; i++) {
    const t = y[i];
    dx[i] = dy[i] * (1 - t * t);
  }
}

function rowMax(x: Float32Array, start: number, cols: number): number {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) {
    const v = x[start + j];
    if (v > m || v !== v) m = v;
    if (m !== m) break;
  }
  return m;
}

/** Row-wise softmax of x viewed as [rows, cols]; subtracts the row max, sums in float64.
 * A row holding NaN comes out all NaN. */
export function softmax(x: Float32Array, rows: number, cols: number, y: Float32Array): void {
  const e = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const m = rowMax(x, start, cols);
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      e[j] = Math.exp(x[start + j] - m);
      sum += e[j];
    }
    for (let j = 0; j < cols; j++) y[start + j] = e[j] / sum;
  }
}

/** Row-wise log-softmax: x − max − log Σ exp(x − max), in float64. */
export function logSoftmax(x: Float32Array, rows: number, cols: number, y: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const m = rowMax(x, start, cols);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[start + j] - m);
    const logSum = Math.log(sum);
    for (let j = 0; j < cols; j++) y[start + j] = x[start + j] - m - logSum;
  }
}

/** Every shared kernel of the Backend interface (elementwise, activations, tensor, layout, batch and group norm,
 * resize, math), for a backend to spread in and override the ones it runs faster itself (naive overrides the layout kernels
 * with its own reference loops). */
export const elementwiseKernels = Object.freeze({
  addBias, sumBias, relu, reluBackward, leakyRelu, leakyReluBackward,
  sigmoid, sigmoidBackward, tanh, tanhBackward, softmax, logSoftmax,
  ...activationKernels, ...tensorKernels, ...layoutKernels, ...batchNormKernels, ...groupNormKernels, ...axisKernels,
  ...resizeKernels, ...mathKernels,
});
