// Normalization kernels: batch norm per channel of x viewed as [batch, channels, inner],
// and group norm per (batch, group) block of channels/groups · inner contiguous values
// (layer norm is one group with inner 1, instance norm one channel per group).
// Semantics are those of the shared TypeScript kernels (src/backend/batchnorm.ts and
// src/backend/groupnorm.ts); only the arithmetic differs, as follows.
//
// Reductions (statistics, Σdy, Σdy·(x − mean)) promote each float to f64 and sum in f64x2
// lanes (four accumulators of two lanes each), so they are as exact as the TypeScript
// float64 sums up to summation order. Elementwise passes (y and dx) run in f32x4 on a
// compensated form: the mean is split into mhi = f32(mean) and mlo = f32(mean − mhi), and
// d = (x − mhi) − mlo is formed first. x − mhi is exact when x is within a factor of two
// of the mean (Sterbenz), so a large mean next to a small spread does not cancel the
// result away: each output errs by a few float32 ulps of the terms it sums
// (|γ·x̂| + |β| forward; |k·dy| + |a| + |b·d| backward), not of x·k or mean·k.
// The scalar build (no SIMD) does those passes in f64 instead.
//
// Parameter block: the Norm layout of src/backend/wasm/param-layouts.ts (written by
// writeNormParams in src/backend/wasm/kernels.ts). groups is for group norm only;
// batchStats bit 0: the statistics are the batch's own (train-mode batch norm backward);
// pointers 0 when unused: dx, gamma (ones), beta (zeros), dgamma, dbeta. mean is f64 per
// channel or per row; spread is the variance (stats, out) or invStd (in; f64).

import { Norm } from '../src/backend/wasm/param-layouts';
import { int, ptr } from './params';

// Results of the two-sum reductions below (no tuples in AssemblyScript).
let sumA: f64 = 0;
let sumB: f64 = 0;

@inline function horizontal(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** sumA += Σ (x[i] − shift), sumB += Σ (x[i] − shift)² over n floats at src, in f64. */
function sumAndSquares(src: usize, n: i32, shift: f64): void {
  let s: f64 = 0;
  let q: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = f64x2.splat(shift);
    let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
    let q0 = s0, q1 = s0, q2 = s0, q3 = s0;
    for (; i + 8 <= n; i += 8) {
      const p = src + (<usize>i << 2);
      const d0 = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(p)), vs);
      const d1 = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(p, 8)), vs);
      const d2 = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(p, 16)), vs);
      const d3 = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(p, 24)), vs);
      s0 = f64x2.add(s0, d0);
      s1 = f64x2.add(s1, d1);
      s2 = f64x2.add(s2, d2);
      s3 = f64x2.add(s3, d3);
      q0 = f64x2.add(q0, f64x2.mul(d0, d0));
      q1 = f64x2.add(q1, f64x2.mul(d1, d1));
      q2 = f64x2.add(q2, f64x2.mul(d2, d2));
      q3 = f64x2.add(q3, f64x2.mul(d3, d3));
    }
    s = horizontal(f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3)));
    q = horizontal(f64x2.add(f64x2.add(q0, q1), f64x2.add(q2, q3)));
  }
  for (; i < n; i++) {
    const d = <f64>load<f32>(src + (<usize>i << 2)) - shift;
    s += d;
    q += d * d;
  }
  sumA += s;
  sumB += q;
}

/** sumA += Σ dy[i], sumB += Σ dy[i]·(x[i] − center) over n floats, in f64. */
function sumAndCenteredDot(dy: usize, x: usize, n: i32, center: f64): void {
  let s: f64 = 0;
  let p: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vc = f64x2.splat(center);
    let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
    let p0 = s0, p1 = s0, p2 = s0, p3 = s0;
    for (; i + 8 <= n; i += 8) {
      const at = <usize>i << 2;
      const g0 = f64x2.promote_low_f32x4(v128.load64_zero(dy + at));
      const g1 = f64x2.promote_low_f32x4(v128.load64_zero(dy + at, 8));
      const g2 = f64x2.promote_low_f32x4(v128.load64_zero(dy + at, 16));
      const g3 = f64x2.promote_low_f32x4(v128.load64_zero(dy + at, 24));
      s0 = f64x2.add(s0, g0);
      s1 = f64x2.add(s1, g1);
      s2 = f64x2.add(s2, g2);
      s3 = f64x2.add(s3, g3);
      p0 = f64x2.add(p0, f64x2.mul(g0, f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(x + at)), vc)));
      p1 = f64x2.add(p1, f64x2.mul(g1, f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(x + at, 8)), vc)));
      p2 = f64x2.add(p2, f64x2.mul(g2, f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(x + at, 16)), vc)));
      p3 = f64x2.add(p3, f64x2.mul(g3, f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(x + at, 24)), vc)));
    }
    s = horizontal(f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3)));
    p = horizontal(f64x2.add(f64x2.add(p0, p1), f64x2.add(p2, p3)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const g = <f64>load<f32>(dy + at);
    s += g;
    p += g * (<f64>load<f32>(x + at) - center);
  }
  sumA += s;
  sumB += p;
}

