// Resize forward, nearest and bilinear, over a run of planes. The TypeScript side computes
// per-axis tables (src/ops/resize.ts: source indices, and weights rounded to float32 here)
// so these loops never see a coordinate mode; tables with outside positions
// (tf_crop_and_resize) stay in the TypeScript kernel.
//
// Parameter block: the Resize layout of src/backend/wasm/param-layouts.ts (written by
// writeResizeParams in src/backend/wasm/kernels.ts). rows: i32 [2·OH] (index0 then index1),
// rowWeights: f32 [2·OH] (1 − λ then λ), cols: i32 [2·OW], colWeights: f32 [2·OW], work:
// f32 [2·OW] (bilinear), pattern (nearest): 0 any, 1 identity (OW = W), 2 doubling
// (index0 = ow >> 1).
//
// Nearest only moves floats, so it is bit-identical to the TypeScript kernel. Bilinear runs
// in float32: a row pass interpolates the (at most two) source rows an output row needs
// into the workspace, kept while the next output rows reuse them, and a SIMD column pass
// blends the two; see test/resize-parity.test.ts for the bound against the float64 kernel.

import { Resize } from '../src/backend/wasm/param-layouts';
import { int, ptr } from './params';

@inline function rowOffset(H: i32, W: i32, plane: i32): usize {
  return <usize>plane * <usize>H * <usize>W << 2;
}

/** y[p, oh, ow] = x[p, rows[oh], cols[ow]]. An output row reading the same source row as
 * the one above it is a copy of that row. */
export function resizeNearest(params: usize): void {
  const planes = int(params, Resize.planes);
  const H = int(params, Resize.inHeight);
  const W = int(params, Resize.inWidth);
  const OH = int(params, Resize.outHeight);
  const OW = int(params, Resize.outWidth);
  const x = ptr(params, Resize.x);
  const y = ptr(params, Resize.y);
  const rows = ptr(params, Resize.rows);
  const cols = ptr(params, Resize.cols);
  const pattern = int(params, Resize.pattern);
  const rowBytes = <usize>OW << 2;
  for (let p = 0; p < planes; p++) {
    const xp = x + rowOffset(H, W, p);
    let dst = y + rowOffset(OH, OW, p);
    let previous = -1;
    for (let oh = 0; oh < OH; oh++, dst += rowBytes) {
      const r = load<i32>(rows + (<usize>oh << 2));
      if (r == previous) {
        memory.copy(dst, dst - rowBytes, rowBytes);
        continue;
      }
      previous = r;
      const src = xp + (<usize>r * <usize>W << 2);
      if (pattern == 1) {
        memory.copy(dst, src, rowBytes);
        continue;
      }
      let ow = 0;
      if (pattern == 2) {
        if (ASC_FEATURE_SIMD) {
          // Four inputs to eight outputs: (0 0 1 1) (2 2 3 3).
          for (; ow + 8 <= OW && (ow >> 1) + 4 <= W; ow += 8) {
            const v = v128.load(src + (<usize>(ow >> 1) << 2));
            v128.store(dst + (<usize>ow << 2), v128.shuffle<f32>(v, v, 0, 0, 1, 1));
            v128.store(dst + (<usize>ow << 2), v128.shuffle<f32>(v, v, 2, 2, 3, 3), 16);
          }
        }
        for (; ow < OW; ow++) store<f32>(dst + (<usize>ow << 2), load<f32>(src + (<usize>(ow >> 1) << 2)));
        continue;
      }
      for (; ow < OW; ow++) {
        store<f32>(dst + (<usize>ow << 2), load<f32>(src + (<usize>load<i32>(cols + (<usize>ow << 2)) << 2)));
      }
    }
  }
}

/** out[ow] = src[c0]·w0 + src[c1]·w1 for one source row (the column pass). */
@inline function blendRow(src: usize, cols: usize, weights: usize, OW: i32, out: usize): void {
  const upper = <usize>OW << 2;
  for (let ow = 0; ow < OW; ow++) {
    const at = <usize>ow << 2;
    const a = load<f32>(src + (<usize>load<i32>(cols + at) << 2));
    const b = load<f32>(src + (<usize>load<i32>(cols + upper + at) << 2));
    store<f32>(out + at, a * load<f32>(weights + at) + b * load<f32>(weights + upper + at));
  }
}

/** y[p, oh, :] = (1 − λ)·top + λ·bottom, top and bottom being the column-blended rows. */
export function resizeBilinear(params: usize): void {
  const planes = int(params, Resize.planes);
  const H = int(params, Resize.inHeight);
  const W = int(params, Resize.inWidth);
  const OH = int(params, Resize.outHeight);
  const OW = int(params, Resize.outWidth);
  const x = ptr(params, Resize.x);
  const y = ptr(params, Resize.y);
  const rows = ptr(params, Resize.rows);
  const rowWeights = ptr(params, Resize.rowWeights);
  const cols = ptr(params, Resize.cols);
  const colWeights = ptr(params, Resize.colWeights);
  const work = ptr(params, Resize.work);
  const rowBytes = <usize>OW << 2;
  const rowsUpper = <usize>OH << 2;
  for (let p = 0; p < planes; p++) {
    const xp = x + rowOffset(H, W, p);
    let dst = y + rowOffset(OH, OW, p);
    // Two workspace rows hold the column-blended source rows `rowA` and `rowB`.
    let bufA = work;
    let bufB = work + rowBytes;
    let rowA = -1;
    let rowB = -1;
    for (let oh = 0; oh < OH; oh++, dst += rowBytes) {
      const at = <usize>oh << 2;
      const r0 = load<i32>(rows + at);
      const r1 = load<i32>(rows + rowsUpper + at);
      if (r0 != rowA) {
        if (r0 == rowB) {
          const t = bufA;
          bufA = bufB;
          bufB = t;
          rowB = rowA;
        } else blendRow(xp + (<usize>r0 * <usize>W << 2), cols, colWeights, OW, bufA);
        rowA = r0;
      }
      let bottom = bufA;
      if (r1 != r0) {
        if (r1 != rowB) {
          blendRow(xp + (<usize>r1 * <usize>W << 2), cols, colWeights, OW, bufB);
          rowB = r1;
        }
        bottom = bufB;
      }
      const w0 = load<f32>(rowWeights + at);
      const w1 = load<f32>(rowWeights + rowsUpper + at);
      let ow = 0;
      if (ASC_FEATURE_SIMD) {
        const v0 = f32x4.splat(w0);
        const v1 = f32x4.splat(w1);
        for (; ow + 4 <= OW; ow += 4) {
          const o = <usize>ow << 2;
          v128.store(dst + o, f32x4.add(f32x4.mul(v128.load(bufA + o), v0), f32x4.mul(v128.load(bottom + o), v1)));
        }
      }
      for (; ow < OW; ow++) {
        const o = <usize>ow << 2;
        store<f32>(dst + o, load<f32>(bufA + o) * w0 + load<f32>(bottom + o) * w1);
      }
    }
  }
}
