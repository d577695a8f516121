// Packed, register-blocked SGEMM: C = act(alpha·op(A)·op(B) + beta·C + bias + residual), the
// bias (per row or per column), residual and activation applied in the store of each tile
// (assembly/epilogue.ts) of the last depth slice.
// One source, three builds: the micro-kernel branches at compile time on ASC_FEATURE_SIMD /
// ASC_FEATURE_RELAXED_SIMD, so the scalar build holds no SIMD opcode and the relaxed build
// uses fused multiply-add. Blocking follows the usual Goto/BLIS loop nest: NC columns of B
// are packed per KC-deep slice, MC rows of A per slice, then MR×NR tiles run from the packs.
// Transposes are absorbed by the packing; partial tiles are zero-padded in the packs, run
// through the smallest micro-kernel covering their rows (6, 4 or 2) and written back
// through a small scratch tile. With few rows of C, untransposed B is read in place.

import { Gemm, StoreActivation } from '../src/backend/wasm/param-layouts';
import { setEpilogue, storeEpilogue1, storeEpilogue8 } from './epilogue';
import { float, int, ptr } from './params';

/** The current call's bias is one value per column of C (else per row). */
let biasPerColumn = false;

/** Rows of a micro-tile (broadcast A values) and columns (two f32x4 of B). Fused
 * multiply-add needs no temporary, so the relaxed build affords 6 rows (12 accumulators);
 * mul+add keeps 4 rows so V8 has registers left and nothing spills. */
export const GEMM_MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 4;
export const GEMM_NR: i32 = 8;
/** Cache blocking: a KC×NR B micro-panel stays in L1, an MC×KC A block in L2. */
export const GEMM_KC: i32 = 256;
export const GEMM_MC: i32 = 120; // a multiple of both micro-tile heights (4 and 6)
export const GEMM_NC: i32 = 2048;
const KC = GEMM_KC;
const MC = GEMM_MC;
const NC = GEMM_NC;

/** Largest m for which untransposed B is read in place instead of packed. */
const DIRECT_B_MAX_M: i32 = 3 * GEMM_MR;

const PACK_A_BYTES: usize = <usize>(MC * KC) << 2;
const PACK_B_BYTES: usize = <usize>(KC * NC) << 2;
const TILE_BYTES: usize = <usize>(GEMM_MR * GEMM_NR) << 2;

/** Bytes of the workspace sgemm needs (16-byte aligned pointer expected). */
export function gemmWorkspaceBytes(): i32 {
  return <i32>(PACK_A_BYTES + PACK_B_BYTES + TILE_BYTES);
}

// Parameter block: the Gemm layout of src/backend/wasm/param-layouts.ts, written by runGemm
// in src/backend/wasm/kernels.ts. Leading dimensions in elements; bias is one value per
// row of C (0: none); work is the packing workspace (gemmWorkspaceBytes).

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Stores the transpose of rows r0..r3 (4 floats each): column q goes to out + q·stride. */
@inline function storeTransposed4x4(r0: v128, r1: v128, r2: v128, r3: v128, out: usize, stride: usize): void {
  const s0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const s1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const s2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const s3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(out, v128.shuffle<f32>(s0, s1, 0, 1, 4, 5));
  v128.store(out + stride, v128.shuffle<f32>(s0, s1, 2, 3, 6, 7));
  v128.store(out + 2 * stride, v128.shuffle<f32>(s2, s3, 0, 1, 4, 5));
  v128.store(out + 3 * stride, v128.shuffle<f32>(s2, s3, 2, 3, 6, 7));
}

/** One full MR-row panel of untransposed A: rows are strided, so gather 4 depth steps of
 * 4 rows at once and transpose (rows past 4 are copied one by one). */