/** out[i] = ((x[i] − mean)·k + c) over n floats, with k and c per run (out may be x).
 * Forward: k = γ·invStd, c = β. Backward with batch statistics the caller passes the
 * pieces of dx = k·dy − a − b·(x − mean) to affineBackwardRun instead. */
function affineRun(x: usize, out: usize, n: i32, mean: f64, k: f64, c: f64): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const hi = <f32>mean;
    const vhi = f32x4.splat(hi);
    const vlo = f32x4.splat(<f32>(mean - <f64>hi));
    const vk = f32x4.splat(<f32>k);
    const vc = f32x4.splat(<f32>c);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const d = f32x4.sub(f32x4.sub(v128.load(x + at), vhi), vlo);
      v128.store(out + at, f32x4.add(f32x4.mul(d, vk), vc));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, <f32>((<f64>load<f32>(x + at) - mean) * k + c));
  }
}

/** dx[i] = k·dy[i] − a − b·(x[i] − mean) over n floats (dx may be dy). */
function affineBackwardRun(dy: usize, x: usize, dx: usize, n: i32, mean: f64, k: f64, a: f64, b: f64): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const hi = <f32>mean;
    const vhi = f32x4.splat(hi);
    const vlo = f32x4.splat(<f32>(mean - <f64>hi));
    const vk = f32x4.splat(<f32>k);
    const va = f32x4.splat(<f32>a);
    const vb = f32x4.splat(<f32>b);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const d = f32x4.sub(f32x4.sub(v128.load(x + at), vhi), vlo);
      const t = f32x4.sub(f32x4.mul(vk, v128.load(dy + at)), va);
      v128.store(dx + at, f32x4.sub(t, f32x4.mul(vb, d)));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(dx + at, <f32>(k * <f64>load<f32>(dy + at) - a - b * (<f64>load<f32>(x + at) - mean)));
  }
}

@inline function f32At(base: usize, index: i32, fallback: f64): f64 {
  return base === 0 ? fallback : <f64>load<f32>(base + (<usize>index << 2));
}

@inline function f64At(base: usize, index: i32): f64 {
  return load<f64>(base + (<usize>index << 3));
}

/** Offset in bytes of run (b, c) of x viewed as [batch, channels, inner]. */
@inline function runOffset(b: i32, c: i32, channels: i32, inner: i32): usize {
  return (<usize>(b * channels + c) * <usize>inner) << 2;
}

/** mean[c] and biased variance[c] (f64) over batch and inner, shifted by the channel's
 * first value as the TypeScript kernel does (no cancellation for a large mean). */
export function batchNormStats(params: usize): void {
  const batch = int(params, Norm.batch);
  const channels = int(params, Norm.channels);
  const inner = int(params, Norm.inner);
  const x = ptr(params, Norm.x);
  const mean = ptr(params, Norm.mean);
  const variance = ptr(params, Norm.spread);
  const count = <f64>batch * <f64>inner;
  for (let c = 0; c < channels; c++) {
    const shift = <f64>load<f32>(x + runOffset(0, c, channels, inner));
    sumA = 0;
    sumB = 0;
    for (let b = 0; b < batch; b++) sumAndSquares(x + runOffset(b, c, channels, inner), inner, shift);
    store<f64>(mean + (<usize>c << 3), shift + sumA / count);
    store<f64>(variance + (<usize>c << 3), max<f64>(0, (sumB - (sumA * sumA) / count) / count));
  }
}

