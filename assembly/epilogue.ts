// The store epilogue shared by sgemm and the direct convolution: what a tile does to its
// sums on their way to memory, y = act(sum + bias + residual). Applying it in the store
// saves the separate passes over the output (bias, residual add, activation) that each
// read and write the whole tensor again.
// The activations are those of assembly/activation.ts, with the same semantics (relu keeps
// NaN and turns −0 into +0; clip compares and selects; hard-swish in float32 with the
// same three roundings), so a fused epilogue gives the same bits as the separate kernels.
// The epilogue is set once per call (setEpilogue); kernels read it from these globals,
// which each thread's instance holds for itself.
import { StoreActivation } from '../src/backend/wasm/param-layouts';

let epAct: i32 = 0;
let epMin: f32 = 0;
let epMax: f32 = 0;

/** Sets the activation the following stores apply (StoreActivation.none: only the sums). */
export function setEpilogue(activation: i32, lo: f32, hi: f32): void {
  epAct = activation;
  epMin = lo;
  epMax = hi;
}

/** The current activation (StoreActivation), so callers can switch it off between passes. */
export function epilogueActivation(): i32 {
  return epAct;
}

@inline export function activate4(v: v128): v128 {
  const act = epAct;
  if (act == StoreActivation.none) return v;
  if (act == StoreActivation.relu) return v128.and(v, v128.or(f32x4.gt(v, f32x4.splat(0)), f32x4.ne(v, v)));
  if (act == StoreActivation.clip) return f32x4.pmin(f32x4.pmax(v, f32x4.splat(epMin)), f32x4.splat(epMax));
  const mid = f32x4.div(f32x4.mul(v, f32x4.add(v, f32x4.splat(3))), f32x4.splat(6));
  const upper = v128.bitselect(v, mid, f32x4.ge(v, f32x4.splat(3)));
  return v128.andnot(upper, f32x4.le(v, f32x4.splat(-3)));
}

@inline export function activate1(v: f32): f32 {
  const act = epAct;
  if (act == StoreActivation.none) return v;
  if (act == StoreActivation.relu) return select<f32>(v, 0, v > 0 || v != v);
  if (act == StoreActivation.clip) {
    const t = select<f32>(epMin, v, v < epMin);
    return select<f32>(epMax, t, t > epMax);
  }
  return v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6;
}

/** Stores 8 floats y0|y1 (bias already added) at dst, adding 8 residual floats at res
 * (0: none) and applying the activation. */
@inline export function storeEpilogue8(dst: usize, y0: v128, y1: v128, res: usize): void {
  if (res != 0) {
    y0 = f32x4.add(y0, v128.load(res));
    y1 = f32x4.add(y1, v128.load(res, 16));
  }
  v128.store(dst, activate4(y0));
  v128.store(dst, activate4(y1), 16);
}

/** One float of the scalar store: v (bias added) plus the residual at res (0: none), activated. */
@inline export function storeEpilogue1(dst: usize, v: f32, res: usize): void {
  if (res != 0) v += load<f32>(res);
  store<f32>(dst, activate1(v));
}
