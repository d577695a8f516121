// Elementwise passes and the bias kernels split over threads (split.ts): contiguous runs
// of elements whose boundaries fall on multiples of 16 floats (so each element takes the
// same SIMD or scalar step of its kernel as in one call), and bias rows / channels. Below
// the threshold each runs as one call, as before.
import type { Task, TaskCall, TaskKernel, WasmContext } from './context.js';
import { ranges, taskCount } from './split.js';

/** Floats per run boundary: a multiple of every kernel's vector step. */
const RUN_ALIGN = 16;

/** The calls of a pass over n floats, one per task: `call(offsetBytes, count)` makes the call
 * for the run starting `offsetBytes` past every pointer. */
export function mapRuns(ctx: WasmContext, op: string, n: number, call: (offsetBytes: number, count: number) => TaskCall): void {
  const parts = taskCount(ctx, 'elements', n, Math.ceil(n / RUN_ALIGN));
  const runs = parts > 1 ? ranges(n, parts, RUN_ALIGN) : [[0, n] as [number, number]];
  ctx.parallel(op, runs.map(([i0, i1]): Task => [call(4 * i0, i1 - i0)]));
}

/** y[o, c, i] = x[o, c, i] + bias[c], cut into runs of whole (o, c) rows: per task one call
 * per image it touches, over that image's channel range. */
export function addBiasThreads(ctx: WasmContext, x: number, bias: number, outer: number, channels: number, inner: number, y: number): void {
  const op = 'addBias';
  const rows = outer * channels;
  const parts = taskCount(ctx, 'elements', rows * inner, rows);
  if (parts <= 1) {
    ctx.kernels.addBias(x, bias, outer, channels, inner, y);
    return;
  }
  const tasks = ranges(rows, parts).map(([r0, r1]): Task => {
    const calls: TaskCall[] = [];
    for (let r = r0; r < r1; ) {
      const o = Math.floor(r / channels);
      const c0 = r - o * channels;
      const c1 = Math.min(channels, c0 + (r1 - r));
      const at = 4 * (o * channels + c0) * inner;
      calls.push(['addBias', x + at, bias + 4 * c0, 1, c1 - c0, inner, y + at]);
      r += c1 - c0;
    }
    return calls;
  });
  ctx.parallel(op, tasks);
}

/** db[c] = Σ dy[o, c, i] by channel ranges. */
export function sumBiasThreads(ctx: WasmContext, op: string, dy: number, outer: number, channels: number, inner: number, db: number): void {
  const parts = taskCount(ctx, 'elements', outer * channels * inner, channels);
  if (parts <= 1) {
    ctx.kernels.sumBias(dy, outer, channels, inner, db);
    return;
  }
  const kernel: TaskKernel = 'sumBiasChannels';
  ctx.parallel(op, ranges(channels, parts).map(([c0, c1]): Task => [[kernel, dy, outer, channels, inner, c0, c1 - c0, db + 4 * c0]]));
}
