// Batch normalization over NCHW per channel (statistics over N, H, W), sums in float64.
// Pure TypeScript: it is O(size) and memory-bound, so there is no backend kernel for it.
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
  /** The normalized input (x - mean) · invStd, kept for backward. */
  xhat: Float32Array;
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
  const op = 'batchNorm2d';
  const [n, channels, hw] = dims(op, x, gamma, beta);
  const count = n * hw;
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  const invStd = new Float64Array(channels);
  const xd = x.data;
  for (let c = 0; c < channels; c++) {
    // One pass over (x - K) with K the channel's first value: the shift keeps
    // Σd² - (Σd)²/m free of cancellation when the mean is large next to the spread.
    const shiftValue = xd[c * hw];
    const acc = new Float64Array(2);
    for (let b = 0; b < n; b++) {
      const start = (b * channels + c) * hw;
      sumAndSquares(xd, start, start + hw, shiftValue, acc);
    }
    const sum = acc[0];
    const sq = acc[1];
    mean[c] = shiftValue + sum / count;
    variance[c] = Math.max(0, (sq - (sum * sum) / count) / count);
    invStd[c] = 1 / Math.sqrt(variance[c] + eps);
  }
  const xhat = new Float32Array(x.size);
  const y = new Float32Array(x.size);
  normalize(xd, xhat, y, n, channels, hw, mean, invStd, gamma.data, beta.data);
  return { y: new Tensor(y, x.shape), xhat, mean, variance, invStd };
}

/** Eval-mode forward with fixed statistics; also returns xhat for a backward. */
export function batchNorm2dInference(x: Tensor, gamma: Tensor, beta: Tensor, mean: Float32Array, variance: Float32Array, eps: number): { y: Tensor; xhat: Float32Array; invStd: Float64Array } {
  const [n, channels, hw] = dims('batchNorm2d', x, gamma, beta);
  const invStd = new Float64Array(channels);
  for (let c = 0; c < channels; c++) invStd[c] = 1 / Math.sqrt(variance[c] + eps);
  const xhat = new Float32Array(x.size);
  const y = new Float32Array(x.size);
  normalize(x.data, xhat, y, n, channels, hw, Float64Array.from(mean), invStd, gamma.data, beta.data);
  return { y: new Tensor(y, x.shape), xhat, invStd };
}

/** Backward of either forward. With batch statistics (train) the mean and variance depend
 * on x: dx = γ·invStd/m · (m·dy - Σdy - xhat·Σ(dy·xhat)); with fixed ones dx = γ·invStd·dy. */
export function batchNorm2dBackward(dy: Tensor, xhat: Float32Array, gamma: Tensor, invStd: Float64Array, batchStats: boolean): BatchNormGradients {
  if (dy.rank !== 4 || dy.size !== xhat.length || dy.shape[1] !== gamma.size) {
    throw new Error(`batchNorm2dBackward: dy ${formatShape(dy.shape)} does not match the forward (${xhat.length} elements, ${gamma.size} channels)`);
  }
  const [n, channels, h, w] = dy.shape;
  const hw = h * w;
  const count = n * hw;
  const dgamma = new Float32Array(channels);
  const dbeta = new Float32Array(channels);
  const dx = new Float32Array(dy.size);
  const g = dy.data;
  for (let c = 0; c < channels; c++) {
    const acc = new Float64Array(2);
    for (let b = 0; b < n; b++) {
      const start = (b * channels + c) * hw;
      sumAndDot(g, xhat, start, start + hw, acc);
    }
    const sumDy = acc[0];
    const sumDyXhat = acc[1];
    dbeta[c] = sumDy;
    dgamma[c] = sumDyXhat;
    const k = gamma.data[c] * invStd[c];
    // Train: dx = k/m·(m·dy - Σdy - xhat·Σ(dy·xhat)) = k·dy - k·Σdy/m - xhat·k·Σ(dy·xhat)/m.
    const shift = batchStats ? (k * sumDy) / count : 0;
    const slope = batchStats ? (k * sumDyXhat) / count : 0;
    for (let b = 0; b < n; b++) {
      const end = (b * channels + c + 1) * hw;
      for (let i = end - hw; i < end; i++) dx[i] = k * g[i] - shift - xhat[i] * slope;
    }
  }
  return { dx: new Tensor(dx, dy.shape), dgamma: new Tensor(dgamma, [channels]), dbeta: new Tensor(dbeta, [channels]) };
}

/** xhat = (x - mean)·invStd and y = γ·xhat + β per channel, constants hoisted per plane. */
function normalize(
  x: Float32Array, xhat: Float32Array, y: Float32Array, n: number, channels: number, hw: number,
  mean: Float64Array, invStd: Float64Array, gamma: Float32Array, beta: Float32Array,
): void {
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < channels; c++) {
      const mu = mean[c];
      const inv = invStd[c];
      const g = gamma[c];
      const bt = beta[c];
      const end = (b * channels + c + 1) * hw;
      for (let i = end - hw; i < end; i++) {
        const v = (x[i] - mu) * inv;
        xhat[i] = v;
        y[i] = g * v + bt;
      }
    }
  }
}

// The two reductions below keep four partial sums each: a single running sum is bound by
// the latency of floating-point addition, four independent ones run ~3× faster.

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
