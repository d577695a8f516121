// Direct depthwise convolution (groups === inChannels, channel multiplier M = OC / C ≥ 1):
// output channel oc = c·M + m sees only input channel c through its own kH×kW filter. im2col
// plus a one-row GEMM per group would spend most of its time building columns, so these loop
// over the planes directly.
//
// 3×3 filters with stride 1 or 2 and no dilation (MobileNet's depthwise layers) take a
// dedicated SIMD path (conv3x3 below): each input plane is first copied into a zero-padded
// scratch plane (the `work` slot), so every tap of every output is a plain vector load with
// no bounds checks; the 9 weights stay in registers as splats, and stride 1 computes two
// output rows per pass (4 input rows feed 2 × 4 outputs, each row load used for 3 taps).
// Stride 2 splits even and odd input columns with shuffles. The stride-1 backward input is
// the same kernel on dy with the filter turned by 180°. Everything else (other sizes,
// strides, dilations, the scalar build) goes through correlatePlane: 4 accumulators of 4
// output columns in registers across all taps on interior stride-1 columns, bounds-checked
// scalar code for the rest.
//
// Parameter block: the Depthwise layout of src/backend/wasm/param-layouts.ts (written by
// writeDepthwiseParams in src/backend/wasm/kernels.ts); data pointers are arguments.

import { Depthwise } from '../src/backend/wasm/param-layouts';
import { int, ptr } from './params';

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

// ---------------------------------------------------------------- 3×3, stride 1 or 2

/** Whether the block is a 3×3 filter with stride 1 or 2 (both axes alike) and no dilation. */
@inline function isConv3x3(params: usize): bool {
  const s = int(params, Depthwise.strideHeight);
  return (
    int(params, Depthwise.kernelHeight) == 3 && int(params, Depthwise.kernelWidth) == 3 &&
    int(params, Depthwise.dilationHeight) == 1 && int(params, Depthwise.dilationWidth) == 1 &&
    int(params, Depthwise.strideWidth) == s && (s == 1 || s == 2)
  );
}

/** Columns of the padded plane that a stride-s pass over OW outputs reads (OW rounded up to
 * whole vectors, then the taps' reach). */
@inline function paddedWidth(OW: i32, s: i32): i32 {
  const vw = (OW + 3) & ~3;
  return s == 1 ? vw + 4 : 2 * vw + 8;
}

/** Rows of the padded plane that OH output rows read (stride s, 3 taps). */
@inline function paddedHeight(OH: i32, s: i32): i32 {
  return (OH - 1) * s + 3;
}

/** Bytes of the `work` scratch: the padded plane of the forward pass (any stride) and of
 * the stride-1 backward input (dy padded to give H×W outputs), whichever is larger. */
export function depthwiseWorkspaceBytes(params: usize): i32 {
  const s = int(params, Depthwise.strideHeight);
  const fwd = paddedHeight(int(params, Depthwise.outHeight), s) * paddedWidth(int(params, Depthwise.outWidth), s);
  const bwd = paddedHeight(int(params, Depthwise.inHeight), 1) * paddedWidth(int(params, Depthwise.inWidth), 1);
  return max(fwd, bwd) << 2;
}

/** Copies the IH×IW plane at src into the PH×PW plane at dst at row padTop, column padLeft
 * (clipped to it). The rest of dst keeps the zeros it was filled with. */
function padPlane(src: usize, IH: i32, IW: i32, dst: usize, PH: i32, PW: i32, padTop: i32, padLeft: i32): void {
  const rows = min(IH, PH - padTop);
  const cols = min(IW, PW - padLeft);
  for (let r = 0; r < rows; r++) {
    const from = src + (<usize>(r * IW) << 2);
    const to = dst + (<usize>((r + padTop) * PW + padLeft) << 2);
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      for (; c + 4 <= cols; c += 4) v128.store(to + (<usize>c << 2), v128.load(from + (<usize>c << 2)));
    }
    for (; c < cols; c++) store<f32>(to + (<usize>c << 2), load<f32>(from + (<usize>c << 2)));
  }
}

/** padPlane for a stride-2 adjoint: element (r, c) of src goes to (2r + padTop, 2c + padLeft)
 * of dst, the zeros between stay (dy spread back to input spacing). */
