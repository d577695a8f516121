// Direct depthwise convolution (groups === inChannels, channel multiplier M = OC / C ≥ 1):
// output channel oc = c·M + m sees only input channel c through its own kH×kW filter. im2col
// plus a one-row GEMM per group would spend most of its time building columns, so these loop
// over the planes directly. Stride-1 rows take a SIMD path: 4 accumulators of 4 output
// columns each stay in registers across all taps (one weight splat, 4 unaligned loads, 4
// multiply-adds per tap); columns whose taps reach into the padding are done scalar with
// bounds checks, as are other strides.

// Parameter block (4-byte slots), written by writeDepthwiseParams in src/backend/wasm/kernels.ts:
// 0 batch, 1 channels C, 2 multiplier M, 3 H, 4 W, 5 OH, 6 OW, 7 kH, 8 kW, 9 strideH,
// 10 strideW, 11 dilationH, 12 dilationW, 13 padTop, 14 padLeft.
// Data pointers are passed as arguments.

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** out[r, c] (+)= init + Σ_{kh,kw} inp[r·sR + rB + kh·rS, c·sC + cB + kw·cS] · wt[kh·kW + kw],
 * taps outside the IH×IW input count as zero. Forward: rB = -padTop, rS = dilationH (and the
 * same for columns). The stride-1 adjoint (backward input) is the same sum with rB = padTop,
 * rS = -dilationH: dx[ih, iw] gathers dy[ih + padTop - kh·dH, iw + padLeft - kw·dW]. */
function correlatePlane(
  inp: usize, IH: i32, IW: i32, out: usize, OR: i32, OC: i32, wt: usize, kH: i32, kW: i32,
  sR: i32, rB: i32, rS: i32, sC: i32, cB: i32, cS: i32, init: f32, accumulate: bool,
): void {
  // Columns where every kw tap is inside the row (only meaningful for sC = 1).
  const lastOff = (kW - 1) * cS;
  const minOff = cB + min(0, lastOff);
  const maxOff = cB + max(0, lastOff);
  let cLo = 0;
  let cHi = 0;
  if (sC == 1) {
    cLo = min(max(0, -minOff), OC);
    cHi = max(cLo, min(OC, IW - maxOff));
  }
  for (let r = 0; r < OR; r++) {
    const outRow = out + (<usize>(r * OC) << 2);
    const r0 = r * sR + rB;
    // Border (and every column when sC ≠ 1): scalar with bounds checks.
    for (let c = 0; c < OC; c++) {
      if (c == cLo) {
        c = cHi;
        if (c >= OC) break;
      }
      let s: f32 = accumulate ? load<f32>(outRow + (<usize>c << 2)) : init;
      const c0 = c * sC + cB;
      for (let kh = 0; kh < kH; kh++) {
        const ir = r0 + kh * rS;
        if (<u32>ir >= <u32>IH) continue;
        const inRow = inp + (<usize>(ir * IW) << 2);
        const wRow = wt + (<usize>(kh * kW) << 2);
        for (let kw = 0; kw < kW; kw++) {
          const ic = c0 + kw * cS;
          if (<u32>ic >= <u32>IW) continue;
          s += load<f32>(inRow + (<usize>ic << 2)) * load<f32>(wRow + (<usize>kw << 2));
        }
      }
      store<f32>(outRow + (<usize>c << 2), s);
    }
    // Interior columns [cLo, cHi): no column checks.
    let c = cLo;
    if (ASC_FEATURE_SIMD) {
      const vinit = f32x4.splat(init);
      for (; c + 16 <= cHi; c += 16) {
        const o = outRow + (<usize>c << 2);
        let a0 = accumulate ? v128.load(o) : vinit;
        let a1 = accumulate ? v128.load(o, 16) : vinit;
        let a2 = accumulate ? v128.load(o, 32) : vinit;
        let a3 = accumulate ? v128.load(o, 48) : vinit;
        for (let kh = 0; kh < kH; kh++) {
          const ir = r0 + kh * rS;
          if (<u32>ir >= <u32>IH) continue;
          let p = inp + (<usize>(ir * IW + c + cB) << 2);
          const step = <isize>cS << 2;
          let wp = wt + (<usize>(kh * kW) << 2);
          for (let kw = 0; kw < kW; kw++) {
            const wv = v128.load32_splat(wp);
            a0 = madd(v128.load(p), wv, a0);
            a1 = madd(v128.load(p, 16), wv, a1);
            a2 = madd(v128.load(p, 32), wv, a2);
            a3 = madd(v128.load(p, 48), wv, a3);
            p += <usize>step;
            wp += 4;
          }
        }
        v128.store(o, a0);
        v128.store(o, a1, 16);
        v128.store(o, a2, 32);
        v128.store(o, a3, 48);
      }
      for (; c + 4 <= cHi; c += 4) {
        const o = outRow + (<usize>c << 2);
        let a0 = accumulate ? v128.load(o) : vinit;
        for (let kh = 0; kh < kH; kh++) {
          const ir = r0 + kh * rS;
          if (<u32>ir >= <u32>IH) continue;
          let p = inp + (<usize>(ir * IW + c + cB) << 2);
          const step = <isize>cS << 2;
          let wp = wt + (<usize>(kh * kW) << 2);
          for (let kw = 0; kw < kW; kw++) {
            a0 = madd(v128.load(p), v128.load32_splat(wp), a0);
            p += <usize>step;
            wp += 4;
          }
        }
        v128.store(o, a0);
      }
    }
    for (; c < cHi; c++) {
      let s: f32 = accumulate ? load<f32>(outRow + (<usize>c << 2)) : init;
      for (let kh = 0; kh < kH; kh++) {
        const ir = r0 + kh * rS;
        if (<u32>ir >= <u32>IH) continue;
        const inRow = inp + (<usize>(ir * IW) << 2);
        const wRow = wt + (<usize>(kh * kW) << 2);
        for (let kw = 0; kw < kW; kw++) {
          s += load<f32>(inRow + (<usize>(c + cB + kw * cS) << 2)) * load<f32>(wRow + (<usize>kw << 2));
        }
      }
      store<f32>(outRow + (<usize>c << 2), s);
    }
  }
}

