// Group-normalization kernels shared by the naive and js backends (layer norm and instance
// norm run on them too: see GroupNormGeometry). Each (batch, group) row of
// m = channels/groups · inner values is contiguous; statistics come from one shifted pass
// and every sum is float64. Backward recomputes x − mean from the forward input.
import type { GroupNormGeometry } from './backend.js';
import { sumAndSquares } from './batchnorm.js';

/** mean[r] and biased variance[r] of each row r = b·groups + group. */
export function groupNormStats(g: GroupNormGeometry, x: Float32Array, mean: Float64Array, variance: Float64Array): void {
  const m = (g.channels / g.groups) * g.inner;
  const acc = new Float64Array(2);
  for (let r = 0; r < g.batch * g.groups; r++) {
    const start = r * m;
    // Shifted by the row's first value, as batchNormStats: no cancellation for a large mean.
    const shift = x[start];
    acc.fill(0);
    sumAndSquares(x, start, start + m, shift, acc);
    mean[r] = shift + acc[0] / m;
    variance[r] = Math.max(0, (acc[1] - (acc[0] * acc[0]) / m) / m);
  }
}

/** y = gamma[c]·(x − mean[r])·invStd[r] + beta[c]; null gamma/beta are 1/0. */
export function groupNormApply(
  g: GroupNormGeometry, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array | null, beta: Float32Array | null, y: Float32Array,
): void {
  const { batch, channels, inner, groups } = g;
  const perGroup = channels / groups;
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      const r = b * groups + Math.floor(c / perGroup);
      const k = (gamma ? gamma[c] : 1) * invStd[r];
      const s = (beta ? beta[c] : 0) - mean[r] * k;
      const start = (b * channels + c) * inner;
      for (let i = start; i < start + inner; i++) y[i] = x[i] * k + s;
    }
  }
}

/** With x̂ = (x − mean)·invStd and g = gamma·dy per row of m values:
 * dx = invStd·(g − Σg/m − x̂·Σ(g·x̂)/m), dgamma[c] = Σ dy·x̂, dbeta[c] = Σ dy over the
 * batch and the channel's inner positions. */
export function groupNormBackward(
  g: GroupNormGeometry, dy: Float32Array, x: Float32Array, mean: Float64Array, invStd: Float64Array, gamma: Float32Array | null,
  dx: Float32Array | null, dgamma: Float32Array | null, dbeta: Float32Array | null,
): void {
  const { batch, channels, inner, groups } = g;
  const perGroup = channels / groups;
  const m = perGroup * inner;
  const dg = new Float64Array(channels);
  const db = new Float64Array(channels);
  for (let b = 0; b < batch; b++) {
    for (let group = 0; group < groups; group++) {
      const r = b * groups + group;
      const mu = mean[r];
      const inv = invStd[r];
      // Σ gamma·dy and Σ gamma·dy·(x − mean) over the row.
      let sumG = 0;
      let sumGC = 0;
      for (let c = group * perGroup; c < (group + 1) * perGroup; c++) {
        const start = (b * channels + c) * inner;
        let s = 0;
        let p = 0;
        for (let i = start; i < start + inner; i++) {
          s += dy[i];
          p += dy[i] * (x[i] - mu);
        }
        const gam = gamma ? gamma[c] : 1;
        sumG += gam * s;
        sumGC += gam * p;
        db[c] += s;
        dg[c] += inv * p;
      }
      if (!dx) continue;
      // dx = k·dy − a − slope·(x − mean) with k = gamma·invStd.
      const a = (inv * sumG) / m;
      const slope = (inv * inv * inv * sumGC) / m;
      for (let c = group * perGroup; c < (group + 1) * perGroup; c++) {
        const k = (gamma ? gamma[c] : 1) * inv;
        const start = (b * channels + c) * inner;
        for (let i = start; i < start + inner; i++) dx[i] = k * dy[i] - a - slope * (x[i] - mu);
      }
    }
  }
  if (dgamma) dgamma.set(dg);
  if (dbeta) dbeta.set(db);
}

export const groupNormKernels = Object.freeze({ groupNormStats, groupNormApply, groupNormBackward });
