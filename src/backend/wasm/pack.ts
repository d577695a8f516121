// Channel ranges of [batch, channels, inner] arrays laid side by side ([batch, count, inner])
// in the arena, so a kernel that reduces each channel over the batch runs on one thread's
// channels as on a narrower batch: its sums see the same values in the same order.
import type { WasmContext } from './context.js';

export interface PackedRange {
  /** First channel and number of channels of the range. */
  c0: number;
  count: number;
  /** Arena address of the packed [batch, count, inner] copy. */
  at: number;
}

/** `a` again after allocations: a view of the module's memory (resident) is remade from its
 * address, since growing the memory detaches it; any other array is returned as is. Call
 * before allocating. */
export function reader(ctx: WasmContext, a: Float32Array): () => Float32Array {
  if (!ctx.arena.resident(a)) return () => a;
  const { byteOffset, length } = a;
  return () => ctx.arena.f32(byteOffset, length);
}

/** Allocates one packed block per range (all before any copy: an allocation may grow memory). */
export function allocPacked(ctx: WasmContext, op: string, batch: number, inner: number, ranges: readonly [number, number][]): PackedRange[] {
  return ranges.map(([c0, c1]) => ({ c0, count: c1 - c0, at: ctx.arena.alloc(op, batch * (c1 - c0) * inner * 4) }));
}

/** Copies each range of src [batch, channels, inner] into its packed block. */
export function packChannels(ctx: WasmContext, source: () => Float32Array, batch: number, channels: number, inner: number, packed: readonly PackedRange[]): void {
  const src = source();
  for (const p of packed) {
    const dst = ctx.arena.f32(p.at, batch * p.count * inner);
    const run = p.count * inner;
    for (let n = 0; n < batch; n++) {
      const from = (n * channels + p.c0) * inner;
      dst.set(src.subarray(from, from + run), n * run);
    }
  }
}

/** Copies each packed block back to its range of dst [batch, channels, inner]. */
export function unpackChannels(ctx: WasmContext, target: () => Float32Array, batch: number, channels: number, inner: number, packed: readonly PackedRange[]): void {
  const dst = target();
  for (const p of packed) {
    const src = ctx.arena.f32(p.at, batch * p.count * inner);
    const run = p.count * inner;
    for (let n = 0; n < batch; n++) dst.set(src.subarray(n * run, (n + 1) * run), (n * channels + p.c0) * inner);
  }
}