/** y [N, C·M, OH, OW] = depthwise conv of x [N, C, H, W] with w [C·M, 1, kH, kW] (+ bias). */
export function depthwiseConv2d(params: usize, x: usize, w: usize, bias: usize, y: usize): void {
  const N = load<i32>(params);
  const C = load<i32>(params, 4);
  const M = load<i32>(params, 8);
  const H = load<i32>(params, 12);
  const W = load<i32>(params, 16);
  const OH = load<i32>(params, 20);
  const OW = load<i32>(params, 24);
  const kH = load<i32>(params, 28);
  const kW = load<i32>(params, 32);
  const sH = load<i32>(params, 36);
  const sW = load<i32>(params, 40);
  const dH = load<i32>(params, 44);
  const dW = load<i32>(params, 48);
  const padTop = load<i32>(params, 52);
  const padLeft = load<i32>(params, 56);
  const plane = <usize>(H * W) << 2;
  const outPlane = <usize>(OH * OW) << 2;
  const taps = <usize>(kH * kW) << 2;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const xp = x + <usize>(n * C + c) * plane;
      for (let m = 0; m < M; m++) {
        const oc = c * M + m;
        const b: f32 = bias ? load<f32>(bias + (<usize>oc << 2)) : 0;
        correlatePlane(
          xp, H, W, y + <usize>(n * C * M + oc) * outPlane, OH, OW, w + <usize>oc * taps, kH, kW,
          sH, -padTop, dH, sW, -padLeft, dW, b, false,
        );
      }
    }
  }
}

/** dx [N, C, H, W] from dy [N, C·M, OH, OW] and w (overwrites dx). */
export function depthwiseConv2dBackwardInput(params: usize, dy: usize, w: usize, dx: usize): void {
  const N = load<i32>(params);
  const C = load<i32>(params, 4);
  const M = load<i32>(params, 8);
  const H = load<i32>(params, 12);
  const W = load<i32>(params, 16);
  const OH = load<i32>(params, 20);
  const OW = load<i32>(params, 24);
  const kH = load<i32>(params, 28);
  const kW = load<i32>(params, 32);
  const sH = load<i32>(params, 36);
  const sW = load<i32>(params, 40);
  const dH = load<i32>(params, 44);
  const dW = load<i32>(params, 48);
  const padTop = load<i32>(params, 52);
  const padLeft = load<i32>(params, 56);
  const plane = <usize>(H * W) << 2;
  const outPlane = <usize>(OH * OW) << 2;
  const taps = <usize>(kH * kW) << 2;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const dxp = dx + <usize>(n * C + c) * plane;
      if (sH == 1 && sW == 1) {
        // Gather: dx is the correlation of dy with the filter mirrored through the padding.
        for (let m = 0; m < M; m++) {
          const oc = c * M + m;
          correlatePlane(
            dy + <usize>(n * C * M + oc) * outPlane, OH, OW, dxp, H, W, w + <usize>oc * taps, kH, kW,
            1, padTop, -dH, 1, padLeft, -dW, 0, m > 0,
          );
        }
        continue;
      }
      // Other strides: scatter every dy value through its taps.
      memory.fill(dxp, 0, plane);
      for (let m = 0; m < M; m++) {
        const oc = c * M + m;
        const dyp = dy + <usize>(n * C * M + oc) * outPlane;
        const wp = w + <usize>oc * taps;
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            const g = load<f32>(dyp + (<usize>(oh * OW + ow) << 2));
            for (let kh = 0; kh < kH; kh++) {
              const ih = oh * sH - padTop + kh * dH;
              if (<u32>ih >= <u32>H) continue;
              for (let kw = 0; kw < kW; kw++) {
                const iw = ow * sW - padLeft + kw * dW;
                if (<u32>iw >= <u32>W) continue;
                const at = dxp + (<usize>(ih * W + iw) << 2);
                store<f32>(at, load<f32>(at) + g * load<f32>(wp + (<usize>(kh * kW + kw) << 2)));
              }
            }
          }
        }
      }
    }
  }
}

