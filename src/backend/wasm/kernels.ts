// The exports of assembly/index.ts as the TS side sees them, checked once at load, and
// the writers of their parameter blocks (one per layout of param-layouts.ts, which the
// kernels read too). Pointers and sizes are byte addresses / element counts in linear memory.
import type { AdaptivePool2dGeometry, Conv2dGeometry, Pool2dGeometry, ResizeGeometry, StoreActivation } from '../backend.js';
import type { Box } from '../layout-kernels.js';
import { AdaptivePool, Box as BoxLayout, BoxAxis, Depthwise, DIRECT_CONV_FLOATS, DirectConv, GEMM_FLOATS, Gemm, Im2col, Norm, Pool, Resize, StoreActivation as StoreCode } from './param-layouts.js';

export { PARAM_BYTES } from './param-layouts.js';

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
  packGemmA(a: number, lda: number, transA: number, m: number, k: number, dst: number): void;
  packedGemmABytes(m: number, k: number): number;
  im2col(params: number): void;
  directConv2d(params: number): void;
  directConv2dWorkspaceBytes(params: number): number;
  col2im(params: number): void;
  maxPool2d(params: number): void;
  maxPool2dBackward(dy: number, argmax: number, count: number, dx: number, nx: number): number;
  maxPool2dBackwardRange(dy: number, argmax: number, count: number, dx: number, nx: number, offset: number, bad: number): void;
  avgPool2d(params: number): void;
  avgPool2dBackward(params: number): void;
  adaptiveAvgPool2d(params: number): void;
  adaptiveAvgPool2dBackward(params: number): void;
  addBias(x: number, bias: number, outer: number, channels: number, inner: number, y: number): void;
  sumBias(dy: number, outer: number, channels: number, inner: number, db: number): void;
  sumBiasChannels(dy: number, outer: number, channels: number, inner: number, first: number, count: number, db: number): void;
  depthwiseConv2d(params: number, x: number, w: number, bias: number, y: number): void;
  depthwiseConv2dBackwardInput(params: number, dy: number, w: number, dx: number): void;
  depthwiseConv2dBackwardFilter(params: number, dy: number, x: number, dw: number): void;
  depthwiseWorkspaceBytes(params: number): number;
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

