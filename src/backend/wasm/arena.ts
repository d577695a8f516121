// A bump allocator over the module's linear memory, owned by the TypeScript side.
// Permanent regions (parameter blocks, the GEMM packing workspace) sit at the bottom; each
// kernel call takes a mark, allocates its inputs, outputs and scratch above it, and
// releases back to the mark when done, so the same bytes serve every call and memory
// only grows when a larger shape than any before arrives.
//
// memory.grow detaches every typed-array view of the old buffer, so this class never
// hands out a long-lived view: f32()/i32() build a fresh one from memory.buffer each
// time, and callers must not hold one across an alloc().

const PAGE = 65536;
/** wasm32 addresses: 65536 pages of 64 KiB. */
const MAX_BYTES = 65536 * PAGE;

export class Arena {
  private top: number;
  /** Output views resolved to their own place in memory (write()), so get() skips the copy. */
  private readonly inPlace = new WeakMap<Float32Array, number>();
  /** Pinned blocks given back, for reuse by pin(): [start, bytes]. */
  private readonly freed: [number, number][] = [];

  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.top = align(base, 64);
  }

  /** Bytes of linear memory currently backing the arena. */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  /** `bytes` bytes aligned to 16 (v128); grows memory if needed. */
  alloc(op: string, bytes: number): number {
    const start = align(this.top, 16);
    const end = start + align(Math.max(bytes, 0), 16);
    if (!Number.isSafeInteger(end) || end > MAX_BYTES) {
      throw new Error(`${op}: needs ${end} bytes of WebAssembly memory, more than the 4 GiB a wasm32 module can address`);
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // Grow by at least a quarter of the current size so a rising size does not grow every call.
      const need = Math.ceil((end - have) / PAGE);
      const pages = Math.min(Math.max(need, Math.ceil(have / PAGE / 4)), (MAX_BYTES - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch (cause) {
        throw new Error(`${op}: cannot grow WebAssembly memory from ${have} to ${end} bytes (${(cause as Error).message})`);
      }
    }
    this.top = end;
    return start;
  }

  /** A fresh view: valid only until the next alloc(). */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }

  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, length);
  }

  /** Allocates room for `length` doubles and copies the first `length` of `src` in. */
  putF64(op: string, src: Float64Array, length: number): number {
    const ptr = this.alloc(op, length * 8);
    this.f64(ptr, length).set(length === src.length ? src : src.subarray(0, length));
    return ptr;
  }

  /** Allocates room for `length` floats and copies the first `length` of `src` in. */
  put(op: string, src: Float32Array, length: number): number {
    const ptr = this.alloc(op, length * 4);
    this.f32(ptr, length).set(length === src.length ? src : src.subarray(0, length));
    return ptr;
  }

  /** Copies `length` floats at ptr out into dst, unless write() placed dst there. */
  get(ptr: number, length: number, dst: Float32Array): void {
    if (this.inPlace.get(dst) === ptr) return;
    dst.set(this.f32(ptr, length));
  }

  /** Whether `a` is a view of this module's memory (resident: kernels read it in place). */
  resident(a: Float32Array): boolean {
    return a.buffer === this.memory.buffer;
  }

  /** Addresses for one kernel call's arrays: a resident array (a view of this memory, e.g.
   * a compiled plan's arena) is used where it is, with no copy in or out; any other input is
   * copied in (put) and any other output gets fresh room (get() copies it out). Every
   * residency is decided before the first allocation, which may grow memory and detach views. */
  bind(op: string, arrays: readonly Binding[]): number[] {
    const here = arrays.map((b) => b.array !== null && this.resident(b.array));
    const out = arrays.map((b, i) => (here[i] ? (b.array as Float32Array).byteOffset : 0));
    arrays.forEach((b, i) => {
      if (here[i] && b.output) this.inPlace.set(b.array as Float32Array, out[i]);
    });
    arrays.forEach((b, i) => {
      if (here[i] || b.array === null) return;
      out[i] = b.output ? this.alloc(op, b.length * 4) : this.put(op, b.array, b.length);
    });
    return out;
  }

  /** A block kept until unpin(): backend-owned memory that outlives kernel calls (a compiled
   * plan's arena). Call it outside any kernel call (between mark and release it would be freed). */
  pin(op: string, bytes: number): number {
    const size = align(Math.max(bytes, 16), 64);
    const i = this.freed.findIndex(([, b]) => b >= size);
    if (i >= 0) return this.freed.splice(i, 1)[0][0];
    const start = align(this.top, 64);
    this.alloc(op, start - this.top + size);
    return start;
  }

  /** Gives a pinned block back: the top one lowers the arena, others are kept for reuse. */
  unpin(start: number, bytes: number): void {
    const size = align(Math.max(bytes, 16), 64);
    if (start + size >= this.top) this.top = start;
    else this.freed.push([start, size]);
  }
}

/** One array of a kernel call for Arena.bind: null (an absent bias) binds to address 0. */
export interface Binding {
  readonly array: Float32Array | null;
  readonly length: number;
  readonly output?: boolean;
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
