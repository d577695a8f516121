// Convolution on the wasm kernels, image by image and group by group (docs/background.md#gemm-convolution-as-a-matrix-product):
//   forward          Y_g[OCg, L]       = W_g[OCg, Cg·kk] · cols_g[Cg·kk, L] (+ bias in the GEMM epilogue)
//   backward input   dcols_g[Cg·kk, L] = W_gᵀ · dY_g, then col2im
//   backward filter  dW_g[OCg, Cg·kk] += dY_g · cols_gᵀ over the batch;  db = Σ dy
// with kk = kH·kW and L = OH·OW. Few output channels (LeNet's 6 and 16) land on the
// micro-kernel's rows (4 or 6 per tile) while the long L runs along its 8 columns, so
// the tiles stay full. Inputs are copied into the arena once per call, the column
// scratch is one image/group large and reused, the result is copied out at the end.
// A 1×1, stride-1, unpadded conv skips im2col: the image already is the column matrix.
// Depthwise convs (groups === inChannels > 1) run the direct kernels of assembly/depthwise.ts.
import type { Conv2dGeometry } from '../backend.js';
import type { WasmContext } from './context.js';
import { conv2dDirect, directConvApplies } from './conv-direct.js';
import { backwardInputGemm, dims, filterGemm, forwardGemm, imageOf, type Dims } from './conv-gemms.js';
import { conv2dBackwardFilterThreads, conv2dBatchedThreads, conv2dBackwardInputThreads, conv2dForwardThreads, depthwiseFilterThreads, depthwiseThreads } from './conv-threads.js';
import { sumBiasThreads } from './elementwise-threads.js';
import { writeDepthwiseParams, writeIm2colParams } from './kernels.js';
import { taskCount } from './split.js';

export function inputSize(g: Conv2dGeometry): number {
  return g.batch * g.inChannels * g.inHeight * g.inWidth;
}
export function outputSize(g: Conv2dGeometry): number {
  return g.batch * g.outChannels * g.outHeight * g.outWidth;
}
export function weightSize(g: Conv2dGeometry): number {
  return g.outChannels * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth;
}

/** Pointer to the column matrix of image n, group grp (im2col'd into `cols` unless pointwise). */
function columnsOf(ctx: WasmContext, g: Conv2dGeometry, d: Dims, px: number, cols: number, n: number, grp: number): number {
  const x = imageOf(g, d, px, n, grp);
  if (d.pointwise) return x;
  writeIm2colParams(ctx.kernels, ctx.params, g, d.cg, x, cols);
  ctx.kernels.im2col(ctx.params);
  return cols;
}

/** One filter per input channel (channel multiplier outChannels / groups): the direct kernels. */
function isDepthwise(g: Conv2dGeometry): boolean {
  return g.groups > 1 && g.groups === g.inChannels;
}

/** Writes the depthwise block with the scratch its kernels ask for, allocated in the current scope. */
function depthwiseParams(ctx: WasmContext, op: string, g: Conv2dGeometry): number {
  writeDepthwiseParams(ctx.kernels, ctx.params, g, 0);
  const work = ctx.arena.alloc(op, ctx.kernels.depthwiseWorkspaceBytes(ctx.params));
  writeDepthwiseParams(ctx.kernels, ctx.params, g, work);
  return ctx.params;
}

/** Multiply-adds of one pass of the conv (each of the three passes does as many). */
function multiplyAdds(g: Conv2dGeometry): number {
  return outputSize(g) * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth;
}

/** Tasks for one pass: depthwise passes (a few taps per output, memory-bound) count output
 * elements, the others multiply-adds. */
function convParts(ctx: WasmContext, g: Conv2dGeometry, units: number): number {
  return isDepthwise(g) ? taskCount(ctx, 'elements', outputSize(g), units) : taskCount(ctx, 'flops', multiplyAdds(g), units);
}

/** Independent pieces a pass can be cut into: images, or (one image) channels and columns. */
function splitUnits(g: Conv2dGeometry, d: Dims): number {
  return g.batch > 1 ? g.batch : Math.max(isDepthwise(g) ? g.inChannels : d.cg, d.L);
}

