// Max pooling with argmax and average pooling, forward and backward, over all N·C planes
// in one call, and adaptive average pooling. A window is clamped to the input once per
// output; padding never wins a max and counts as zeros in an average (by default every
// window divides by kH·kW, docs/background.md#pooling).

// Parameter blocks: the Pool and AdaptivePool layouts of src/backend/wasm/param-layouts.ts
// (written by writePoolParams / writeAdaptivePoolParams in src/backend/wasm/kernels.ts).
// Backward kernels take dx in the x slot and dy in the y slot. indexOffset is the flat
// index of x's first element in the whole input (the caller runs a chunk of planes);
// dilation applies to max pooling (1 otherwise); countIncludePad 1: average pooling
// divides by the window clipped to the padded input, 0: by its part inside the input.

import { AdaptivePool, Pool } from '../src/backend/wasm/param-layouts';
import { int, ptr } from './params';

/** Max of one window at input offset (h0, w0) of the plane starting at flat index `base`,
 * clamped to the input; writes y and argmax. Branch-free scan (random data would
 * mispredict every compare). A NaN wins at once and then sticks, as in the naive
 * reference: the max of a window holding NaN is NaN. */
@inline function maxWindow(x: usize, base: i32, H: i32, W: i32, h0: i32, w0: i32, kH: i32, kW: i32, y: usize, arg: usize, off: i32): void {
  const hs = max(h0, 0);
  const he = min(h0 + kH, H);
  const ws = max(w0, 0);
  const we = min(w0 + kW, W);
  let bestIndex = base + hs * W + ws;
  let best = load<f32>(x + (<usize>bestIndex << 2));
  for (let ih = hs; ih < he; ih++) {
    const row = base + ih * W;
    for (let iw = ws; iw < we; iw++) {
      const v = load<f32>(x + (<usize>(row + iw) << 2));
      const take = best == best && (v > best || v != v);
      best = select<f32>(v, best, take);
      bestIndex = select<i32>(row + iw, bestIndex, take);
    }
  }
  store<f32>(y, best);
  store<i32>(arg, bestIndex + off);
}

/** maxWindow with taps dH rows and dW columns apart (dilation): the first tap inside the
 * input in each direction, then every dH-th row and dW-th column below the end. */
function maxWindowDilated(x: usize, base: i32, H: i32, W: i32, h0: i32, w0: i32, kH: i32, kW: i32, dH: i32, dW: i32, y: usize, arg: usize, off: i32): void {
  const hs = h0 >= 0 ? h0 : h0 + ((dH - 1 - h0) / dH) * dH;
  const ws = w0 >= 0 ? w0 : w0 + ((dW - 1 - w0) / dW) * dW;
  const he = min(h0 + (kH - 1) * dH + 1, H);
  const we = min(w0 + (kW - 1) * dW + 1, W);
  let bestIndex = base + hs * W + ws;
  let best = load<f32>(x + (<usize>bestIndex << 2));
  for (let ih = hs; ih < he; ih += dH) {
    const row = base + ih * W;
    for (let iw = ws; iw < we; iw += dW) {
      const v = load<f32>(x + (<usize>(row + iw) << 2));
      const take = best == best && (v > best || v != v);
      best = select<f32>(v, best, take);
      bestIndex = select<i32>(row + iw, bestIndex, take);
    }
  }
  store<f32>(y, best);
  store<i32>(arg, bestIndex + off);
}

/** One scan step of four windows at once, same rule as maxWindow. */
@inline function takeMax(best: v128, v: v128): v128 {
  return v128.and(f32x4.eq(best, best), v128.or(f32x4.gt(v, best), f32x4.ne(v, v)));
}

/** The common 2×2 / stride 2 / unpadded-start case, four outputs per step: even and odd
 * input columns are split by shuffles, then scanned in the same order as maxWindow.
 * Returns the first output column it did not handle. */
