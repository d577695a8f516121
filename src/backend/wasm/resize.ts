// Resize forward on the wasm kernels (assembly/resize.ts): the geometry's tables are
// copied into the arena once per call (indices as int32, weights rounded to float32), then
// the planes run in chunks of about CHUNK_BYTES of input and output, each copied in,
// resized and copied out while still in cache. Split over threads, the whole arrays are
// bound and each task resizes a range of planes.
import type { ResizeAxis, ResizeGeometry } from '../backend.js';
import type { Task, WasmContext } from './context.js';
import { PARAM_BYTES, writeResizeParams, type ResizeTables } from './kernels.js';
import { ranges, taskCount } from './split.js';

const CHUNK_BYTES = 256 * 1024;

/** Copies one axis's tables into the arena: [index0, index1] as i32 and [1 − λ, λ] as f32. */
function putAxis(ctx: WasmContext, op: string, a: ResizeAxis, n: number): { index: number; weight: number } {
  const index = ctx.arena.alloc(op, 8 * n);
  const idx = ctx.arena.i32(index, 2 * n);
  idx.set(a.index0.subarray(0, n));
  idx.set(a.index1.subarray(0, n), n);
  const weight = ctx.arena.alloc(op, 8 * n);
  const w = ctx.arena.f32(weight, 2 * n);
  for (let o = 0; o < n; o++) {
    w[o] = 1 - a.weight[o];
    w[n + o] = a.weight[o];
  }
  return { index, weight };
}

/** Nearest's column pattern (assembly/resize.ts): 1 identity, 2 doubling, else 0. */
function columnPattern(g: ResizeGeometry): number {
  const c = g.cols.index0;
  let identity = g.outWidth === g.inWidth;
  let doubling = true;
  for (let o = 0; o < g.outWidth && (identity || doubling); o++) {
    if (c[o] !== o) identity = false;
    if (c[o] !== o >> 1) doubling = false;
  }
  return identity ? 1 : doubling ? 2 : 0;
}

export function resize(ctx: WasmContext, g: ResizeGeometry, x: Float32Array, y: Float32Array): void {
  const op = 'resize';
  const planes = g.batch * g.channels;
  const inPlane = g.inHeight * g.inWidth;
  const outPlane = g.outHeight * g.outWidth;
  const chunk = Math.min(planes, Math.max(1, Math.floor(CHUNK_BYTES / (4 * (inPlane + outPlane)))));
  ctx.scoped((arena) => {
    const rows = putAxis(ctx, op, g.rows, g.outHeight);
    const cols = putAxis(ctx, op, g.cols, g.outWidth);
    const tables: ResizeTables = {
      rows: rows.index, rowWeights: rows.weight, cols: cols.index, colWeights: cols.weight,
      work: g.mode === 'bilinear' ? arena.alloc(op, 8 * g.outWidth) : 0,
      pattern: g.mode === 'nearest' ? columnPattern(g) : 0,
    };
    const kernel = g.mode === 'nearest' ? 'resizeNearest' : 'resizeBilinear';
    const parts = taskCount(ctx, 'elements', planes * (inPlane + outPlane), planes);
    if (parts > 1) {
      // Plane ranges across threads over the whole arrays; each task has its own work row.
      const [pxAll, pyAll] = arena.bind(op, [{ array: x, length: planes * inPlane }, { array: y, length: planes * outPlane, output: true }]);
      ctx.parallel(op, ranges(planes, parts).map(([p0, p1]): Task => {
        const block = arena.alloc(op, PARAM_BYTES);
        const own = { ...tables, work: tables.work ? arena.alloc(op, 8 * g.outWidth) : 0 };
        writeResizeParams(ctx.kernels, block, g, own, pxAll + 4 * p0 * inPlane, pyAll + 4 * p0 * outPlane, p1 - p0);
        return [[kernel, block]];
      }));
      arena.get(pyAll, planes * outPlane, y);
      return;
    }
    const px = arena.alloc(op, chunk * inPlane * 4);
    const py = arena.alloc(op, chunk * outPlane * 4);
    const run = ctx.kernels[kernel];
    // Resident x and y may have been detached by the allocations above: fresh views.
    const xs = arena.fresh(op, x, planes * inPlane);
    const ys = arena.fresh(op, y, planes * outPlane);
    for (let p0 = 0; p0 < planes; p0 += chunk) {
      const count = Math.min(chunk, planes - p0);
      arena.f32(px, count * inPlane).set(xs.subarray(p0 * inPlane, (p0 + count) * inPlane));
      writeResizeParams(ctx.kernels, ctx.params, g, tables, px, py, count);
      run(ctx.params);
      ys.set(arena.f32(py, count * outPlane), p0 * outPlane);
    }
  });
}