/** Output planes below this many positions are convolved several images per GEMM. */
const SMALL_PLANE = 256;
/** Columns of one batched GEMM (images × OH·OW), about one NC slab of the SGEMM. */
const BATCH_COLUMNS = 2048;

/** Forward for small output planes (LeNet conv2: 10×10): one image's GEMM (OC × 100 × 150)
 * is too small to amortize packing W and the tile edges, so the columns of several images
 * are laid side by side, Y' [OC, B·L] = W · [cols_1 … cols_B] runs as one GEMM (bias in its
 * store), and each (image, channel) row of Y' is copied to its place in y. */
function conv2dBatched(ctx: WasmContext, g: Conv2dGeometry, d: Dims, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const chunk = Math.min(g.batch, Math.max(1, Math.floor(BATCH_COLUMNS / d.L)));
  const parts = taskCount(ctx, 'flops', multiplyAdds(g), Math.ceil(g.batch / chunk));
  if (parts > 1) {
    conv2dBatchedThreads(ctx, g, d, chunk, parts, x, w, bias, y);
    return;
  }
  ctx.scoped((arena) => {
    // The rows are copied out of the GEMM's result anyway: straight into y, resident or not.
    const [px, pw, pbias, py] = arena.bind('conv2d', [
      { array: x, length: inputSize(g) }, { array: w, length: weightSize(g) }, { array: bias, length: g.outChannels },
      { array: arena.resident(y) ? y : null, length: outputSize(g), output: true },
    ]);
    const cols = arena.alloc('conv2d', d.rows * chunk * d.L * 4);
    const pyc = arena.alloc('conv2d', g.outChannels * chunk * d.L * 4);
    for (let n0 = 0; n0 < g.batch; n0 += chunk) {
      const count = Math.min(chunk, g.batch - n0);
      const ld = count * d.L;
      for (let b = 0; b < count; b++) {
        writeIm2colParams(ctx.kernels, ctx.params, g, g.inChannels, px + 4 * (n0 + b) * d.image, cols + 4 * b * d.L, ld);
        ctx.kernels.im2col(ctx.params);
      }
      ctx.gemm({
        m: g.outChannels, n: ld, k: d.rows, transA: false, transB: false, lda: d.rows, ldb: ld, ldc: ld,
        a: pw, b: cols, c: pyc, alpha: 1, beta: 0, bias: pbias,
      });
      const out = arena.f32(pyc, g.outChannels * ld);
      const dst = py ? arena.f32(py, outputSize(g)) : y;
      for (let b = 0; b < count; b++) {
        for (let oc = 0; oc < g.outChannels; oc++) {
          const from = oc * ld + b * d.L;
          dst.set(out.subarray(from, from + d.L), ((n0 + b) * g.outChannels + oc) * d.L);
        }
      }
    }
  });
}

export function conv2d(ctx: WasmContext, g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  if (directConvApplies(g)) return conv2dDirect(ctx, g, x, w, bias, y);
  const d = dims(g);
  if (g.groups === 1 && !d.pointwise && g.batch > 1 && d.L < SMALL_PLANE) {
    conv2dBatched(ctx, g, d, x, w, bias, y);
    return;
  }
  ctx.scoped((arena) => {
    const [px, pw, pbias, py] = arena.bind('conv2d', [
      { array: x, length: inputSize(g) }, { array: w, length: weightSize(g) }, { array: bias, length: g.outChannels },
      { array: y, length: outputSize(g), output: true },
    ]);
    const parts = convParts(ctx, g, splitUnits(g, d));
    if (isDepthwise(g)) {
      if (parts > 1) depthwiseThreads(ctx, 'conv2d', 'depthwiseConv2d', g, px, pw, pbias, py, parts);
      else ctx.kernels.depthwiseConv2d(depthwiseParams(ctx, 'conv2d', g), px, pw, pbias, py);
      arena.get(py, outputSize(g), y);
      return;
    }
    if (parts > 1) {
      conv2dForwardThreads(ctx, g, d, px, pw, pbias, py, parts);
      arena.get(py, outputSize(g), y);
      return;
    }
    const cols = d.pointwise ? 0 : arena.alloc('conv2d', d.rows * d.L * 4);
    for (let n = 0; n < g.batch; n++) {
      for (let grp = 0; grp < g.groups; grp++) {
        ctx.gemm(forwardGemm(d, pw, pbias, py, n, grp, columnsOf(ctx, g, d, px, cols, n, grp)));
      }
    }
    arena.get(py, outputSize(g), y);
  });
}

