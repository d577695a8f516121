// The 'naive' backend: direct nested loops straight from the formulas (docs/background.md), summing in
// float64 (JS numbers) and storing float32. It is the ground truth every other backend is
// tested against, so it stays obvious rather than fast.
import type { AdaptivePool2dGeometry, Backend, Conv2dGeometry, GemmParams, Pool2dGeometry } from './backend.js';
import * as ew from './elementwise.js';
import { allocateHost } from './host-buffer.js';
import { naiveLayoutKernels } from './naive-layout.js';

/** C[m×n] = alpha·op(A)·op(B) + beta·C; beta 0 ignores C's old contents. */
function gemm(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, p: GemmParams): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) {
        const av = p.transA ? a[q * m + i] : a[i * k + q];
        const bv = p.transB ? b[j * k + q] : b[q * n + j];
        s += av * bv;
      }
      const old = p.beta === 0 ? 0 : p.beta * c[i * n + j];
      c[i * n + j] = p.alpha * s + old;
    }
  }
}

/** Input row/column hit by output position o and kernel tap t (may fall in the padding). */
function inRow(g: Conv2dGeometry, oh: number, kh: number): number {
  return oh * g.strideHeight - g.padTop + kh * g.dilationHeight;
}
function inCol(g: Conv2dGeometry, ow: number, kw: number): number {
  return ow * g.strideWidth - g.padLeft + kw * g.dilationWidth;
}

function im2col(g: Conv2dGeometry, x: Float32Array, cols: Float32Array): void {
  const { batch: N, inChannels: C, inHeight: H, inWidth: W, kernelHeight: KH, kernelWidth: KW, outHeight: OH, outWidth: OW } = g;
  let p = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          for (let oh = 0; oh < OH; oh++) {
            const ih = inRow(g, oh, kh);
            for (let ow = 0; ow < OW; ow++, p++) {
              const iw = inCol(g, ow, kw);
              cols[p] = ih >= 0 && ih < H && iw >= 0 && iw < W ? x[plane + ih * W + iw] : 0;
            }
          }
        }
      }
    }
  }
}

function col2im(g: Conv2dGeometry, cols: Float32Array, x: Float32Array): void {
  const { batch: N, inChannels: C, inHeight: H, inWidth: W, kernelHeight: KH, kernelWidth: KW, outHeight: OH, outWidth: OW } = g;
  const acc = new Float64Array(N * C * H * W);
  let p = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          for (let oh = 0; oh < OH; oh++) {
            const ih = inRow(g, oh, kh);
            for (let ow = 0; ow < OW; ow++, p++) {
              const iw = inCol(g, ow, kw);
              if (ih >= 0 && ih < H && iw >= 0 && iw < W) acc[plane + ih * W + iw] += cols[p];
            }
          }
        }
      }
    }
  }
  x.set(acc);
}

/** z[n, oc, oh, ow] = Σ_{c, kh, kw} x[n, g·C/G + c, oh·s − pad + kh·d, ...] · w[oc, c, kh, kw] (+ b[oc]). */
function conv2d(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const { batch: N, inChannels: C, inHeight: H, inWidth: W, outChannels: OC, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW } = g;
  const cpg = C / g.groups;
  const ocpg = OC / g.groups;
  let p = 0;
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < OC; oc++) {
      const c0 = Math.floor(oc / ocpg) * cpg;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, p++) {
          let s = bias ? bias[oc] : 0;
          for (let c = 0; c < cpg; c++) {
            const plane = (n * C + c0 + c) * H * W;
            for (let kh = 0; kh < KH; kh++) {
              const ih = inRow(g, oh, kh);
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = inCol(g, ow, kw);
                if (iw < 0 || iw >= W) continue;
                s += x[plane + ih * W + iw] * w[((oc * cpg + c) * KH + kh) * KW + kw];
              }
            }
          }
          y[p] = s;
        }
      }
    }
  }
}

