// The exports of assembly/index.ts as the TS side sees them, checked once at load, and
// the writers of their parameter blocks (layouts documented beside each kernel in
// assembly/). Pointers and sizes are byte addresses / element counts in linear memory.
import type { AdaptivePool2dGeometry, Conv2dGeometry, Pool2dGeometry, ResizeGeometry } from '../backend.js';
import type { Box } from '../layout-kernels.js';

export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  readonly GEMM_MR: WebAssembly.Global;
  readonly GEMM_NR: WebAssembly.Global;
  readonly GEMM_KC: WebAssembly.Global;
  readonly GEMM_MC: WebAssembly.Global;
  readonly GEMM_NC: WebAssembly.Global;
  heapBase(): number;
  gemmWorkspaceBytes(): number;
  sgemm(params: number): void;
  im2col(params: number): void;
  col2im(params: number): void;
  maxPool2d(params: number): void;
  maxPool2dBackward(dy: number, argmax: number, count: number, dx: number, nx: number): number;
  avgPool2d(params: number): void;
  avgPool2dBackward(params: number): void;
  adaptiveAvgPool2d(params: number): void;
  adaptiveAvgPool2dBackward(params: number): void;
  addBias(x: number, bias: number, outer: number, channels: number, inner: number, y: number): void;
  sumBias(dy: number, outer: number, channels: number, inner: number, db: number): void;
  depthwiseConv2d(params: number, x: number, w: number, bias: number, y: number): void;
  depthwiseConv2dBackwardInput(params: number, dy: number, w: number, dx: number): void;
  depthwiseConv2dBackwardFilter(params: number, dy: number, x: number, dw: number): void;
  relu(x: number, y: number, n: number): void;
  reluBackward(x: number, dy: number, dx: number, n: number): void;
  clip(x: number, y: number, n: number, min: number, max: number): void;
  clipBackward(x: number, dy: number, dx: number, n: number, min: number, max: number): void;
  hardSwish(x: number, y: number, n: number): void;
  hardSwishBackward(x: number, dy: number, dx: number, n: number): void;
  copyBox(params: number): void;
  fill(ptr: number, n: number, value: number): void;
  batchNormStats(params: number): void;
  batchNormApply(params: number): void;
  batchNormBackward(params: number): void;
  groupNormStats(params: number): void;
  groupNormApply(params: number): void;
  groupNormBackward(params: number): void;
  resizeNearest(params: number): void;
  resizeBilinear(params: number): void;
}

const FUNCTIONS = [
  'heapBase', 'gemmWorkspaceBytes', 'sgemm', 'im2col', 'col2im', 'maxPool2d', 'maxPool2dBackward',
  'avgPool2d', 'avgPool2dBackward', 'adaptiveAvgPool2d', 'adaptiveAvgPool2dBackward', 'depthwiseConv2d', 'depthwiseConv2dBackwardInput',
  'depthwiseConv2dBackwardFilter', 'addBias', 'sumBias', 'relu', 'reluBackward', 'clip', 'clipBackward',
  'hardSwish', 'hardSwishBackward', 'copyBox', 'fill',
  'batchNormStats', 'batchNormApply', 'batchNormBackward', 'groupNormStats', 'groupNormApply', 'groupNormBackward',
  'resizeNearest', 'resizeBilinear',
] as const;

const GLOBALS = ['GEMM_MR', 'GEMM_NR', 'GEMM_KC', 'GEMM_MC', 'GEMM_NC'] as const;

/** Micro-tile and cache blocks of the module's SGEMM (they differ by variant). */
export interface GemmBlocking {
  readonly mr: number;
  readonly nr: number;
  readonly kc: number;
  readonly mc: number;
  readonly nc: number;
}

export function gemmBlocking(k: KernelExports): GemmBlocking {
  return Object.freeze({
    mr: Number(k.GEMM_MR.value), nr: Number(k.GEMM_NR.value),
    kc: Number(k.GEMM_KC.value), mc: Number(k.GEMM_MC.value), nc: Number(k.GEMM_NC.value),
  });
}

