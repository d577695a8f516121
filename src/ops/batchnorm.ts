// Batch normalization over NCHW per channel (statistics over N, H, W), sums in float64.
// Pure TypeScript: it is O(size) and memory-bound, so there is no backend kernel for it.
// Backward recomputes x̂ = (x - mean)·invStd from the cached input instead of storing it:
// the forward then writes one array instead of two.
import { Tensor, formatShape } from '../tensor.js';

export interface BatchNormStats {
  /** Per-channel batch mean and biased variance. */
  mean: Float64Array;
  variance: Float64Array;
  /** 1 / √(variance + eps) per channel (for backward). */
  invStd: Float64Array;
}

export interface BatchNormForward extends BatchNormStats {
  y: Tensor;
}

export interface BatchNormGradients {
  dx: Tensor;
  dgamma: Tensor;
  dbeta: Tensor;
}

function dims(op: string, x: Tensor, gamma: Tensor, beta: Tensor): [number, number, number] {
  if (x.rank !== 4) throw new Error(`${op}: input must be [N, C, H, W], got ${formatShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  if (gamma.size !== c || beta.size !== c) {
    throw new Error(`${op}: weight ${formatShape(gamma.shape)} and bias ${formatShape(beta.shape)} must have ${c} elements for input ${formatShape(x.shape)}`);
  }
  return [n, c, h * w];
}

/** Train-mode forward: normalizes with the batch's own statistics. */
export function batchNorm2dTrain(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): BatchNormForward {
  const [n, channels, hw] = dims('batchNorm2d', x, gamma, beta);
  const count = n * hw;
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  const invStd = new Float64Array(channels);
  const xd = x.data;
  const acc = new Float64Array(2);
  for (let c = 0; c < channels; c++) {
    // One pass over (x - K) with K the channel's first value: the shift keeps
    // Σd² - (Σd)²/m free of cancellation when the mean is large next to the spread.
    const shiftValue = xd[c * hw];
    acc.fill(0);
    for (let b = 0; b < n; b++) {
      const start = (b * channels + c) * hw;
      sumAndSquares(xd, start, start + hw, shiftValue, acc);
    }
    mean[c] = shiftValue + acc[0] / count;
    variance[c] = Math.max(0, (acc[1] - (acc[0] * acc[0]) / count) / count);
    invStd[c] = 1 / Math.sqrt(variance[c] + eps);
  }
  const y = new Float32Array(x.size);
  affine(xd, y, n, channels, hw, mean, invStd, gamma.data, beta.data);
  return { y: new Tensor(y, x.shape), mean, variance, invStd };
}

/** Eval-mode forward with fixed statistics. */
export function batchNorm2dInference(x: Tensor, gamma: Tensor, beta: Tensor, mean: Float32Array, variance: Float32Array, eps: number): { y: Tensor; mean: Float64Array; invStd: Float64Array } {
  const [n, channels, hw] = dims('batchNorm2d', x, gamma, beta);
  const invStd = new Float64Array(channels);
  for (let c = 0; c < channels; c++) invStd[c] = 1 / Math.sqrt(variance[c] + eps);
  const mean64 = Float64Array.from(mean);
  const y = new Float32Array(x.size);
  affine(x.data, y, n, channels, hw, mean64, invStd, gamma.data, beta.data);
  return { y: new Tensor(y, x.shape), mean: mean64, invStd };
}

/** Backward of either forward, given the forward's input x and statistics. With batch
 * statistics (train) the mean and variance depend on x:
 * dx = γ·invStd/m · (m·dy - Σdy - x̂·Σ(dy·x̂)); with fixed ones dx = γ·invStd·dy. */
export function batchNorm2dBackward(dy: Tensor, x: Tensor, gamma: Tensor, mean: Float64Array, invStd: Float64Array, batchStats: boolean): BatchNormGradients {
  if (dy.rank !== 4 || dy.size !== x.size || dy.shape[1] !== gamma.size || mean.length !== gamma.size) {
    throw new Error(`batchNorm2dBackward: dy ${formatShape(dy.shape)} does not match the forward (input ${formatShape(x.shape)}, ${gamma.size} channels)`);
  }
  const [n, channels, h, w] = dy.shape;
  const hw = h * w;
  const count = n * hw;
  const dgamma = new Float32Array(channels);
  const dbeta = new Float32Array(channels);
  const dx = new Float32Array(dy.size);
  const g = dy.data;
  const xd = x.data;
  const acc = new Float64Array(2);
  for (let c = 0; c < channels; c++) {
    acc.fill(0);
    for (let b = 0; b < n; b++) {
      const start = (b * channels + c) * hw;
      sumAndDot(g, xd, start, start + hw, acc);
    }
    const mu = mean[c];
    const inv = invStd[c];
    const sumDy = acc[0];
    // Σ dy·x̂ = invStd·(Σ dy·x - mean·Σ dy)
    const sumDyXhat = inv * (acc[1] - mu * sumDy);
    dbeta[c] = sumDy;
    dgamma[c] = sumDyXhat;
    const k = gamma.data[c] * inv;
    // Train: dx = k·dy - k·Σdy/m - x̂·k·Σ(dy·x̂)/m with x̂ = (x - mean)·invStd.
    const slope = batchStats ? (k * sumDyXhat * inv) / count : 0;
    const shift = batchStats ? (k * sumDy) / count - slope * mu : 0;
    for (let b = 0; b < n; b++) {
      const end = (b * channels + c + 1) * hw;
      for (let i = end - hw; i < end; i++) dx[i] = k * g[i] - shift - xd[i] * slope;
    }
  }
  return { dx: new Tensor(dx, dy.shape), dgamma: new Tensor(dgamma, [channels]), dbeta: new Tensor(dbeta, [channels]) };
}

/** y = γ·(x - mean)·invStd + β per channel, as y = x·k + s with k, s hoisted per plane. */
function affine(
  x: Float32Array, y: Float32Array, n: number, channels: number, hw: number,
  mean: Float64Array, invStd: Float64Array, gamma: Float32Array, beta: Float32Array,
): void {
  for (let c = 0; c < channels; c++) {
    const k = gamma[c] * invStd[c];
    const s = beta[c] - mean[c] * k;
    for (let b = 0; b < n; b++) {
      const end = (b * channels + c + 1) * hw;
      for (let i = end - hw; i < end; i++) y[i] = x[i] * k + s;
    }
  }
}

// The two reductions below keep four partial sums each: a single running sum is bound by
// the latency of floating-point addition, four independent ones run faster.

/** acc[0] += Σ (x[i] - shift), acc[1] += Σ (x[i] - shift)² over [start, end). */
function sumAndSquares(x: Float32Array, start: number, end: number, shift: number, acc: Float64Array): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
  let i = start;
  for (; i + 3 < end; i += 4) {
    const d0 = x[i] - shift;
    const d1 = x[i + 1] - shift;
    const d2 = x[i + 2] - shift;
    const d3 = x[i + 3] - shift;
    s0 += d0; s1 += d1; s2 += d2; s3 += d3;
    q0 += d0 * d0; q1 += d1 * d1; q2 += d2 * d2; q3 += d3 * d3;
  }
  for (; i < end; i++) {
    const d = x[i] - shift;
    s0 += d;
    q0 += d * d;
  }
  acc[0] += s0 + s1 + (s2 + s3);
  acc[1] += q0 + q1 + (q2 + q3);
}

/** acc[0] += Σ g[i], acc[1] += Σ g[i]·h[i] over [start, end). */
function sumAndDot(g: Float32Array, h: Float32Array, start: number, end: number, acc: Float64Array): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, p0 = 0, p1 = 0, p2 = 0, p3 = 0;
  let i = start;
  for (; i + 3 < end; i += 4) {
    s0 += g[i]; s1 += g[i + 1]; s2 += g[i + 2]; s3 += g[i + 3];
    p0 += g[i] * h[i]; p1 += g[i + 1] * h[i + 1]; p2 += g[i + 2] * h[i + 2]; p3 += g[i + 3] * h[i + 3];
  }
  for (; i < end; i++) {
    s0 += g[i];
    p0 += g[i] * h[i];
  }
  acc[0] += s0 + s1 + (s2 + s3);
  acc[1] += p0 + p1 + (p2 + p3);
}
