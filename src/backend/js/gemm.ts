// Blocked SGEMM in plain TypeScript, GotoBLAS style: C is walked in NC-column slabs, k in
// KC-deep slices, A in MC-row blocks. Each slice of op(B) and block of op(A) is packed
// once into contiguous panels (transposes are absorbed by the packing, zero-padded to
// whole tiles), then a 4×4 register-blocked micro-kernel runs over the packed panels
// with its 16 accumulators in locals. V8 keeps those in registers and computes in
// float64, so each tile's dot products are also more accurate than float32 loops.
import type { GemmParams } from '../backend.js';
import { Workspace } from './workspace.js';

/** Micro-tile rows (of C / op(A)) and columns (of C / op(B)). */
export const MR = 4;
export const NR = 4;
/** Cache blocking: a KC×NR panel of B (4 KiB) and an MR×KC panel of A stay in L1, the
 * MC×KC block of A (64 KiB) in L2, the KC×NC slice of B (256 KiB) in L2/L3. */
export const KC = 256;
export const MC = 64;
export const NC = 256;

const packedA = new Workspace();
const packedB = new Workspace();
const tile = new Float64Array(MR * NR);

/** Floats held by the packing buffers (tests check they are reused, not reallocated). */
export function gemmWorkspaceFloats(): number {
  return packedA.capacity + packedB.capacity;
}

/** One operand of a strided GEMM: element (row, col) of op(X) is
 * trans ? data[offset + col·ld + row] : data[offset + row·ld + col]. */
export interface Operand {
  data: Float32Array;
  offset: number;
  ld: number;
  trans: boolean;
}

/** Packs rows [i0, i0+mc) × cols [p0, p0+kc) of op(A) into MR-row panels, k-major. */
function packA(a: Float32Array, aOff: number, lda: number, transA: boolean, i0: number, mc: number, p0: number, kc: number, out: Float32Array): void {
  let o = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir);
    for (let p = 0; p < kc; p++) {
      for (let r = 0; r < MR; r++) {
        if (r < rows) {
          const i = i0 + ir + r;
          out[o++] = transA ? a[aOff + (p0 + p) * lda + i] : a[aOff + i * lda + p0 + p];
        } else {
          out[o++] = 0;
        }
      }
    }
  }
}

/** Packs rows [p0, p0+kc) × cols [j0, j0+nc) of op(B) into NR-column panels, k-major. */
function packB(b: Float32Array, bOff: number, ldb: number, transB: boolean, p0: number, kc: number, j0: number, nc: number, out: Float32Array): void {
  let o = 0;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    if (!transB && cols === NR) {
      // The common case: four adjacent floats of a row of B.
      let src = bOff + p0 * ldb + j0 + jr;
      for (let p = 0; p < kc; p++, src += ldb) {
        out[o] = b[src];
        out[o + 1] = b[src + 1];
        out[o + 2] = b[src + 2];
        out[o + 3] = b[src + 3];
        o += NR;
      }
      continue;
    }
    for (let p = 0; p < kc; p++) {
      for (let s = 0; s < NR; s++) {
        if (s < cols) {
          const j = j0 + jr + s;
          out[o++] = transB ? b[bOff + j * ldb + p0 + p] : b[bOff + (p0 + p) * ldb + j];
        } else {
          out[o++] = 0;
        }
      }
    }
  }
}

/** C[rows×cols] at cOff = alpha·(op(A) panel · op(B) panel over kc steps) + beta·C. Whole
 * tiles with beta 0 or 1 are stored straight from the accumulators; edges go through
 * `tile` and storeTile. */