function padPlaneUpsampled(src: usize, IH: i32, IW: i32, dst: usize, PH: i32, PW: i32, padTop: i32, padLeft: i32): void {
  for (let r = 0; r < IH && 2 * r + padTop < PH; r++) {
    const from = src + (<usize>(r * IW) << 2);
    const to = dst + (<usize>((2 * r + padTop) * PW + padLeft) << 2);
    for (let c = 0; c < IW && 2 * c + padLeft < PW; c++) store<f32>(to + (<usize>c << 3), load<f32>(from + (<usize>c << 2)));
  }
}

/** The first n (1..4) lanes of v stored at p. */
@inline function storeHead(p: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, v);
  } else if (n == 3) {
    v128.store64_lane(p, v, 0);
    v128.store32_lane(p, v, 2, 8);
  } else if (n == 2) {
    v128.store64_lane(p, v, 0);
  } else {
    v128.store32_lane(p, v, 0);
  }
}

/** The first n (1..4) floats at p, zeros above. */
@inline function loadHead(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  if (n == 3) return v128.load32_lane(p, v128.load64_zero(p), 2, 8);
  if (n == 2) return v128.load64_zero(p);
  return v128.load32_zero(p);
}

/** Output row (stride 1) from padded rows i0, i1, i2 added to acc: taps w*0, w*1, w*2 of
 * each row at columns c, c + 1, c + 2. */
@inline function rowTaps(acc: v128, row: usize, wa: v128, wb: v128, wc: v128): v128 {
  acc = madd(v128.load(row), wa, acc);
  acc = madd(v128.load(row, 4), wb, acc);
  return madd(v128.load(row, 8), wc, acc);
}

/** The stride-2 taps of one padded row for 4 outputs: columns 2c, 2c + 1 and 2c + 2
 * (even, odd, next even) split from three loads. */
@inline function rowTaps2(acc: v128, row: usize, wa: v128, wb: v128, wc: v128): v128 {
  const a = v128.load(row);
  const b = v128.load(row, 16);
  const even = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
  const odd = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const next = v128.shuffle<f32>(even, v128.load(row, 32), 1, 2, 3, 4);
  acc = madd(even, wa, acc);
  acc = madd(odd, wb, acc);
  return madd(next, wc, acc);
}

/** out [OH, OW] (+)= init + 3×3 correlation (stride s) of the padded PW-wide plane P with the
 * 9 weights at wt, read in reverse when flip (the filter turned by 180°). */
@inline function conv3x3(P: usize, PW: i32, out: usize, OH: i32, OW: i32, s: i32, wt: usize, flip: bool, init: f32, accumulate: bool): void {
  const w0 = v128.load32_splat(wt + <usize>(flip ? 32 : 0));
  const w1 = v128.load32_splat(wt + <usize>(flip ? 28 : 4));
  const w2 = v128.load32_splat(wt + <usize>(flip ? 24 : 8));
  const w3 = v128.load32_splat(wt + <usize>(flip ? 20 : 12));
  const w4 = v128.load32_splat(wt + 16);
  const w5 = v128.load32_splat(wt + <usize>(flip ? 12 : 20));
  const w6 = v128.load32_splat(wt + <usize>(flip ? 8 : 24));
  const w7 = v128.load32_splat(wt + <usize>(flip ? 4 : 28));
  const w8 = v128.load32_splat(wt + <usize>(flip ? 0 : 32));
  const vinit = f32x4.splat(init);
  const rowBytes = <usize>PW << 2;
  const outBytes = <usize>OW << 2;
  let oh = 0;
  if (s == 1) {
    // Two output rows per pass: padded rows oh .. oh + 3.
    for (; oh + 2 <= OH; oh += 2) {
      const i0 = P + <usize>oh * rowBytes;
      const o0 = out + <usize>oh * outBytes;
      for (let c = 0; c < OW; c += 4) {
        const n = OW - c;
        const at = <usize>c << 2;
        let a0 = accumulate ? loadHead(o0 + at, n) : vinit;
        let a1 = accumulate ? loadHead(o0 + outBytes + at, n) : vinit;
        const r0 = i0 + at;
        const r1 = r0 + rowBytes;
        const r2 = r1 + rowBytes;
        const r3 = r2 + rowBytes;
        a0 = rowTaps(a0, r0, w0, w1, w2);
        a0 = rowTaps(a0, r1, w3, w4, w5);
        a1 = rowTaps(a1, r1, w0, w1, w2);
        a0 = rowTaps(a0, r2, w6, w7, w8);
        a1 = rowTaps(a1, r2, w3, w4, w5);
        a1 = rowTaps(a1, r3, w6, w7, w8);
        storeHead(o0 + at, a0, n);
        storeHead(o0 + outBytes + at, a1, n);
      }
    }
  }
  for (; oh < OH; oh++) {
    const i0 = P + <usize>(oh * s) * rowBytes;
    const o0 = out + <usize>oh * outBytes;
    for (let c = 0; c < OW; c += 4) {
      const n = OW - c;
      const at = <usize>c << 2;
      let a0 = accumulate ? loadHead(o0 + at, n) : vinit;
      if (s == 1) {
        const r0 = i0 + at;
        a0 = rowTaps(a0, r0, w0, w1, w2);
        a0 = rowTaps(a0, r0 + rowBytes, w3, w4, w5);
        a0 = rowTaps(a0, r0 + 2 * rowBytes, w6, w7, w8);
      } else {
        const r0 = i0 + (at << 1);
        a0 = rowTaps2(a0, r0, w0, w1, w2);
        a0 = rowTaps2(a0, r0 + rowBytes, w3, w4, w5);
        a0 = rowTaps2(a0, r0 + 2 * rowBytes, w6, w7, w8);
      }
      storeHead(o0 + at, a0, n);
    }
  }
}