/** Every function export the TS side calls. */
export const KERNEL_FUNCTIONS = [
  'heapBase', 'gemmWorkspaceBytes', 'sgemm', 'packGemmA', 'packedGemmABytes', 'directConv2d', 'directConv2dWorkspaceBytes', 'im2col', 'col2im', 'maxPool2d', 'maxPool2dBackward', 'maxPool2dBackwardRange',
  'avgPool2d', 'avgPool2dBackward', 'adaptiveAvgPool2d', 'adaptiveAvgPool2dBackward', 'depthwiseConv2d', 'depthwiseConv2dBackwardInput',
  'depthwiseConv2dBackwardFilter', 'depthwiseWorkspaceBytes', 'addBias', 'sumBias', 'sumBiasChannels', 'relu', 'reluBackward', 'clip', 'clipBackward',
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

/** A parameter layout of param-layouts.ts: a numeric enum (names ↔ slots, `slots` its length). */
export type ParamLayout = Record<string, string | number> & { slots: number };

/** The fields of a layout: its member names but `slots`. */
export type LayoutFields<L extends ParamLayout> = Exclude<Extract<keyof L, string>, 'slots'>;

/** Every layout the kernels read, by the name the module exports it under. */
export const PARAM_LAYOUTS: Readonly<Record<string, ParamLayout>> = {
  Gemm, DirectConv, Im2col, Depthwise, Pool, AdaptivePool, Norm, Resize, Box: BoxLayout, BoxAxis,
};

/** The field names of a layout in slot order. */
export function layoutFields<L extends ParamLayout>(layout: L): LayoutFields<L>[] {
  return Object.keys(layout).filter((k) => Number.isNaN(Number(k)) && k !== 'slots') as LayoutFields<L>[];
}

/** Where the module's layouts differ from this file's: each `Layout.field` whose exported
 * global is missing or holds another slot (a .wasm built from other sources). */
function layoutMismatches(e: Record<string, unknown>): string[] {
  const wrong: string[] = [];
  for (const [name, layout] of Object.entries(PARAM_LAYOUTS)) {
    for (const field of [...layoutFields(layout), 'slots']) {
      const g = e[`${name}.${field}`];
      if (!(g instanceof WebAssembly.Global) || g.value !== layout[field]) wrong.push(`${name}.${field}`);
    }
  }
  return wrong;
}

/** The instance's exports, or an Error naming what is missing (a stale or foreign .wasm). */
export function kernelExports(instance: WebAssembly.Instance, what: string): KernelExports {
  const e = instance.exports as Record<string, unknown>;
  const missing: string[] = KERNEL_FUNCTIONS.filter((name) => typeof e[name] !== 'function');
  if (!(e.memory instanceof WebAssembly.Memory)) missing.push('memory');
  for (const name of GLOBALS) if (!(e[name] instanceof WebAssembly.Global)) missing.push(name);
  if (missing.length > 0) {
    throw new Error(`loadWasmBackend: ${what} lacks the exports ${missing.join(', ')}; rebuild it with \`npm run build:wasm\``);
  }
  const wrong = layoutMismatches(e);
  if (wrong.length > 0) {
    throw new Error(`loadWasmBackend: ${what} reads its parameter blocks with other layouts (${wrong.join(', ')}); rebuild it with \`npm run build:wasm\``);
  }
  return e as unknown as KernelExports;
}

/** Each layout's field names in slot order (computed once: writers run on every kernel call). */
const FIELD_ORDER = new Map<ParamLayout, string[]>();

/** Int32 and Float32 views of the whole memory, remade only after it grew. */
let views: { buffer: ArrayBuffer; i: Int32Array; f: Float32Array } | null = null;

function memoryViews(k: KernelExports): { i: Int32Array; f: Float32Array } {
  const buffer = k.memory.buffer;
  if (views === null || views.buffer !== buffer) views = { buffer, i: new Int32Array(buffer), f: new Float32Array(buffer) };
  return views;
}

/** Writes one parameter block of `layout` at byte address `at` (4-aligned): every field by
 * name (the type requires them all), as f32 where the slot is in `floats` (a bit mask),
 * else as i32 (pointers above 2³¹ wrap to negative and read back as u32). */
export function writeParams<L extends ParamLayout>(k: KernelExports, at: number, layout: L, values: Record<LayoutFields<L>, number>, floats = 0): void {
  let names = FIELD_ORDER.get(layout);
  if (names === undefined) {
    names = layoutFields(layout);
    FIELD_ORDER.set(layout, names);
  }
  const { i, f } = memoryViews(k);
  const base = at >> 2;
  const v = values as Record<string, number>;
  // Writers list the fields in slot order, so each name is checked against the expected
  // one (a pointer compare) before the layout is asked; for-in reads stay on V8's fast path.
  let expected = 0;
  let written = 0;
  for (const name in v) {
    const slot = name === names[expected] ? expected : layout[name];
    if (typeof slot !== 'number' || slot >= names.length) throw new Error(`writeParams: ${name} is no field of this layout`);
    if ((floats >> slot) & 1) f[base + slot] = v[name];
    else i[base + slot] = v[name];
    expected = slot + 1;
    written++;
  }
  if (written !== names.length) throw new Error(`writeParams: ${names.length - written} fields of ${names.join(', ')} are missing`);
}

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
  /** The bias holds one value per column of C instead (a linear layer's). */
  biasPerColumn?: boolean;
  /** Applied in the store, after bias and residual (default none). */
  activation?: StoreActivationKind;
  /** Pointer to an m×n matrix added before the activation (0 or absent: none), leading
   * dimension ldr: a split along M or N offsets it like c. */
  residual?: number;
  ldr?: number;
  /** a holds op(A) as packGemmA wrote it (lda must be k; transA is ignored). A split
   * along M must start at a multiple of GEMM_MR: its rows i0 start at a + 4·i0·lda. */
  packedA?: boolean;
}