export function conv2dBackwardInput(ctx: WasmContext, g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const d = dims(g);
  ctx.scoped((arena) => {
    const parts = convParts(ctx, g, splitUnits(g, d));
    // Resident arrays (tensors, plans) are read and written where they are.
    const [pdy, pw, pdx] = arena.bind('conv2dBackwardInput', [
      { array: dy, length: outputSize(g) }, { array: w, length: weightSize(g) }, { array: dx, length: inputSize(g), output: true },
    ]);
    if (isDepthwise(g)) {
      if (parts > 1) depthwiseThreads(ctx, 'conv2dBackwardInput', 'depthwiseConv2dBackwardInput', g, pdx, pw, 0, pdy, parts);
      else ctx.kernels.depthwiseConv2dBackwardInput(depthwiseParams(ctx, 'conv2dBackwardInput', g), pdy, pw, pdx);
      arena.get(pdx, inputSize(g), dx);
      return;
    }
    if (parts > 1) {
      conv2dBackwardInputThreads(ctx, g, d, pdy, pw, pdx, parts);
      arena.get(pdx, inputSize(g), dx);
      return;
    }
    const dcols = d.pointwise ? 0 : arena.alloc('conv2dBackwardInput', d.rows * d.L * 4);
    for (let n = 0; n < g.batch; n++) {
      for (let grp = 0; grp < g.groups; grp++) {
        const dxImage = imageOf(g, d, pdx, n, grp);
        ctx.gemm(backwardInputGemm(d, pw, pdy, n, grp, d.pointwise ? dxImage : dcols));
        if (!d.pointwise) {
          writeIm2colParams(ctx.kernels, ctx.params, g, d.cg, dxImage, dcols);
          ctx.kernels.col2im(ctx.params);
        }
      }
    }
    arena.get(pdx, inputSize(g), dx);
  });
}

export function conv2dBackwardFilter(ctx: WasmContext, g: Conv2dGeometry, dy: Float32Array, x: Float32Array, dw: Float32Array, db: Float32Array | null): void {
  const d = dims(g);
  const parts = convParts(ctx, g, isDepthwise(g) ? g.inChannels : Math.max(d.ocg, d.rows));
  ctx.scoped((arena) => {
    const [pdy, px, pdw, pdb] = arena.bind('conv2dBackwardFilter', [
      { array: dy, length: outputSize(g) }, { array: x, length: inputSize(g) },
      { array: dw, length: weightSize(g), output: true }, { array: db, length: g.outChannels, output: true },
    ]);
    if (isDepthwise(g) && parts > 1) {
      // Each task gets its own channels of x and dy, copied side by side.
      depthwiseFilterThreads(ctx, g, pdy, px, pdw, parts);
    } else if (isDepthwise(g)) {
      ctx.kernels.depthwiseConv2dBackwardFilter(depthwiseParams(ctx, 'conv2dBackwardFilter', g), pdy, px, pdw);
    } else if (parts > 1) {
      conv2dBackwardFilterThreads(ctx, g, d, pdy, px, pdw, parts);
    } else {
      const cols = d.pointwise ? 0 : arena.alloc('conv2dBackwardFilter', d.rows * d.L * 4);
      for (let n = 0; n < g.batch; n++) {
        for (let grp = 0; grp < g.groups; grp++) {
          ctx.gemm(filterGemm(d, pdy, pdw, n, grp, columnsOf(ctx, g, d, px, cols, n, grp)));
        }
      }
    }
    arena.get(pdw, weightSize(g), dw);
    if (db) {
      sumBiasThreads(ctx, 'conv2dBackwardFilter', pdy, g.batch, g.outChannels, d.L, pdb);
      arena.get(pdb, g.outChannels, db);
    }
  });
}
