// Convolution split over threads (split.ts says what a split may change: nothing). Each
// function runs on arrays already bound in the arena, inside the caller's scope, and gives
// every task its own column scratch and GEMM workspace:
//   forward / backward input, batch > 1   images across tasks (im2col + GEMM, or GEMM + col2im)
//   forward / backward input, batch 1     im2col (or col2im) by channel ranges, the GEMM by tiles
//   backward filter                       per chunk of images: im2col across tasks, then dW cut
//                                         into tile-aligned blocks, each accumulating over the
//                                         chunk's images in batch order (beta 0 first, then 1)
//   depthwise                             images, or channel ranges of one image; the filter
//                                         gradient by channel ranges (each task's channels
//                                         copied in side by side, so the kernel sees a batch)
import type { Conv2dGeometry } from '../backend.js';
import type { Task, TaskCall, WasmContext } from './context.js';
import { backwardInputGemm, filterGemm, forwardGemm, imageOf, type Dims } from './conv-gemms.js';
import { PARAM_BYTES, writeDepthwiseParams, writeIm2colParams, type GemmCall } from './kernels.js';
import { allocPacked, packChannels } from './pack.js';
import { gemmParts, gemmPartsFine, ranges } from './split.js';

/** An im2col or col2im call for `channels` channels of one image at x, columns at cols. */
function unfoldCall(ctx: WasmContext, op: string, kernel: 'im2col' | 'col2im', g: Conv2dGeometry, channels: number, x: number, cols: number, ld = 0): TaskCall {
  const block = ctx.arena.alloc(op, PARAM_BYTES);
  writeIm2colParams(ctx.kernels, block, g, channels, x, cols, ld);
  return [kernel, block];
}

/** im2col (or col2im) of channels [0, channels) of one image, by channel ranges over `parts` tasks. */
export function unfoldByChannels(ctx: WasmContext, op: string, kernel: 'im2col' | 'col2im', g: Conv2dGeometry, channels: number, x: number, cols: number, parts: number): void {
  const kk = g.kernelHeight * g.kernelWidth;
  const L = g.outHeight * g.outWidth;
  const plane = g.inHeight * g.inWidth;
  const tasks = ranges(channels, parts).map(([c0, c1]): Task => [unfoldCall(ctx, op, kernel, g, c1 - c0, x + 4 * c0 * plane, cols + 4 * c0 * kk * L)]);
  ctx.parallel(op, tasks);
}

/** One GEMM cut over `parts` tasks. */
function gemmByTiles(ctx: WasmContext, op: string, call: GemmCall, parts: number): void {
  ctx.parallel(op, gemmParts(ctx, call, parts).map((c, t): Task => [ctx.gemmTask(op, t, c)]));
}

export function conv2dForwardThreads(ctx: WasmContext, g: Conv2dGeometry, d: Dims, px: number, pw: number, pbias: number, py: number, parts: number): void {
  const op = 'conv2d';
  if (g.batch > 1) {
    const tasks = ranges(g.batch, parts).map(([n0, n1], t): Task => {
      const cols = d.pointwise ? 0 : ctx.arena.alloc(op, d.rows * d.L * 4);
      const calls: TaskCall[] = [];
      for (let n = n0; n < n1; n++) {
        for (let grp = 0; grp < g.groups; grp++) {
          const x = imageOf(g, d, px, n, grp);
          if (!d.pointwise) calls.push(unfoldCall(ctx, op, 'im2col', g, d.cg, x, cols));
          calls.push(ctx.gemmTask(op, t, forwardGemm(d, pw, pbias, py, n, grp, d.pointwise ? x : cols)));
        }
      }
      return calls;
    });
    ctx.parallel(op, tasks);
    return;
  }
  const cols = d.pointwise ? 0 : ctx.arena.alloc(op, d.rows * d.L * 4);
  for (let grp = 0; grp < g.groups; grp++) {
    const x = imageOf(g, d, px, 0, grp);
    if (!d.pointwise) unfoldByChannels(ctx, op, 'im2col', g, d.cg, x, cols, parts);
    gemmByTiles(ctx, op, forwardGemm(d, pw, pbias, py, 0, grp, d.pointwise ? x : cols), parts);
  }
}