/** y = γ·(x − mean)·invStd + β per channel (y may be x). */
export function batchNormApply(params: usize): void {
  const batch = int(params, Norm.batch);
  const channels = int(params, Norm.channels);
  const inner = int(params, Norm.inner);
  const x = ptr(params, Norm.x);
  const y = ptr(params, Norm.y);
  const mean = ptr(params, Norm.mean);
  const invStd = ptr(params, Norm.spread);
  const gamma = ptr(params, Norm.gamma);
  const beta = ptr(params, Norm.beta);
  for (let c = 0; c < channels; c++) {
    const mu = f64At(mean, c);
    const k = f32At(gamma, c, 1) * f64At(invStd, c);
    const bc = f32At(beta, c, 0);
    for (let b = 0; b < batch; b++) {
      const at = runOffset(b, c, channels, inner);
      affineRun(x + at, y + at, inner, mu, k, bc);
    }
  }
}

/** dβ = Σdy, dγ = Σdy·x̂ per channel; dx = k·dy with fixed statistics, and with batch ones
 * dx = k·dy − k·Σdy/m − k·invStd²·Σ(dy·(x − mean))/m·(x − mean), k = γ·invStd. */
export function batchNormBackward(params: usize): void {
  const batch = int(params, Norm.batch);
  const channels = int(params, Norm.channels);
  const inner = int(params, Norm.inner);
  const batchStats = (int(params, Norm.batchStats) & 1) !== 0;
  const x = ptr(params, Norm.x);
  const dy = ptr(params, Norm.dy);
  const dx = ptr(params, Norm.dx);
  const mean = ptr(params, Norm.mean);
  const invStd = ptr(params, Norm.spread);
  const gamma = ptr(params, Norm.gamma);
  const dgamma = ptr(params, Norm.dgamma);
  const dbeta = ptr(params, Norm.dbeta);
  const count = <f64>batch * <f64>inner;
  for (let c = 0; c < channels; c++) {
    const mu = f64At(mean, c);
    const inv = f64At(invStd, c);
    sumA = 0;
    sumB = 0;
    for (let b = 0; b < batch; b++) {
      const at = runOffset(b, c, channels, inner);
      sumAndCenteredDot(dy + at, x + at, inner, mu);
    }
    const sumDy = sumA;
    const sumDyCentered = sumB;
    if (dbeta !== 0) store<f32>(dbeta + (<usize>c << 2), <f32>sumDy);
    if (dgamma !== 0) store<f32>(dgamma + (<usize>c << 2), <f32>(inv * sumDyCentered));
    if (dx === 0) continue;
    const k = f32At(gamma, c, 1) * inv;
    const a = batchStats ? (k * sumDy) / count : 0;
    const slope = batchStats ? (k * inv * inv * sumDyCentered) / count : 0;
    for (let b = 0; b < batch; b++) {
      const at = runOffset(b, c, channels, inner);
      affineBackwardRun(dy + at, x + at, dx + at, inner, mu, k, a, slope);
    }
  }
}

// ---------------------------------------------------------------------------------
// Group norm: row r = b·groups + group holds m = channels/groups · inner contiguous values.
// With inner 1 (layer norm) the per-channel runs are single values, so the passes run
// across the channels of a row instead, four (f32x4) or two (f64x2) at a time.
// Slot 15 of the block: backward's f64 workspace of 2·channels (Σdy, then Σdy·x̂ per channel).

/** mean[r] and biased variance[r] of each row, shifted by the row's first value. */
export function groupNormStats(params: usize): void {
  const rows = int(params, Norm.batch) * int(params, Norm.groups);
  const m = (int(params, Norm.channels) / int(params, Norm.groups)) * int(params, Norm.inner);
  const x = ptr(params, Norm.x);
  const mean = ptr(params, Norm.mean);
  const variance = ptr(params, Norm.spread);
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>m) << 2);
    const shift = <f64>load<f32>(row);
    sumA = 0;
    sumB = 0;
    sumAndSquares(row, m, shift);
    store<f64>(mean + (<usize>r << 3), shift + sumA / <f64>m);
    store<f64>(variance + (<usize>r << 3), max<f64>(0, (sumB - (sumA * sumA) / <f64>m) / <f64>m));
  }
}