@inline function maxRow2x2Simd(x: usize, rowIndex: i32, W: i32, OW: i32, y: usize, arg: usize, off: i32): i32 {
  let ow = 0;
  const r0 = x + (<usize>rowIndex << 2); // rowIndex is local to x; off makes the stored index global
  const r1 = r0 + (<usize>W << 2);
  const lanes = i32x4(0, 2, 4, 6);
  for (; ow + 4 <= OW && 2 * ow + 8 <= W; ow += 4) {
    const at = <usize>(2 * ow) << 2;
    const a0 = v128.load(r0 + at);
    const a1 = v128.load(r0 + at, 16);
    const b0 = v128.load(r1 + at);
    const b1 = v128.load(r1 + at, 16);
    const i00 = i32x4.add(i32x4.splat(rowIndex + 2 * ow + off), lanes);
    let best = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
    let index = i00;
    let v = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
    let take = takeMax(best, v);
    best = v128.bitselect(v, best, take);
    index = v128.bitselect(i32x4.add(i00, i32x4.splat(1)), index, take);
    v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
    take = takeMax(best, v);
    best = v128.bitselect(v, best, take);
    index = v128.bitselect(i32x4.add(i00, i32x4.splat(W)), index, take);
    v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
    take = takeMax(best, v);
    best = v128.bitselect(v, best, take);
    index = v128.bitselect(i32x4.add(i00, i32x4.splat(W + 1)), index, take);
    v128.store(y + (<usize>ow << 2), best);
    v128.store(arg + (<usize>ow << 2), index);
    // A ragged end (OW not a multiple of 4) becomes one block ending at the last output
    // when that fits in the row: the overlapped outputs get the same values again.
    if (ow + 4 < OW && ow + 8 > OW && 2 * OW <= W) ow = OW - 8;
  }
  return ow;
}

/** Any kH×kW window at column stride 2 (ResNet's 3×3 / stride 2 / pad 1 stem pool), four
 * outputs per step for windows wholly inside the plane (rows h0..h0+kH, which the caller
 * checked): each tap's four columns (2 apart) are split out of two loads by a shuffle, and
 * the taps are scanned in maxWindow's order with its rule, so every lane gets maxWindow's
 * value and index. Starts at output column ow (whose window starts at column ≥ 0) and
 * returns the first output column it did not handle; loads stay inside the row. */
@inline function maxRowStride2Simd(x: usize, base: i32, W: i32, h0: i32, kH: i32, kW: i32, padLeft: i32, OW: i32, y: usize, arg: usize, off: i32, ow: i32): i32 {
  const lanes = i32x4(0, 2, 4, 6);
  for (; ow + 4 <= OW && 2 * ow - padLeft + kW + 7 <= W; ow += 4) {
    const w0 = 2 * ow - padLeft;
    const first = base + h0 * W + w0;
    let best = v128.shuffle<f32>(v128.load(x + (<usize>first << 2)), v128.load(x + (<usize>first << 2), 16), 0, 2, 4, 6);
    let index = i32x4.add(i32x4.splat(first + off), lanes);
    for (let kh = 0; kh < kH; kh++) {
      const rowIndex = base + (h0 + kh) * W + w0;
      for (let kw = 0; kw < kW; kw++) {
        const at = x + (<usize>(rowIndex + kw) << 2);
        const v = v128.shuffle<f32>(v128.load(at), v128.load(at, 16), 0, 2, 4, 6);
        const take = takeMax(best, v);
        best = v128.bitselect(v, best, take);
        index = v128.bitselect(i32x4.add(i32x4.splat(rowIndex + kw + off), lanes), index, take);
      }
    }
    v128.store(y + (<usize>ow << 2), best);
    v128.store(arg + (<usize>ow << 2), index);
  }
  return ow;
}

