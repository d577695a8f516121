// The direct convolution of assembly/conv-direct.ts: for convolutions with few filters and
// a short depth (LeNet's 1→6 and 6→16 5×5), where im2col's copy of the input costs more
// than the multiply-adds. conv2d (conv.ts) hands such calls here; a compiled plan
// (prepared.ts) packs the weights once and fuses its epilogue.
import type { Conv2dGeometry } from '../backend.js';
import type { Task, WasmContext } from './context.js';
import { PARAM_BYTES, writeDirectConvParams, type DirectConvCall, type KernelExports } from './kernels.js';
import { ranges, taskCount } from './split.js';

/** At most this many filters: more fill the GEMM's tiles well, and its packed B pays. */
const MAX_OUT_CHANNELS = 32;
/** Depth (inChannels·kH·kW) up to which the weight panel and offset table stay in L1. */
const MAX_DEPTH = 512;
/** Floats of one padded image in the scratch (it should stay in L1/L2). */
const MAX_IMAGE = 16384;

/** Whether the direct kernel serves this convolution (and is the faster way). */
export function directConvApplies(g: Conv2dGeometry): boolean {
  const depth = g.inChannels * g.kernelHeight * g.kernelWidth;
  const image = g.inChannels * (g.inHeight + g.padTop + g.padBottom + 1) * (g.inWidth + g.padLeft + g.padRight + 8);
  return g.groups === 1 && g.strideWidth === 1 && g.outChannels <= MAX_OUT_CHANNELS && depth <= MAX_DEPTH && image <= MAX_IMAGE &&
    g.kernelHeight * g.kernelWidth > 1;
}

/** Bytes of the packed weights (packGemmA's panels of outChannels × depth). */
export function packedWeightBytes(k: KernelExports, g: Conv2dGeometry): number {
  return k.packedGemmABytes(g.outChannels, g.inChannels * g.kernelHeight * g.kernelWidth);
}

/** Packs w [OC, C, kH, kW] at pw into dst (packedWeightBytes). */
export function packWeights(k: KernelExports, g: Conv2dGeometry, pw: number, dst: number): void {
  const depth = g.inChannels * g.kernelHeight * g.kernelWidth;
  k.packGemmA(pw, depth, 0, g.outChannels, depth, dst);
}

/** Runs the kernel over the batch. When the work pays it is split across threads: by
 * images, or for one image by panels of GEMM_MR filters (the packed weights' panels), so
 * every output keeps the tile rows and the depth order it has on one thread. call.work is
 * ignored (each task's scratch is allocated here, in the caller's scope). */
export function runDirectConv(ctx: WasmContext, op: string, g: Conv2dGeometry, call: DirectConvCall): void {
  const flops = 2 * g.batch * g.outChannels * g.outHeight * g.outWidth * g.inChannels * g.kernelHeight * g.kernelWidth;
  const mr = Number(ctx.kernels.GEMM_MR.value);
  const parts = taskCount(ctx, 'flops', flops, g.batch > 1 ? g.batch : Math.ceil(g.outChannels / mr));
  const byPanels = g.batch === 1 && parts > 1;
  const image = 4 * g.inChannels * g.inHeight * g.inWidth;
  const outPlane = 4 * g.outHeight * g.outWidth;
  const depth = g.inChannels * g.kernelHeight * g.kernelWidth;
  const pieces = byPanels ? ranges(g.outChannels, parts, mr) : ranges(g.batch, parts);
  const tasks = pieces.map(([i0, i1]): Task => {
    const block = parts > 1 ? ctx.arena.alloc(op, PARAM_BYTES) : ctx.params;
    const [out, part, geometry, count] = byPanels
      ? [i0 * outPlane, { ...call, w: call.w + 4 * i0 * depth, bias: call.bias ? call.bias + 4 * i0 : 0 }, { ...g, outChannels: i1 - i0 }, 1]
      : [i0 * g.outChannels * outPlane, { ...call, x: call.x + i0 * image }, g, i1 - i0];
    const at = { ...part, y: call.y + out, residual: call.residual ? call.residual + out : 0 };
    writeDirectConvParams(ctx.kernels, block, geometry, count, { ...at, work: 0 });
    const work = ctx.arena.alloc(op, ctx.kernels.directConv2dWorkspaceBytes(block));
    writeDirectConvParams(ctx.kernels, block, geometry, count, { ...at, work });
    return [['directConv2d', block]];
  });
  ctx.parallel(op, tasks);
}

/** conv2d forward through the direct kernel: the weights packed per call (they are small). */
export function conv2dDirect(ctx: WasmContext, g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  ctx.scoped((arena) => {
    const [px, pw, pbias, py] = arena.bind('conv2d', [
      { array: x, length: g.batch * g.inChannels * g.inHeight * g.inWidth },
      { array: w, length: g.outChannels * g.inChannels * g.kernelHeight * g.kernelWidth },
      { array: bias, length: g.outChannels },
      { array: y, length: g.batch * g.outChannels * g.outHeight * g.outWidth, output: true },
    ]);
    const packed = arena.alloc('conv2d', packedWeightBytes(ctx.kernels, g));
    packWeights(ctx.kernels, g, pw, packed);
    runDirectConv(ctx, 'conv2d', g, { x: px, w: packed, bias: pbias, y: py, residual: 0, activation: null, work: 0 });
    arena.get(py, g.batch * g.outChannels * g.outHeight * g.outWidth, y);
  });
}
