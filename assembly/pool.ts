// Max pooling with argmax and average pooling, forward and backward, over all N·C planes
// in one call, and adaptive average pooling. A window is clamped to the input once per
// output; padding never wins a max and counts as zeros in an average (by default every
// window divides by kH·kW, docs/background.md#pooling).

// Parameter block (4-byte slots), written by writePoolParams in src/backend/wasm/kernels.ts:
// 0 planes (N·C), 1 H, 2 W, 3 OH, 4 OW, 5 kH, 6 kW, 7 strideH, 8 strideW, 9 padTop,
// 10 padLeft, 11 x (or dx), 12 y (or dy), 13 argmax pointer, 14 argmax index offset (the
// flat index of x's first element in the whole input, when the caller runs a chunk of planes),
// 15 dilationH, 16 dilationW (max pooling; 1 otherwise), 17 padBottom, 18 padRight,
// 19 countIncludePad (1: average pooling divides by the window clipped to the padded input,
// 0: by its part inside the input). The adaptive kernels read slots 0–4, 11 and 12
// (writeAdaptivePoolParams).

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

/** y = max over each window; argmax = flat index into x of the first maximum (or first NaN). */
export function maxPool2d(params: usize): void {
  const planes = load<i32>(params);
  const H = load<i32>(params, 4);
  const W = load<i32>(params, 8);
  const OH = load<i32>(params, 12);
  const OW = load<i32>(params, 16);
  const kH = load<i32>(params, 20);
  const kW = load<i32>(params, 24);
  const sH = load<i32>(params, 28);
  const sW = load<i32>(params, 32);
  const padTop = load<i32>(params, 36);
  const padLeft = load<i32>(params, 40);
  const x = <usize>load<u32>(params, 44);
  let y = <usize>load<u32>(params, 48);
  let arg = <usize>load<u32>(params, 52);
  const off = load<i32>(params, 56);
  const dH = load<i32>(params, 60);
  const dW = load<i32>(params, 64);
  const dilated = dH != 1 || dW != 1;
  const twoByTwo = kH == 2 && kW == 2 && sH == 2 && sW == 2 && padTop == 0 && padLeft == 0 && !dilated;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - padTop;
      let ow = 0;
      if (ASC_FEATURE_SIMD) {
        if (twoByTwo && h0 + 1 < H) ow = maxRow2x2Simd(x, base + h0 * W, W, OW, y, arg, off);
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

/** y = sum over the window (padding as zeros) / its divisor (kH·kW by default). */
export function avgPool2d(params: usize): void {
  const planes = load<i32>(params);
  const H = load<i32>(params, 4);
  const W = load<i32>(params, 8);
  const OH = load<i32>(params, 12);
  const OW = load<i32>(params, 16);
  const kH = load<i32>(params, 20);
  const kW = load<i32>(params, 24);
  const sH = load<i32>(params, 28);
  const sW = load<i32>(params, 32);
  const padTop = load<i32>(params, 36);
  const padLeft = load<i32>(params, 40);
  const x = <usize>load<u32>(params, 44);
  let y = <usize>load<u32>(params, 48);
  const hEnd = H + load<i32>(params, 68);
  const wEnd = W + load<i32>(params, 72);
  const countPad = load<i32>(params, 76) != 0;
  const full = fullWindows(H, W, OH, OW, kH, kW, sH, sW, padTop, padLeft, hEnd, wEnd, countPad);
  const scale: f32 = 1 / <f32>(kH * kW);
  // The SIMD body only takes 2×2 windows wholly inside the input: their divisor is 4 either way.
  const twoByTwo = kH == 2 && kW == 2 && sH == 2 && sW == 2 && padTop == 0 && padLeft == 0;
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
        let sum: f32 = 0;
        for (let ih = hs; ih < he; ih++) {
          const row = base + ((<usize>ih * <usize>W) << 2);
          for (let iw = ws; iw < we; iw++) sum += load<f32>(row + (<usize>iw << 2));
        }
        store<f32>(y, sum * (full ? scale : windowScale(h0, w0, hs, he, ws, we, kH, kW, hEnd, wEnd, countPad)));
        y += 4;
      }
    }
  }
}