export function conv2dBackwardInputThreads(ctx: WasmContext, g: Conv2dGeometry, d: Dims, pdy: number, pw: number, pdx: number, parts: number): void {
  const op = 'conv2dBackwardInput';
  if (g.batch > 1) {
    const tasks = ranges(g.batch, parts).map(([n0, n1], t): Task => {
      const dcols = d.pointwise ? 0 : ctx.arena.alloc(op, d.rows * d.L * 4);
      const calls: TaskCall[] = [];
      for (let n = n0; n < n1; n++) {
        for (let grp = 0; grp < g.groups; grp++) {
          const dx = imageOf(g, d, pdx, n, grp);
          calls.push(ctx.gemmTask(op, t, backwardInputGemm(d, pw, pdy, n, grp, d.pointwise ? dx : dcols)));
          if (!d.pointwise) calls.push(unfoldCall(ctx, op, 'col2im', g, d.cg, dx, dcols));
        }
      }
      return calls;
    });
    ctx.parallel(op, tasks);
    return;
  }
  const dcols = d.pointwise ? 0 : ctx.arena.alloc(op, d.rows * d.L * 4);
  for (let grp = 0; grp < g.groups; grp++) {
    const dx = imageOf(g, d, pdx, 0, grp);
    gemmByTiles(ctx, op, backwardInputGemm(d, pw, pdy, 0, grp, d.pointwise ? dx : dcols), parts);
    if (!d.pointwise) unfoldByChannels(ctx, op, 'col2im', g, d.cg, dx, dcols, parts);
  }
}

/** Bytes of column scratch one chunk of the filter gradient may hold. */
const FILTER_CHUNK_BYTES = 8 * 1024 * 1024;

export function conv2dBackwardFilterThreads(ctx: WasmContext, g: Conv2dGeometry, d: Dims, pdy: number, px: number, pdw: number, parts: number): void {
  const op = 'conv2dBackwardFilter';
  const colsBytes = d.rows * d.L * 4;
  const chunk = d.pointwise ? g.batch : Math.min(g.batch, Math.max(1, Math.floor(FILTER_CHUNK_BYTES / colsBytes)));
  const cols = d.pointwise ? 0 : ctx.arena.alloc(op, chunk * colsBytes);
  for (let n0 = 0; n0 < g.batch; n0 += chunk) {
    const count = Math.min(chunk, g.batch - n0);
    for (let grp = 0; grp < g.groups; grp++) {
      ctx.scoped(() => {
        const colsOf = (b: number): number => (d.pointwise ? imageOf(g, d, px, n0 + b, grp) : cols + b * colsBytes);
        if (!d.pointwise) {
          if (count > 1) {
            ctx.parallel(op, ranges(count, parts).map(([b0, b1]): Task => {
              const calls: TaskCall[] = [];
              for (let b = b0; b < b1; b++) calls.push(unfoldCall(ctx, op, 'im2col', g, d.cg, imageOf(g, d, px, n0 + b, grp), colsOf(b)));
              return calls;
            }));
          } else {
            unfoldByChannels(ctx, op, 'im2col', g, d.cg, imageOf(g, d, px, n0, grp), cols, parts);
          }
        }
        // dW_g as tile-aligned blocks, the same cut for every image of the chunk.
        const blocks: GemmCall[][] = [];
        for (let b = 0; b < count; b++) {
          gemmPartsFine(ctx, filterGemm(d, pdy, pdw, n0 + b, grp, colsOf(b)), parts).forEach((call, t) => {
            blocks[t] ??= [];
            blocks[t].push(call);
          });
        }
        ctx.parallel(op, blocks.map((calls, t): Task => calls.map((call) => ctx.gemmTask(op, t, call))));
      });
    }
  }
}

/** The depthwise block for a sub-batch of `batch` images and `channels` channels, with its
 * own scratch, allocated in the current scope. */
function depthwiseBlock(ctx: WasmContext, op: string, g: Conv2dGeometry, batch: number, channels: number): number {
  const sub: Conv2dGeometry = { ...g, batch, inChannels: channels, outChannels: channels * (g.outChannels / g.inChannels), groups: channels };
  const block = ctx.arena.alloc(op, PARAM_BYTES);
  writeDepthwiseParams(ctx.kernels, block, sub, 0);
  const work = ctx.arena.alloc(op, ctx.kernels.depthwiseWorkspaceBytes(block));
  writeDepthwiseParams(ctx.kernels, block, sub, work);
  return block;
}

/** Pieces of a depthwise pass: image ranges when there are several images, else channel
 * ranges of the one image: [first image, images, first channel, channels]. */
function depthwisePieces(g: Conv2dGeometry, parts: number): [number, number, number, number][] {
  if (g.batch > 1) return ranges(g.batch, parts).map(([n0, n1]) => [n0, n1 - n0, 0, g.inChannels]);
  return ranges(g.inChannels, parts).map(([c0, c1]) => [0, 1, c0, c1 - c0]);
}