/** y = max over each window; argmax = flat index into x of the first maximum (or first NaN). */
export function maxPool2d(params: usize): void {
  const planes = int(params, Pool.planes);
  const H = int(params, Pool.inHeight);
  const W = int(params, Pool.inWidth);
  const OH = int(params, Pool.outHeight);
  const OW = int(params, Pool.outWidth);
  const kH = int(params, Pool.kernelHeight);
  const kW = int(params, Pool.kernelWidth);
  const sH = int(params, Pool.strideHeight);
  const sW = int(params, Pool.strideWidth);
  const padTop = int(params, Pool.padTop);
  const padLeft = int(params, Pool.padLeft);
  const x = ptr(params, Pool.x);
  let y = ptr(params, Pool.y);
  let arg = ptr(params, Pool.argmax);
  const off = int(params, Pool.indexOffset);
  const dH = int(params, Pool.dilationHeight);
  const dW = int(params, Pool.dilationWidth);
  const dilated = dH != 1 || dW != 1;
  const twoByTwo = kH == 2 && kW == 2 && sH == 2 && sW == 2 && padTop == 0 && padLeft == 0 && !dilated;
  const strideTwo = sW == 2 && !dilated && !twoByTwo;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - padTop;
      let ow = 0;
      if (ASC_FEATURE_SIMD) {
        if (twoByTwo && h0 + 1 < H) ow = maxRow2x2Simd(x, base + h0 * W, W, OW, y, arg, off);
        if (strideTwo && h0 >= 0 && h0 + kH <= H) {
          // Windows cut by the left padding first, one by one; then four at a time.
          const inside = min(OW, (padLeft + 1) >> 1);
          for (; ow < inside; ow++) maxWindow(x, base, H, W, h0, ow * sW - padLeft, kH, kW, y + (<usize>ow << 2), arg + (<usize>ow << 2), off);
          ow = maxRowStride2Simd(x, base, W, h0, kH, kW, padLeft, OW, y, arg, off, ow);
        }
      }
      if (dilated) {
        for (; ow < OW; ow++) {
          maxWindowDilated(x, base, H, W, h0, ow * sW - padLeft, kH, kW, dH, dW, y + (<usize>ow << 2), arg + (<usize>ow << 2), off);
        }
      }
      for (; ow < OW; ow++) {
        maxWindow(x, base, H, W, h0, ow * sW - padLeft, kH, kW, y + (<usize>ow << 2), arg + (<usize>ow << 2), off);
      }
      y += <usize>OW << 2;
      arg += <usize>OW << 2;
    }
  }
}

/** dx = 0, then dx[argmax[i]] += dy[i] for i < count. Indices outside [0, nx) are skipped
 * and counted; the count is returned so the caller can refuse the result. */
export function maxPool2dBackward(dy: usize, argmax: usize, count: i32, dx: usize, nx: i32): i32 {
  memory.fill(dx, 0, <usize>nx << 2);
  let bad = 0;
  for (let i = 0; i < count; i++) {
    const index = load<i32>(argmax + (<usize>i << 2));
    if (<u32>index >= <u32>nx) {
      bad++;
      continue;
    }
    const d = dx + (<usize>index << 2);
    store<f32>(d, load<f32>(d) + load<f32>(dy + (<usize>i << 2)));
  }
  return bad;
}

/** maxPool2dBackward of a range of planes: dx (nx floats) holds the planes whose first flat
 * index in the whole input is `offset`, and argmax the whole input's indices; indices
 * outside the range are skipped and their count stored at `bad` (a thread's share). */
export function maxPool2dBackwardRange(dy: usize, argmax: usize, count: i32, dx: usize, nx: i32, offset: i32, bad: usize): void {
  memory.fill(dx, 0, <usize>nx << 2);
  let skipped = 0;
  for (let i = 0; i < count; i++) {
    const index = load<i32>(argmax + (<usize>i << 2)) - offset;
    if (<u32>index >= <u32>nx) {
      skipped++;
      continue;
    }
    const d = dx + (<usize>index << 2);
    store<f32>(d, load<f32>(d) + load<f32>(dy + (<usize>i << 2)));
  }
  store<i32>(bad, skipped);
}

/** The 2×2 / stride 2 / unpadded-start average, four outputs per step: even and odd columns
 * split by shuffles and summed in maxWindow's scan order (x00 + x01 + x10 + x11), as the
 * scalar loop does. Returns the first output column it did not handle. */
