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
