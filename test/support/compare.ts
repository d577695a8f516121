// Array comparison for parity tests, shared by every backend's suite.
//
// Tolerance model. A fast kernel and the float64-accumulating naive reference compute
// the same sums in a different order and precision. For an output that is a sum of K
// products t_1..t_K, float32 summation errs by at most about K·u·Σ|t_i| (u = 2⁻²⁴ ≈ 6e-8)
// in the worst case and about √K·u·Σ|t_i| typically, while the result itself can cancel
// to near 0. A purely relative bound would therefore fail on cancelling sums and a purely
// absolute one would be meaningless for large values. So each element i passes when
//
//     |actual_i − expected_i| ≤ rtol·|expected_i| + atol·magnitude_i
//
// where magnitude_i = Σ|t_i| (computed by running the reference on |inputs|) or 1 when
// no magnitude is given. Defaults: rtol 1e-4 (float32 vs float64-accumulated, covers the
// final rounding and reordered partial sums with a wide margin) and atol 1e-5 (≈ √K·u·Σ|t|
// for K up to ~3e4 terms, and the worst case K·u for K up to ~170).
import { expect } from 'vitest';

export interface Tolerance {
  rtol: number;
  atol: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };

type Numeric = ArrayLike<number>;

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(9) : String(v);
}

/** Finds the first element outside the tolerance; null when all pass. Also catches a
 * NaN or ±Infinity on one side only (NaN on both sides counts as equal). */
export function findMismatch(actual: Numeric, expected: Numeric, tol: Tolerance, magnitude?: Numeric): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} ≠ expected ${expected.length}`;
  let worst = -1;
  let worstRatio = 1;
  let bad = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const bound = tol.rtol * Math.abs(e) + tol.atol * (magnitude ? magnitude[i] : 1);
    const diff = Math.abs(a - e);
    // A non-finite value on one side only (NaN, or ∞ against a finite value or -∞) always
    // fails; an infinite ratio ranks above every finite one.
    const ratio = !Number.isFinite(a) || !Number.isFinite(e) ? Infinity : bound > 0 ? diff / bound : Infinity;
    if (ratio > 1) {
      bad++;
      if (ratio > worstRatio || worst < 0) {
        worst = i;
        worstRatio = ratio;
      }
    }
  }
  if (worst < 0) return null;
  const m = magnitude ? `, magnitude ${fmt(magnitude[worst])}` : '';
  return (
    `${bad} of ${expected.length} elements differ; worst at index ${worst}: actual ${fmt(actual[worst])}, ` +
    `expected ${fmt(expected[worst])} (|diff| ${fmt(Math.abs(actual[worst] - expected[worst]))} is ` +
    `${fmt(worstRatio)}× the bound rtol ${tol.rtol}·|expected| + atol ${tol.atol}·magnitude${m})`
  );
}

/** Asserts actual ≈ expected elementwise under the tolerance model above. */
export function expectClose(actual: Numeric, expected: Numeric, tol: Tolerance = DEFAULT_TOLERANCE, label = 'array', magnitude?: Numeric): void {
  const problem = findMismatch(actual, expected, tol, magnitude);
  if (problem !== null) expect.fail(`${label}: ${problem}`);
}

/** Asserts bitwise-equal values (for kernels that only move data: im2col, argmax, max). */
export function expectEqual(actual: Numeric, expected: Numeric, label = 'array'): void {
  expectClose(actual, expected, { rtol: 0, atol: 0 }, label);
}

/** Sentinel written around guarded views; a kernel writing outside its output changes it. */
// Exactly representable in float32, and no kernel output in the sweep comes near it.
export const SENTINEL = -987654.25;
const GUARD = 17;

/** A view of `length` floats inside a larger buffer with sentinels on both sides, so a
 * kernel writing outside its output is caught by check(). The view is filled with `fill`
 * (NaN by default: a kernel that should overwrite its output must not read it). */
export interface Guarded<T extends Float32Array | Int32Array> {
  view: T;
  /** Throws if any sentinel around the view changed. */
  check(label: string): void;
}

function guard<T extends Float32Array | Int32Array>(buffer: T, length: number, sentinel: number, label0: string): Guarded<T> {
  buffer.fill(sentinel);
  const view = buffer.subarray(GUARD, GUARD + length) as T;
  return {
    view,
    check(label: string) {
      for (let i = 0; i < buffer.length; i++) {
        if (i === GUARD) i += length;
        if (i < buffer.length && buffer[i] !== sentinel) {
          const where = i < GUARD ? `${GUARD - i} before` : `${i - GUARD - length + 1} after`;
          expect.fail(`${label}: ${label0} was written outside its bounds (${where} its end: ${buffer[i]})`);
        }
      }
    },
  };
}

export function guardedFloats(length: number, fill = NaN, label = 'output'): Guarded<Float32Array> {
  const g = guard(new Float32Array(length + 2 * GUARD), length, SENTINEL, label);
  g.view.fill(fill);
  return g;
}

export function guardedInts(length: number, fill = -1, label = 'argmax'): Guarded<Int32Array> {
  const g = guard(new Int32Array(length + 2 * GUARD), length, -123456789, label);
  g.view.fill(fill);
  return g;
}

/** A guarded copy of an input, plus a check that the kernel neither wrote around it nor
 * changed it. */
export function guardedInput(values: Float32Array, label = 'input'): Guarded<Float32Array> {
  const g = guardedFloats(values.length, 0, label);
  g.view.set(values);
  const copy = values.slice();
  return {
    view: g.view,
    check(where: string) {
      g.check(where);
      for (let i = 0; i < copy.length; i++) {
        if (!Object.is(g.view[i], copy[i])) expect.fail(`${where}: ${label} was modified at index ${i} (${copy[i]} → ${g.view[i]})`);
      }
    },
  };
}