/** The instance's exports, or an Error naming what is missing (a stale or foreign .wasm). */
export function kernelExports(instance: WebAssembly.Instance, what: string): KernelExports {
  const e = instance.exports as Record<string, unknown>;
  const missing: string[] = FUNCTIONS.filter((name) => typeof e[name] !== 'function');
  if (!(e.memory instanceof WebAssembly.Memory)) missing.push('memory');
  for (const name of GLOBALS) if (!(e[name] instanceof WebAssembly.Global)) missing.push(name);
  if (missing.length > 0) {
    throw new Error(`loadWasmBackend: ${what} lacks the exports ${missing.join(', ')}; rebuild it with \`npm run build:wasm\``);
  }
  return e as unknown as KernelExports;
}

/** Bytes of one parameter block (the largest kernel, pooling, uses 20 four-byte slots). */
export const PARAM_BYTES = 128;

export interface GemmCall {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  lda: number;
  ldb: number;
  ldc: number;
  a: number;
  b: number;
  c: number;
  alpha: number;
  beta: number;
  /** Pointer to one bias value per row of C (0: none), added after alpha/beta. */
  bias: number;
}

/** Writes and runs one sgemm. `params` and `work` are the permanent blocks. */
export function runGemm(k: KernelExports, params: number, work: number, call: GemmCall): void {
  const buf = k.memory.buffer;
  const i = new Int32Array(buf, params, 16);
  const f = new Float32Array(buf, params, 16);
  i[0] = call.m;
  i[1] = call.n;
  i[2] = call.k;
  i[3] = call.transA ? 1 : 0;
  i[4] = call.transB ? 1 : 0;
  i[5] = call.lda;
  i[6] = call.ldb;
  i[7] = call.ldc;
  i[8] = call.a;
  i[9] = call.b;
  i[10] = call.c;
  f[11] = call.alpha;
  f[12] = call.beta;
  i[13] = call.bias;
  i[14] = work;
  k.sgemm(params);
}

/** im2col/col2im block for one image's run of `channels` channels at x (and cols); `ld` is
 * the row length of cols in floats when several images share it (im2col only; 0: OH·OW). */
export function writeIm2colParams(k: KernelExports, params: number, g: Conv2dGeometry, channels: number, x: number, cols: number, ld = 0): void {
  const i = new Int32Array(k.memory.buffer, params, 16);
  i[0] = channels;
  i[1] = g.inHeight;
  i[2] = g.inWidth;
  i[3] = g.kernelHeight;
  i[4] = g.kernelWidth;
  i[5] = g.strideHeight;
  i[6] = g.strideWidth;
  i[7] = g.dilationHeight;
  i[8] = g.dilationWidth;
  i[9] = g.padTop;
  i[10] = g.padLeft;
  i[11] = g.outHeight;
  i[12] = g.outWidth;
  i[13] = x;
  i[14] = cols;
  i[15] = ld;
}

/** Depthwise block (groups === inChannels) over the whole batch; data pointers are arguments. */
export function writeDepthwiseParams(k: KernelExports, params: number, g: Conv2dGeometry): void {
  const i = new Int32Array(k.memory.buffer, params, 16);
  i[0] = g.batch;
  i[1] = g.inChannels;
  i[2] = g.outChannels / g.inChannels;
  i[3] = g.inHeight;
  i[4] = g.inWidth;
  i[5] = g.outHeight;
  i[6] = g.outWidth;
  i[7] = g.kernelHeight;
  i[8] = g.kernelWidth;
  i[9] = g.strideHeight;
  i[10] = g.strideWidth;
  i[11] = g.dilationHeight;
  i[12] = g.dilationWidth;
  i[13] = g.padTop;
  i[14] = g.padLeft;
}

/** Pooling block over `planes` planes (default all N·C); `indexOffset` is added to every
 * argmax index (the flat index of the chunk's first element in the whole input). */
export function writePoolParams(k: KernelExports, params: number, g: Pool2dGeometry, x: number, y: number, argmax: number, planes = g.batch * g.channels, indexOffset = 0): void {
  const i = new Int32Array(k.memory.buffer, params, 20);
  i[0] = planes;
  i[1] = g.inHeight;
  i[2] = g.inWidth;
  i[3] = g.outHeight;
  i[4] = g.outWidth;
  i[5] = g.kernelHeight;
  i[6] = g.kernelWidth;
  i[7] = g.strideHeight;
  i[8] = g.strideWidth;
  i[9] = g.padTop;
  i[10] = g.padLeft;
  i[11] = x;
  i[12] = y;
  i[13] = argmax;
  i[14] = indexOffset;
  i[15] = g.dilationHeight;
  i[16] = g.dilationWidth;
  i[17] = g.padBottom;
  i[18] = g.padRight;
  i[19] = g.countIncludePad ? 1 : 0;
}

