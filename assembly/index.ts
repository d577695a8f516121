// The kernels exported to the TypeScript side. Every export works on raw pointers into
// linear memory owned by src/backend/wasm.ts and allocates nothing.

/** y[i] = max(x[i], 0) for n floats. */
export function relu(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), v > 0 ? v : 0);
  }
}
