// Batch-normalization kernels shared by every backend: per-channel statistics in one
// shifted pass, the affine normalization, and the backward. Sums in float64. Backward
// recomputes x̂ = (x − mean)·invStd from the forward input instead of storing it, so the
// forward writes one array instead of two.
import type { BatchNormGeometry } from './backend.js';

/** mean[c] and biased variance[c] over batch and inner positions. */
export function batchNormStats(g: BatchNormGeometry, x: Float32Array, mean: Float64Array, variance: Float64Array): void {
  const { batch, channels, inner } = g;
  const count = batch * inner;
  const acc = new Float64Array(2);
  for (let c = 0; c < channels; c++) {
    // One pass over (x − K) with K the channel's first value: the shift keeps
    // Σd² − (Σd)²/m free of cancellation when the mean is large next to the spread.
    const shiftValue = x[c * inner];
    acc.fill(0);
    for (let b = 0; b < batch; b++) {
      const start = (b * channels + c) * inner;
      sumAndSquares(x, start, start + inner, shiftValue, acc);
    }
    mean[c] = shiftValue + acc[0] / count;
    variance[c] = Math.max(0, (acc[1] - (acc[0] * acc[0]) / count) / count);
  }
}

/** y = x·k + s per channel with k = gamma·invStd, s = beta − mean·k hoisted per plane. */
export function batchNormApply(
  g: BatchNormGeometry, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array, beta: Float32Array, y: Float32Array,
): void {
  const { batch, channels, inner } = g;
  for (let c = 0; c < channels; c++) {
    const k = gamma[c] * invStd[c];
    const s = beta[c] - mean[c] * k;
    for (let b = 0; b < batch; b++) {
      const end = (b * channels + c + 1) * inner;
      for (let i = end - inner; i < end; i++) y[i] = x[i] * k + s;
    }
  }
}

/** With batch statistics the mean and variance depend on x:
 * dx = γ·invStd/m · (m·dy − Σdy − x̂·Σ(dy·x̂)); with fixed ones dx = γ·invStd·dy. */
export function batchNormBackward(
  g: BatchNormGeometry, dy: Float32Array, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array,
  batchStats: boolean, dx: Float32Array | null, dgamma: Float32Array, dbeta: Float32Array,
): void {
  const { batch, channels, inner } = g;
  const count = batch * inner;
  const acc = new Float64Array(2);
  for (let c = 0; c < channels; c++) {
    acc.fill(0);
    for (let b = 0; b < batch; b++) {
      const start = (b * channels + c) * inner;
      sumAndDot(dy, x, start, start + inner, acc);
    }
    const mu = mean[c];
    const inv = invStd[c];
    const sumDy = acc[0];
    // Σ dy·x̂ = invStd·(Σ dy·x − mean·Σ dy)
    const sumDyXhat = inv * (acc[1] - mu * sumDy);
    dbeta[c] = sumDy;
    dgamma[c] = sumDyXhat;
    if (!dx) continue;
    const k = gamma[c] * inv;
    // Train: dx = k·dy − k·Σdy/m − x̂·k·Σ(dy·x̂)/m with x̂ = (x − mean)·invStd.
    const slope = batchStats ? (k * sumDyXhat * inv) / count : 0;
    const shift = batchStats ? (k * sumDy) / count - slope * mu : 0;
    for (let b = 0; b < batch; b++) {
      const end = (b * channels + c + 1) * inner;
      for (let i = end - inner; i < end; i++) dx[i] = k * dy[i] - shift - x[i] * slope;
    }
  }
}

// The two reductions below keep four partial sums each: a single running sum is bound by
// the latency of floating-point addition, four independent ones run faster.

/** acc[0] += Σ (x[i] − shift), acc[1] += Σ (x[i] − shift)² over [start, end). */
export function sumAndSquares(x: Float32Array, start: number, end: number, shift: number, acc: Float64Array): void {
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

export const batchNormKernels = Object.freeze({ batchNormStats, batchNormApply, batchNormBackward });
