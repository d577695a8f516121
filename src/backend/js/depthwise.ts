// Direct kernels for convs whose groups have a single input channel (depthwise, with any
// channel multiplier). There the GEMM per group has one row of K = kH·kW ≤ a few dozen
// and a 4×4 micro-kernel would spend most of its work on padding, so a direct loop is
// faster: per output row, each kernel tap updates the columns it can reach (ranges
// computed once per call, so the inner loops carry no bounds tests). Output channel oc
// reads input channel floor(oc / multiplier).
import type { Conv2dGeometry } from '../backend.js';
import { validRange } from './im2col.js';

/** True when every group has exactly one input channel (and there is more than one group). */
export function isDepthwise(g: Conv2dGeometry): boolean {
  return g.groups > 1 && g.inChannels === g.groups;
}

let ranges = new Int32Array(0);

/** ranges[2·kw], ranges[2·kw+1]: output columns whose tap kw lands inside the image. */
function columnRanges(g: Conv2dGeometry): Int32Array {
  if (ranges.length < 2 * g.kernelWidth) ranges = new Int32Array(2 * g.kernelWidth);
  for (let kw = 0; kw < g.kernelWidth; kw++) {
    const [start, end] = validRange(g.outWidth, g.inWidth, g.strideWidth, g.padLeft, kw * g.dilationWidth);
    ranges[2 * kw] = start;
    ranges[2 * kw + 1] = end;
  }
  return ranges;
}

export function depthwiseConv2d(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const { outHeight: OH, outWidth: OW, inHeight: H, inWidth: W, kernelHeight: KH, kernelWidth: KW } = g;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padTop: pt, padLeft: pl } = g;
  const multiplier = g.outChannels / g.groups;
  const cols = columnRanges(g);
  for (let n = 0; n < g.batch; n++) {
    for (let oc = 0; oc < g.outChannels; oc++) {
      const yPlane = (n * g.outChannels + oc) * OH * OW;
      const xPlane = (n * g.inChannels + Math.floor(oc / multiplier)) * H * W;
      const wBase = oc * KH * KW;
      y.fill(bias ? bias[oc] : 0, yPlane, yPlane + OH * OW);
      for (let oh = 0; oh < OH; oh++) {
        const yRow = yPlane + oh * OW;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const wv = w[wBase + kh * KW + kw];
            const xRow = xPlane + ih * W + kw * dw - pl;
            const end = cols[2 * kw + 1];
            for (let ow = cols[2 * kw]; ow < end; ow++) y[yRow + ow] += wv * x[xRow + ow * sw];
          }
        }
      }
    }
  }
}

export function depthwiseConv2dBackwardInput(g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const { outHeight: OH, outWidth: OW, inHeight: H, inWidth: W, kernelHeight: KH, kernelWidth: KW } = g;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padTop: pt, padLeft: pl } = g;
  const multiplier = g.outChannels / g.groups;
  const cols = columnRanges(g);
  dx.fill(0, 0, g.batch * g.inChannels * H * W);
  for (let n = 0; n < g.batch; n++) {
    for (let oc = 0; oc < g.outChannels; oc++) {
      const yPlane = (n * g.outChannels + oc) * OH * OW;
      const xPlane = (n * g.inChannels + Math.floor(oc / multiplier)) * H * W;
      const wBase = oc * KH * KW;
      for (let oh = 0; oh < OH; oh++) {
        const yRow = yPlane + oh * OW;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const wv = w[wBase + kh * KW + kw];
            const xRow = xPlane + ih * W + kw * dw - pl;
            const end = cols[2 * kw + 1];
            for (let ow = cols[2 * kw]; ow < end; ow++) dx[xRow + ow * sw] += wv * dy[yRow + ow];
          }
        }
      }
    }
  }
}

/** dw[oc, 0, kh, kw] = Σ_n Σ_(oh, ow) dy · x, each tap summed in float64. (db: the caller.) */
export function depthwiseConv2dBackwardFilter(g: Conv2dGeometry, dy: Float32Array, x: Float32Array, dwOut: Float32Array): void {
  const { outHeight: OH, outWidth: OW, inHeight: H, inWidth: W, kernelHeight: KH, kernelWidth: KW } = g;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padTop: pt, padLeft: pl } = g;
  const multiplier = g.outChannels / g.groups;
  const cols = columnRanges(g);
  for (let oc = 0; oc < g.outChannels; oc++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const start = cols[2 * kw];
        const end = cols[2 * kw + 1];
        let sum = 0;
        for (let n = 0; n < g.batch; n++) {
          const yPlane = (n * g.outChannels + oc) * OH * OW;
          const xPlane = (n * g.inChannels + Math.floor(oc / multiplier)) * H * W;
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * sh - pt + kh * dh;
            if (ih < 0 || ih >= H) continue;
            const yRow = yPlane + oh * OW;
            const xRow = xPlane + ih * W + kw * dw - pl;
            for (let ow = start; ow < end; ow++) sum += dy[yRow + ow] * x[xRow + ow * sw];
          }
        }
        dwOut[(oc * KH + kh) * KW + kw] = sum;
      }
    }
  }
}