/** dx[n, c, ih, iw] = Σ over every (oc, oh, ow, kh, kw) whose tap lands on (ih, iw) of dy · w. */
function conv2dBackwardInput(g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const { batch: N, inChannels: C, inHeight: H, inWidth: W, outChannels: OC, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW } = g;
  const cpg = C / g.groups;
  const ocpg = OC / g.groups;
  const acc = new Float64Array(N * C * H * W);
  let p = 0;
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < OC; oc++) {
      const c0 = Math.floor(oc / ocpg) * cpg;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, p++) {
          const d = dy[p];
          for (let c = 0; c < cpg; c++) {
            const plane = (n * C + c0 + c) * H * W;
            for (let kh = 0; kh < KH; kh++) {
              const ih = inRow(g, oh, kh);
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = inCol(g, ow, kw);
                if (iw < 0 || iw >= W) continue;
                acc[plane + ih * W + iw] += d * w[((oc * cpg + c) * KH + kh) * KW + kw];
              }
            }
          }
        }
      }
    }
  }
  dx.set(acc);
}

/** dw[oc, c, kh, kw] = Σ_{n, oh, ow} dy[n, oc, oh, ow] · x[n, g·C/G + c, ih, iw]; db[oc] = Σ dy. */
function conv2dBackwardFilter(g: Conv2dGeometry, dy: Float32Array, x: Float32Array, dw: Float32Array, db: Float32Array | null): void {
  const { batch: N, inChannels: C, inHeight: H, inWidth: W, outChannels: OC, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW } = g;
  const cpg = C / g.groups;
  const ocpg = OC / g.groups;
  for (let oc = 0; oc < OC; oc++) {
    const c0 = Math.floor(oc / ocpg) * cpg;
    for (let c = 0; c < cpg; c++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          let s = 0;
          for (let n = 0; n < N; n++) {
            const plane = (n * C + c0 + c) * H * W;
            const out = (n * OC + oc) * OH * OW;
            for (let oh = 0; oh < OH; oh++) {
              const ih = inRow(g, oh, kh);
              if (ih < 0 || ih >= H) continue;
              for (let ow = 0; ow < OW; ow++) {
                const iw = inCol(g, ow, kw);
                if (iw < 0 || iw >= W) continue;
                s += dy[out + oh * OW + ow] * x[plane + ih * W + iw];
              }
            }
          }
          dw[((oc * cpg + c) * KH + kh) * KW + kw] = s;
        }
      }
    }
  }
  if (db) ew.sumBias(dy, N, OC, OH * OW, db);
}

/** Max over the in-bounds taps of each window (padding never wins); the first maximum
 * wins, and a NaN in the window wins outright so it propagates. */
function maxPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void {
  const { batch: N, channels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW } = g;
  let p = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, p++) {
        let best = -Infinity;
        let at = -1;
        scan: for (let kh = 0; kh < KH; kh++) {
          const ih = oh * g.strideHeight - g.padTop + kh * g.dilationHeight;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * g.strideWidth - g.padLeft + kw * g.dilationWidth;
            if (iw < 0 || iw >= W) continue;
            const v = x[base + ih * W + iw];
            if (at === -1 || v > best || v !== v) {
              best = v;
              at = base + ih * W + iw;
              if (v !== v) break scan;
            }
          }
        }
        y[p] = best;
        argmax[p] = at;
      }
    }
  }
}

function maxPool2dBackward(g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
  const acc = new Float64Array(g.batch * g.channels * g.inHeight * g.inWidth);
  for (let i = 0; i < argmax.length; i++) acc[argmax[i]] += dy[i];
  dx.set(acc);
}

/** The divisor of average pooling's window (oh, ow), straight from the definition: its
 * taps inside the padded input [−padTop, H + padBottom) × [−padLeft, W + padRight) when
 * countIncludePad (kH·kW unless a ceil-mode window runs past the padding), else its taps
 * inside the input. */