function packAPanelRowsSimd(a: usize, lda: i32, i: i32, p0: i32, kc: i32, dst: usize): void {
  const step = <usize>lda << 2;
  const src = a + ((<usize>i * <usize>lda + <usize>p0) << 2);
  const outStep = <usize>GEMM_MR << 2;
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const at = src + (<usize>p << 2);
    const out = dst + <usize>p * outStep;
    storeTransposed4x4(v128.load(at), v128.load(at + step), v128.load(at + 2 * step), v128.load(at + 3 * step), out, outStep);
    for (let r = 4; r < GEMM_MR; r++) {
      const row = at + <usize>r * step;
      for (let q = 0; q < 4; q++) store<f32>(out + <usize>q * outStep + (<usize>r << 2), load<f32>(row + (<usize>q << 2)));
    }
  }
  for (; p < kc; p++) {
    for (let r = 0; r < GEMM_MR; r++) {
      store<f32>(dst + <usize>p * outStep + (<usize>r << 2), load<f32>(src + <usize>r * step + (<usize>p << 2)));
    }
  }
}

/** One full NR-column panel of transposed B (stored n×k: the panel's columns are rows of
 * storage): gather 4 depth steps of the 8 rows, transpose in two 4×4 halves. Returns
 * false (doing nothing) in the scalar build or for a partial panel. */
function transBSimd(b: usize, ldb: i32, p0: i32, kc: i32, j: i32, cols: i32, dst: usize): bool {
  if (ASC_FEATURE_SIMD) {
    if (cols != GEMM_NR) return false;
    const step = <usize>ldb << 2;
    const src = b + ((<usize>j * <usize>ldb + <usize>p0) << 2);
    const outStep = <usize>GEMM_NR << 2;
    let p = 0;
    for (; p + 4 <= kc; p += 4) {
      const at = src + (<usize>p << 2);
      const out = dst + <usize>p * outStep;
      storeTransposed4x4(v128.load(at), v128.load(at + step), v128.load(at + 2 * step), v128.load(at + 3 * step), out, outStep);
      const at4 = at + 4 * step;
      storeTransposed4x4(v128.load(at4), v128.load(at4 + step), v128.load(at4 + 2 * step), v128.load(at4 + 3 * step), out + 16, outStep);
    }
    for (; p < kc; p++) {
      for (let c = 0; c < GEMM_NR; c++) {
        store<f32>(dst + <usize>p * outStep + (<usize>c << 2), load<f32>(src + <usize>c * step + (<usize>p << 2)));
      }
    }
    return true;
  }
  return false;
}

/** Packs rows [i0, i0+mc) × depth [p0, p0+kc) of op(A) into MR-row micro-panels, depth-major. */
function packA(a: usize, lda: i32, transA: bool, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += GEMM_MR) {
    const rows = min(GEMM_MR, mc - ir);
    let packed = false;
    if (ASC_FEATURE_SIMD) {
      if (!transA && rows == GEMM_MR) {
        packAPanelRowsSimd(a, lda, i0 + ir, p0, kc, dst);
        packed = true;
      }
    }
    if (packed) {
      // done above
    } else if (!transA) {
      for (let r = 0; r < GEMM_MR; r++) {
        let out = dst + (<usize>r << 2);
        if (r < rows) {
          let src = a + ((<usize>(i0 + ir + r) * <usize>lda + <usize>p0) << 2);
          for (let p = 0; p < kc; p++) {
            store<f32>(out, load<f32>(src));
            src += 4;
            out += <usize>GEMM_MR << 2;
          }
        } else {
          for (let p = 0; p < kc; p++) {
            store<f32>(out, 0);
            out += <usize>GEMM_MR << 2;
          }
        }
      }
    } else {
      // A is stored k×m: the MR values of one depth step are contiguous.
      let out = dst;
      for (let p = 0; p < kc; p++) {
        const src = a + ((<usize>(p0 + p) * <usize>lda + <usize>(i0 + ir)) << 2);
        for (let r = 0; r < GEMM_MR; r++) {
          store<f32>(out + (<usize>r << 2), r < rows ? load<f32>(src + (<usize>r << 2)) : 0);
        }
        out += <usize>GEMM_MR << 2;
      }
    }
    dst += <usize>(GEMM_MR * kc) << 2;
  }
}