/** Forward (x → y) or backward input (dy → dx) of a depthwise conv over `parts` tasks. */
export function depthwiseThreads(
  ctx: WasmContext, op: string, kernel: 'depthwiseConv2d' | 'depthwiseConv2dBackwardInput', g: Conv2dGeometry,
  px: number, pw: number, pbias: number, py: number, parts: number,
): void {
  const M = g.outChannels / g.inChannels;
  const kk = g.kernelHeight * g.kernelWidth;
  const inPlane = g.inHeight * g.inWidth;
  const outPlane = g.outHeight * g.outWidth;
  const tasks = depthwisePieces(g, parts).map(([n0, images, c0, channels]): Task => {
    const block = depthwiseBlock(ctx, op, g, images, channels);
    const x = px + 4 * (n0 * g.inChannels + c0) * inPlane;
    const y = py + 4 * (n0 * g.outChannels + c0 * M) * outPlane;
    const w = pw + 4 * c0 * M * kk;
    if (kernel === 'depthwiseConv2d') return [[kernel, block, x, w, pbias ? pbias + 4 * c0 * M : 0, y]];
    return [[kernel, block, y, w, x]];
  });
  ctx.parallel(op, tasks);
}

/** dw of a depthwise conv by channel ranges: each task's channels of x and dy are copied in
 * side by side ([N, channels, …]), so its call is the kernel on a narrower batch and every
 * filter sums its images in the same order. */
export function depthwiseFilterThreads(ctx: WasmContext, g: Conv2dGeometry, pdy: number, px: number, pdw: number, parts: number): void {
  const op = 'conv2dBackwardFilter';
  const M = g.outChannels / g.inChannels;
  const kk = g.kernelHeight * g.kernelWidth;
  const inPlane = g.inHeight * g.inWidth;
  const outPlane = g.outHeight * g.outWidth;
  // x and dy are in the arena already (bound by the caller): views remade after allocating.
  const readX = () => ctx.arena.f32(px, g.batch * g.inChannels * inPlane);
  const readDy = () => ctx.arena.f32(pdy, g.batch * g.outChannels * outPlane);
  const channelRanges = ranges(g.inChannels, parts);
  const xs = allocPacked(ctx, op, g.batch, inPlane, channelRanges);
  const dys = allocPacked(ctx, op, g.batch, M * outPlane, channelRanges);
  const blocks = channelRanges.map(([c0, c1]) => depthwiseBlock(ctx, op, g, g.batch, c1 - c0));
  packChannels(ctx, readX, g.batch, g.inChannels, inPlane, xs);
  packChannels(ctx, readDy, g.batch, g.inChannels, M * outPlane, dys);
  ctx.parallel(op, xs.map((p, t): Task => [['depthwiseConv2dBackwardFilter', blocks[t], dys[t].at, p.at, pdw + 4 * p.c0 * M * kk]]));
}

/** The batched small-plane forward (conv.ts, conv2dBatched) with its chunks of images
 * spread over tasks: the chunks are the ones one thread would run, each task im2col's its
 * chunks into its own columns and runs their GEMMs into the chunk's own block of Y', whose
 * rows are copied to their places in y afterwards. */
export function conv2dBatchedThreads(
  ctx: WasmContext, g: Conv2dGeometry, d: Dims, chunk: number, parts: number,
  x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
): void {
  const op = 'conv2d';
  ctx.scoped((arena) => {
    const [px, pw, pbias, py] = arena.bind(op, [
      { array: x, length: g.batch * d.image }, { array: w, length: d.ocg * d.rows }, { array: bias, length: g.outChannels },
      { array: arena.resident(y) ? y : null, length: g.batch * d.outImage, output: true },
    ]);
    const chunks = ranges(g.batch, Math.ceil(g.batch / chunk), chunk);
    const results = chunks.map(([n0, n1]) => arena.alloc(op, g.outChannels * (n1 - n0) * d.L * 4));
    const tasks = ranges(chunks.length, parts).map(([k0, k1], t): Task => {
      const cols = arena.alloc(op, d.rows * chunk * d.L * 4);
      const calls: TaskCall[] = [];
      for (let k = k0; k < k1; k++) {
        const [n0, n1] = chunks[k];
        const ld = (n1 - n0) * d.L;
        for (let n = n0; n < n1; n++) calls.push(unfoldCall(ctx, op, 'im2col', g, g.inChannels, px + 4 * n * d.image, cols + 4 * (n - n0) * d.L, ld));
        calls.push(ctx.gemmTask(op, t, {
          m: g.outChannels, n: ld, k: d.rows, transA: false, transB: false, lda: d.rows, ldb: ld, ldc: ld,
          a: pw, b: cols, c: results[k], alpha: 1, beta: 0, bias: pbias,
        }));
      }
      return calls;
    });
    ctx.parallel(op, tasks);
    const dst = py ? arena.f32(py, g.batch * d.outImage) : y;
    chunks.forEach(([n0, n1], k) => {
      const ld = (n1 - n0) * d.L;
      const out = arena.f32(results[k], g.outChannels * ld);
      for (let b = 0; b < n1 - n0; b++) {
        for (let oc = 0; oc < g.outChannels; oc++) {
          const from = oc * ld + b * d.L;
          dst.set(out.subarray(from, from + d.L), ((n0 + b) * g.outChannels + oc) * d.L);
        }
      }
    });
  });
}
