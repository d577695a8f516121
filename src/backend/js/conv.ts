// Convolution as im2col + GEMM (docs/background.md#gemm-convolution-as-a-matrix-product), image by image and group by group:
//   forward          Y_g[OCg, L]        = W_g[OCg, Cg·kk] · cols_g[Cg·kk, L]  (+ bias)
//   backward input   dcols_g[Cg·kk, L]  = W_gᵀ · dY_g, then col2im
//   backward filter  dW_g[OCg, Cg·kk]  += dY_g · cols_gᵀ over the batch;  db = Σ dy
// where kk = kH·kW and L = outH·outW. The column matrix lives in a workspace reused
// across calls. A 1×1, stride-1, unpadded conv needs no im2col: the image itself is the
// column matrix. Depthwise convs (one input channel per group) take direct kernels.
import type { Conv2dGeometry } from '../backend.js';
import { sumBias } from '../elementwise.js';
import { gemmStrided } from './gemm.js';
import { depthwiseConv2d, depthwiseConv2dBackwardFilter, depthwiseConv2dBackwardInput, isDepthwise } from './depthwise.js';
import { col2imImage, im2colImage } from './im2col.js';
import { Workspace } from './workspace.js';

const columns = new Workspace();

/** Floats held by the column workspace (tests check it is reused, not reallocated). */
export function convWorkspaceFloats(): number {
  return columns.capacity;
}

/** True when cols == x for every image (the im2col would be a plain copy). */
export function isPointwise(g: Conv2dGeometry): boolean {
  return (
    g.kernelHeight === 1 && g.kernelWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 &&
    g.padTop === 0 && g.padBottom === 0 && g.padLeft === 0 && g.padRight === 0
  );
}

interface Dims {
  cg: number; // input channels per group
  ocg: number; // output channels per group
  kk: number; // kH·kW
  rows: number; // Cg·kk: rows of cols_g, columns of W_g
  L: number; // outH·outW
  imageSize: number;
  outImageSize: number;
}

function dims(g: Conv2dGeometry): Dims {
  const cg = g.inChannels / g.groups;
  const kk = g.kernelHeight * g.kernelWidth;
  const L = g.outHeight * g.outWidth;
  return {
    cg, ocg: g.outChannels / g.groups, kk, rows: cg * kk, L,
    imageSize: g.inChannels * g.inHeight * g.inWidth, outImageSize: g.outChannels * L,
  };
}

export function conv2d(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  if (isDepthwise(g)) return depthwiseConv2d(g, x, w, bias, y);
  const d = dims(g);
  const pointwise = isPointwise(g);
  const cols = pointwise ? x : columns.get(g.inChannels * d.kk * d.L);
  for (let n = 0; n < g.batch; n++) {
    const yImage = n * d.outImageSize;
    if (!pointwise) im2colImage(g, x, n * d.imageSize, cols, 0);
    const colsImage = pointwise ? n * d.imageSize : 0;
    // Start Y from the bias (beta 1) or from nothing (beta 0: Y's old contents ignored).
    if (bias) for (let oc = 0; oc < g.outChannels; oc++) y.fill(bias[oc], yImage + oc * d.L, yImage + (oc + 1) * d.L);
    for (let grp = 0; grp < g.groups; grp++) {
      gemmStrided(
        d.ocg, d.L, d.rows, 1,
        w, grp * d.ocg * d.rows, d.rows, false,
        cols, colsImage + grp * d.rows * d.L, d.L, false,
        bias ? 1 : 0, y, yImage + grp * d.ocg * d.L, d.L,
      );
    }
  }
}

export function conv2dBackwardInput(g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  if (isDepthwise(g)) return depthwiseConv2dBackwardInput(g, dy, w, dx);
  const d = dims(g);
  const pointwise = isPointwise(g);
  const dcols = pointwise ? dx : columns.get(g.inChannels * d.kk * d.L);
  for (let n = 0; n < g.batch; n++) {
    const dcolsImage = pointwise ? n * d.imageSize : 0;
    for (let grp = 0; grp < g.groups; grp++) {
      gemmStrided(
        d.rows, d.L, d.ocg, 1,
        w, grp * d.ocg * d.rows, d.rows, true,
        dy, n * d.outImageSize + grp * d.ocg * d.L, d.L, false,
        0, dcols, dcolsImage + grp * d.rows * d.L, d.L,
      );
    }
    if (!pointwise) col2imImage(g, dcols, 0, dx, n * d.imageSize);
  }
}

export function conv2dBackwardFilter(g: Conv2dGeometry, dy: Float32Array, x: Float32Array, dw: Float32Array, db: Float32Array | null): void {
  if (isDepthwise(g)) {
    depthwiseConv2dBackwardFilter(g, dy, x, dw);
    if (db) sumBias(dy, g.batch, g.outChannels, g.outHeight * g.outWidth, db);
    return;
  }
  const d = dims(g);
  const pointwise = isPointwise(g);
  const cols = pointwise ? x : columns.get(g.inChannels * d.kk * d.L);
  for (let n = 0; n < g.batch; n++) {
    if (!pointwise) im2colImage(g, x, n * d.imageSize, cols, 0);
    const colsImage = pointwise ? n * d.imageSize : 0;
    for (let grp = 0; grp < g.groups; grp++) {
      gemmStrided(
        d.ocg, d.rows, d.L, 1,
        dy, n * d.outImageSize + grp * d.ocg * d.L, d.L, false,
        cols, colsImage + grp * d.rows * d.L, d.L, true,
        n === 0 ? 0 : 1, dw, grp * d.ocg * d.rows, d.rows,
      );
    }
  }
  if (db) sumBias(dy, g.batch, g.outChannels, d.L, db);
}
