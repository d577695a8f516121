// The per-image, per-group arithmetic of convolution as im2col + GEMM (conv.ts runs it on
// one thread, conv-threads.ts split into tasks): the dimensions, where image n / group grp
// sits, and the one GEMM of each pass.
//   forward          Y_g[OCg, L]       = W_g[OCg, Cg·kk] · cols_g[Cg·kk, L] (+ bias)
//   backward input   dcols_g[Cg·kk, L] = W_gᵀ · dY_g
//   backward filter  dW_g[OCg, Cg·kk] += dY_g · cols_gᵀ (beta 0 for the first image)
import type { Conv2dGeometry } from '../backend.js';
import type { GemmCall } from './kernels.js';

export interface Dims {
  cg: number;
  ocg: number;
  rows: number; // Cg·kH·kW
  L: number;
  image: number; // floats of one input image
  outImage: number; // floats of one output image
  pointwise: boolean;
}

export function dims(g: Conv2dGeometry): Dims {
  const cg = g.inChannels / g.groups;
  const L = g.outHeight * g.outWidth;
  const pointwise =
    g.kernelHeight === 1 && g.kernelWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 &&
    g.padTop === 0 && g.padBottom === 0 && g.padLeft === 0 && g.padRight === 0;
  return {
    cg, ocg: g.outChannels / g.groups, rows: cg * g.kernelHeight * g.kernelWidth, L,
    image: g.inChannels * g.inHeight * g.inWidth, outImage: g.outChannels * L, pointwise,
  };
}

/** Address of image n, group grp's first input channel in the input (or dx) at base. */
export function imageOf(g: Conv2dGeometry, d: Dims, base: number, n: number, grp: number): number {
  return base + 4 * (n * d.image + grp * d.cg * g.inHeight * g.inWidth);
}

/** The forward GEMM of image n, group grp, reading columns at b. */
export function forwardGemm(d: Dims, pw: number, pbias: number, py: number, n: number, grp: number, b: number): GemmCall {
  return {
    m: d.ocg, n: d.L, k: d.rows, transA: false, transB: false, lda: d.rows, ldb: d.L, ldc: d.L,
    a: pw + 4 * grp * d.ocg * d.rows, b, c: py + 4 * (n * d.outImage + grp * d.ocg * d.L),
    alpha: 1, beta: 0, bias: pbias ? pbias + 4 * grp * d.ocg : 0,
  };
}

/** dcols (or dx, pointwise) of image n, group grp = W_gᵀ · dY, written at c. */
export function backwardInputGemm(d: Dims, pw: number, pdy: number, n: number, grp: number, c: number): GemmCall {
  return {
    m: d.rows, n: d.L, k: d.ocg, transA: true, transB: false, lda: d.rows, ldb: d.L, ldc: d.L,
    a: pw + 4 * grp * d.ocg * d.rows, b: pdy + 4 * (n * d.outImage + grp * d.ocg * d.L), c, alpha: 1, beta: 0, bias: 0,
  };
}

/** Image n's term of dW_g, reading its columns at b: it overwrites dW for n = 0, adds after. */
export function filterGemm(d: Dims, pdy: number, pdw: number, n: number, grp: number, b: number): GemmCall {
  return {
    m: d.ocg, n: d.rows, k: d.L, transA: false, transB: true, lda: d.L, ldb: d.L, ldc: d.rows,
    a: pdy + 4 * (n * d.outImage + grp * d.ocg * d.L), b, c: pdw + 4 * grp * d.ocg * d.rows,
    alpha: 1, beta: n === 0 ? 0 : 1, bias: 0,
  };
}
