// Max pooling with argmax and average pooling, forward and backward, over all N·C planes
// in one call. A window is clamped to the input once per output; padding never wins a max
// and counts as zeros in an average (every window divides by kH·kW, seed 003).

// Parameter block (4-byte slots), written by src/backend/wasm/pool-call.ts:
// 0 planes (N·C), 1 H, 2 W, 3 OH, 4 OW, 5 kH, 6 kW, 7 strideH, 8 strideW, 9 padTop,
// 10 padLeft, 11 x (or dx), 12 y (or dy), 13 argmax pointer.
export const POOL_PARAM_SLOTS: i32 = 14;

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
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - padTop;
      const hs = max(h0, 0);
      const he = min(h0 + kH, H);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sW - padLeft;
        const ws = max(w0, 0);
        const we = min(w0 + kW, W);
        let bestIndex = base + hs * W + ws;
        let best = load<f32>(x + (<usize>bestIndex << 2));
        // A NaN wins at once (as the naive reference): the max of a window holding NaN is NaN.
        if (best == best) {
          for (let ih = hs; ih < he && best == best; ih++) {
            const row = base + ih * W;
            for (let iw = ws; iw < we; iw++) {
              const v = load<f32>(x + (<usize>(row + iw) << 2));
              if (v > best || v != v) {
                best = v;
                bestIndex = row + iw;
                if (v != v) break;
              }
            }
          }
        }
        store<f32>(y, best);
        store<i32>(arg, bestIndex);
        y += 4;
        arg += 4;
      }
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

/** y = sum over the window (padding as zeros) / (kH·kW). */
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
  const scale: f32 = 1 / <f32>(kH * kW);
  for (let plane = 0; plane < planes; plane++) {
    const base = x + ((<usize>plane * <usize>H * <usize>W) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - padTop;
      const hs = max(h0, 0);
      const he = min(h0 + kH, H);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sW - padLeft;
        const ws = max(w0, 0);
        const we = min(w0 + kW, W);
        let sum: f32 = 0;
        for (let ih = hs; ih < he; ih++) {
          const row = base + ((<usize>ih * <usize>W) << 2);
          for (let iw = ws; iw < we; iw++) sum += load<f32>(row + (<usize>iw << 2));
        }
        store<f32>(y, sum * scale);
        y += 4;
      }
    }
  }
}

/** dx = 0, then every dy spreads dy / (kH·kW) over the input part of its window. */
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
        const g = load<f32>(dy) * scale;
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
