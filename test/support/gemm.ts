// The GEMM tester (after XNNPACK's gemm-microkernel-tester), the one every GEMM goes
// through: each backend's dense entry point from the parity sweep (describeBackendParity),
// the naive backend in naive.test.ts and the js GEMM's strided entry point in
// gemm-js.test.ts.
//
//   expectGemm(backend, gemmCases({ mr: 4, nr: 8 }, { mc: 120, nc: 2048, kc: 256 }), tolerance);
//   expectGemm({ gemmStrided }, gemmCases(tile, blocks), tolerance);
//
// gemmCases(tile, blocks) are the shapes: every partial micro-tile (m, n, k each from 1 to
// 2·tile+1, all four transposes), k = 0, each cache block at b−1, b, b+1 and 2b+1, one
// product past every block at once and a few large ones; alpha/beta cycle through
// GEMM_SCALARS. expectGemm runs each against a float64 triple loop written here (not the
// naive backend, which is itself tested with it) and passes when, elementwise,
//
//     |C − want| ≤ rtol·|want| + atol·(|alpha|·Σ|a·b| + |beta·C₀|)        (see compare.ts)
//
// A, B and C sit in buffers with sentinels around them (and, strided, between their rows);
// C starts as NaN when beta = 0, which must ignore it. A or B changed, a write outside C, or
// a NaN where none belongs fails. Failures are collected: the message gives how many of
// the cases failed and the first five.
import { expect } from 'vitest';
import type { GemmParams } from '../../src/backend/backend.js';
import { Random } from '../../src/random.js';
import { findMismatch, SENTINEL, type Tolerance } from './compare.js';
import { randomArray } from './random.js';

/** The alpha/beta pairs the cases cycle through: plain, accumulating, beta 0 (C is NaN),
 * alpha 0, negative alpha and beta. 13 pairs: coprime with the 4 transposes, so every
 * pair meets every transpose. */
export const GEMM_SCALARS: readonly (readonly [number, number])[] = [
  [1, 0], [1, 1], [-0.75, 0], [2, -0.5], [0.5, 1], [0.5, 1.5], [-2, 1],
  [1, -0.25], [0.5, 0], [-1.5, 0.25], [2, 1], [0, 0.5], [1, -1],
];

const TRANSPOSES: readonly (readonly [boolean, boolean])[] = [[false, false], [true, false], [false, true], [true, true]];

export interface GemmCase {
  m: number;
  n: number;
  k: number;
  params: GemmParams;
}

/** The blocking of the GEMM under test: micro-tile mr×nr, cache blocks mc, nc, kc. */
export interface GemmBlocking {
  mr: number;
  nr: number;
  mc: number;
  nc: number;
  kc: number;
}

/** Shapes through every edge of the blocking (see the top of this file). */
export function gemmCases({ mr, nr, mc, nc, kc }: GemmBlocking): GemmCase[] {
  const cases: GemmCase[] = [];
  let turn = 0;
  const add = (m: number, n: number, k: number, transposes = TRANSPOSES): void => {
    for (const [transA, transB] of transposes) {
      const [alpha, beta] = GEMM_SCALARS[turn++ % GEMM_SCALARS.length];
      cases.push({ m, n, k, params: { transA, transB, alpha, beta } });
    }
  };
  const maxK = 2 * Math.max(mr, nr) + 1;
  for (let m = 1; m <= 2 * mr + 1; m++) for (let n = 1; n <= 2 * nr + 1; n++) for (let k = 1; k <= maxK; k++) add(m, n, k);
  // k = 0: C = beta·C (0, not NaN, for beta 0), with every alpha/beta pair.
  for (let i = 0; i < GEMM_SCALARS.length; i++) add(1 + (i % 3), 1 + (i % 5), 0);
  // Each cache block at b−1, b, b+1, 2b+1, the other two sides small (partial tiles).
  const edges = (b: number) => [b - 1, b, b + 1, 2 * b + 1];
  const below = (t: number) => Math.max(1, t - 1);
  for (const m of edges(mc)) for (const [n, k] of [[6, 5], [5, 9], [below(nr), 7]]) add(m, n, k);
  for (const n of edges(nc)) for (const [m, k] of [[5, 3], [3, 7], [below(mr), 3]]) add(m, n, k);
  for (const k of edges(kc)) for (const [m, n] of [[5, 7], [6, 5], [mr + 1, nr + 3]]) add(m, n, k);
  // Past every block at once, then a few large products.
  add(mc + 3, nc + 5, kc + 7);
  add(67, 131, 259);
  add(130, 270, 300, [[false, false]]);
  add(257, 65, 513, [[true, true]]);
  return cases;
}

/** A Backend's gemm: packed operands, op(A) m×k, op(B) k×n, C m×n. */
export type DenseGemm = (m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, params: GemmParams) => void;

/** The js backend's gemmStrided: operands at offsets, with leading dimensions. */
export type StridedGemm = (
  m: number, n: number, k: number, alpha: number,
  a: Float32Array, aOff: number, lda: number, transA: boolean,
  b: Float32Array, bOff: number, ldb: number, transB: boolean,
  beta: number, c: Float32Array, cOff: number, ldc: number,
) => void;