/** Packs depth [p0, p0+kc) × columns [j0, j0+nc) of op(B) into NR-column micro-panels. */
function packB(b: usize, ldb: i32, transB: bool, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += GEMM_NR) {
    const cols = min(GEMM_NR, nc - jr);
    if (!transB) {
      let out = dst;
      let src = b + ((<usize>p0 * <usize>ldb + <usize>(j0 + jr)) << 2);
      const step = <usize>ldb << 2;
      if (cols == GEMM_NR) {
        for (let p = 0; p < kc; p++) {
          if (ASC_FEATURE_SIMD) {
            v128.store(out, v128.load(src));
            v128.store(out, v128.load(src, 16), 16);
          } else {
            store<u64>(out, load<u64>(src));
            store<u64>(out, load<u64>(src, 8), 8);
            store<u64>(out, load<u64>(src, 16), 16);
            store<u64>(out, load<u64>(src, 24), 24);
          }
          src += step;
          out += <usize>GEMM_NR << 2;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let c = 0; c < GEMM_NR; c++) {
            store<f32>(out + (<usize>c << 2), c < cols ? load<f32>(src + (<usize>c << 2)) : 0);
          }
          src += step;
          out += <usize>GEMM_NR << 2;
        }
      }
    } else if (transBSimd(b, ldb, p0, kc, j0 + jr, cols, dst)) {
      // packed four depth steps at a time
    } else {
      // B is stored n×k: column j of op(B) is row j of storage.
      for (let c = 0; c < GEMM_NR; c++) {
        let out = dst + (<usize>c << 2);
        if (c < cols) {
          let src = b + ((<usize>(j0 + jr + c) * <usize>ldb + <usize>p0) << 2);
          for (let p = 0; p < kc; p++) {
            store<f32>(out, load<f32>(src));
            src += 4;
            out += <usize>GEMM_NR << 2;
          }
        } else {
          for (let p = 0; p < kc; p++) {
            store<f32>(out, 0);
            out += <usize>GEMM_NR << 2;
          }
        }
      }
    }
    dst += <usize>(GEMM_NR * kc) << 2;
  }
}

/** Writes a rows×cols corner of the scratch tile into C with alpha, beta, bias, the residual
 * tile at res (ldrBytes per row; 0: none) and the activation. */
function storeTileScalar(tile: usize, c: usize, ldcBytes: usize, rows: i32, cols: i32, alpha: f32, beta: f32, bias: usize, res: usize, ldrBytes: usize): void {
  for (let r = 0; r < rows; r++) {
    const rowAdd: f32 = bias != 0 && !biasPerColumn ? load<f32>(bias + (<usize>r << 2)) : 0;
    const row = c + <usize>r * ldcBytes;
    const resRow: usize = res != 0 ? res + <usize>r * ldrBytes : 0;
    const src = tile + (<usize>(r * GEMM_NR) << 2);
    for (let j = 0; j < cols; j++) {
      const dst = row + (<usize>j << 2);
      let v = alpha * load<f32>(src + (<usize>j << 2));
      if (beta != 0) v += beta * load<f32>(dst);
      const add: f32 = biasPerColumn ? (bias != 0 ? load<f32>(bias + (<usize>j << 2)) : 0) : rowAdd;
      storeEpilogue1(dst, v + add, resRow != 0 ? resRow + (<usize>j << 2) : 0);
    }
  }
}

@inline function storeRow(dst: usize, x0: v128, x1: v128, va: v128, beta: f32, bias: usize, r: i32, res: usize, ldrBytes: usize): void {
  let y0 = f32x4.mul(x0, va);
  let y1 = f32x4.mul(x1, va);
  if (beta != 0) {
    const vb = f32x4.splat(beta);
    y0 = madd(vb, v128.load(dst), y0);
    y1 = madd(vb, v128.load(dst, 16), y1);
  }
  if (bias != 0) {
    if (biasPerColumn) {
      y0 = f32x4.add(y0, v128.load(bias));
      y1 = f32x4.add(y1, v128.load(bias, 16));
    } else {
      const vbias = v128.load32_splat(bias + (<usize>r << 2));
      y0 = f32x4.add(y0, vbias);
      y1 = f32x4.add(y1, vbias);
    }
  }
  storeEpilogue8(dst, y0, y1, res != 0 ? res + <usize>r * ldrBytes : 0);
}