/** Adaptive pooling: the pooling block's slots 0–4, 11 and 12 (planes, sizes, x, y); the rest 0. */
export function writeAdaptivePoolParams(k: KernelExports, params: number, g: AdaptivePool2dGeometry, x: number, y: number, planes = g.batch * g.channels): void {
  const i = new Int32Array(k.memory.buffer, params, 20);
  i.fill(0);
  i[0] = planes;
  i[1] = g.inHeight;
  i[2] = g.inWidth;
  i[3] = g.outHeight;
  i[4] = g.outWidth;
  i[11] = x;
  i[12] = y;
}

/** Bytes of a copyBox parameter block (with its odometer scratch) for a box of `rank` axes. */
export function boxParamBytes(rank: number): number {
  return 4 * (4 + 4 * Math.max(rank, 1));
}

/** copyBox block at `at` (boxParamBytes(rank) bytes) for a simplified box from the array
 * at src to the one at dst (the box's bases are added here). */
export function writeBoxParams(k: KernelExports, at: number, box: Box, src: number, dst: number): void {
  const counts = box.counts.length > 0 ? box.counts : [1];
  const r = counts.length;
  const i = new Int32Array(k.memory.buffer, at, 4 + 3 * r);
  i[0] = r;
  i[1] = src + 4 * box.srcBase;
  i[2] = dst + 4 * box.dstBase;
  i[3] = at + 4 * (4 + 3 * r);
  for (let d = 0; d < r; d++) {
    i[4 + 3 * d] = counts[d];
    i[5 + 3 * d] = box.counts.length > 0 ? box.srcStrides[d] : 1;
    i[6 + 3 * d] = box.counts.length > 0 ? box.dstStrides[d] : 1;
  }
}

/** The normalization block (assembly/norm.ts): geometry, then pointers (0: none). mean and
 * invStd/variance are f64 arrays; gamma and beta f32; work is groupNormBackward's f64
 * workspace of 2·channels. */
export interface NormCall {
  batch: number;
  channels: number;
  inner: number;
  /** Group norm only (batch norm: 0). */
  groups: number;
  /** Backward with the batch's own statistics (train-mode batch norm). */
  batchStats: boolean;
  x: number;
  y: number;
  dy: number;
  dx: number;
  mean: number;
  /** variance (written by the stats kernels) or invStd (read by the others). */
  spread: number;
  gamma: number;
  beta: number;
  dgamma: number;
  dbeta: number;
  work: number;
}

export function writeNormParams(k: KernelExports, params: number, call: NormCall): void {
  const i = new Int32Array(k.memory.buffer, params, 16);
  i[0] = call.batch;
  i[1] = call.channels;
  i[2] = call.inner;
  i[3] = call.groups;
  i[4] = call.batchStats ? 1 : 0;
  i[5] = call.x;
  i[6] = call.y;
  i[7] = call.dy;
  i[8] = call.dx;
  i[9] = call.mean;
  i[10] = call.spread;
  i[11] = call.gamma;
  i[12] = call.beta;
  i[13] = call.dgamma;
  i[14] = call.dbeta;
  i[15] = call.work;
}

/** Where resize's tables sit in the arena (each [2·n]: index0 or 1 − λ, then index1 or λ). */
export interface ResizeTables {
  rows: number;
  rowWeights: number;
  cols: number;
  colWeights: number;
  work: number;
  /** Nearest's column pattern: 0 any, 1 identity, 2 doubling (index0 = ow >> 1). */
  pattern: number;
}

/** Resize block over `planes` planes at x and y (layout in assembly/resize.ts). */
export function writeResizeParams(k: KernelExports, params: number, g: ResizeGeometry, t: ResizeTables, x: number, y: number, planes: number): void {
  const i = new Int32Array(k.memory.buffer, params, 16);
  i[0] = planes;
  i[1] = g.inHeight;
  i[2] = g.inWidth;
  i[3] = g.outHeight;
  i[4] = g.outWidth;
  i[5] = x;
  i[6] = y;
  i[7] = t.rows;
  i[8] = t.rowWeights;
  i[9] = t.cols;
  i[10] = t.colWeights;
  i[11] = t.work;
  i[12] = t.pattern;
}
