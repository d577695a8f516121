// Pooling on the wasm kernels: one call covers all N·C planes.
import type { Pool2dGeometry } from '../backend.js';
import type { WasmContext } from './context.js';
import { writePoolParams } from './kernels.js';

function sizes(g: Pool2dGeometry): { nx: number; ny: number } {
  const planes = g.batch * g.channels;
  return { nx: planes * g.inHeight * g.inWidth, ny: planes * g.outHeight * g.outWidth };
}

export function maxPool2d(ctx: WasmContext, g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void {
  const { nx, ny } = sizes(g);
  ctx.scoped((arena) => {
    const px = arena.put('maxPool2d', x, nx);
    const py = arena.alloc('maxPool2d', ny * 4);
    const parg = arena.alloc('maxPool2d', ny * 4);
    writePoolParams(ctx.kernels, ctx.params, g, px, py, parg);
    ctx.kernels.maxPool2d(ctx.params);
    arena.get(py, ny, y);
    argmax.set(arena.i32(parg, ny));
  });
}

export function maxPool2dBackward(ctx: WasmContext, g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
  const { nx, ny } = sizes(g);
  ctx.scoped((arena) => {
    const pdy = arena.put('maxPool2dBackward', dy, ny);
    const parg = arena.alloc('maxPool2dBackward', ny * 4);
    const pdx = arena.alloc('maxPool2dBackward', nx * 4);
    arena.i32(parg, ny).set(argmax.length === ny ? argmax : argmax.subarray(0, ny));
    // The kernel skips (and counts) indices outside x, so a bad argmax never writes out of bounds.
    const bad = ctx.kernels.maxPool2dBackward(pdy, parg, ny, pdx, nx);
    if (bad !== 0) throw new Error(`maxPool2dBackward: argmax holds ${bad} indices outside [0, ${nx}) for input of ${nx} elements`);
    arena.get(pdx, nx, dx);
  });
}

export function avgPool2d(ctx: WasmContext, g: Pool2dGeometry, x: Float32Array, y: Float32Array): void {
  const { nx, ny } = sizes(g);
  ctx.scoped((arena) => {
    const px = arena.put('avgPool2d', x, nx);
    const py = arena.alloc('avgPool2d', ny * 4);
    writePoolParams(ctx.kernels, ctx.params, g, px, py, 0);
    ctx.kernels.avgPool2d(ctx.params);
    arena.get(py, ny, y);
  });
}

export function avgPool2dBackward(ctx: WasmContext, g: Pool2dGeometry, dy: Float32Array, dx: Float32Array): void {
  const { nx, ny } = sizes(g);
  ctx.scoped((arena) => {
    const pdy = arena.put('avgPool2dBackward', dy, ny);
    const pdx = arena.alloc('avgPool2dBackward', nx * 4);
    writePoolParams(ctx.kernels, ctx.params, g, pdx, pdy, 0);
    ctx.kernels.avgPool2dBackward(ctx.params);
    arena.get(pdx, nx, dx);
  });
}
