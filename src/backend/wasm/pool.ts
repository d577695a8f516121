// Pooling on the wasm kernels. The forward passes and the average backwards work plane by
// plane, so they run in chunks of planes of about CHUNK_BYTES of input: each chunk is copied
// into the arena, pooled and copied out while it is still in cache, and the arena stays
// small (a whole 8×64×112×112 input would go through memory three times otherwise).
// maxPool2dBackward scatters by flat index and runs in one call, or by plane ranges when
// every index stays in its plane range. Split over threads, the whole arrays are bound and
// each task runs a range of planes.
import type { AdaptivePool2dGeometry, Pool2dGeometry } from '../backend.js';
import type { Task, WasmContext } from './context.js';
import { PARAM_BYTES, writeAdaptivePoolParams, writePoolParams } from './kernels.js';
import { ranges, taskCount } from './split.js';

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
  const parts = planeParts(ctx, planes, inPlane, outPlane);
  ctx.scoped((arena) => {
    if (parts > 1) {
      // Plane ranges across threads, each storing argmax as flat indices of the whole input.
      const [px, py] = arena.bind('maxPool2d', [{ array: x, length: planes * inPlane }, { array: y, length: planes * outPlane, output: true }]);
      const parg = arena.alloc('maxPool2d', planes * outPlane * 4);
      ctx.parallel('maxPool2d', ranges(planes, parts).map(([p0, p1]): Task => {
        const block = arena.alloc('maxPool2d', PARAM_BYTES);
        writePoolParams(ctx.kernels, block, g, px + 4 * p0 * inPlane, py + 4 * p0 * outPlane, parg + 4 * p0 * outPlane, p1 - p0, p0 * inPlane);
        return [['maxPool2d', block]];
      }));
      arena.get(py, planes * outPlane, y);
      argmax.set(arena.i32(parg, planes * outPlane));
      return;
    }
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
  const planes = g.batch * g.channels;
  const parts = planeParts(ctx, planes, g.outHeight * g.outWidth, g.inHeight * g.inWidth);
  if (parts > 1 && maxPool2dBackwardThreads(ctx, g, dy, argmax, dx, parts)) return;
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

/** maxPool2dBackward by plane ranges: each task scatters its planes' dy into its planes of
 * dx (maxPool2dBackwardRange) and counts the indices outside them. That is the one-call
 * result only when every index lies in its own plane range (pooling's always do): if one
 * does not, false is returned, and the one call gives the result and counts bad indices
 * exactly. */
function maxPool2dBackwardThreads(ctx: WasmContext, g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array, dx: Float32Array, parts: number): boolean {
  const op = 'maxPool2dBackward';
  const { nx, ny } = sizes(g);
  const inPlane = g.inHeight * g.inWidth;
  const outPlane = g.outHeight * g.outWidth;
  const pieces = ranges(g.batch * g.channels, parts);
  return ctx.scoped((arena) => {
    const pdy = arena.put(op, dy, ny);
    const parg = arena.alloc(op, ny * 4);
    const pdx = arena.alloc(op, nx * 4);
    const pbad = arena.alloc(op, 4 * pieces.length);
    arena.i32(parg, ny).set(argmax.length === ny ? argmax : argmax.subarray(0, ny));
    ctx.parallel(op, pieces.map(([p0, p1], t): Task => [
      ['maxPool2dBackwardRange', pdy + 4 * p0 * outPlane, parg + 4 * p0 * outPlane, (p1 - p0) * outPlane, pdx + 4 * p0 * inPlane, (p1 - p0) * inPlane, p0 * inPlane, pbad + 4 * t],
    ]));
    if (arena.i32(pbad, pieces.length).some((bad) => bad !== 0)) return false;
    arena.get(pdx, nx, dx);
    return true;
  });
}

export function avgPool2d(ctx: WasmContext, g: Pool2dGeometry, x: Float32Array, y: Float32Array): void {
  averageInChunks(ctx, 'avgPool2d', g, x, g.inHeight * g.inWidth, y, g.outHeight * g.outWidth, (block, px, py, count) => {
    writePoolParams(ctx.kernels, block, g, px, py, 0, count);
  });
}

export function avgPool2dBackward(ctx: WasmContext, g: Pool2dGeometry, dy: Float32Array, dx: Float32Array): void {
  averageInChunks(ctx, 'avgPool2dBackward', g, dy, g.outHeight * g.outWidth, dx, g.inHeight * g.inWidth, (block, pdy, pdx, count) => {
    writePoolParams(ctx.kernels, block, g, pdx, pdy, 0, count);
  });
}

export function adaptiveAvgPool2d(ctx: WasmContext, g: AdaptivePool2dGeometry, x: Float32Array, y: Float32Array): void {
  averageInChunks(ctx, 'adaptiveAvgPool2d', g, x, g.inHeight * g.inWidth, y, g.outHeight * g.outWidth, (block, px, py, count) => {
    writeAdaptivePoolParams(ctx.kernels, block, g, px, py, count);
  });
}

export function adaptiveAvgPool2dBackward(ctx: WasmContext, g: AdaptivePool2dGeometry, dy: Float32Array, dx: Float32Array): void {
  averageInChunks(ctx, 'adaptiveAvgPool2dBackward', g, dy, g.outHeight * g.outWidth, dx, g.inHeight * g.inWidth, (block, pdy, pdx, count) => {
    writeAdaptivePoolParams(ctx.kernels, block, g, pdx, pdy, count);
  });
}

/** Tasks for a plane-wise pass over `planes` planes of inPlane → outPlane floats. */
function planeParts(ctx: WasmContext, planes: number, inPlane: number, outPlane: number): number {
  return taskCount(ctx, 'elements', planes * (inPlane + outPlane), planes);
}

/** Average pooling either way is plane by plane (the kernel `op` reads the block `write`
 * fills for `count` planes at pSrc → pDst): copy a chunk of `src` planes in, run the
 * kernel on it, copy the chunk of `dst` planes out; chunks are sized by the input plane.
 * Split over threads, the whole arrays are bound and each task runs a range of planes.
 * (A Pool2dGeometry is an AdaptivePool2dGeometry with more fields.) */
function averageInChunks(
  ctx: WasmContext, op: 'avgPool2d' | 'avgPool2dBackward' | 'adaptiveAvgPool2d' | 'adaptiveAvgPool2dBackward', g: AdaptivePool2dGeometry,
  src: Float32Array, srcPlane: number, dst: Float32Array, dstPlane: number,
  write: (block: number, pSrc: number, pDst: number, count: number) => void,
): void {
  const planes = g.batch * g.channels;
  const chunk = Math.min(planes, chunkPlanes(g.inHeight * g.inWidth));
  const parts = planeParts(ctx, planes, srcPlane, dstPlane);
  const run = (pSrc: number, pDst: number, count: number): void => {
    write(ctx.params, pSrc, pDst, count);
    ctx.kernels[op](ctx.params);
  };
  ctx.scoped((arena) => {
    if (parts > 1 || (arena.resident(src) && arena.resident(dst))) {
      const [pSrc, pDst] = arena.bind(op, [{ array: src, length: planes * srcPlane }, { array: dst, length: planes * dstPlane, output: true }]);
      if (parts > 1) {
        ctx.parallel(op, ranges(planes, parts).map(([p0, p1]): Task => {
          const block = arena.alloc(op, PARAM_BYTES);
          write(block, pSrc + 4 * p0 * srcPlane, pDst + 4 * p0 * dstPlane, p1 - p0);
          return [[op, block]];
        }));
      } else {
        run(pSrc, pDst, planes);
      }
      arena.get(pDst, planes * dstPlane, dst);
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