/** f32x4 6×8 micro-kernel: 12 accumulators, one A broadcast and two B vectors per step. */
function kernel6x8Simd(kc: i32, pa: usize, pb: usize, bStep: usize, c: usize, ldcBytes: usize, rows: i32, cols: i32, alpha: f32, beta: f32, bias: usize, res: usize, ldrBytes: usize, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0), c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40);
    c41 = madd(a, b1, c41);
    a = v128.load32_splat(pa, 20);
    c50 = madd(a, b0, c50);
    c51 = madd(a, b1, c51);
    pa += 24;
    pb += bStep;
  }
  if (rows == GEMM_MR && cols == GEMM_NR) {
    const va = f32x4.splat(alpha);
    storeRow(c, c00, c01, va, beta, bias, 0, res, ldrBytes);
    storeRow(c + ldcBytes, c10, c11, va, beta, bias, 1, res, ldrBytes);
    storeRow(c + 2 * ldcBytes, c20, c21, va, beta, bias, 2, res, ldrBytes);
    storeRow(c + 3 * ldcBytes, c30, c31, va, beta, bias, 3, res, ldrBytes);
    storeRow(c + 4 * ldcBytes, c40, c41, va, beta, bias, 4, res, ldrBytes);
    storeRow(c + 5 * ldcBytes, c50, c51, va, beta, bias, 5, res, ldrBytes);
    return;
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  v128.store(tile, c40, 128);
  v128.store(tile, c41, 144);
  v128.store(tile, c50, 160);
  v128.store(tile, c51, 176);
  storeTileScalar(tile, c, ldcBytes, rows, cols, alpha, beta, bias, res, ldrBytes);
}

/** f32x4 4×8 micro-kernel: 8 accumulators. Reads the first 4 rows of each packed depth
 * step (aStep bytes apart), so it also serves as the edge kernel of the 6-row build. */
function kernel4x8Simd(kc: i32, pa: usize, aStep: usize, pb: usize, bStep: usize, c: usize, ldcBytes: usize, rows: i32, cols: i32, alpha: f32, beta: f32, bias: usize, res: usize, ldrBytes: usize, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += aStep;
    pb += bStep;
  }
  if (rows == 4 && cols == GEMM_NR) {
    const va = f32x4.splat(alpha);
    storeRow(c, c00, c01, va, beta, bias, 0, res, ldrBytes);
    storeRow(c + ldcBytes, c10, c11, va, beta, bias, 1, res, ldrBytes);
    storeRow(c + 2 * ldcBytes, c20, c21, va, beta, bias, 2, res, ldrBytes);
    storeRow(c + 3 * ldcBytes, c30, c31, va, beta, bias, 3, res, ldrBytes);
    return;
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  storeTileScalar(tile, c, ldcBytes, rows, cols, alpha, beta, bias, res, ldrBytes);
}

/** f32x4 2×8 edge kernel for the last one or two rows (a padded 4-row tile would
 * spend half its work on zero rows). */
function kernel2x8Simd(kc: i32, pa: usize, aStep: usize, pb: usize, bStep: usize, c: usize, ldcBytes: usize, rows: i32, cols: i32, alpha: f32, beta: f32, bias: usize, res: usize, ldrBytes: usize, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    pa += aStep;
    pb += bStep;
  }
  if (rows == 2 && cols == GEMM_NR) {
    const va = f32x4.splat(alpha);
    storeRow(c, c00, c01, va, beta, bias, 0, res, ldrBytes);
    storeRow(c + ldcBytes, c10, c11, va, beta, bias, 1, res, ldrBytes);
    return;
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  storeTileScalar(tile, c, ldcBytes, rows, cols, alpha, beta, bias, res, ldrBytes);
}

/** Scalar MR×8 micro-kernel: 2×4 sub-blocks of eight register accumulators each, only
 * over the rows and columns the tile really has (packs are zero-padded past them). */
