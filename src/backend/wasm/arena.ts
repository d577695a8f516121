// The module's linear memory, owned by the TypeScript side, in three layers from the
// bottom: permanent regions (parameter blocks, GEMM packing workspaces); the heap of
// blocks that outlive kernel calls (tensors, compiled plans: pin/unpin, best fit with
// coalescing, see heap.ts); and above the heap's end a stack of per-call scratch: each
// kernel call takes a mark, allocates its inputs, outputs and scratch above it, and
// releases back to the mark when done, so the same bytes serve every call and memory
// only grows when a larger shape than any before arrives.
//
// memory.grow detaches every typed-array view of the old buffer, so this class never
// hands out a long-lived view: f32()/i32() build a fresh one from memory.buffer each
// time, and callers must not hold one across an alloc(). Every buffer a grow detached is
// remembered (retired), so a view kept by mistake is recognised and refused loudly.
import { FreeList } from './heap.js';

const PAGE = 65536;
/** wasm32 addresses: 65536 pages of 64 KiB. */
const MAX_BYTES = 65536 * PAGE;

export class Arena {
  private top: number;
  /** Output views resolved to their own place in memory (write()), so get() skips the copy. */
  private readonly inPlace = new WeakMap<Float32Array, number>();
  /** Free blocks between `base` and the heap's end. */
  private readonly heap = new FreeList();
  /** Start of the heap (-1 until the first pin: permanent regions are allocated before). */
  private heapStart = -1;
  /** End of the heap: scratch starts here; equal to `top` outside kernel calls. */
  private heapEnd: number;
  /** Buffers detached by a memory.grow (non-shared memory only), with the grow count then. */
  private readonly retired = new WeakMap<ArrayBufferLike, number>();
  /** memory.grow calls so far, and the count when the outermost kernel call began. */
  private generation = 0;
  private scopeGeneration = 0;
  /** Addresses of views handed out by buffers of this memory (see place()). */
  private readonly places = new WeakMap<Float32Array, number>();

  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.top = align(base, 64);
    this.heapEnd = this.top;
  }

  /** Bytes held by pinned blocks now (tensors, plans): what a leak would make grow. */
  get pinnedBytes(): number {
    return this.heapStart < 0 ? 0 : this.heapEnd - this.heapStart - this.heap.freeBytes;
  }

  /** Free blocks in the heap (after coalescing), for tests. */
  get freeBlocks(): number {
    return this.heap.blocks;
  }

  /** Whether `a` views a buffer that memory.grow detached (a stale view kept across a grow). */
  stale(a: ArrayBufferView): boolean {
    return this.retired.has(a.buffer);
  }

  /** Bytes of linear memory currently backing the arena. */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  /** Starts a kernel call's scratch scope (pair with release). */
  mark(): number {
    if (this.scopes++ === 0) this.scopeGeneration = this.generation;
    return this.top;
  }

  release(mark: number): void {
    this.scopes--;
    this.top = mark;
  }

  private scopes = 0;

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
      const old = this.memory.buffer;
      try {
        this.memory.grow(pages);
        this.generation++;
        if (old instanceof ArrayBuffer) this.retired.set(old, this.generation); // a shared buffer's old views stay valid
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

  /** Allocates room for `length` floats and copies the first `length` of `src` in. A
   * resident src (a view of this memory) is copied within memory from its own address,
   * which stays right when an allocation in this call has detached the view. */
  put(op: string, src: Float32Array, length: number): number {
    const from = this.addressOf(op, src, length);
    const ptr = this.alloc(op, length * 4);
    this.copyFrom(src, from, ptr, length);
    return ptr;
  }

  /** Copies the first `length` floats of src to ptr (src resident or not; no allocation). */
  copyIn(op: string, src: Float32Array, ptr: number, length: number): void {
    this.copyFrom(src, this.addressOf(op, src, length), ptr, length);
  }

  private copyFrom(src: Float32Array, from: number, ptr: number, length: number): void {
    if (length === 0 || from === ptr) return;
    if (from >= 0) new Uint8Array(this.memory.buffer).copyWithin(ptr, from, from + length * 4);
    else this.f32(ptr, length).set(length === src.length ? src : src.subarray(0, length));
  }

  /** Records the address of a view handed out by a buffer of this memory (a tensor's data,
   * a plan's values), so a kernel call finds it even after an allocation inside that call
   * has detached the view (its byteOffset then reads 0). */
  place(view: Float32Array, ptr: number): void {
    this.places.set(view, ptr);
  }

  /** The address of a resident array, or -1 for a JavaScript array (whose length is then
   * checked). A view a buffer placed is found by its record, also when an allocation in
   * this call detached it, or when a shared memory's grow gave memory a new buffer object;
   * a view detached before the current kernel call began is stale: refused. */
  addressOf(op: string, a: Float32Array, length: number): number {
    const placed = this.places.get(a);
    if (placed !== undefined) {
      if (a.length < length) {
        const retiredAt = this.retired.get(a.buffer);
        if (retiredAt === undefined) throw new Error(`${op}: an array has ${a.length} elements, ${length} needed`);
        if (retiredAt <= this.scopeGeneration) throw staleView(op);
      }
      return placed;
    }
    if (a.buffer === this.memory.buffer) return a.byteOffset;
    if (a.length < length) {
      if (this.retired.has(a.buffer)) throw staleView(op);
      throw new Error(`${op}: an array has ${a.length} elements, ${length} needed`);
    }
    return -1;
  }

  /** Copies `length` floats at ptr out into dst, unless dst is that memory already (an
   * output bound in place); a resident dst detached during the call is written at its address. */
  get(ptr: number, length: number, dst: Float32Array): void {
    if (this.inPlace.get(dst) === ptr) return;
    const at = this.addressOf('get', dst, length);
    if (at === ptr) return;
    if (at >= 0) new Uint8Array(this.memory.buffer).copyWithin(at, ptr, ptr + length * 4);
    else dst.set(this.f32(ptr, length));
  }

  /** `a` itself, or for a resident view that an allocation in this call detached, a fresh
   * view at its address: what a kernel that copies chunks in and out reads and writes
   * after its allocations. Valid until the next alloc(). */
  fresh(op: string, a: Float32Array, length: number): Float32Array {
    if (a.buffer === this.memory.buffer) return a;
    const at = this.addressOf(op, a, length);
    return at < 0 ? a : this.f32(at, length);
  }

  /** Whether `a` is a view of this module's memory (resident: kernels read it in place). */
  resident(a: Float32Array): boolean {
    return a.buffer === this.memory.buffer || this.places.has(a);
  }

  /** Addresses for one kernel call's arrays: a resident array (a view of this memory, e.g.
   * a tensor's data or a compiled plan's arena) is used where it is, with no copy in or
   * out; any other input is copied in (put) and any other output gets fresh room (get()
   * copies it out). Every address is decided before the first allocation. */
  bind(op: string, arrays: readonly Binding[]): number[] {
    const out = arrays.map((b) => (b.array === null ? -1 : this.addressOf(op, b.array, b.length)));
    arrays.forEach((b, i) => {
      if (out[i] >= 0 && b.output) this.inPlace.set(b.array as Float32Array, out[i]);
    });
    arrays.forEach((b, i) => {
      if (b.array === null) out[i] = 0;
      else if (out[i] < 0) out[i] = b.output ? this.alloc(op, b.length * 4) : this.put(op, b.array, b.length);
    });
    return out;
  }

  /** A block kept until unpin(): backend-owned memory that outlives kernel calls (a tensor,
   * a compiled plan's arena), 64-byte aligned. The best-fitting free block is reused;
   * otherwise the heap's end moves up. Not inside a kernel call while scratch is in use
   * (the heap cannot move past live scratch). */
  pin(op: string, bytes: number): number {
    const size = align(Math.max(bytes, 16), 64);
    if (this.scopes > 0) throw new Error(`${op}: cannot pin memory inside a kernel call (its scratch is above the heap)`);
    if (this.heapStart < 0) {
      this.heapStart = align(this.top, 64);
      this.heapEnd = this.heapStart;
      this.top = Math.max(this.top, this.heapEnd);
    }
    const reused = this.heap.take(size);
    if (reused >= 0) return reused;
    // A permanent block allocated after the heap began sits at its end: it stays used.
    if (this.top > this.heapEnd) this.heapEnd = this.top = align(this.top, 64);
    const start = this.heapEnd;
    this.alloc(op, start + size - this.top);
    this.heapEnd = start + size;
    this.top = this.heapEnd;
    return start;
  }

  /** Gives a pinned block back: it merges with free neighbours, and a free block at the
   * heap's end lowers the end (so scratch reuses it). */
  unpin(start: number, bytes: number): void {
    const size = align(Math.max(bytes, 16), 64);
    if (start < this.heapStart || start + size > this.heapEnd) throw new Error(`unpin: block [${start}, +${size}) is not in the heap`);
    this.heap.give(start, size);
    if (this.scopes > 0) return; // scratch sits above the heap's end: keep the end
    const tail = this.heap.takeEndingAt(this.heapEnd);
    if (tail >= 0 && this.top === this.heapEnd) {
      this.heapEnd = tail;
      this.top = tail;
    } else if (tail >= 0) this.heap.give(tail, this.heapEnd - tail);
  }
}

/** One array of a kernel call for Arena.bind: null (an absent bias) binds to address 0. */
export interface Binding {
  readonly array: Float32Array | null;
  readonly length: number;
  readonly output?: boolean;
}

function staleView(op: string): Error {
  return new Error(`${op}: an array is a stale view of WebAssembly memory (detached by memory.grow before this call); take tensor.data again after any op`);
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