@inline function avgRow2x2Simd(r0: usize, W: i32, OW: i32, y: usize): i32 {
  let ow = 0;
  const r1 = r0 + (<usize>W << 2);
  const quarter = f32x4.splat(0.25);
  for (; ow + 4 <= OW && 2 * ow + 8 <= W; ow += 4) {
    const at = <usize>(2 * ow) << 2;
    const a0 = v128.load(r0 + at);
    const a1 = v128.load(r0 + at, 16);
    const b0 = v128.load(r1 + at);
    const b1 = v128.load(r1 + at, 16);
    let s = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 2, 4, 6), v128.shuffle<f32>(a0, a1, 1, 3, 5, 7));
    s = f32x4.add(s, v128.shuffle<f32>(b0, b1, 0, 2, 4, 6));
    s = f32x4.add(s, v128.shuffle<f32>(b0, b1, 1, 3, 5, 7));
    v128.store(y + (<usize>ow << 2), f32x4.mul(s, quarter));
    if (ow + 4 < OW && ow + 8 > OW && 2 * OW <= W) ow = OW - 8; // ragged end, as in maxRow2x2Simd
  }
  return ow;
}

/** 1 / the divisor of the window starting at (h0, w0), clamped to [hs, he) × [ws, we): with
 * countPad the window clipped to the padded input (it never starts before it), else the
 * clamped window. Only for windows that are not all kH×kW (ceilMode, countIncludePad 0). */
@inline function windowScale(h0: i32, w0: i32, hs: i32, he: i32, ws: i32, we: i32, kH: i32, kW: i32, hEnd: i32, wEnd: i32, countPad: bool): f32 {
  const rows = countPad ? min(h0 + kH, hEnd) - h0 : he - hs;
  const cols = countPad ? min(w0 + kW, wEnd) - w0 : we - ws;
  return 1 / <f32>(rows * cols);
}

/** Whether every window of average pooling divides by kH·kW: padding counts, and the last
 * windows end inside the padded input (always so unless ceilMode made them run past it). */
@inline function fullWindows(H: i32, W: i32, OH: i32, OW: i32, kH: i32, kW: i32, sH: i32, sW: i32, padTop: i32, padLeft: i32, hEnd: i32, wEnd: i32, countPad: bool): bool {
  return countPad && (OH - 1) * sH - padTop + kH <= hEnd && (OW - 1) * sW - padLeft + kW <= wEnd;
}

/** Σ of the plane at `base` (row length W) over rows [hs, he) and columns [ws, we). */
@inline function windowSum(base: usize, W: i32, hs: i32, he: i32, ws: i32, we: i32): f32 {
  let sum: f32 = 0;
  for (let ih = hs; ih < he; ih++) {
    const row = base + ((<usize>ih * <usize>W) << 2);
    for (let iw = ws; iw < we; iw++) sum += load<f32>(row + (<usize>iw << 2));
  }
  return sum;
}

/** Adds g to every element of that window (the adjoint of windowSum). */
@inline function windowAdd(base: usize, W: i32, hs: i32, he: i32, ws: i32, we: i32, g: f32): void {
  for (let ih = hs; ih < he; ih++) {
    const row = base + ((<usize>ih * <usize>W) << 2);
    for (let iw = ws; iw < we; iw++) {
      const d = row + (<usize>iw << 2);
      store<f32>(d, load<f32>(d) + g);
    }
  }
}

/** Every window of average pooling, in output order: the forward stores the window's sum /
 * its divisor (kH·kW by default) in y; the adjoint zeroes dx (the x slot), then spreads
 * each dy (the y slot) / its divisor over the input part of its window. */