/** Σ_i a[i]·b[i] over [0, n). */
@inline function dot(a: usize, b: usize, n: i32): f32 {
  let i = 0;
  let s: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let v0 = f32x4.splat(0);
    let v1 = f32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      v0 = madd(v128.load(a + o), v128.load(b + o), v0);
      v1 = madd(v128.load(a + o, 16), v128.load(b + o, 16), v1);
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v0 = madd(v128.load(a + o), v128.load(b + o), v0);
    }
    v0 = f32x4.add(v0, v1);
    s = f32x4.extract_lane(v0, 0) + f32x4.extract_lane(v0, 1) + f32x4.extract_lane(v0, 2) + f32x4.extract_lane(v0, 3);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    s += load<f32>(a + o) * load<f32>(b + o);
  }
  return s;
}

/** dw [C·M, 1, kH, kW] = Σ over the batch and output positions of dy · x at each tap (overwrites dw). */
export function depthwiseConv2dBackwardFilter(params: usize, dy: usize, x: usize, dw: usize): void {
  const N = load<i32>(params);
  const C = load<i32>(params, 4);
  const M = load<i32>(params, 8);
  const H = load<i32>(params, 12);
  const W = load<i32>(params, 16);
  const OH = load<i32>(params, 20);
  const OW = load<i32>(params, 24);
  const kH = load<i32>(params, 28);
  const kW = load<i32>(params, 32);
  const sH = load<i32>(params, 36);
  const sW = load<i32>(params, 40);
  const dH = load<i32>(params, 44);
  const dW = load<i32>(params, 48);
  const padTop = load<i32>(params, 52);
  const padLeft = load<i32>(params, 56);
  const plane = <usize>(H * W) << 2;
  const outPlane = <usize>(OH * OW) << 2;
  const taps = <usize>(kH * kW) << 2;
  memory.fill(dw, 0, <usize>(C * M) * taps);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const xp = x + <usize>(n * C + c) * plane;
      for (let m = 0; m < M; m++) {
        const oc = c * M + m;
        const dyp = dy + <usize>(n * C * M + oc) * outPlane;
        const wp = dw + <usize>oc * taps;
        for (let kh = 0; kh < kH; kh++) {
          for (let kw = 0; kw < kW; kw++) {
            const colOff = kw * dW - padLeft;
            let s: f32 = 0;
            if (sW == 1) {
              // Output columns whose tap lands inside the row: iw = ow + colOff ∈ [0, W).
              const lo = min(max(0, -colOff), OW);
              const hi = max(lo, min(OW, W - colOff));
              for (let oh = 0; oh < OH; oh++) {
                const ih = oh * sH - padTop + kh * dH;
                if (<u32>ih >= <u32>H) continue;
                s += dot(dyp + (<usize>(oh * OW + lo) << 2), xp + (<usize>(ih * W + lo + colOff) << 2), hi - lo);
              }
            } else {
              for (let oh = 0; oh < OH; oh++) {
                const ih = oh * sH - padTop + kh * dH;
                if (<u32>ih >= <u32>H) continue;
                for (let ow = 0; ow < OW; ow++) {
                  const iw = ow * sW + colOff;
                  if (<u32>iw >= <u32>W) continue;
                  s += load<f32>(dyp + (<usize>(oh * OW + ow) << 2)) * load<f32>(xp + (<usize>(ih * W + iw) << 2));
                }
              }
            }
            const at = wp + (<usize>(kh * kW + kw) << 2);
            store<f32>(at, load<f32>(at) + s);
          }
        }
      }
    }
  }
}