/** dx = 0, then every dy spreads dy / its divisor (kH·kW by default) over the input part of its window. */
export function avgPool2dBackward(params: usize): void {
  const planes = load<i32>(params);
  const H = load<i32>(params, 4);
  const W = load<i32>(params, 8);
  const OH = load<i32>(params, 12);
  const OW = load<i32>(params, 16);
  const kH = load<i32>(params, 20);
  const kW = load<i32>(params, 24);
  const sH = load<i32>(params, 28);
  const sW = load<i32>(params, 32);
  const padTop = load<i32>(params, 36);
  const padLeft = load<i32>(params, 40);
  const dx = <usize>load<u32>(params, 44);
  let dy = <usize>load<u32>(params, 48);
  const hEnd = H + load<i32>(params, 68);
  const wEnd = W + load<i32>(params, 72);
  const countPad = load<i32>(params, 76) != 0;
  const full = fullWindows(H, W, OH, OW, kH, kW, sH, sW, padTop, padLeft, hEnd, wEnd, countPad);
  const scale: f32 = 1 / <f32>(kH * kW);
  memory.fill(dx, 0, (<usize>planes * <usize>H * <usize>W) << 2);
  for (let plane = 0; plane < planes; plane++) {
    const base = dx + ((<usize>plane * <usize>H * <usize>W) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - padTop;
      const hs = max(h0, 0);
      const he = min(h0 + kH, H);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sW - padLeft;
        const ws = max(w0, 0);
        const we = min(w0 + kW, W);
        const g = load<f32>(dy) * (full ? scale : windowScale(h0, w0, hs, he, ws, we, kH, kW, hEnd, wEnd, countPad));
        for (let ih = hs; ih < he; ih++) {
          const row = base + ((<usize>ih * <usize>W) << 2);
          for (let iw = ws; iw < we; iw++) {
            const d = row + (<usize>iw << 2);
            store<f32>(d, load<f32>(d) + g);
          }
        }
        dy += 4;
      }
    }
  }
}

/** Output o of adaptive pooling along one dimension covers [floor(o·size/out), ceil((o+1)·size/out)). */
@inline function adaptiveStart(o: i32, size: i32, out: i32): i32 {
  return (o * size) / out;
}

@inline function adaptiveEnd(o: i32, size: i32, out: i32): i32 {
  return ((o + 1) * size + out - 1) / out;
}

/** y = mean over each adaptive window (PyTorch's adaptive_avg_pool2d). */
export function adaptiveAvgPool2d(params: usize): void {
  const planes = load<i32>(params);
  const H = load<i32>(params, 4);
  const W = load<i32>(params, 8);
  const OH = load<i32>(params, 12);
  const OW = load<i32>(params, 16);
  const x = <usize>load<u32>(params, 44);
  let y = <usize>load<u32>(params, 48);
  for (let plane = 0; plane < planes; plane++) {
    const base = x + ((<usize>plane * <usize>H * <usize>W) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const hs = adaptiveStart(oh, H, OH);
      const he = adaptiveEnd(oh, H, OH);
      for (let ow = 0; ow < OW; ow++) {
        const ws = adaptiveStart(ow, W, OW);
        const we = adaptiveEnd(ow, W, OW);
        let sum: f32 = 0;
        for (let ih = hs; ih < he; ih++) {
          const row = base + ((<usize>ih * <usize>W) << 2);
          for (let iw = ws; iw < we; iw++) sum += load<f32>(row + (<usize>iw << 2));
        }
        store<f32>(y, sum * (1 / <f32>((he - hs) * (we - ws))));
        y += 4;
      }
    }
  }
}

/** dx = 0, then every dy spreads evenly over its adaptive window. */
export function adaptiveAvgPool2dBackward(params: usize): void {
  const planes = load<i32>(params);
  const H = load<i32>(params, 4);
  const W = load<i32>(params, 8);
  const OH = load<i32>(params, 12);
  const OW = load<i32>(params, 16);
  const dx = <usize>load<u32>(params, 44);
  let dy = <usize>load<u32>(params, 48);
  memory.fill(dx, 0, (<usize>planes * <usize>H * <usize>W) << 2);
  for (let plane = 0; plane < planes; plane++) {
    const base = dx + ((<usize>plane * <usize>H * <usize>W) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const hs = adaptiveStart(oh, H, OH);
      const he = adaptiveEnd(oh, H, OH);
      for (let ow = 0; ow < OW; ow++) {
        const ws = adaptiveStart(ow, W, OW);
        const we = adaptiveEnd(ow, W, OW);
        const g = load<f32>(dy) * (1 / <f32>((he - hs) * (we - ws)));
        for (let ih = hs; ih < he; ih++) {
          const row = base + ((<usize>ih * <usize>W) << 2);
          for (let iw = ws; iw < we; iw++) {
            const d = row + (<usize>iw << 2);
            store<f32>(d, load<f32>(d) + g);
          }
        }
        dy += 4;
      }
    }
  }
}
