// ReLU and its backward, branch-free: with the random signs of real activations a
// compare-and-branch per element mispredicts half the time (the JS loop runs at ~6 ns
// per element), while a mask does four lanes per instruction.
// Semantics match src/backend/elementwise.ts exactly: relu keeps NaN and turns -0 into
// +0; the backward passes dy where x > 0 and 0 elsewhere (NaN x included).

/** y[i] = x[i] > 0 || x[i] is NaN ? x[i] : 0 for n floats; y may equal x. */
export function relu(x: usize, y: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const v = v128.load(x + at);
      v128.store(y + at, v128.and(v, v128.or(f32x4.gt(v, zero), f32x4.ne(v, v))));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = load<f32>(x + at);
    store<f32>(y + at, select<f32>(v, 0, v > 0 || v != v));
  }
}

/** dx[i] = x[i] > 0 ? dy[i] : 0 for n floats; dx may equal dy. */
export function reluBackward(x: usize, dy: usize, dx: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      v128.store(dx + at, v128.and(v128.load(dy + at), f32x4.gt(v128.load(x + at), zero)));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(dx + at, select<f32>(load<f32>(dy + at), 0, load<f32>(x + at) > 0));
  }
}

// Clip (ReLU6 is clip to [0, 6]) and hard-swish, the activations after MobileNet's
// convolutions. Same semantics as src/backend/activation-kernels.ts:
// - clip and clipBackward only compare and select, so they are bit-identical to the
//   TypeScript kernels (the ops round the bounds to float32 first). f32x4.pmax/pmin are
//   exactly `v < min ? min : v` and `max < t ? max : t` (NaN and -0 pass as in TS).
// - hardSwish(Backward) compute in float32 where the TypeScript kernels use float64:
//   three roundings (x + 3 or 2x + 3, the product, the division by 6) instead of one, so a
//   result may differ by a few units in the last place (test/activation-kernels.test.ts
//   states the bound). x + 3 and 2x + 3 are exact near the kinks (Sterbenz), and the
//   branches (x ≤ −3 → 0, x ≥ 3 → x) are exact.

/** y[i] = min(max(x[i], lo), hi) for n floats; y may equal x. */
export function clip(x: usize, y: usize, n: i32, lo: f32, hi: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlo = f32x4.splat(lo);
    const vhi = f32x4.splat(hi);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      v128.store(y + at, f32x4.pmin(f32x4.pmax(v128.load(x + at), vlo), vhi));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = load<f32>(x + at);
    const t = select<f32>(lo, v, v < lo);
    store<f32>(y + at, select<f32>(hi, t, t > hi));
  }
}

/** dx[i] = lo < x[i] < hi ? dy[i] : 0 for n floats; dx may equal dy. */
export function clipBackward(x: usize, dy: usize, dx: usize, n: i32, lo: f32, hi: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlo = f32x4.splat(lo);
    const vhi = f32x4.splat(hi);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const v = v128.load(x + at);
      v128.store(dx + at, v128.and(v128.load(dy + at), v128.and(f32x4.gt(v, vlo), f32x4.lt(v, vhi))));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = load<f32>(x + at);
    store<f32>(dx + at, select<f32>(load<f32>(dy + at), 0, v > lo && v < hi));
  }
}

/** y[i] = x ≤ −3 ? 0 : x ≥ 3 ? x : x·(x + 3)/6 for n floats; y may equal x. */
export function hardSwish(x: usize, y: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const three = f32x4.splat(3);
    const minusThree = f32x4.splat(-3);
    const six = f32x4.splat(6);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const v = v128.load(x + at);
      const mid = f32x4.div(f32x4.mul(v, f32x4.add(v, three)), six);
      const upper = v128.bitselect(v, mid, f32x4.ge(v, three));
      // Zero where x ≤ −3; NaN fails the compare and stays.
      v128.store(y + at, v128.andnot(upper, f32x4.le(v, minusThree)));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = load<f32>(x + at);
    store<f32>(y + at, v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6);
  }
}

/** dx[i] = x < −3 ? 0 : x > 3 ? dy : dy·(2x + 3)/6 for n floats; dx may equal dy. */
export function hardSwishBackward(x: usize, dy: usize, dx: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const three = f32x4.splat(3);
    const minusThree = f32x4.splat(-3);
    const six = f32x4.splat(6);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const v = v128.load(x + at);
      const g = v128.load(dy + at);
      const mid = f32x4.div(f32x4.mul(g, f32x4.add(f32x4.add(v, v), three)), six);
      const upper = v128.bitselect(g, mid, f32x4.gt(v, three));
      v128.store(dx + at, v128.andnot(upper, f32x4.lt(v, minusThree)));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = load<f32>(x + at);
    const g = load<f32>(dy + at);
    store<f32>(dx + at, v < -3 ? 0 : v > 3 ? g : (g * (v + v + 3)) / 6);
  }
}
