// im2col / col2im for one image at a time (the conv kernels work image by image so the
// column workspace is C·kH·kW × outH·outW, not N times that). Layout is PyTorch's
// unfold: row (c, kh, kw), column (oh, ow). For each kernel tap the range of output
// columns whose input column falls inside the image is computed once, so the inner
// loops carry no bounds tests.
import type { Conv2dGeometry } from '../backend.js';

/** First ow with 0 ≤ ow·stride − pad + tap, and one past the last with it < width. */
export function validRange(outSize: number, inSize: number, stride: number, pad: number, tap: number): [number, number] {
  const shift = tap - pad; // input index = o·stride + shift
  const start = Math.min(outSize, shift >= 0 ? 0 : Math.ceil(-shift / stride));
  const end = Math.min(outSize, Math.floor((inSize - 1 - shift) / stride) + 1);
  // An empty range (the tap never lands inside the image) comes out as [start, start].
  return [start, Math.max(end, start)];
}

/** cols[colsOff ..] (C·kH·kW × OH·OW) ← image x[xOff ..] (C × H × W). */
export function im2colImage(g: Conv2dGeometry, x: Float32Array, xOff: number, cols: Float32Array, colsOff: number): void {
  const { inChannels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW } = g;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padTop: pt, padLeft: pl } = g;
  let o = colsOff;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const [owStart, owEnd] = validRange(OW, W, sw, pl, kw * dw);
        const colShift = kw * dw - pl;
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) {
            cols.fill(0, o, o + OW);
            o += OW;
            continue;
          }
          const row = plane + ih * W + colShift;
          let ow = 0;
          for (; ow < owStart; ow++) cols[o++] = 0;
          for (; ow < owEnd; ow++) cols[o++] = x[row + ow * sw];
          for (; ow < OW; ow++) cols[o++] = 0;
        }
      }
    }
  }
}

/** Image x[xOff ..] (C × H × W) ← Σ of cols[colsOff ..] over every tap that reads each
 * pixel (overwrites the image; taps in the padding are dropped). */
export function col2imImage(g: Conv2dGeometry, cols: Float32Array, colsOff: number, x: Float32Array, xOff: number): void {
  const { inChannels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW } = g;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padTop: pt, padLeft: pl } = g;
  x.fill(0, xOff, xOff + C * H * W);
  let o = colsOff;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const [owStart, owEnd] = validRange(OW, W, sw, pl, kw * dw);
        const colShift = kw * dw - pl;
        for (let oh = 0; oh < OH; oh++, o += OW) {
          const ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) continue;
          const row = plane + ih * W + colShift;
          for (let ow = owStart; ow < owEnd; ow++) x[row + ow * sw] += cols[o + ow];
        }
      }
    }
  }
}

/** The Backend methods: all images of the batch. */
export function im2col(g: Conv2dGeometry, x: Float32Array, cols: Float32Array): void {
  const imageSize = g.inChannels * g.inHeight * g.inWidth;
  const colsSize = g.inChannels * g.kernelHeight * g.kernelWidth * g.outHeight * g.outWidth;
  for (let n = 0; n < g.batch; n++) im2colImage(g, x, n * imageSize, cols, n * colsSize);
}

export function col2im(g: Conv2dGeometry, cols: Float32Array, x: Float32Array): void {
  const imageSize = g.inChannels * g.inHeight * g.inWidth;
  const colsSize = g.inChannels * g.kernelHeight * g.kernelWidth * g.outHeight * g.outWidth;
  for (let n = 0; n < g.batch; n++) col2imImage(g, cols, n * colsSize, x, n * imageSize);
}