export interface GemmCheckOptions {
  /** Of the operands' stream (default 404). */
  seed?: number;
}

/** A rows×cols matrix at `off` with row stride `ld`, sentinels everywhere else (and a few
 * whole rows of slack after it: a store past the end of a typed array is silently dropped,
 * so a stray row write must land inside the buffer to be seen). */
interface Placed {
  buffer: Float32Array;
  off: number;
  ld: number;
  rows: number;
  cols: number;
}

function place(values: Float32Array, rows: number, cols: number, off: number, ld: number): Placed {
  const buffer = new Float32Array(off + Math.max(0, (rows - 1) * ld + cols) + 3 * ld + 5).fill(SENTINEL);
  for (let i = 0; i < rows; i++) buffer.set(values.subarray(i * cols, (i + 1) * cols), off + i * ld);
  return { buffer, off, ld, rows, cols };
}

function inside(p: Placed, i: number): boolean {
  const rel = i - p.off;
  return rel >= 0 && Math.floor(rel / p.ld) < p.rows && rel % p.ld < p.cols;
}

/** Runs one case; returns what is wrong with it, or null. */
function runCase(kernel: { gemm: DenseGemm } | { gemmStrided: StridedGemm }, c: GemmCase, tol: Tolerance, rng: Random): string | null {
  const { m, n, k, params } = c;
  const { transA, transB, alpha, beta } = params;
  const strided = 'gemmStrided' in kernel;
  const [aRows, aCols] = transA ? [k, m] : [m, k];
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  const a = randomArray(aRows * aCols, rng);
  const b = randomArray(bRows * bCols, rng);
  const c0 = beta === 0 ? new Float32Array(m * n).fill(NaN) : randomArray(m * n, rng);

  const want = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        const ab = (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
        s += ab;
        t += Math.abs(ab);
      }
      const old = beta === 0 ? 0 : beta * c0[i * n + j];
      want[i * n + j] = alpha * s + old;
      magnitude[i * n + j] = Math.abs(alpha) * t + Math.abs(old);
    }
  }

  // Strided: offsets and leading dimensions larger than the rows (odd strides, as
  // XNNPACK's tester). Dense: packed, with sentinels only before and after.
  const pa = place(a, aRows, aCols, strided ? 3 : 17, aCols + (strided ? 3 : 0));
  const pb = place(b, bRows, bCols, strided ? 5 : 17, bCols + (strided ? 2 : 0));
  const pc = place(c0, m, n, strided ? 7 : 17, n + (strided ? 5 : 0));
  const aBefore = pa.buffer.slice();
  const bBefore = pb.buffer.slice();
  if ('gemmStrided' in kernel) {
    kernel.gemmStrided(m, n, k, alpha, pa.buffer, pa.off, pa.ld, transA, pb.buffer, pb.off, pb.ld, transB, beta, pc.buffer, pc.off, pc.ld);
  } else {
    const view = (p: Placed) => p.buffer.subarray(p.off, p.off + p.rows * p.cols);
    kernel.gemm(m, n, k, view(pa), view(pb), view(pc), params);
  }

  for (const [name, p, before] of [['A', pa, aBefore], ['B', pb, bBefore]] as const) {
    const i = p.buffer.findIndex((v, idx) => !Object.is(v, before[idx]));
    if (i !== -1) return `${name} changed at flat index ${i} (${before[i]} → ${p.buffer[i]})`;
  }
  for (let i = 0; i < pc.buffer.length; i++) {
    if (!inside(pc, i) && pc.buffer[i] !== SENTINEL) return `wrote outside C at flat index ${i} (${pc.buffer[i]})`;
  }
  const got = new Float32Array(m * n);
  for (let i = 0; i < m; i++) got.set(pc.buffer.subarray(pc.off + i * pc.ld, pc.off + i * pc.ld + n), i * n);
  return findMismatch(got, want, tol, magnitude);
}

/** Every case through `kernel` (a Backend, or { gemmStrided }); fails once with how many
 * failed and the first five. */
export function expectGemm(kernel: { gemm: DenseGemm } | { gemmStrided: StridedGemm }, cases: readonly GemmCase[], tolerance: Tolerance, options: GemmCheckOptions = {}): void {
  const rng = new Random(options.seed ?? 404);
  const failures: string[] = [];
  for (const c of cases) {
    let problem: string | null;
    try {
      problem = runCase(kernel, c, tolerance, rng);
    } catch (e) {
      problem = `threw ${e instanceof Error ? e.message : String(e)}`;
    }
    if (problem !== null) failures.push(`m=${c.m} n=${c.n} k=${c.k} ${JSON.stringify(c.params)}: ${problem}`);
  }
  if (failures.length > 0) {
    expect.fail(`gemm: ${failures.length} of ${cases.length} cases failed; first:\n  ${failures.slice(0, 5).join('\n  ')}`);
  }
  expect(cases.length).toBeGreaterThan(0);
}