function kernelScalar(kc: i32, pa0: usize, pb0: usize, bStep: usize, c: usize, ldcBytes: usize, rows: i32, cols: i32, alpha: f32, beta: f32, bias: usize, res: usize, ldrBytes: usize, tile: usize): void {
  for (let i = 0; i < rows; i += 2) {
    for (let j = 0; j < cols; j += 4) {
      let s00: f32 = 0, s01: f32 = 0, s02: f32 = 0, s03: f32 = 0;
      let s10: f32 = 0, s11: f32 = 0, s12: f32 = 0, s13: f32 = 0;
      let pa = pa0 + (<usize>i << 2);
      let pb = pb0 + (<usize>j << 2);
      for (let p = 0; p < kc; p++) {
        const a0 = load<f32>(pa);
        const a1 = load<f32>(pa, 4);
        const b0 = load<f32>(pb);
        const b1 = load<f32>(pb, 4);
        const b2 = load<f32>(pb, 8);
        const b3 = load<f32>(pb, 12);
        s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
        s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
        pa += <usize>GEMM_MR << 2;
        pb += bStep;
      }
      const t0 = tile + (<usize>(i * GEMM_NR + j) << 2);
      const t1 = t0 + (<usize>GEMM_NR << 2);
      store<f32>(t0, s00); store<f32>(t0, s01, 4); store<f32>(t0, s02, 8); store<f32>(t0, s03, 12);
      store<f32>(t1, s10); store<f32>(t1, s11, 4); store<f32>(t1, s12, 8); store<f32>(t1, s13, 12);
    }
  }
  storeTileScalar(tile, c, ldcBytes, rows, cols, alpha, beta, bias, res, ldrBytes);
}

/** C = act(beta·C + bias + residual) when the inner dimension is empty. */
function scaleC(c: usize, ldc: i32, m: i32, n: i32, beta: f32, bias: usize, res: usize, ldr: i32): void {
  for (let i = 0; i < m; i++) {
    const rowAdd: f32 = bias != 0 && !biasPerColumn ? load<f32>(bias + (<usize>i << 2)) : 0;
    const row = c + ((<usize>i * <usize>ldc) << 2);
    const resRow: usize = res != 0 ? res + ((<usize>i * <usize>ldr) << 2) : 0;
    for (let j = 0; j < n; j++) {
      const dst = row + (<usize>j << 2);
      const add: f32 = biasPerColumn ? (bias != 0 ? load<f32>(bias + (<usize>j << 2)) : 0) : rowAdd;
      storeEpilogue1(dst, (beta != 0 ? beta * load<f32>(dst) : 0) + add, resRow != 0 ? resRow + (<usize>j << 2) : 0);
    }
  }
}

/** Bytes packGemmA writes for an m×k op(A): ceil(m / MR) panels of MR×k floats. */
export function packedGemmABytes(m: i32, k: i32): i32 {
  return ((m + GEMM_MR - 1) / GEMM_MR) * GEMM_MR * k * 4;
}

/** Packs op(A) (m×k; stored k×m when transA) once into dst as sgemm's packedA mode reads
 * it: MR-row panels (the last zero-padded), each depth-major over the whole k, so any
 * depth slice of a panel is contiguous. A compiled plan packs its weights this way. */
export function packGemmA(a: usize, lda: i32, transA: i32, m: i32, k: i32, dst: usize): void {
  if (m <= 0 || k <= 0) return;
  packA(a, lda, transA != 0, 0, m, 0, k, dst);
}