@inline function averageWindows(params: usize, adjoint: bool): void {
  const planes = int(params, Pool.planes);
  const H = int(params, Pool.inHeight);
  const W = int(params, Pool.inWidth);
  const OH = int(params, Pool.outHeight);
  const OW = int(params, Pool.outWidth);
  const kH = int(params, Pool.kernelHeight);
  const kW = int(params, Pool.kernelWidth);
  const sH = int(params, Pool.strideHeight);
  const sW = int(params, Pool.strideWidth);
  const padTop = int(params, Pool.padTop);
  const padLeft = int(params, Pool.padLeft);
  const x = ptr(params, Pool.x);
  let y = ptr(params, Pool.y);
  const hEnd = H + int(params, Pool.padBottom);
  const wEnd = W + int(params, Pool.padRight);
  const countPad = int(params, Pool.countIncludePad) != 0;
  const full = fullWindows(H, W, OH, OW, kH, kW, sH, sW, padTop, padLeft, hEnd, wEnd, countPad);
  const scale: f32 = 1 / <f32>(kH * kW);
  // The SIMD body only takes 2×2 windows wholly inside the input: their divisor is 4 either way.
  const twoByTwo = !adjoint && kH == 2 && kW == 2 && sH == 2 && sW == 2 && padTop == 0 && padLeft == 0;
  if (adjoint) memory.fill(x, 0, (<usize>planes * <usize>H * <usize>W) << 2);
  for (let plane = 0; plane < planes; plane++) {
    const base = x + ((<usize>plane * <usize>H * <usize>W) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - padTop;
      const hs = max(h0, 0);
      const he = min(h0 + kH, H);
      let ow = 0;
      if (ASC_FEATURE_SIMD) {
        if (twoByTwo && h0 + 1 < H) {
          ow = avgRow2x2Simd(base + ((<usize>h0 * <usize>W) << 2), W, OW, y);
          y += <usize>ow << 2;
        }
      }
      for (; ow < OW; ow++) {
        const w0 = ow * sW - padLeft;
        const ws = max(w0, 0);
        const we = min(w0 + kW, W);
        const divide = full ? scale : windowScale(h0, w0, hs, he, ws, we, kH, kW, hEnd, wEnd, countPad);
        if (adjoint) windowAdd(base, W, hs, he, ws, we, load<f32>(y) * divide);
        else store<f32>(y, windowSum(base, W, hs, he, ws, we) * divide);
        y += 4;
      }
    }
  }
}

/** y = sum over the window (padding as zeros) / its divisor (kH·kW by default). */
export function avgPool2d(params: usize): void {
  averageWindows(params, false);
}

/** dx = 0, then every dy spreads dy / its divisor (kH·kW by default) over the input part of its window. */
export function avgPool2dBackward(params: usize): void {
  averageWindows(params, true);
}

/** Output o of adaptive pooling along one dimension covers [floor(o·size/out), ceil((o+1)·size/out)). */
@inline function adaptiveStart(o: i32, size: i32, out: i32): i32 {
  return (o * size) / out;
}

@inline function adaptiveEnd(o: i32, size: i32, out: i32): i32 {
  return ((o + 1) * size + out - 1) / out;
}

/** Every adaptive window in output order: the forward stores its mean in y; the adjoint
 * zeroes dx (the x slot), then spreads each dy (the y slot) evenly over its window. */
@inline function adaptiveWindows(params: usize, adjoint: bool): void {
  const planes = int(params, AdaptivePool.planes);
  const H = int(params, AdaptivePool.inHeight);
  const W = int(params, AdaptivePool.inWidth);
  const OH = int(params, AdaptivePool.outHeight);
  const OW = int(params, AdaptivePool.outWidth);
  const x = ptr(params, AdaptivePool.x);
  let y = ptr(params, AdaptivePool.y);
  if (adjoint) memory.fill(x, 0, (<usize>planes * <usize>H * <usize>W) << 2);
  for (let plane = 0; plane < planes; plane++) {
    const base = x + ((<usize>plane * <usize>H * <usize>W) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const hs = adaptiveStart(oh, H, OH);
      const he = adaptiveEnd(oh, H, OH);
      for (let ow = 0; ow < OW; ow++) {
        const ws = adaptiveStart(ow, W, OW);
        const we = adaptiveEnd(ow, W, OW);
        const divide: f32 = 1 / <f32>((he - hs) * (we - ws));
        if (adjoint) windowAdd(base, W, hs, he, ws, we, load<f32>(y) * divide);
        else store<f32>(y, windowSum(base, W, hs, he, ws, we) * divide);
        y += 4;
      }
    }
  }
}

/** y = mean over each adaptive window (PyTorch's adaptive_avg_pool2d). */
export function adaptiveAvgPool2d(params: usize): void {
  adaptiveWindows(params, false);
}

/** dx = 0, then every dy spreads evenly over its adaptive window. */
export function adaptiveAvgPool2dBackward(params: usize): void {
  adaptiveWindows(params, true);
}
