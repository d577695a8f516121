// Max, average and adaptive average pooling, forward and backward, window by window. Each
// window is first clipped to the image (pool2dGeometry guarantees the clipped window is
// never empty), so the padding never takes part in a max and adds only zeros to an average.
import type { AdaptivePool2dGeometry, Pool2dGeometry } from '../backend.js';

/** The taps of window o along one dimension that lie inside [0, size): input indices
 * first, first + dilation, ... below end. */
function clip(o: number, stride: number, pad: number, kernel: number, dilation: number, size: number): [number, number] {
  const start = o * stride - pad;
  if (dilation === 1) return [Math.max(start, 0), Math.min(start + kernel, size)];
  const j0 = start >= 0 ? 0 : Math.ceil(-start / dilation);
  const j1 = Math.min(kernel, Math.floor((size - 1 - start) / dilation) + 1);
  return [start + j0 * dilation, start + (j1 - 1) * dilation + 1];
}

/** y = max over each window; argmax = flat index into x of the first maximum in
 * row-major window order. A NaN in the window wins (and the first NaN), so NaN
 * propagates as it does in PyTorch instead of vanishing. */
export function maxPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW } = g;
  const { strideHeight: sh, strideWidth: sw, padTop: pt, padLeft: pl, dilationHeight: dh, dilationWidth: dw } = g;
  const planes = g.batch * g.channels;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const [h0, h1] = clip(oh, sh, pt, KH, dh, H);
      for (let ow = 0; ow < OW; ow++, o++) {
        const [w0, w1] = clip(ow, sw, pl, KW, dw, W);
        let best = base + h0 * W + w0;
        let bestValue = x[best];
        for (let ih = h0; ih < h1; ih += dh) {
          const row = base + ih * W;
          for (let iw = w0; iw < w1; iw += dw) {
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

/** Per output along one dimension: the clipped window [lo, hi) and its share of the divisor
 * (countIncludePad: the window clipped to the padded input, else hi − lo). */
function averageRanges(out: number, stride: number, padBefore: number, padAfter: number, kernel: number, size: number, countPad: boolean): Int32Array {
  const r = new Int32Array(3 * out);
  for (let o = 0; o < out; o++) {
    const start = o * stride - padBefore;
    const [lo, hi] = clip(o, stride, padBefore, kernel, 1, size);
    r[3 * o] = lo;
    r[3 * o + 1] = hi;
    r[3 * o + 2] = countPad ? Math.min(start + kernel, size + padAfter) - start : hi - lo;
  }
  return r;
}

function averageGeometry(g: Pool2dGeometry): { rows: Int32Array; cols: Int32Array } {
  return {
    rows: averageRanges(g.outHeight, g.strideHeight, g.padTop, g.padBottom, g.kernelHeight, g.inHeight, g.countIncludePad),
    cols: averageRanges(g.outWidth, g.strideWidth, g.padLeft, g.padRight, g.kernelWidth, g.inWidth, g.countIncludePad),
  };
}

/** y = Σ window / divisor: kH·kW by default, padding counting as zeros (docs/background.md#pooling). */
export function avgPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array): void {
  averageForward(g.batch * g.channels, g.inHeight, g.inWidth, averageGeometry(g), x, y);
}

/** dx = Σ over windows containing each pixel of dy / divisor (overwrites dx). */
export function avgPool2dBackward(g: Pool2dGeometry, dy: Float32Array, dx: Float32Array): void {
  averageBackward(g.batch * g.channels, g.inHeight, g.inWidth, averageGeometry(g), dy, dx);
}

/** Per output along one dimension: [floor(o·size/out), ceil((o+1)·size/out)) and its length. */
function adaptiveRanges(out: number, size: number): Int32Array {
  const r = new Int32Array(3 * out);
  for (let o = 0; o < out; o++) {
    r[3 * o] = Math.floor((o * size) / out);
    r[3 * o + 1] = Math.ceil(((o + 1) * size) / out);
    r[3 * o + 2] = r[3 * o + 1] - r[3 * o];
  }
  return r;
}

export function adaptiveAvgPool2d(g: AdaptivePool2dGeometry, x: Float32Array, y: Float32Array): void {
  const ranges = { rows: adaptiveRanges(g.outHeight, g.inHeight), cols: adaptiveRanges(g.outWidth, g.inWidth) };
  averageForward(g.batch * g.channels, g.inHeight, g.inWidth, ranges, x, y);
}

export function adaptiveAvgPool2dBackward(g: AdaptivePool2dGeometry, dy: Float32Array, dx: Float32Array): void {
  const ranges = { rows: adaptiveRanges(g.outHeight, g.inHeight), cols: adaptiveRanges(g.outWidth, g.inWidth) };
  averageBackward(g.batch * g.channels, g.inHeight, g.inWidth, ranges, dy, dx);
}

/** Windows given as (lo, hi, divisor share) triples per output row and column. */
interface Ranges {
  rows: Int32Array;
  cols: Int32Array;
}

/** 1 / divisor share of each output along one dimension (a row's times a column's is the window's). */
function reciprocals(r: Int32Array): Float64Array {
  return Float64Array.from({ length: r.length / 3 }, (_, o) => 1 / r[3 * o + 2]);
}

function averageForward(planes: number, H: number, W: number, { rows, cols }: Ranges, x: Float32Array, y: Float32Array): void {
  const OH = rows.length / 3;
  const OW = cols.length / 3;
  const rowScale = reciprocals(rows);
  const colScale = reciprocals(cols);
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = rows[3 * oh];
      const h1 = rows[3 * oh + 1];
      const scale = rowScale[oh];
      for (let ow = 0; ow < OW; ow++, o++) {
        const w0 = cols[3 * ow];
        const w1 = cols[3 * ow + 1];
        let sum = 0;
        for (let ih = h0; ih < h1; ih++) {
          const row = base + ih * W;
          for (let iw = w0; iw < w1; iw++) sum += x[row + iw];
        }
        y[o] = sum * scale * colScale[ow];
      }
    }
  }
}

function averageBackward(planes: number, H: number, W: number, { rows, cols }: Ranges, dy: Float32Array, dx: Float32Array): void {
  const OH = rows.length / 3;
  const OW = cols.length / 3;
  const rowScale = reciprocals(rows);
  const colScale = reciprocals(cols);
  dx.fill(0, 0, planes * H * W);
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = rows[3 * oh];
      const h1 = rows[3 * oh + 1];
      const scale = rowScale[oh];
      for (let ow = 0; ow < OW; ow++, o++) {
        const w0 = cols[3 * ow];
        const w1 = cols[3 * ow + 1];
        const share = dy[o] * scale * colScale[ow];
        for (let ih = h0; ih < h1; ih++) {
          const row = base + ih * W;
          for (let iw = w0; iw < w1; iw++) dx[row + iw] += share;
        }
      }
    }
  }
}
