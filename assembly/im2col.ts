// im2col / col2im for ONE image and a range of channels (the TS side loops over images and
// groups). Rows of cols are ordered (c, kh, kw) as PyTorch's unfold; each row holds OH·OW
// values. The valid range of output columns for a tap is computed once per row, so the
// inner loops copy/add without per-element bounds checks.

// Parameter block: the Im2col layout of src/backend/wasm/param-layouts.ts (written by
// writeIm2colParams in src/backend/wasm/kernels.ts). Its ld is the row length of cols in
// floats for im2col (0: OH·OW; larger lays several images side by side).

import { Im2col } from '../src/backend/wasm/param-layouts';
import { int, ptr } from './params';

/** First ow with ow·stride + off ≥ 0. */
@inline function firstValid(off: i32, stride: i32): i32 {
  return off >= 0 ? 0 : (-off + stride - 1) / stride;
}

/** One past the last ow with ow·stride + off < size, clamped to [0, out]. */
@inline function endValid(off: i32, stride: i32, size: i32, out: i32): i32 {
  const last = size - 1 - off;
  return last < 0 ? 0 : min(out, last / stride + 1);
}

// Rows here are short (an output row of a few dozen floats), where V8's memory.copy /
// memory.fill calls cost more than the copy itself, so these are inline loops.

/** dst[0..n) = src[0..n). */
@inline function copyFloats(dst: usize, src: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, v128.load(src + o));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(src + o));
  }
}

/** dst[0..n) = 0. */
@inline function zeroFloats(dst: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) v128.store(dst + (<usize>j << 2), i32x4.splat(0));
  }
  for (; j < n; j++) store<f32>(dst + (<usize>j << 2), 0);
}

/** dst[0..n) += src[0..n) (both contiguous). */
@inline function addInto(dst: usize, src: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** cols row ← the tap's row segment [lo, hi) of x (stride sW, from src), zeros around it. */
@inline function gatherRow(col: usize, src: usize, lo: i32, hi: i32, OW: i32, sW: i32): void {
  zeroFloats(col, lo);
  if (sW == 1) {
    copyFloats(col + (<usize>lo << 2), src, hi - lo);
  } else {
    for (let ow = lo; ow < hi; ow++) {
      store<f32>(col + (<usize>ow << 2), load<f32>(src + (<usize>((ow - lo) * sW) << 2)));
    }
  }
  zeroFloats(col + (<usize>hi << 2), OW - hi);
}

/** The adjoint of gatherRow on the segment: x (from dst, stride sW) += cols row [lo, hi). */
@inline function scatterRow(col: usize, dst: usize, lo: i32, hi: i32, sW: i32): void {
  const from = col + (<usize>lo << 2);
  if (sW == 1) {
    addInto(dst, from, hi - lo);
  } else {
    for (let ow = lo; ow < hi; ow++) {
      const d = dst + (<usize>((ow - lo) * sW) << 2);
      store<f32>(d, load<f32>(d) + load<f32>(from + (<usize>(ow - lo) << 2)));
    }
  }
}

/** Every (channel, tap, output row) of the unfold, in the order of the rows of cols. */
@inline function unfold(params: usize, adjoint: bool): void {
  const channels = int(params, Im2col.channels);
  const H = int(params, Im2col.inHeight);
  const W = int(params, Im2col.inWidth);
  const kH = int(params, Im2col.kernelHeight);
  const kW = int(params, Im2col.kernelWidth);
  const sH = int(params, Im2col.strideHeight);
  const sW = int(params, Im2col.strideWidth);
  const dH = int(params, Im2col.dilationHeight);
  const dW = int(params, Im2col.dilationWidth);
  const padTop = int(params, Im2col.padTop);
  const padLeft = int(params, Im2col.padLeft);
  const OH = int(params, Im2col.outHeight);
  const OW = int(params, Im2col.outWidth);
  const x = ptr(params, Im2col.x);
  let col = ptr(params, Im2col.cols);
  const ld = int(params, Im2col.ld);
  const gap = !adjoint && ld > OH * OW ? <usize>(ld - OH * OW) << 2 : 0;
  const planeBytes = (<usize>H * <usize>W) << 2;
  if (adjoint) memory.fill(x, 0, <usize>channels * planeBytes);
  const rowBytes = <usize>OW << 2;
  for (let c = 0; c < channels; c++) {
    const plane = x + ((<usize>c * <usize>H * <usize>W) << 2);
    for (let kh = 0; kh < kH; kh++) {
      const offH = kh * dH - padTop;
      for (let kw = 0; kw < kW; kw++) {
        const offW = kw * dW - padLeft;
        const lo = min(firstValid(offW, sW), OW);
        const hi = max(endValid(offW, sW, W, OW), lo);
        if (kw > 0 || kh > 0 || c > 0) col += gap;
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sH + offH;
          if (ih < 0 || ih >= H) {
            if (!adjoint) zeroFloats(col, OW);
          } else {
            const at = plane + ((<usize>ih * <usize>W + <usize>(lo * sW + offW)) << 2);
            if (adjoint) scatterRow(col, at, lo, hi, sW);
            else gatherRow(col, at, lo, hi, OW, sW);
          }
          col += rowBytes;
        }
      }
    }
  }
}

export function im2col(params: usize): void {
  unfold(params, false);
}

/** The adjoint of im2col: zeroes the channel range of x, then adds every tap back. */
export function col2im(params: usize): void {
  unfold(params, true);
}