/** Σ of the four lanes of v. */
@inline function lanesSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** The 3×3 filter gradient of one (x, dy) plane pair: wt[t] += Σ dy[oh, ow] · P[oh·s + kh,
 * ow·s + kw] over the padded x plane P, one accumulator per tap across the whole plane. The
 * lanes of a partial last vector load dy as 0, so the taps past OW add nothing. */
@inline function filter3x3(P: usize, PW: i32, dyp: usize, OH: i32, OW: i32, s: i32, wt: usize): void {
  let a0 = f32x4.splat(0);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  let a4 = a0;
  let a5 = a0;
  let a6 = a0;
  let a7 = a0;
  let a8 = a0;
  const rowBytes = <usize>PW << 2;
  for (let oh = 0; oh < OH; oh++) {
    const i0 = P + <usize>(oh * s) * rowBytes;
    const d = dyp + (<usize>(oh * OW) << 2);
    for (let c = 0; c < OW; c += 4) {
      const g = loadHead(d + (<usize>c << 2), OW - c);
      if (s == 1) {
        const r0 = i0 + (<usize>c << 2);
        const r1 = r0 + rowBytes;
        const r2 = r1 + rowBytes;
        a0 = madd(v128.load(r0), g, a0);
        a1 = madd(v128.load(r0, 4), g, a1);
        a2 = madd(v128.load(r0, 8), g, a2);
        a3 = madd(v128.load(r1), g, a3);
        a4 = madd(v128.load(r1, 4), g, a4);
        a5 = madd(v128.load(r1, 8), g, a5);
        a6 = madd(v128.load(r2), g, a6);
        a7 = madd(v128.load(r2, 4), g, a7);
        a8 = madd(v128.load(r2, 8), g, a8);
      } else {
        let r = i0 + (<usize>c << 3);
        let u = v128.load(r);
        let v = v128.load(r, 16);
        let even = v128.shuffle<f32>(u, v, 0, 2, 4, 6);
        a0 = madd(even, g, a0);
        a1 = madd(v128.shuffle<f32>(u, v, 1, 3, 5, 7), g, a1);
        a2 = madd(v128.shuffle<f32>(even, v128.load(r, 32), 1, 2, 3, 4), g, a2);
        r += rowBytes;
        u = v128.load(r);
        v = v128.load(r, 16);
        even = v128.shuffle<f32>(u, v, 0, 2, 4, 6);
        a3 = madd(even, g, a3);
        a4 = madd(v128.shuffle<f32>(u, v, 1, 3, 5, 7), g, a4);
        a5 = madd(v128.shuffle<f32>(even, v128.load(r, 32), 1, 2, 3, 4), g, a5);
        r += rowBytes;
        u = v128.load(r);
        v = v128.load(r, 16);
        even = v128.shuffle<f32>(u, v, 0, 2, 4, 6);
        a6 = madd(even, g, a6);
        a7 = madd(v128.shuffle<f32>(u, v, 1, 3, 5, 7), g, a7);
        a8 = madd(v128.shuffle<f32>(even, v128.load(r, 32), 1, 2, 3, 4), g, a8);
      }
    }
  }
  store<f32>(wt, load<f32>(wt) + lanesSum(a0));
  store<f32>(wt, load<f32>(wt, 4) + lanesSum(a1), 4);
  store<f32>(wt, load<f32>(wt, 8) + lanesSum(a2), 8);
  store<f32>(wt, load<f32>(wt, 12) + lanesSum(a3), 12);
  store<f32>(wt, load<f32>(wt, 16) + lanesSum(a4), 16);
  store<f32>(wt, load<f32>(wt, 20) + lanesSum(a5), 20);
  store<f32>(wt, load<f32>(wt, 24) + lanesSum(a6), 24);
  store<f32>(wt, load<f32>(wt, 28) + lanesSum(a7), 28);
  store<f32>(wt, load<f32>(wt, 32) + lanesSum(a8), 32);
}

