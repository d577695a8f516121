// Pooling on the wasm kernels. The forward passes and the average backwards work plane by
// plane, so they run in chunks of planes of about CHUNK_BYTES of input: each chunk is copied
// into the arena, pooled and copied out while it is still in cache, and the arena stays
// small (a whole 8×64×112×112 input would go through memory three times otherwise).
// maxPool2dBackward scatters by flat index and runs in one call.
import type { AdaptivePool2dGeometry, Pool2dGeometry } from '../backend.js';
import type { WasmContext } from './context.js';
import { writeAdaptivePoolParams, writePoolParams } from './kernels.js';

const CHUNK_BYTES = 256 * 1024;

/** Planes per chunk (at least one) for planes of `floats` input floats. */
function chunkPlanes(floats: number): number {
  return Math.max(1, Math.floor(CHUNK_BYTES / (4 * floats)));
}

function sizes(g: Pool2dGeometry): { nx: number; ny: number } {
  const planes = g.batch * g.channels;
  return { nx: planes * g.inHeight * g.inWidth, ny: planes * g.outHeight * g.outWidth };
}

export function maxPool2d(ctx: WasmContext, g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void {
  const planes = g.batch * g.channels;
  const inPlane = g.inHeight * g.inWidth;
  const outPlane = g.outHeight * g.outWidth;
  const chunk = Math.min(planes, chunkPlanes(inPlane));
  ctx.scoped((arena) => {
    if (arena.resident(x) && arena.resident(y)) {
      // Resident arrays (a compiled plan's) are pooled where they are, in one call.
      const [px, py] = arena.bind('maxPool2d', [{ array: x, length: planes * inPlane }, { array: y, length: planes * outPlane, output: true }]);
      const parg = arena.alloc('maxPool2d', planes * outPlane * 4);
      writePoolParams(ctx.kernels, ctx.params, g, px, py, parg, planes, 0);
      ctx.kernels.maxPool2d(ctx.params);
      argmax.set(arena.i32(parg, planes * outPlane));
      return;
    }
    const px = arena.alloc('maxPool2d', chunk * inPlane * 4);
    const py = arena.alloc('maxPool2d', chunk * outPlane * 4);
    const parg = arena.alloc('maxPool2d', chunk * outPlane * 4);
    // A resident x or y may have been detached by the allocations above: fresh views.
    const xs = arena.fresh('maxPool2d', x, planes * inPlane);
    const ys = arena.fresh('maxPool2d', y, planes * outPlane);
    for (let p0 = 0; p0 < planes; p0 += chunk) {
      const count = Math.min(chunk, planes - p0);
      arena.f32(px, count * inPlane).set(xs.subarray(p0 * inPlane, (p0 + count) * inPlane));
      writePoolParams(ctx.kernels, ctx.params, g, px, py, parg, count, p0 * inPlane);
      ctx.kernels.maxPool2d(ctx.params);
      ys.set(arena.f32(py, count * outPlane), p0 * outPlane);
      argmax.set(arena.i32(parg, count * outPlane), p0 * outPlane);
    }
  });
}

export function maxPool2dBackward(ctx: WasmContext, g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
  const { nx, ny } = sizes(g);
  ctx.scoped((arena) => {
    // Resident dy and dx are used where they are (the kernel zeroes dx first).
    const [pdy, pdx] = arena.bind('maxPool2dBackward', [{ array: dy, length: ny }, { array: dx, length: nx, output: true }]);
    const parg = arena.alloc('maxPool2dBackward', ny * 4);
    arena.i32(parg, ny).set(argmax.length === ny ? argmax : argmax.subarray(0, ny));
    // The kernel skips (and counts) indices outside x, so a bad argmax never writes out of bounds.
    const bad = ctx.kernels.maxPool2dBackward(pdy, parg, ny, pdx, nx);
    if (bad !== 0) throw new Error(`maxPool2dBackward: argmax holds ${bad} indices outside [0, ${nx}) for input of ${nx} elements`);
    arena.get(pdx, nx, dx);
  });
}

export function avgPool2d(ctx: WasmContext, g: Pool2dGeometry, x: Float32Array, y: Float32Array): void {
  averageInChunks(ctx, 'avgPool2d', g, x, g.inHeight * g.inWidth, y, g.outHeight * g.outWidth, (px, py, count) => {
    writePoolParams(ctx.kernels, ctx.params, g, px, py, 0, count);
    ctx.kernels.avgPool2d(ctx.params);
  });
}

export function avgPool2dBackward(ctx: WasmContext, g: Pool2dGeometry, dy: Float32Array, dx: Float32Array): void {
  averageInChunks(ctx, 'avgPool2dBackward', g, dy, g.outHeight * g.outWidth, dx, g.inHeight * g.inWidth, (pdy, pdx, count) => {
    writePoolParams(ctx.kernels, ctx.params, g, pdx, pdy, 0, count);
    ctx.kernels.avgPool2dBackward(ctx.params);
  });
}

export function adaptiveAvgPool2d(ctx: WasmContext, g: AdaptivePool2dGeometry, x: Float32Array, y: Float32Array): void {
  averageInChunks(ctx, 'adaptiveAvgPool2d', g, x, g.inHeight * g.inWidth, y, g.outHeight * g.outWidth, (px, py, count) => {
    writeAdaptivePoolParams(ctx.kernels, ctx.params, g, px, py, count);
    ctx.kernels.adaptiveAvgPool2d(ctx.params);
  });
}

export function adaptiveAvgPool2dBackward(ctx: WasmContext, g: AdaptivePool2dGeometry, dy: Float32Array, dx: Float32Array): void {
  averageInChunks(ctx, 'adaptiveAvgPool2dBackward', g, dy, g.outHeight * g.outWidth, dx, g.inHeight * g.inWidth, (pdy, pdx, count) => {
    writeAdaptivePoolParams(ctx.kernels, ctx.params, g, pdx, pdy, count);
    ctx.kernels.adaptiveAvgPool2dBackward(ctx.params);
  });
}

/** Average pooling either way is plane by plane: copy a chunk of `src` planes in, run the
 * kernel on it, copy the chunk of `dst` planes out. Chunks are sized by the input plane.
 * (A Pool2dGeometry is an AdaptivePool2dGeometry with more fields.) */
function averageInChunks(
  ctx: WasmContext, op: string, g: AdaptivePool2dGeometry,
  src: Float32Array, srcPlane: number, dst: Float32Array, dstPlane: number,
  run: (pSrc: number, pDst: number, count: number) => void,
): void {
  const planes = g.batch * g.channels;
  const chunk = Math.min(planes, chunkPlanes(g.inHeight * g.inWidth));
  ctx.scoped((arena) => {
    if (arena.resident(src) && arena.resident(dst)) {
      const [pSrc, pDst] = arena.bind(op, [{ array: src, length: planes * srcPlane }, { array: dst, length: planes * dstPlane, output: true }]);
      run(pSrc, pDst, planes);
      return;
    }
    const pSrc = arena.alloc(op, chunk * srcPlane * 4);
    const pDst = arena.alloc(op, chunk * dstPlane * 4);
    const srcs = arena.fresh(op, src, planes * srcPlane); // fresh views: see maxPool2d
    const dsts = arena.fresh(op, dst, planes * dstPlane);
    for (let p0 = 0; p0 < planes; p0 += chunk) {
      const count = Math.min(chunk, planes - p0);
      arena.f32(pSrc, count * srcPlane).set(srcs.subarray(p0 * srcPlane, (p0 + count) * srcPlane));
      run(pSrc, pDst, count);
      dsts.set(arena.f32(pDst, count * dstPlane), p0 * dstPlane);
    }
  });
}
