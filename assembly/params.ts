// Typed reads of a parameter block. The slot numbers come from the enums of
// src/backend/wasm/param-layouts.ts, which the TypeScript writers use too:
// `int(params, Pool.kernelHeight)`. Each read compiles to one load with a constant offset.

/** The i32 in slot `slot`. */
@inline export function int(params: usize, slot: i32): i32 {
  return load<i32>(params + (<usize>slot << 2));
}

/** The byte address in slot `slot`. */
@inline export function ptr(params: usize, slot: i32): usize {
  return <usize>load<u32>(params + (<usize>slot << 2));
}

/** The f32 in slot `slot` (a slot of the layout's float mask). */
@inline export function float(params: usize, slot: i32): f32 {
  return load<f32>(params + (<usize>slot << 2));
}
