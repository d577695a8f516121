// The check every engine passes before it is timed: its outputs against the reference
// engine's (naive, or js when naive is skipped) on the same inputs.

/** Engines agree when maxRelErr ≤ this. Float32 kernels against the float64-accumulating
 * naive reference land near 1e-6; summation order differences over k ≤ 1024 stay < 1e-5. */
export const KERNEL_TOLERANCE = 1e-4;
/** One LeNet training step compares the loss and every gradient; a step goes through ~10
 * float32 kernels, so allow one more decade. */
export const MODEL_TOLERANCE = 1e-3;

/** max|out − ref| / max|ref| over one array: an error relative to the output's scale, which
 * is stable where single elements are near zero. NaN or Infinity in out → Infinity; a length
 * mismatch → Infinity. An all-zero reference compares absolute errors. */
export function maxRelErr(ref: ArrayLike<number>, out: ArrayLike<number>): number {
  if (ref.length !== out.length) return Infinity;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    if (!Number.isFinite(ref[i])) return Infinity; // a broken reference proves nothing
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(out[i] - ref[i]);
    if (!Number.isFinite(out[i]) || Number.isNaN(d)) return Infinity;
    if (d > worst) worst = d;
  }
  return scale > 0 ? worst / scale : worst;
}

export interface Agreement {
  ok: boolean;
  /** The worst maxRelErr over all outputs. */
  maxRelErr: number;
  /** Index of the worst output (e.g. 0 = loss, 1.. = gradients). */
  worst: number;
}

/** Compares each output with its reference; a different number of outputs never agrees. */
export function checkAgreement(ref: readonly ArrayLike<number>[], out: readonly ArrayLike<number>[], tolerance: number): Agreement {
  if (ref.length !== out.length || ref.length === 0) return { ok: false, maxRelErr: Infinity, worst: -1 };
  let worstErr = 0;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = maxRelErr(ref[i], out[i]);
    if (e > worstErr || Number.isNaN(e)) {
      worstErr = Number.isNaN(e) ? Infinity : e;
      worst = i;
    }
  }
  return { ok: worstErr <= tolerance, maxRelErr: worstErr, worst };
}