function avgDivisor(g: Pool2dGeometry, oh: number, ow: number): number {
  const [lowH, highH] = g.countIncludePad ? [-g.padTop, g.inHeight + g.padBottom] : [0, g.inHeight];
  const [lowW, highW] = g.countIncludePad ? [-g.padLeft, g.inWidth + g.padRight] : [0, g.inWidth];
  let rows = 0;
  let cols = 0;
  for (let kh = 0; kh < g.kernelHeight; kh++) {
    const ih = oh * g.strideHeight - g.padTop + kh * g.dilationHeight;
    if (ih >= lowH && ih < highH) rows++;
  }
  for (let kw = 0; kw < g.kernelWidth; kw++) {
    const iw = ow * g.strideWidth - g.padLeft + kw * g.dilationWidth;
    if (iw >= lowW && iw < highW) cols++;
  }
  return rows * cols;
}

/** Mean over the window: the sum of its taps inside the input (padding adds zeros) over avgDivisor. */
function avgPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array): void {
  const { batch: N, channels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW } = g;
  let p = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, p++) {
        let s = 0;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * g.strideHeight - g.padTop + kh * g.dilationHeight;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * g.strideWidth - g.padLeft + kw * g.dilationWidth;
            if (iw >= 0 && iw < W) s += x[base + ih * W + iw];
          }
        }
        y[p] = s / avgDivisor(g, oh, ow);
      }
    }
  }
}

/** Each dy spreads dy / avgDivisor over its window's in-bounds taps (the up-sampling of docs/background.md#pooling). */
function avgPool2dBackward(g: Pool2dGeometry, dy: Float32Array, dx: Float32Array): void {
  const { batch: N, channels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, kernelHeight: KH, kernelWidth: KW } = g;
  const acc = new Float64Array(N * C * H * W);
  let p = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, p++) {
        const share = dy[p] / avgDivisor(g, oh, ow);
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * g.strideHeight - g.padTop + kh * g.dilationHeight;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * g.strideWidth - g.padLeft + kw * g.dilationWidth;
            if (iw >= 0 && iw < W) acc[base + ih * W + iw] += share;
          }
        }
      }
    }
  }
  dx.set(acc);
}

/** Output o of adaptive pooling covers [floor(o·size/out), ceil((o+1)·size/out)). */
function adaptiveRange(o: number, size: number, out: number): [number, number] {
  return [Math.floor((o * size) / out), Math.ceil(((o + 1) * size) / out)];
}

function adaptiveAvgPool2d(g: AdaptivePool2dGeometry, x: Float32Array, y: Float32Array): void {
  const { batch: N, channels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = g;
  let p = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const [h0, h1] = adaptiveRange(oh, H, OH);
      for (let ow = 0; ow < OW; ow++, p++) {
        const [w0, w1] = adaptiveRange(ow, W, OW);
        let s = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += x[base + ih * W + iw];
        y[p] = s / ((h1 - h0) * (w1 - w0));
      }
    }
  }
}

function adaptiveAvgPool2dBackward(g: AdaptivePool2dGeometry, dy: Float32Array, dx: Float32Array): void {
  const { batch: N, channels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = g;
  const acc = new Float64Array(N * C * H * W);
  let p = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const [h0, h1] = adaptiveRange(oh, H, OH);
      for (let ow = 0; ow < OW; ow++, p++) {
        const [w0, w1] = adaptiveRange(ow, W, OW);
        const share = dy[p] / ((h1 - h0) * (w1 - w0));
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) acc[base + ih * W + iw] += share;
      }
    }
  }
  dx.set(acc);
}

export const naiveBackend: Backend = {
  name: 'naive',
  allocate: allocateHost,
  gemm,
  im2col,
  col2im,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardFilter,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  adaptiveAvgPool2d,
  adaptiveAvgPool2dBackward,
  ...ew.elementwiseKernels,
  ...naiveLayoutKernels,
};
