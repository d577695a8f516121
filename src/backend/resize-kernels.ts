// Resize (nearest and bilinear upsampling or downsampling), shared by every backend; wasm
// overrides the forward with AssemblyScript kernels (assembly/resize.ts). The geometry's
// tables say, per output row and column, which source indices it reads and with what
// float64 weight (src/ops/resize.ts computes them from the coordinate mode), so these
// loops know nothing of scales or coordinate modes. Bilinear arithmetic is float64,
// rounded to float32 once per output; the backward accumulates in float64.
import type { ResizeGeometry } from './backend.js';

function isOutside(g: ResizeGeometry, oh: number, ow: number): boolean {
  return (g.rows.outside !== null && g.rows.outside[oh] === 1) || (g.cols.outside !== null && g.cols.outside[ow] === 1);
}

/** y [N, C, OH, OW] from x [N, C, H, W] through the row and column tables. */
export function resize(g: ResizeGeometry, x: Float32Array, y: Float32Array): void {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, rows, cols } = g;
  const planes = g.batch * g.channels;
  const extrapolate = rows.outside !== null || cols.outside !== null;
  let p = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const r0 = base + rows.index0[oh] * W;
      if (g.mode === 'nearest') {
        for (let ow = 0; ow < OW; ow++, p++) {
          y[p] = extrapolate && isOutside(g, oh, ow) ? g.extrapolationValue : x[r0 + cols.index0[ow]];
        }
        continue;
      }
      const r1 = base + rows.index1[oh] * W;
      const lr = rows.weight[oh];
      for (let ow = 0; ow < OW; ow++, p++) {
        if (extrapolate && isOutside(g, oh, ow)) {
          y[p] = g.extrapolationValue;
          continue;
        }
        const c0 = cols.index0[ow];
        const c1 = cols.index1[ow];
        const lc = cols.weight[ow];
        const top = (1 - lc) * x[r0 + c0] + lc * x[r0 + c1];
        const bottom = (1 - lc) * x[r1 + c0] + lc * x[r1 + c1];
        y[p] = (1 - lr) * top + lr * bottom;
      }
    }
  }
}

/** dx [N, C, H, W] = the adjoint of resize: each dy scattered with the forward's weights. */
export function resizeBackward(g: ResizeGeometry, dy: Float32Array, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, rows, cols } = g;
  const planes = g.batch * g.channels;
  const extrapolate = rows.outside !== null || cols.outside !== null;
  const acc = new Float64Array(planes * H * W);
  let p = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const r0 = base + rows.index0[oh] * W;
      if (g.mode === 'nearest') {
        for (let ow = 0; ow < OW; ow++, p++) {
          if (!(extrapolate && isOutside(g, oh, ow))) acc[r0 + cols.index0[ow]] += dy[p];
        }
        continue;
      }
      const r1 = base + rows.index1[oh] * W;
      const lr = rows.weight[oh];
      for (let ow = 0; ow < OW; ow++, p++) {
        if (extrapolate && isOutside(g, oh, ow)) continue;
        const c0 = cols.index0[ow];
        const c1 = cols.index1[ow];
        const lc = cols.weight[ow];
        const top = (1 - lr) * dy[p];
        const bottom = lr * dy[p];
        acc[r0 + c0] += (1 - lc) * top;
        acc[r0 + c1] += lc * top;
        acc[r1 + c0] += (1 - lc) * bottom;
        acc[r1 + c1] += lc * bottom;
      }
    }
  }
  dx.set(acc);
}

export const resizeKernels = Object.freeze({ resize, resizeBackward });