/** y[c] = (x[c] − mean)·invStd·γ[c] + β[c] across n channels of one row (inner 1). */
function layerRun(x: usize, y: usize, gamma: usize, beta: usize, n: i32, mean: f64, inv: f64): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const hi = <f32>mean;
    const vhi = f32x4.splat(hi);
    const vlo = f32x4.splat(<f32>(mean - <f64>hi));
    const vinv = f32x4.splat(<f32>inv);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const d = f32x4.sub(f32x4.sub(v128.load(x + at), vhi), vlo);
      const k = f32x4.mul(v128.load(gamma + at), vinv);
      v128.store(y + at, f32x4.add(f32x4.mul(d, k), v128.load(beta + at)));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(y + at, <f32>((<f64>load<f32>(x + at) - mean) * (<f64>load<f32>(gamma + at) * inv) + <f64>load<f32>(beta + at)));
  }
}

/** y = γ[c]·(x − mean[r])·invStd[r] + β[c] (y may be x). */
export function groupNormApply(params: usize): void {
  const batch = int(params, Norm.batch);
  const channels = int(params, Norm.channels);
  const inner = int(params, Norm.inner);
  const groups = int(params, Norm.groups);
  const x = ptr(params, Norm.x);
  const y = ptr(params, Norm.y);
  const mean = ptr(params, Norm.mean);
  const invStd = ptr(params, Norm.spread);
  const gamma = ptr(params, Norm.gamma);
  const beta = ptr(params, Norm.beta);
  const perGroup = channels / groups;
  for (let b = 0; b < batch; b++) {
    for (let group = 0; group < groups; group++) {
      const r = b * groups + group;
      const mu = f64At(mean, r);
      const inv = f64At(invStd, r);
      const c0 = group * perGroup;
      if (inner === 1) {
        const at = runOffset(b, c0, channels, 1);
        const ch = <usize>c0 << 2;
        layerRun(x + at, y + at, gamma + ch, beta + ch, perGroup, mu, inv);
        continue;
      }
      for (let c = c0; c < c0 + perGroup; c++) {
        const at = runOffset(b, c, channels, inner);
        affineRun(x + at, y + at, inner, mu, f32At(gamma, c, 1) * inv, f32At(beta, c, 0));
      }
    }
  }
}

/** Inner 1: across the n channels of one row, sumA += Σ γ·dy, sumB += Σ γ·dy·(x − mean),
 * and per channel Σdy into sdy[c] and invStd·dy·(x − mean) into sdg[c] (f64). */
function layerSums(dy: usize, x: usize, gamma: usize, sdy: usize, sdg: usize, n: i32, mean: f64, inv: f64): void {
  let s: f64 = 0;
  let p: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vm = f64x2.splat(mean);
    const vinv = f64x2.splat(inv);
    let vs = f64x2.splat(0);
    let vp = vs;
    for (; i + 2 <= n; i += 2) {
      const at = <usize>i << 2;
      const g = f64x2.promote_low_f32x4(v128.load64_zero(dy + at));
      const gd = f64x2.mul(g, f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(x + at)), vm));
      const gam = f64x2.promote_low_f32x4(v128.load64_zero(gamma + at));
      vs = f64x2.add(vs, f64x2.mul(gam, g));
      vp = f64x2.add(vp, f64x2.mul(gam, gd));
      const w = <usize>i << 3;
      v128.store(sdy + w, f64x2.add(v128.load(sdy + w), g));
      v128.store(sdg + w, f64x2.add(v128.load(sdg + w), f64x2.mul(vinv, gd)));
    }
    s = horizontal(vs);
    p = horizontal(vp);
  }
  for (; i < n; i++) {
    const g = <f64>load<f32>(dy + (<usize>i << 2));
    const gd = g * (<f64>load<f32>(x + (<usize>i << 2)) - mean);
    const gam = <f64>load<f32>(gamma + (<usize>i << 2));
    s += gam * g;
    p += gam * gd;
    const w = <usize>i << 3;
    store<f64>(sdy + w, load<f64>(sdy + w) + g);
    store<f64>(sdg + w, load<f64>(sdg + w) + inv * gd);
  }
  sumA += s;
  sumB += p;
}

