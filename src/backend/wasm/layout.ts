// Constant padding (forward and backward) on the wasm copyBox and fill kernels: the same
// interior box as the shared TypeScript kernel (layout-kernels.ts), run on copies in the
// arena. The leading axes that are not padded (N and C of an NCHW spatial pad) are
// independent planes, so they run in chunks of about CHUNK_BYTES that stay in cache, as
// pooling does. Every box is checked against both arrays before it runs, so a bad
// geometry throws instead of reaching outside an allocation.
//
// Measured on this machine (simd variant, 8×C×H×W, a 1-pixel pad of H and W): 2–5× the
// shared TypeScript kernel for planes of 7² to 56², whose rows are too short for
// TypedArray.set to pay. concat and split stay on TypedArray.set (a native memcpy): with
// tensors outside linear memory a wasm copy only adds the copies in and out (5× slower
// here); copyBox is what a concat on resident tensors will call.
// Reflect and edge padding stay on the shared TypeScript kernels.
import type { PadGeometry } from '../backend.js';
import { layoutKernels, padInteriorBox, padKeepsAll, reverseBox, type Box } from '../layout-kernels.js';
import { checkCounts, checkLength } from './checks.js';
import type { WasmContext } from './context.js';
import { boxParamBytes, writeBoxParams } from './kernels.js';

const CHUNK_BYTES = 256 * 1024;

function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throws unless every element the box reads lies in [0, srcLength) and every one it
 * writes in [0, dstLength). */
function checkBox(op: string, box: Box, srcLength: number, dstLength: number): void {
  if (box.counts.some((c) => c === 0)) return;
  const reach = (base: number, strides: readonly number[], length: number): boolean => {
    let lo = base;
    let hi = base;
    box.counts.forEach((c, d) => {
      const span = (c - 1) * strides[d];
      if (span < 0) lo += span;
      else hi += span;
    });
    return Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && lo >= 0 && hi < length;
  };
  if (!reach(box.srcBase, box.srcStrides, srcLength) || !reach(box.dstBase, box.dstStrides, dstLength)) {
    throw new Error(`${op}: copy ${JSON.stringify(box)} reaches outside arrays of ${srcLength} and ${dstLength} elements`);
  }
}

function runBox(ctx: WasmContext, op: string, box: Box, src: number, srcLength: number, dst: number, dstLength: number): void {
  checkBox(op, box, srcLength, dstLength);
  if (box.counts.some((c) => c === 0)) return;
  const params = ctx.arena.alloc(op, boxParamBytes(box.counts.length));
  writeBoxParams(ctx.kernels, params, box, src, dst);
  ctx.kernels.copyBox(params);
}

/** The geometry as [planes, …rest]: the leading unpadded axes merged into one. */
function asPlanes(op: string, g: PadGeometry): { planes: number; plane: PadGeometry } {
  const r = g.inShape.length;
  if (g.outShape.length !== r || g.before.length !== r) throw new Error(`${op}: pad geometry ranks differ: ${JSON.stringify(g)}`);
  g.inShape.forEach((d, i) => checkCounts(op, { in: d, out: g.outShape[i] }));
  if (!g.before.every((b) => Number.isInteger(b))) throw new Error(`${op}: pad geometry has a non-integer pad: ${JSON.stringify(g)}`);
  let lead = 0;
  while (lead < r && g.before[lead] === 0 && g.inShape[lead] === g.outShape[lead]) lead++;
  const rest = (s: readonly number[]): number[] => s.slice(lead);
  return {
    planes: size(g.inShape.slice(0, lead)),
    plane: { ...g, inShape: rest(g.inShape), outShape: rest(g.outShape), before: rest(g.before) },
  };
}

/** Runs the constant pad (or its adjoint) plane chunk by plane chunk: `src` planes of
 * srcPlane floats in, `dst` planes of dstPlane floats out. */
function padInChunks(ctx: WasmContext, op: string, g: PadGeometry, src: Float32Array, dst: Float32Array, backward: boolean): void {
  const { planes, plane } = asPlanes(op, g);
  const inPlane = size(plane.inShape);
  const outPlane = size(plane.outShape);
  const [srcPlane, dstPlane] = backward ? [outPlane, inPlane] : [inPlane, outPlane];
  checkLength(op, backward ? 'dy' : 'x', src, planes * srcPlane);
  checkLength(op, backward ? 'dx' : 'y', dst, planes * dstPlane);
  if (planes * dstPlane === 0) return;
  const chunk = Math.max(1, Math.min(planes, Math.floor(CHUNK_BYTES / (4 * Math.max(1, srcPlane, dstPlane)))));
  const boxFor = (count: number): Box => {
    const box = padInteriorBox({ ...plane, inShape: [count, ...plane.inShape], outShape: [count, ...plane.outShape], before: [0, ...plane.before] });
    return backward ? reverseBox(box) : box;
  };
  const full = boxFor(chunk);
  const fill = backward ? !padKeepsAll(g) : true;
  const value = backward ? 0 : g.value;
  ctx.scoped((arena) => {
    const pSrc = arena.alloc(op, chunk * srcPlane * 4);
    const pDst = arena.alloc(op, chunk * dstPlane * 4);
    for (let p0 = 0; p0 < planes; p0 += chunk) {
      const count = Math.min(chunk, planes - p0);
      // Fresh views each chunk: runBox allocates, which may grow memory and detach them.
      const srcs = arena.fresh(op, src, planes * srcPlane);
      arena.f32(pSrc, count * srcPlane).set(srcs.subarray(p0 * srcPlane, (p0 + count) * srcPlane));
      if (fill) ctx.kernels.fill(pDst, count * dstPlane, value);
      ctx.scoped(() => runBox(ctx, op, count === chunk ? full : boxFor(count), pSrc, count * srcPlane, pDst, count * dstPlane));
      arena.fresh(op, dst, planes * dstPlane).set(arena.f32(pDst, count * dstPlane), p0 * dstPlane);
    }
  });
}

export function pad(ctx: WasmContext, g: PadGeometry, x: Float32Array, y: Float32Array): void {
  if (g.mode !== 'constant') return layoutKernels.pad(g, x, y);
  padInChunks(ctx, 'pad', g, x, y, false);
}

export function padBackward(ctx: WasmContext, g: PadGeometry, dy: Float32Array, dx: Float32Array): void {
  if (g.mode !== 'constant') return layoutKernels.padBackward(g, dy, dx);
  padInChunks(ctx, 'padBackward', g, dy, dx, true);
}
