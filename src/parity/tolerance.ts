// The error measure of every parity report: element i passes when
//   |actual_i − expected_i| ≤ rtol·|expected_i| + atol·magnitude_i
// (magnitude 1 unless the caller has Σ|terms| for each output, as the op sweep does).
// NaN on both sides counts as equal; a non-finite value on one side only always fails.

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** The defaults of the repository's parity suites (test/support/compare.ts). */
export const DEFAULT_TOLERANCE: Readonly<Tolerance> = Object.freeze({ rtol: 1e-4, atol: 1e-5 });

/** How far one array is from its reference. */
export interface ErrorStats {
  /** Number of elements compared. */
  size: number;
  /** Elements outside the tolerance. */
  failures: number;
  /** max |actual − expected| over finite pairs (Infinity if a value is non-finite on one side only). */
  maxAbsError: number;
  /** The worst |actual − expected| / (rtol·|expected| + atol·magnitude): ≤ 1 passes. */
  worstRatio: number;
  /** Index of the worst element (-1 when every element is equal). */
  worstIndex: number;
  actual: number;
  expected: number;
  ok: boolean;
}

export function checkTolerance(op: string, tol: unknown): Tolerance {
  if (tol === undefined) return { ...DEFAULT_TOLERANCE };
  if (tol === null || typeof tol !== 'object' || Array.isArray(tol)) throw new Error(`${op}: tolerance must be an object { rtol?, atol? }, got ${String(tol)}`);
  const unknown = Object.keys(tol).filter((k) => k !== 'rtol' && k !== 'atol');
  if (unknown.length > 0) throw new Error(`${op}: unknown tolerance key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: rtol, atol)`);
  const t = tol as Partial<Tolerance>;
  const out = { ...DEFAULT_TOLERANCE };
  for (const key of ['rtol', 'atol'] as const) {
    const v = t[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${op}: tolerance.${key} must be a finite number ≥ 0, got ${String(v)}`);
    out[key] = v;
  }
  return out;
}

/** Compares actual with expected under tol. Arrays of different lengths fail outright. */
export function errorStats(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, magnitude?: ArrayLike<number>): ErrorStats {
  const s: ErrorStats = { size: expected.length, failures: 0, maxAbsError: 0, worstRatio: 0, worstIndex: -1, actual: NaN, expected: NaN, ok: true };
  if (actual.length !== expected.length) {
    return { ...s, failures: expected.length, maxAbsError: Infinity, worstRatio: Infinity, ok: false };
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const finite = Number.isFinite(a) && Number.isFinite(e);
    const diff = finite ? Math.abs(a - e) : Infinity;
    const bound = tol.rtol * Math.abs(e) + tol.atol * (magnitude ? magnitude[i] : 1);
    const ratio = !finite ? Infinity : bound > 0 ? diff / bound : Infinity;
    if (diff > s.maxAbsError) s.maxAbsError = diff;
    if (ratio > 1) s.failures++;
    if (ratio > s.worstRatio || s.worstIndex < 0) {
      s.worstRatio = ratio;
      s.worstIndex = i;
      s.actual = a;
      s.expected = e;
    }
  }
  s.ok = s.failures === 0;
  return s;
}

/** The worse of two stats (by ratio), for a summary line. */
export function worse(a: ErrorStats | null, b: ErrorStats): ErrorStats {
  return a === null || b.worstRatio > a.worstRatio || (b.worstRatio === a.worstRatio && !b.ok) ? b : a;
}