/** Scatters every dy value of one output plane through its taps into the dx plane. */
function scatterPlane(
  dyp: usize, wp: usize, dxp: usize, H: i32, W: i32, OH: i32, OW: i32, kH: i32, kW: i32,
  sH: i32, sW: i32, dH: i32, dW: i32, padTop: i32, padLeft: i32,
): void {
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

/** Adds to the filter at wp, for every tap, Σ over one output plane of dy · the x it saw. */
function filterPlane(
  dyp: usize, xp: usize, wp: usize, H: i32, W: i32, OH: i32, OW: i32, kH: i32, kW: i32,
  sH: i32, sW: i32, dH: i32, dW: i32, padTop: i32, padLeft: i32,
): void {
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

// ---------------------------------------------------------------- the walk over planes

/** What a walk computes: y from x; dx from dy; dw from dy and x. */
const FORWARD = 0;
const INPUT_GRAD = 1;
const FILTER_GRAD = 2;

/** Every (image·channel nc, multiplier m) pair of planes: x plane nc, y (or dy) plane
 * nc·M + m, filter oc = c·M + m. FORWARD correlates x into y (+ bias). INPUT_GRAD sends dy
 * back into dx: for stride 1 the correlation of dy with the filter mirrored through the
 * padding, accumulated over m; for other strides a scatter. FILTER_GRAD adds dy · x at each
 * tap into dw (zeroed first). `fast`: the 3×3 path (isConv3x3; stride 1 for INPUT_GRAD),
 * whose padded plane is the x plane (forward, padded once for its M filters) or the dy plane
 * padded by 2 − pad (input gradient, the filter turned by 180°). */
@inline function walk(params: usize, x: usize, y: usize, w: usize, bias: usize, mode: i32, fast: bool): void {
  const C = int(params, Depthwise.channels);
  const NC = int(params, Depthwise.batch) * C;
  const M = int(params, Depthwise.multiplier);
  const H = int(params, Depthwise.inHeight);
  const W = int(params, Depthwise.inWidth);
  const OH = int(params, Depthwise.outHeight);
  const OW = int(params, Depthwise.outWidth);
  const kH = int(params, Depthwise.kernelHeight);
  const kW = int(params, Depthwise.kernelWidth);
  const sH = int(params, Depthwise.strideHeight);
  const sW = int(params, Depthwise.strideWidth);
  const dH = int(params, Depthwise.dilationHeight);
  const dW = int(params, Depthwise.dilationWidth);
  const padTop = int(params, Depthwise.padTop);
  const padLeft = int(params, Depthwise.padLeft);
  const stride1 = sH == 1 && sW == 1;
  const xPlane = <usize>(H * W) << 2;
  const yPlane = <usize>(OH * OW) << 2;
  const taps = <usize>(kH * kW) << 2;
  // The padded plane of the fast path, sized for the outputs it feeds.
  const work = ptr(params, Depthwise.work);
  const PH = mode == INPUT_GRAD ? paddedHeight(H, 1) : paddedHeight(OH, sH);
  const PW = mode == INPUT_GRAD ? paddedWidth(W, 1) : paddedWidth(OW, sH);
  if (fast) memory.fill(work, 0, <usize>(PH * PW) << 2);
  if (mode == FILTER_GRAD) memory.fill(w, 0, <usize>(C * M) * taps);
  for (let nc = 0; nc < NC; nc++) {
    const xp = x + <usize>nc * xPlane;
    if (mode == INPUT_GRAD && !stride1 && !fast) memory.fill(xp, 0, xPlane);
    if (fast && mode != INPUT_GRAD) padPlane(xp, H, W, work, PH, PW, padTop, padLeft);
    for (let m = 0; m < M; m++) {
      const oc = (nc % C) * M + m;
      const yp = y + <usize>(nc * M + m) * yPlane;
      const wp = w + <usize>oc * taps;
      if (mode == FILTER_GRAD) {
        if (ASC_FEATURE_SIMD) {
          if (fast) {
            filter3x3(work, PW, yp, OH, OW, sH, wp);
            continue;
          }
        }
        filterPlane(yp, xp, wp, H, W, OH, OW, kH, kW, sH, sW, dH, dW, padTop, padLeft);
        continue;
      }
      const b: f32 = mode == FORWARD && bias ? load<f32>(bias + (<usize>oc << 2)) : 0;
      if (ASC_FEATURE_SIMD) {
        if (fast) {
          if (mode == INPUT_GRAD) {
            if (sH == 1) padPlane(yp, OH, OW, work, PH, PW, 2 - padTop, 2 - padLeft);
            else padPlaneUpsampled(yp, OH, OW, work, PH, PW, 2 - padTop, 2 - padLeft);
            // Separate calls keep `accumulate` a constant inside the inlined kernel.
            if (m == 0) conv3x3(work, PW, xp, H, W, 1, wp, true, 0, false);
            else conv3x3(work, PW, xp, H, W, 1, wp, true, 0, true);
          } else {
            conv3x3(work, PW, yp, OH, OW, sH, wp, false, b, false);
          }
          continue;
        }
      }
      if (mode == FORWARD) correlatePlane(xp, H, W, yp, OH, OW, wp, kH, kW, sH, -padTop, dH, sW, -padLeft, dW, b, false);
      else if (stride1) correlatePlane(yp, OH, OW, xp, H, W, wp, kH, kW, 1, padTop, -dH, 1, padLeft, -dW, 0, m > 0);
      else scatterPlane(yp, wp, xp, H, W, OH, OW, kH, kW, sH, sW, dH, dW, padTop, padLeft);
    }
  }
}

/** y [N, C·M, OH, OW] = depthwise conv of x [N, C, H, W] with w [C·M, 1, kH, kW] (+ bias). */
export function depthwiseConv2d(params: usize, x: usize, w: usize, bias: usize, y: usize): void {
  if (ASC_FEATURE_SIMD) {
    if (isConv3x3(params)) {
      walk(params, x, y, w, bias, FORWARD, true);
      return;
    }
  }
  walk(params, x, y, w, bias, FORWARD, false);
}

/** dx [N, C, H, W] from dy [N, C·M, OH, OW] and w (overwrites dx). */
export function depthwiseConv2dBackwardInput(params: usize, dy: usize, w: usize, dx: usize): void {
  if (ASC_FEATURE_SIMD) {
    const padsFit = int(params, Depthwise.padTop) <= 2 && int(params, Depthwise.padLeft) <= 2;
    if (isConv3x3(params) && padsFit) {
      walk(params, dx, dy, w, 0, INPUT_GRAD, true);
      return;
    }
  }
  walk(params, dx, dy, w, 0, INPUT_GRAD, false);
}

/** dw [C·M, 1, kH, kW] = Σ over the batch and output positions of dy · x at each tap (overwrites dw). */
export function depthwiseConv2dBackwardFilter(params: usize, dy: usize, x: usize, dw: usize): void {
  if (ASC_FEATURE_SIMD) {
    // Long stride-1 rows are as fast through filterPlane's per-tap dot products (measured:
    // 23 against 19 GFLOP/s at 112², even at 56²; 13 against 21 at 28²), which skip
    // copying the plane.
    const longRows = int(params, Depthwise.strideHeight) == 1 && int(params, Depthwise.outWidth) > 48;
    if (isConv3x3(params) && !longRows) {
      walk(params, x, dy, dw, 0, FILTER_GRAD, true);
      return;
    }
  }
  walk(params, x, dy, dw, 0, FILTER_GRAD, false);
}