/** Inner 1: dx[c] = γ[c]·invStd·dy[c] − a − slope·(x[c] − mean) across n channels. */
function layerBackwardRun(dy: usize, x: usize, gamma: usize, dx: usize, n: i32, mean: f64, inv: f64, a: f64, slope: f64): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const hi = <f32>mean;
    const vhi = f32x4.splat(hi);
    const vlo = f32x4.splat(<f32>(mean - <f64>hi));
    const vinv = f32x4.splat(<f32>inv);
    const va = f32x4.splat(<f32>a);
    const vb = f32x4.splat(<f32>slope);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const d = f32x4.sub(f32x4.sub(v128.load(x + at), vhi), vlo);
      const k = f32x4.mul(v128.load(gamma + at), vinv);
      const t = f32x4.sub(f32x4.mul(k, v128.load(dy + at)), va);
      v128.store(dx + at, f32x4.sub(t, f32x4.mul(vb, d)));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const k = <f64>load<f32>(gamma + at) * inv;
    store<f32>(dx + at, <f32>(k * <f64>load<f32>(dy + at) - a - slope * (<f64>load<f32>(x + at) - mean)));
  }
}

/** dx = invStd·(g − Σg/m − x̂·Σ(g·x̂)/m) with g = γ·dy per row; dγ[c] = Σ dy·x̂ and
 * dβ[c] = Σ dy over the batch and the channel's positions. gamma must be given (ones). */
export function groupNormBackward(params: usize): void {
  const batch = int(params, Norm.batch);
  const channels = int(params, Norm.channels);
  const inner = int(params, Norm.inner);
  const groups = int(params, Norm.groups);
  const x = ptr(params, Norm.x);
  const dy = ptr(params, Norm.dy);
  const dx = ptr(params, Norm.dx);
  const mean = ptr(params, Norm.mean);
  const invStd = ptr(params, Norm.spread);
  const gamma = ptr(params, Norm.gamma);
  const dgamma = ptr(params, Norm.dgamma);
  const dbeta = ptr(params, Norm.dbeta);
  const sdy = ptr(params, Norm.work);
  const sdg = sdy + (<usize>channels << 3);
  memory.fill(sdy, 0, <usize>channels << 4);
  const perGroup = channels / groups;
  const m = <f64>perGroup * <f64>inner;
  for (let b = 0; b < batch; b++) {
    for (let group = 0; group < groups; group++) {
      const r = b * groups + group;
      const mu = f64At(mean, r);
      const inv = f64At(invStd, r);
      const c0 = group * perGroup;
      let sumG: f64 = 0;
      let sumGC: f64 = 0;
      if (inner === 1) {
        sumA = 0;
        sumB = 0;
        const at = runOffset(b, c0, channels, 1);
        layerSums(dy + at, x + at, gamma + (<usize>c0 << 2), sdy + (<usize>c0 << 3), sdg + (<usize>c0 << 3), perGroup, mu, inv);
        sumG = sumA;
        sumGC = sumB;
      } else {
        for (let c = c0; c < c0 + perGroup; c++) {
          const at = runOffset(b, c, channels, inner);
          sumA = 0;
          sumB = 0;
          sumAndCenteredDot(dy + at, x + at, inner, mu);
          const gam = f32At(gamma, c, 1);
          sumG += gam * sumA;
          sumGC += gam * sumB;
          const w = <usize>c << 3;
          store<f64>(sdy + w, load<f64>(sdy + w) + sumA);
          store<f64>(sdg + w, load<f64>(sdg + w) + inv * sumB);
        }
      }
      if (dx === 0) continue;
      const a = (inv * sumG) / m;
      const slope = (inv * inv * inv * sumGC) / m;
      if (inner === 1) {
        const at = runOffset(b, c0, channels, 1);
        layerBackwardRun(dy + at, x + at, gamma + (<usize>c0 << 2), dx + at, perGroup, mu, inv, a, slope);
        continue;
      }
      for (let c = c0; c < c0 + perGroup; c++) {
        const at = runOffset(b, c, channels, inner);
        affineBackwardRun(dy + at, x + at, dx + at, inner, mu, f32At(gamma, c, 1) * inv, a, slope);
      }
    }
  }
  for (let c = 0; c < channels; c++) {
    if (dgamma !== 0) store<f32>(dgamma + (<usize>c << 2), <f32>load<f64>(sdg + (<usize>c << 3)));
    if (dbeta !== 0) store<f32>(dbeta + (<usize>c << 2), <f32>load<f64>(sdy + (<usize>c << 3)));
  }
}
