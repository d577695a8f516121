// How work is cut into the tasks of WasmContext.parallel (context.ts). A split must change
// no arithmetic: every output element is computed by the same instructions in the same
// order whatever the thread count. So work is cut along outputs (images, planes, channels,
// rows of a result), never along a reduced axis, and a GEMM along M or N on its micro-tile
// grid (gemm-split.ts).
//
// Work below a threshold stays in one task (today's calls): a dispatch costs tens of µs.
import type { WasmContext } from './context.js';
import { columnsOf, rowsOf, splitGemm } from './gemm-split.js';
import { gemmBlocking, type GemmCall } from './kernels.js';

/** Below these a call is not split: GEMM-like work in multiply-adds, passes in elements. */
export interface SplitThresholds {
  flops: number;
  elements: number;
}

// Measured on LeNet's step (2 cores): 300 k-element ReLU and pooling passes lose on 2
// threads (the kernel takes tens of µs, about one dispatch, beside serial copies in and out).
export const DEFAULT_SPLIT_THRESHOLDS: Readonly<SplitThresholds> = Object.freeze({ flops: 2 ** 21, elements: 2 ** 19 });

const thresholds = new WeakMap<WasmContext, SplitThresholds>();

/** Sets a context's thresholds (tests force 0 so every split path runs on small shapes). */
export function setSplitThresholds(ctx: WasmContext, t: SplitThresholds): void {
  for (const [name, v] of Object.entries(t)) {
    if (!(name in DEFAULT_SPLIT_THRESHOLDS)) throw new Error(`createWasmBackend: unknown splitThresholds key '${name}' (expected 'flops', 'elements')`);
    if (typeof v !== 'number' || !(v >= 0)) throw new Error(`createWasmBackend: splitThresholds.${name} must be a number ≥ 0, got ${v}`);
  }
  thresholds.set(ctx, { ...t });
}

/** Tasks for work of `amount` (of `kind`) over `units` independent pieces: 1 (no split)
 * on one thread, below the threshold, or with one piece; else up to ctx.threads. */
export function taskCount(ctx: WasmContext, kind: keyof SplitThresholds, amount: number, units: number): number {
  if (ctx.threads <= 1 || units <= 1) return 1;
  const min = (thresholds.get(ctx) ?? DEFAULT_SPLIT_THRESHOLDS)[kind];
  if (amount < min) return 1;
  return Math.min(ctx.threads, units);
}

/** [start, end) ranges of `count` items in at most `parts` nearly equal runs whose
 * boundaries fall on multiples of `align` (empty runs are dropped). */
export function ranges(count: number, parts: number, align = 1): [number, number][] {
  const blocks = Math.ceil(count / align);
  const out: [number, number][] = [];
  for (let t = 0; t < parts; t++) {
    const start = Math.min(count, Math.floor((blocks * t) / parts) * align);
    const end = Math.min(count, Math.floor((blocks * (t + 1)) / parts) * align);
    if (end > start) out.push([start, end]);
  }
  return out;
}

/** One GEMM as up to `parts` GEMMs on disjoint tile-aligned blocks of C (gemm-split.ts);
 * the caller has decided it pays. */
export function gemmParts(ctx: WasmContext, call: GemmCall, parts: number): GemmCall[] {
  return splitGemm(call, parts, gemmBlocking(ctx.kernels), 0);
}

/** gemmParts down to one micro-tile per part, for a task that runs many such GEMMs (the
 * filter gradient over a batch): C's columns at multiples of NR, else its rows at multiples
 * of MR when every part stays on the whole's side of the direct-B limit (3·MR rows). */
export function gemmPartsFine(ctx: WasmContext, call: GemmCall, parts: number): GemmCall[] {
  const { mr, nr } = gemmBlocking(ctx.kernels);
  const columns = ranges(call.n, parts, nr);
  if (columns.length > 1 || call.m < 2 * mr) {
    return columns.map(([j0, j1]) => columnsOf(call, j0, j1));
  }
  const rows = ranges(call.m, parts, mr);
  const direct = (m: number): boolean => !call.transB && m <= 3 * mr;
  if (!rows.every(([i0, i1]) => direct(i1 - i0) === direct(call.m))) return [call];
  return rows.map(([i0, i1]) => rowsOf(call, i0, i1));
}
