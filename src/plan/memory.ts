// Buffer planning by liveness: every intermediate value of a compiled model gets an offset
// in one arena, and two values share bytes only when their lifetimes do not overlap.
// Greedy by size (the largest first, each at the lowest offset that fits beside the
// already placed values it overlaps in time), as TFLite's and onnxruntime's planners do:
// simple, and within a few percent of optimal on CNN chains, where the two or three
// largest activations bound the arena anyway.

export interface BufferRequest {
  /** Floats of the value. */
  size: number;
  /** Index of the step that writes it (-1: written before the first step, e.g. the input). */
  first: number;
  /** Index of the last step that reads it (Infinity: read after the last step, e.g. an output). */
  last: number;
}

export interface MemoryPlan {
  /** Float offset of each request, in request order. */
  offsets: number[];
  /** Floats the arena needs. */
  size: number;
}

/** Offsets are multiples of this many floats (64 bytes: a cache line, and v128-aligned). */
export const ALIGN_FLOATS = 16;

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS;
}

function overlapsInTime(a: BufferRequest, b: BufferRequest): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function planMemory(requests: readonly BufferRequest[]): MemoryPlan {
  for (const [i, r] of requests.entries()) {
    if (!Number.isInteger(r.size) || r.size < 0 || !(r.first <= r.last)) throw new Error(`planMemory: bad request ${i}: ${JSON.stringify(r)}`);
  }
  const order = requests.map((_, i) => i).sort((a, b) => requests[b].size - requests[a].size || a - b);
  const offsets = new Array<number>(requests.length).fill(0);
  const placed: number[] = [];
  let size = 0;
  for (const i of order) {
    const r = requests[i];
    const need = alignUp(r.size);
    // Busy intervals in the arena of the placed values alive at the same time, by offset.
    const busy = placed
      .filter((j) => overlapsInTime(r, requests[j]))
      .map((j) => [offsets[j], offsets[j] + alignUp(requests[j].size)] as const)
      .sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [start, end] of busy) {
      if (at + need <= start) break;
      at = Math.max(at, end);
    }
    offsets[i] = at;
    placed.push(i);
    size = Math.max(size, at + need);
  }
  return { offsets, size };
}
