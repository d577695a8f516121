// Resize (nearest, bilinear and bicubic upsampling or downsampling), shared by every
// backend; wasm overrides the nearest and bilinear forward with AssemblyScript kernels
// (assembly/resize.ts). The geometry's
// tables say, per output row and column, which source indices it reads and with what
// float64 weight (src/ops/resize.ts computes them from the coordinate mode), so these
// loops know nothing of scales or coordinate modes. Bilinear arithmetic is float64,
// rounded to float32 once per output; the backward accumulates in float64.
import type { ResizeGeometry } from './backend.js';

function isOutside(g: ResizeGeometry, oh: number, ow: number): boolean {
  return (g.rows.outside !== null && g.rows.outside[oh] === 1) || (g.cols.outside !== null && g.cols.outside[ow] === 1);
}

/** Bicubic's four taps per output position on each axis (see ResizeAxis.cubic). */
function cubicTables(g: ResizeGeometry): { ri: Int32Array; rw: Float64Array; ci: Int32Array; cw: Float64Array } {
  const { rows, cols } = g;
  if (!rows.cubic || !cols.cubic) throw new Error('resize: a bicubic geometry needs the cubic tables of both axes');
  return { ri: rows.cubic.index, rw: rows.cubic.weight, ci: cols.cubic.index, cw: cols.cubic.weight };
}

/** Bicubic y: for each output, Σ over the 4 × 4 neighbours of row weight · column weight · x,
 * in float64, rounded to float32 once. */
function resizeCubic(g: ResizeGeometry, x: Float32Array, y: Float32Array): void {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = g;
  const { ri, rw, ci, cw } = cubicTables(g);
  const extrapolate = g.rows.outside !== null || g.cols.outside !== null;
  const planes = g.batch * g.channels;
  let p = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, p++) {
        if (extrapolate && isOutside(g, oh, ow)) {
          y[p] = g.extrapolationValue;
          continue;
        }
        let acc = 0;
        for (let a = 0; a < 4; a++) {
          const r = base + ri[4 * oh + a] * W;
          let line = 0;
          for (let b = 0; b < 4; b++) line += cw[4 * ow + b] * x[r + ci[4 * ow + b]];
          acc += rw[4 * oh + a] * line;
        }
        y[p] = acc;
      }
    }
  }
}

/** Bicubic dx: each dy scattered to its 4 × 4 neighbours with the forward's weights (float64). */
function resizeCubicBackward(g: ResizeGeometry, dy: Float32Array, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = g;
  const { ri, rw, ci, cw } = cubicTables(g);
  const extrapolate = g.rows.outside !== null || g.cols.outside !== null;
  const planes = g.batch * g.channels;
  const acc = new Float64Array(planes * H * W);
  let p = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, p++) {
        if (extrapolate && isOutside(g, oh, ow)) continue;
        for (let a = 0; a < 4; a++) {
          const r = base + ri[4 * oh + a] * W;
          const d = rw[4 * oh + a] * dy[p];
          for (let b = 0; b < 4; b++) acc[r + ci[4 * ow + b]] += cw[4 * ow + b] * d;
        }
      }
    }
  }
  dx.set(acc);
}

/** y [N, C, OH, OW] from x [N, C, H, W] through the row and column tables. */
export function resize(g: ResizeGeometry, x: Float32Array, y: Float32Array): void {
  if (g.mode === 'bicubic') return resizeCubic(g, x, y);
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
  if (g.mode === 'bicubic') return resizeCubicBackward(g, dy, dx);
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