/** An activation of the store epilogue: relu, clip to [min, max] (relu6: [0, 6]) or hard-swish. */
export type StoreActivationKind = StoreActivation;

/** The activation's slot values (StoreActivation code, min, max). */
export function storeActivationSlots(a: StoreActivationKind | undefined | null): { activation: number; actMin: number; actMax: number } {
  if (!a) return { activation: StoreCode.none, actMin: 0, actMax: 0 };
  if (a.kind === 'clip') return { activation: StoreCode.clip, actMin: a.min, actMax: a.max };
  return { activation: a.kind === 'relu' ? StoreCode.relu : StoreCode.hardSwish, actMin: 0, actMax: 0 };
}

/** Writes one sgemm's parameter block at `params`; `work` is the packing workspace it uses. */
export function writeGemmParams(k: KernelExports, params: number, work: number, call: GemmCall): void {
  const c = call;
  writeParams(k, params, Gemm, {
    m: c.m, n: c.n, k: c.k, transA: c.transA ? 1 : 0, transB: c.transB ? 1 : 0, lda: c.lda, ldb: c.ldb, ldc: c.ldc,
    a: c.a, b: c.b, c: c.c, alpha: c.alpha, beta: c.beta, bias: c.bias, work, biasPerColumn: c.biasPerColumn ? 1 : 0,
    ...storeActivationSlots(c.activation), residual: c.residual ?? 0, ldr: c.ldr ?? 0, packedA: c.packedA ? 1 : 0,
  }, GEMM_FLOATS);
}

/** Writes and runs one sgemm. `params` and `work` are the permanent blocks. */
export function runGemm(k: KernelExports, params: number, work: number, call: GemmCall): void {
  writeGemmParams(k, params, work, call);
  k.sgemm(params);
}

/** im2col/col2im block for one image's run of `channels` channels at x (and cols); `ld` is
 * the row length of cols in floats when several images share it (im2col only; 0: OH·OW). */
export function writeIm2colParams(k: KernelExports, params: number, g: Conv2dGeometry, channels: number, x: number, cols: number, ld = 0): void {
  writeParams(k, params, Im2col, {
    channels, inHeight: g.inHeight, inWidth: g.inWidth, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
    strideHeight: g.strideHeight, strideWidth: g.strideWidth, dilationHeight: g.dilationHeight, dilationWidth: g.dilationWidth,
    padTop: g.padTop, padLeft: g.padLeft, outHeight: g.outHeight, outWidth: g.outWidth, x, cols, ld,
  });
}

/** What a direct convolution's store adds and applies (pointers 0: none). */
export interface DirectConvCall {
  x: number;
  /** Weights as packGemmA packs them (m = outChannels, k = inChannels·kH·kW). */
  w: number;
  bias: number;
  y: number;
  residual: number;
  activation: StoreActivationKind | null;
  work: number;
}

/** DirectConv block over batch images from x (and y, residual) for geometry g (groups 1, strideWidth 1). */
export function writeDirectConvParams(k: KernelExports, params: number, g: Conv2dGeometry, batch: number, call: DirectConvCall): void {
  writeParams(k, params, DirectConv, {
    batch, channels: g.inChannels, inHeight: g.inHeight, inWidth: g.inWidth, outChannels: g.outChannels, outHeight: g.outHeight,
    outWidth: g.outWidth, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, strideHeight: g.strideHeight,
    dilationHeight: g.dilationHeight, dilationWidth: g.dilationWidth, padTop: g.padTop, padLeft: g.padLeft, padBottom: g.padBottom,
    padRight: g.padRight, x: call.x, w: call.w, bias: call.bias, y: call.y, residual: call.residual,
    ...storeActivationSlots(call.activation), work: call.work,
  }, DIRECT_CONV_FLOATS);
}