/** SGEMM on the parameter block at `params` (Gemm layout). Row-major, leading dimensions in elements. */
export function sgemm(params: usize): void {
  const m = int(params, Gemm.m);
  const n = int(params, Gemm.n);
  const k = int(params, Gemm.k);
  const transA = int(params, Gemm.transA) != 0;
  const transB = int(params, Gemm.transB) != 0;
  const lda = int(params, Gemm.lda);
  const ldb = int(params, Gemm.ldb);
  const ldc = int(params, Gemm.ldc);
  const a = ptr(params, Gemm.a);
  const b = ptr(params, Gemm.b);
  const c = ptr(params, Gemm.c);
  const alpha = float(params, Gemm.alpha);
  const beta = float(params, Gemm.beta);
  const bias = ptr(params, Gemm.bias);
  const work = ptr(params, Gemm.work);
  const residual = ptr(params, Gemm.residual);
  const ldr = int(params, Gemm.ldr);
  const packed = int(params, Gemm.packedA) != 0;
  const activation = int(params, Gemm.activation);
  biasPerColumn = int(params, Gemm.biasPerColumn) != 0;
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    setEpilogue(activation, float(params, Gemm.actMin), float(params, Gemm.actMax));
    scaleC(c, ldc, m, n, beta, bias, residual, ldr);
    return;
  }
  const ldrBytes = <usize>ldr << 2;
  const packedA = work;
  const packedB = work + PACK_A_BYTES;
  const tile = packedB + PACK_B_BYTES;
  const ldcBytes = <usize>ldc << 2;
  // With few rows of C, each B panel is used by few micro-tiles, so packing B would cost
  // about as much as the tiles: read untransposed B in place instead.
  const direct = !transB && m <= DIRECT_B_MAX_M;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      // Later depth slices accumulate onto the first; the bias goes in with the last.
      // The epilogue (residual, activation) applies with the last one too.
      const passBeta: f32 = pc == 0 ? beta : 1;
      const last = pc + kc >= k;
      const passBias: usize = last ? bias : 0;
      const passRes: usize = last ? residual : 0;
      if (last) setEpilogue(activation, float(params, Gemm.actMin), float(params, Gemm.actMax));
      else setEpilogue(StoreActivation.none, 0, 0);
      if (!direct) packB(b, ldb, transB, pc, kc, jc, nc, packedB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        if (!packed) packA(a, lda, transA, ic, mc, pc, kc, packedA);
        for (let jr = 0; jr < nc; jr += GEMM_NR) {
          const cols = min(GEMM_NR, nc - jr);
          let pb = packedB + (<usize>(jr * kc) << 2);
          let bStep: usize = <usize>GEMM_NR << 2;
          if (direct) {
            if (cols == GEMM_NR) {
              // Whole panels are read in place: NR contiguous floats per depth step.
              pb = b + ((<usize>pc * <usize>ldb + <usize>(jc + jr)) << 2);
              bStep = <usize>ldb << 2;
            } else {
              packB(b, ldb, false, pc, kc, jc + jr, cols, packedB); // the zero-padded edge panel
              pb = packedB;
            }
          }
          for (let ir = 0; ir < mc; ir += GEMM_MR) {
            const rows = min(GEMM_MR, mc - ir);
            // Pre-packed A: the panel of rows ic + ir, at depth pc of its whole-k run.
            const pa = packed ? a + ((<usize>(ic + ir) * <usize>k + <usize>pc * <usize>GEMM_MR) << 2) : packedA + (<usize>(ir * kc) << 2);
            const dst = c + ((<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) << 2);
            const rowBias: usize = passBias == 0 ? 0 : biasPerColumn ? passBias + (<usize>(jc + jr) << 2) : passBias + (<usize>(ic + ir) << 2);
            const res: usize = passRes != 0 ? passRes + ((<usize>(ic + ir) * <usize>ldr + <usize>(jc + jr)) << 2) : 0;
            // The smallest kernel that covers the tile's rows, so edge tiles do no padded work
            // (rows > 4 only happens in the relaxed build, whose MR is 6).
            const aStep = <usize>GEMM_MR << 2;
            if (ASC_FEATURE_SIMD) {
              if (rows > 4) kernel6x8Simd(kc, pa, pb, bStep, dst, ldcBytes, rows, cols, alpha, passBeta, rowBias, res, ldrBytes, tile);
              else if (rows > 2) kernel4x8Simd(kc, pa, aStep, pb, bStep, dst, ldcBytes, rows, cols, alpha, passBeta, rowBias, res, ldrBytes, tile);
              else kernel2x8Simd(kc, pa, aStep, pb, bStep, dst, ldcBytes, rows, cols, alpha, passBeta, rowBias, res, ldrBytes, tile);
            } else {
              kernelScalar(kc, pa, pb, bStep, dst, ldcBytes, rows, cols, alpha, passBeta, rowBias, res, ldrBytes, tile);
            }
          }
        }
      }
    }
  }
}
