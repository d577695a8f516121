// Max and average pooling, forward and backward, window by window. Each window is first
// clipped to the image (pool2dGeometry guarantees the clipped window is never empty), so
// the padding never takes part in a max and adds only zeros to an average.
import type { Pool2dGeometry } from '../backend.js';

/** Half-open input range of window o along one dimension, clipped to [0, size). */
function clip(o: number, stride: number, pad: number, kernel: number, size: number): [number, number] {
  const start = o * stride - pad;
  return [Math.max(start, 0), Math.min(start + kernel, size)];
}

/** y = max over each window; argmax = flat index into x of the first maximum in
 * row-major window order. A NaN in the window wins (and the first NaN), so NaN
 * propagates as it does in PyTorch instead of vanishing. */
export function maxPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW } = g;
  const { strideHeight: sh, strideWidth: sw, padTop: pt, padLeft: pl } = g;
  const planes = g.batch * g.channels;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const [h0, h1] = clip(oh, sh, pt, KH, H);
      for (let ow = 0; ow < OW; ow++, o++) {
        const [w0, w1] = clip(ow, sw, pl, KW, W);
        let best = base + h0 * W + w0;
        let bestValue = x[best];
        for (let ih = h0; ih < h1; ih++) {
          const row = base + ih * W;
          for (let iw = w0; iw < w1; iw++) {
            const v = x[row + iw];
            if (v > bestValue || (v !== v && bestValue === bestValue)) {
              bestValue = v;
              best = row + iw;
            }
          }
        }
        y[o] = bestValue;
        argmax[o] = best;
      }
    }
  }
}

/** dx = 0, then dx[argmax[i]] += dy[i]. */
export function maxPool2dBackward(g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
  dx.fill(0, 0, g.batch * g.channels * g.inHeight * g.inWidth);
  const count = g.batch * g.channels * g.outHeight * g.outWidth;
  for (let i = 0; i < count; i++) dx[argmax[i]] += dy[i];
}

/** y = Σ window / (kH·kW): padding counts as zeros (docs/background.md#pooling). */
export function avgPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array): void {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW } = g;
  const { strideHeight: sh, strideWidth: sw, padTop: pt, padLeft: pl } = g;
  const scale = 1 / (KH * KW);
  const planes = g.batch * g.channels;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const [h0, h1] = clip(oh, sh, pt, KH, H);
      for (let ow = 0; ow < OW; ow++, o++) {
        const [w0, w1] = clip(ow, sw, pl, KW, W);
        let sum = 0;
        for (let ih = h0; ih < h1; ih++) {
          const row = base + ih * W;
          for (let iw = w0; iw < w1; iw++) sum += x[row + iw];
        }
        y[o] = sum * scale;
      }
    }
  }
}

/** dx = Σ over windows containing each pixel of dy / (kH·kW) (overwrites dx). */
export function avgPool2dBackward(g: Pool2dGeometry, dy: Float32Array, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW } = g;
  const { strideHeight: sh, strideWidth: sw, padTop: pt, padLeft: pl } = g;
  const scale = 1 / (KH * KW);
  const planes = g.batch * g.channels;
  dx.fill(0, 0, planes * H * W);
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const [h0, h1] = clip(oh, sh, pt, KH, H);
      for (let ow = 0; ow < OW; ow++, o++) {
        const [w0, w1] = clip(ow, sw, pl, KW, W);
        const share = dy[o] * scale;
        for (let ih = h0; ih < h1; ih++) {
          const row = base + ih * W;
          for (let iw = w0; iw < w1; iw++) dx[row + iw] += share;
        }
      }
    }
  }
}