/** Depthwise block (groups === inChannels) over the whole batch; data pointers are
 * arguments, `work` the scratch of depthwiseWorkspaceBytes (0 while asking for its size). */
export function writeDepthwiseParams(k: KernelExports, params: number, g: Conv2dGeometry, work: number): void {
  writeParams(k, params, Depthwise, {
    batch: g.batch, channels: g.inChannels, multiplier: g.outChannels / g.inChannels, inHeight: g.inHeight, inWidth: g.inWidth,
    outHeight: g.outHeight, outWidth: g.outWidth, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
    strideHeight: g.strideHeight, strideWidth: g.strideWidth, dilationHeight: g.dilationHeight, dilationWidth: g.dilationWidth,
    padTop: g.padTop, padLeft: g.padLeft, work,
  });
}

/** Pooling block over `planes` planes (default all N·C); `indexOffset` is added to every
 * argmax index (the flat index of the chunk's first element in the whole input). */
export function writePoolParams(k: KernelExports, params: number, g: Pool2dGeometry, x: number, y: number, argmax: number, planes = g.batch * g.channels, indexOffset = 0): void {
  writeParams(k, params, Pool, {
    planes, inHeight: g.inHeight, inWidth: g.inWidth, outHeight: g.outHeight, outWidth: g.outWidth,
    kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, strideHeight: g.strideHeight, strideWidth: g.strideWidth,
    padTop: g.padTop, padLeft: g.padLeft, x, y, argmax, indexOffset, dilationHeight: g.dilationHeight, dilationWidth: g.dilationWidth,
    padBottom: g.padBottom, padRight: g.padRight, countIncludePad: g.countIncludePad ? 1 : 0,
  });
}

/** Adaptive pooling block over `planes` planes (default all N·C). */
export function writeAdaptivePoolParams(k: KernelExports, params: number, g: AdaptivePool2dGeometry, x: number, y: number, planes = g.batch * g.channels): void {
  writeParams(k, params, AdaptivePool, { planes, inHeight: g.inHeight, inWidth: g.inWidth, outHeight: g.outHeight, outWidth: g.outWidth, x, y });
}

/** Bytes of a copyBox parameter block (with its odometer scratch) for a box of `rank` axes. */
export function boxParamBytes(rank: number): number {
  const r = Math.max(rank, 1);
  return 4 * (BoxLayout.slots + r * BoxAxis.slots + r);
}

/** copyBox block at `at` (boxParamBytes(rank) bytes) for a simplified box from the array
 * at src to the one at dst (the box's bases are added here). */
export function writeBoxParams(k: KernelExports, at: number, box: Box, src: number, dst: number): void {
  const counts = box.counts.length > 0 ? box.counts : [1];
  const rank = counts.length;
  const axes = at + 4 * BoxLayout.slots;
  const odometer = axes + 4 * rank * BoxAxis.slots;
  writeParams(k, at, BoxLayout, { rank, src: src + 4 * box.srcBase, dst: dst + 4 * box.dstBase, odometer });
  counts.forEach((count, d) => {
    const strided = box.counts.length > 0;
    writeParams(k, axes + 4 * d * BoxAxis.slots, BoxAxis, { count, srcStride: strided ? box.srcStrides[d] : 1, dstStride: strided ? box.dstStrides[d] : 1 });
  });
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
  writeParams(k, params, Norm, { ...call, batchStats: call.batchStats ? 1 : 0 });
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
  writeParams(k, params, Resize, { planes, inHeight: g.inHeight, inWidth: g.inWidth, outHeight: g.outHeight, outWidth: g.outWidth, x, y, ...t });
}
