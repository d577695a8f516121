// Data movement for concat, split and constant pad: a strided box copy whose rows are
// contiguous on both sides (one memory.copy each; bulk memory is on in every variant),
// and a fill. The TypeScript side describes the copy once (src/backend/layout-kernels.ts
// simplifyBox: axes of one element dropped, contiguous neighbours merged), so an NCHW
// channel concat is one long row per image and part.

// Parameter block (built in the arena by writeBoxParams in src/backend/wasm/kernels.ts):
// the Box header of src/backend/wasm/param-layouts.ts (rank r ≥ 1, src, dst, and the
// odometer's scratch of r i32 slots), then r BoxAxis entries (count, src stride, dst
// stride in elements; strides may be negative), outermost first. Byte pointers; every
// address the box reaches is inside an arena allocation (the TypeScript side checked the
// box against both arrays).

import { Box, BoxAxis } from '../src/backend/wasm/param-layouts';
import { int, ptr } from './params';

/** Slot of field `field` of axis d. */
@inline function axisSlot(d: i32, field: i32): i32 {
  return Box.slots + d * BoxAxis.slots + field;
}

/** Copies the box described at `params`. */
export function copyBox(params: usize): void {
  const r = int(params, Box.rank);
  let src = ptr(params, Box.src);
  let dst = ptr(params, Box.dst);
  const index = ptr(params, Box.odometer);
  const n = int(params, axisSlot(r - 1, BoxAxis.count));
  const sIn = int(params, axisSlot(r - 1, BoxAxis.srcStride));
  const dIn = int(params, axisSlot(r - 1, BoxAxis.dstStride));
  if (n <= 0) return;
  let rows = 1;
  for (let d = 0; d < r - 1; d++) {
    const count = int(params, axisSlot(d, BoxAxis.count));
    if (count <= 0) return;
    rows *= count;
    store<i32>(index + (<usize>d << 2), 0);
  }
  const contiguous = sIn == 1 && dIn == 1;
  const rowBytes = <usize>n << 2;
  for (let row = 0; row < rows; row++) {
    if (contiguous) memory.copy(dst, src, rowBytes);
    else {
      for (let j = 0; j < n; j++) store<f32>(dst + (<usize>(j * dIn) << 2), load<f32>(src + (<usize>(j * sIn) << 2)));
    }
    for (let d = r - 2; d >= 0; d--) {
      const count = int(params, axisSlot(d, BoxAxis.count));
      const ss = int(params, axisSlot(d, BoxAxis.srcStride));
      const ds = int(params, axisSlot(d, BoxAxis.dstStride));
      const slot = index + (<usize>d << 2);
      const i = load<i32>(slot) + 1;
      src += <usize>(ss << 2);
      dst += <usize>(ds << 2);
      if (i < count) {
        store<i32>(slot, i);
        break;
      }
      src -= <usize>((ss * count) << 2);
      dst -= <usize>((ds * count) << 2);
      store<i32>(slot, 0);
    }
  }
}

/** n floats at ptr set to value (+0 by memory.fill; any other value, −0 included, by stores). */
export function fill(ptr: usize, n: i32, value: f32): void {
  if (reinterpret<u32>(value) == 0) {
    memory.fill(ptr, 0, <usize>n << 2);
    return;
  }
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const v = f32x4.splat(value);
    for (; i + 4 <= n; i += 4) v128.store(ptr + (<usize>i << 2), v);
  }
  for (; i < n; i++) store<f32>(ptr + (<usize>i << 2), value);
}
