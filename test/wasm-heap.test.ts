// The arena's heap for resident tensors: best-fit reuse, coalescing of freed neighbours,
// the heap's end falling back when its last blocks are freed, and refusals (a double free,
// a pin inside a kernel call). Also the view bookkeeping: a view placed by a buffer is
// found by its address after a grow inside a call, a view detached before is refused.
import { describe, expect, it } from 'vitest';
import { Arena } from '../src/backend/wasm/arena.js';
import { FreeList } from '../src/backend/wasm/heap.js';

const PAGE = 65536;
const arena = (pages = 1) => new Arena(new WebAssembly.Memory({ initial: pages, maximum: 4096 }), 1024);

describe('FreeList', () => {
  it('takes the best fit and splits it', () => {
    const f = new FreeList();
    f.give(0, 256);
    f.give(1024, 128);
    f.give(2048, 512);
    expect(f.take(128)).toBe(1024); // the exact fit, not the first block big enough
    expect(f.take(64)).toBe(0); // the smallest block that holds it (256 of 256, 512)
    expect(f.take(128)).toBe(64); // its tail
    expect(f.freeBytes).toBe(64 + 512);
    expect(f.take(1024)).toBe(-1);
  });

  it('merges a freed block with both neighbours', () => {
    const f = new FreeList();
    f.give(0, 64);
    f.give(128, 64);
    expect(f.blocks).toBe(2);
    f.give(64, 64);
    expect(f.blocks).toBe(1);
    expect(f.take(192)).toBe(0);
    expect(f.blocks).toBe(0);
  });

  it('refuses a double free', () => {
    const f = new FreeList();
    f.give(64, 64);
    expect(() => f.give(64, 64)).toThrow(/already free/);
    expect(() => f.give(0, 128)).toThrow(/already free/);
  });
});

describe('Arena heap', () => {
  it('reuses freed blocks, coalesces them and lowers the end when the last one goes', () => {
    const a = arena();
    const p = [100, 200, 300, 400].map((b) => a.pin('test', b));
    for (const x of p) expect(x % 64).toBe(0);
    expect(a.pinnedBytes).toBe(128 + 256 + 320 + 448);
    a.unpin(p[1], 200);
    a.unpin(p[0], 100);
    expect(a.freeBlocks).toBe(1); // [p0, p2) merged
    expect(a.pin('test', 384)).toBe(p[0]); // 128 + 256 bytes: the merged block exactly
    a.unpin(p[0], 384);
    a.unpin(p[3], 400); // the last block: the end falls back...
    expect(a.pinnedBytes).toBe(320);
    a.unpin(p[2], 300); // ...and with p2 freed, through the merged free block too
    expect(a.pinnedBytes).toBe(0);
    expect(a.freeBlocks).toBe(0);
    expect(a.pin('test', 64)).toBe(p[0]);
  });

  it('a loop of varied sizes does not grow memory after its first round', () => {
    const a = arena();
    const sizes = [4096, 300, 70000, 64, 12000, 900, 70000, 5];
    const round = () => {
      const held = sizes.map((s) => [a.pin('test', s), s] as const);
      // Free in an order unlike allocation so the holes are not just a stack.
      for (const i of [3, 0, 6, 1, 7, 2, 5, 4]) a.unpin(held[i][0], held[i][1]);
    };
    round();
    const after = a.capacity;
    for (let r = 0; r < 50; r++) round();
    expect(a.capacity).toBe(after);
    expect(a.pinnedBytes).toBe(0);
  });

  it('refuses to pin inside a kernel call and to unpin what is not in the heap', () => {
    const a = arena();
    const m = a.mark();
    expect(() => a.pin('inside', 64)).toThrow(/inside a kernel call/);
    a.release(m);
    const p = a.pin('test', 64);
    expect(() => a.unpin(p + 4096, 64)).toThrow(/not in the heap/);
    a.unpin(p, 64);
    expect(() => a.unpin(p, 64)).toThrow(/not in the heap|already free/);
  });

  it('scratch above the heap is released back to the heap end', () => {
    const a = arena();
    a.pin('test', 256);
    const m = a.mark();
    const s = a.alloc('scratch', 1000);
    expect(s).toBeGreaterThanOrEqual(1024 + 256);
    a.release(m);
    expect(a.mark()).toBe(m);
  });
});

describe('Arena views across memory.grow', () => {
  it('a placed view detached by a grow inside the call is found at its address', () => {
    const a = arena(1);
    const ptr = a.pin('test', 400);
    const v = new Float32Array(a.memory.buffer, ptr, 100);
    a.place(v, ptr);
    v.set(Float32Array.from({ length: 100 }, (_, i) => i + 0.5));
    const m = a.mark();
    a.alloc('grow', 3 * PAGE); // grows: v is detached
    expect(v.length).toBe(0);
    const copy = a.put('put', v, 100);
    expect(Array.from(a.f32(copy, 100))).toEqual(Array.from({ length: 100 }, (_, i) => i + 0.5));
    a.release(m);
  });

  it('a view detached before the call is refused, placed or not', () => {
    const a = arena(1);
    const ptr = a.pin('test', 400);
    const placed = new Float32Array(a.memory.buffer, ptr, 100);
    a.place(placed, ptr);
    const unplaced = new Float32Array(a.memory.buffer, ptr, 100);
    a.pin('big', 3 * PAGE); // grows outside any call
    const m = a.mark();
    expect(() => a.put('conv2d', placed, 100)).toThrow(/conv2d: .*stale view/);
    expect(() => a.bind('relu', [{ array: unplaced, length: 100 }])).toThrow(/relu: .*stale view/);
    a.release(m);
    expect(a.stale(placed)).toBe(true);
  });

  it('a placed view shorter than the call needs is refused, not read past', () => {
    const a = arena(1);
    const ptr = a.pin('test', 400);
    const v = new Float32Array(a.memory.buffer, ptr, 10);
    a.place(v, ptr);
    const m = a.mark();
    expect(() => a.bind('gemm', [{ array: v, length: 11 }])).toThrow(/gemm: an array has 10 elements, 11 needed/);
    a.release(m);
  });

  it('views of a shared memory never go stale', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 64, shared: true });
    const a = new Arena(memory, 1024);
    const ptr = a.pin('test', 400);
    const v = new Float32Array(memory.buffer, ptr, 100).fill(3);
    a.place(v, ptr);
    a.pin('big', 3 * PAGE);
    expect(v.length).toBe(100);
    expect(a.stale(v)).toBe(false);
    expect(v.buffer).not.toBe(memory.buffer); // a grow gives a shared memory a new buffer object...
    const m = a.mark();
    expect(a.bind('relu', [{ array: v, length: 100 }])).toEqual([ptr]); // ...the view is still bound in place
    expect(a.f32(a.put('put', v, 100), 100)[99]).toBe(3);
    a.release(m);
  });
});
