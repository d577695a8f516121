// The parameter blocks that cross from TypeScript to the wasm kernels: one enum per kernel
// family, naming each 4-byte slot of its block. This file is compiled by BOTH sides: asc
// imports it into assembly/ (the kernels read `int(params, Depthwise.kernelHeight)`, see
// assembly/params.ts) and tsc into src/backend/wasm/kernels.ts (writeParams fills a block
// from an object keyed by these names, every field required). So a slot has one number,
// and a kernel and its writer cannot disagree on it. The module exports every member as a
// global (`Depthwise.kernelHeight`), and kernelExports() refuses a .wasm whose layout
// differs from this file (a stale build). Keep it in the subset both compilers accept:
// enums with implicit values and integer constants, no types, no functions.
//
// Slots hold i32 values; pointers are byte addresses (read as u32); the slots named in a
// layout's float mask hold f32. `slots` is each block's length, not a field.

/** Bytes reserved for one parameter block (every layout below fits). */
export const PARAM_BYTES = 128;

/** Activations a kernel applies as it stores its result (the `activation` slots below);
 * clip uses the layout's actMin/actMax, relu6 is clip to [0, 6]. */
export enum StoreActivation {
  none,
  relu,
  clip,
  hardSwish,
}

/** sgemm (assembly/gemm.ts). C = act(alpha·op(A)·op(B) + beta·C + bias + residual), in the
 * store of each tile. bias is one value per row of C (per column when biasPerColumn = 1;
 * 0: none); residual (0: none) is an m×n matrix with leading dimension ldr, offset like c
 * when a call is split. packedA = 1: a holds op(A) as packGemmA wrote it (MR-row panels,
 * depth-major over the whole k; lda must be k, so rows i0 start at a + 4·i0·lda when i0 is
 * a multiple of GEMM_MR) and transA is ignored. */
export enum Gemm {
  m,
  n,
  k,
  transA,
  transB,
  lda,
  ldb,
  ldc,
  a,
  b,
  c,
  alpha,
  beta,
  bias,
  work,
  biasPerColumn,
  activation,
  actMin,
  actMax,
  residual,
  ldr,
  packedA,
  slots,
}

/** The f32 slots of Gemm, as a bit mask of slot numbers. */
export const GEMM_FLOATS = (1 << Gemm.alpha) | (1 << Gemm.beta) | (1 << Gemm.actMin) | (1 << Gemm.actMax);

/** im2col / col2im for one image and a run of channels (assembly/im2col.ts). `ld` is the
 * row length of cols in floats (0: outHeight·outWidth; im2col only). */
export enum Im2col {
  channels,
  inHeight,
  inWidth,
  kernelHeight,
  kernelWidth,
  strideHeight,
  strideWidth,
  dilationHeight,
  dilationWidth,
  padTop,
  padLeft,
  outHeight,
  outWidth,
  x,
  cols,
  ld,
  slots,
}

/** Depthwise convolution over the whole batch (assembly/depthwise.ts); the data pointers
 * are arguments. `multiplier` is outChannels / channels; `work` is a scratch of
 * depthwiseWorkspaceBytes(params) bytes (a zero-padded copy of one plane). */
export enum Depthwise {
  batch,
  channels,
  multiplier,
  inHeight,
  inWidth,
  outHeight,
  outWidth,
  kernelHeight,
  kernelWidth,
  strideHeight,
  strideWidth,
  dilationHeight,
  dilationWidth,
  padTop,
  padLeft,
  work,
  slots,
}

/** Direct convolution for few channels (assembly/conv-direct.ts), groups 1 and strideWidth
 * 1 over the whole batch: each tile reads the zero-padded input in place instead of an
 * im2col copy. w is packed by packGemmA (m = outChannels, k = channels·kH·kW); bias,
 * residual (y's shape) and the activation are the store epilogue's (0: none). work is
 * directConv2dWorkspaceBytes(params) bytes. */
export enum DirectConv {
  batch,
  channels,
  inHeight,
  inWidth,
  outChannels,
  outHeight,
  outWidth,
  kernelHeight,
  kernelWidth,
  strideHeight,
  dilationHeight,
  dilationWidth,
  padTop,
  padLeft,
  padBottom,
  padRight,
  x,
  w,
  bias,
  y,
  residual,
  activation,
  actMin,
  actMax,
  work,
  slots,
}

/** The f32 slots of DirectConv. */
export const DIRECT_CONV_FLOATS = (1 << DirectConv.actMin) | (1 << DirectConv.actMax);

/** Max and average pooling over `planes` planes (assembly/pool.ts). `indexOffset` is added
 * to every argmax index; countIncludePad is 0 or 1. */
export enum Pool {
  planes,
  inHeight,
  inWidth,
  outHeight,
  outWidth,
  kernelHeight,
  kernelWidth,
  strideHeight,
  strideWidth,
  padTop,
  padLeft,
  x,
  y,
  argmax,
  indexOffset,
  dilationHeight,
  dilationWidth,
  padBottom,
  padRight,
  countIncludePad,
  slots,
}

/** Adaptive average pooling, forward (x → y) and backward (dy in y, dx in x). */
export enum AdaptivePool {
  planes,
  inHeight,
  inWidth,
  outHeight,
  outWidth,
  x,
  y,
  slots,
}

/** Batch and group normalization (assembly/norm.ts); pointers 0 when unused. */
export enum Norm {
  batch,
  channels,
  inner,
  groups,
  batchStats,
  x,
  y,
  dy,
  dx,
  mean,
  spread,
  gamma,
  beta,
  dgamma,
  dbeta,
  work,
  slots,
}

/** Resize over `planes` planes with precomputed row and column tables (assembly/resize.ts). */
export enum Resize {
  planes,
  inHeight,
  inWidth,
  outHeight,
  outWidth,
  x,
  y,
  rows,
  rowWeights,
  cols,
  colWeights,
  work,
  pattern,
  slots,
}

/** copyBox header (assembly/copy.ts); `rank` axis entries (BoxAxis) follow it, then the
 * kernel's odometer scratch at `odometer`. */
export enum Box {
  rank,
  src,
  dst,
  odometer,
  slots,
}

/** One axis of a copyBox block, outermost first. */
export enum BoxAxis {
  count,
  srcStride,
  dstStride,
  slots,
}