function microKernel(kc: number, pa: Float32Array, aOff: number, pb: Float32Array, bOff: number, c: Float32Array, cOff: number, ldc: number, rows: number, cols: number, alpha: number, beta: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ia = aOff;
  let ib = bOff;
  for (let p = 0; p < kc; p++) {
    const b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2], b3 = pb[ib + 3];
    let a = pa[ia];
    c00 += a * b0; c01 += a * b1; c02 += a * b2; c03 += a * b3;
    a = pa[ia + 1];
    c10 += a * b0; c11 += a * b1; c12 += a * b2; c13 += a * b3;
    a = pa[ia + 2];
    c20 += a * b0; c21 += a * b1; c22 += a * b2; c23 += a * b3;
    a = pa[ia + 3];
    c30 += a * b0; c31 += a * b1; c32 += a * b2; c33 += a * b3;
    ia += MR;
    ib += NR;
  }
  if (rows === MR && cols === NR && (beta === 0 || beta === 1)) {
    // A whole tile with beta 0 or 1 (the common case): store straight from the locals.
    const r0 = cOff, r1 = cOff + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
    if (beta === 0) {
      c[r0] = alpha * c00; c[r0 + 1] = alpha * c01; c[r0 + 2] = alpha * c02; c[r0 + 3] = alpha * c03;
      c[r1] = alpha * c10; c[r1 + 1] = alpha * c11; c[r1 + 2] = alpha * c12; c[r1 + 3] = alpha * c13;
      c[r2] = alpha * c20; c[r2 + 1] = alpha * c21; c[r2 + 2] = alpha * c22; c[r2 + 3] = alpha * c23;
      c[r3] = alpha * c30; c[r3 + 1] = alpha * c31; c[r3 + 2] = alpha * c32; c[r3 + 3] = alpha * c33;
    } else {
      c[r0] += alpha * c00; c[r0 + 1] += alpha * c01; c[r0 + 2] += alpha * c02; c[r0 + 3] += alpha * c03;
      c[r1] += alpha * c10; c[r1 + 1] += alpha * c11; c[r1 + 2] += alpha * c12; c[r1 + 3] += alpha * c13;
      c[r2] += alpha * c20; c[r2 + 1] += alpha * c21; c[r2 + 2] += alpha * c22; c[r2 + 3] += alpha * c23;
      c[r3] += alpha * c30; c[r3 + 1] += alpha * c31; c[r3 + 2] += alpha * c32; c[r3 + 3] += alpha * c33;
    }
    return;
  }
  tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
  tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
  tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
  tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
  storeTile(c, cOff, ldc, rows, cols, alpha, beta);
}

/** C[rows×cols] = alpha·tile + beta·C; beta 0 never reads C (so old NaN cannot leak). */
function storeTile(c: Float32Array, cOff: number, ldc: number, rows: number, cols: number, alpha: number, beta: number): void {
  for (let r = 0; r < rows; r++) {
    const row = cOff + r * ldc;
    const t = r * NR;
    if (beta === 0) {
      for (let s = 0; s < cols; s++) c[row + s] = alpha * tile[t + s];
    } else if (beta === 1) {
      for (let s = 0; s < cols; s++) c[row + s] += alpha * tile[t + s];
    } else {
      for (let s = 0; s < cols; s++) c[row + s] = alpha * tile[t + s] + beta * c[row + s];
    }
  }
}

/** C = beta·C over an m×n strided block, for k = 0 or alpha = 0 (no product to add). */
function scaleC(m: number, n: number, c: Float32Array, cOff: number, ldc: number, beta: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = cOff + i * ldc;
    if (beta === 0) c.fill(0, row, row + n);
    else for (let j = 0; j < n; j++) c[row + j] *= beta;
  }
}

/** C[m×n] (at cOff, row stride ldc) = alpha·op(A)·op(B) + beta·C with strided operands.
 * The kernels of this backend call it on sub-matrices (one group, one image) directly. */
export function gemmStrided(
  m: number, n: number, k: number, alpha: number,
  a: Float32Array, aOff: number, lda: number, transA: boolean,
  b: Float32Array, bOff: number, ldb: number, transB: boolean,
  beta: number, c: Float32Array, cOff: number, ldc: number,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0 || alpha === 0) {
    scaleC(m, n, c, cOff, ldc, beta);
    return;
  }
  const kcMax = Math.min(KC, k);
  const pa = packedA.get(Math.ceil(Math.min(MC, m) / MR) * MR * kcMax);
  const pb = packedB.get(Math.ceil(Math.min(NC, n) / NR) * NR * kcMax);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      // Only the first k-slice applies beta; later slices add to what it wrote.
      const sliceBeta = pc === 0 ? beta : 1;
      packB(b, bOff, ldb, transB, pc, kc, jc, nc, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, aOff, lda, transA, ic, mc, pc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          const bPanel = jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            microKernel(kc, pa, ir * kc, pb, bPanel, c, cOff + (ic + ir) * ldc + jc + jr, ldc, Math.min(MR, mc - ir), cols, alpha, sliceBeta);
          }
        }
      }
    }
  }
}

/** The Backend entry point: dense row-major operands, C is m×n. */
export function gemm(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, params: GemmParams): void {
  gemmStrided(
    m, n, k, params.alpha,
    a, 0, params.transA ? m : k, params.transA,
    b, 0, params.transB ? k : n, params.transB,
    params.beta, c, 0, n,
  );
}
