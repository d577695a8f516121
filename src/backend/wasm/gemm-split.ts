// Splitting one SGEMM into sub-GEMMs for threads: along N (column panels of B and C) or,
// when N is narrow, along M (row panels of A and C), never along K. Each cut falls on a
// micro-tile edge (a multiple of NR columns or MR rows; MC and NC are multiples of those),
// so every element of C lands in a tile of the same shape, is summed over the same KC
// slices in the same order and stored by the same code as without the split: the result
// is bit-identical. (The small-M path that reads B in place instead of packing it,
// m ≤ 3·MR, is never entered by an M part that the whole would not take: M parts are at
// least MIN_TILES·MR = 4·MR rows; N parts keep m. It would read the same values anyway.)
// The store epilogue's operands follow their axis: a per-row bias and the residual's rows
// with M, a per-column bias and the residual's columns with N.
import type { GemmBlocking, GemmCall } from './kernels.js';

/** Below this many flops (2·m·n·k) a GEMM runs whole on the calling thread: waking a
 * worker and waiting for it costs tens of microseconds, about what a 64³ product takes at
 * 50 GFLOP/s, so parts of less than ~0.9 MFLOP would not pay. `npm run bench:threads`
 * times the sizes around it (64, 96, 128). */
export const GEMM_SPLIT_FLOPS = 2 * 96 * 96 * 96;

/** Parts are at least this many micro-tiles wide (columns) or tall (rows). */
const MIN_TILES = 4;

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** The sub-GEMMs of `call` for at most `threads` threads (the call itself when it does not pay). */
export function splitGemm(call: GemmCall, threads: number, blocking: GemmBlocking, minFlops = GEMM_SPLIT_FLOPS): GemmCall[] {
  const { m, n, k } = call;
  if (threads < 2 || m <= 0 || n <= 0 || 2 * m * n * Math.max(k, 1) < minFlops) return [call];
  const byN = Math.min(threads, Math.floor(n / (MIN_TILES * blocking.nr)));
  const byM = Math.min(threads, Math.floor(m / (MIN_TILES * blocking.mr)));
  // Each part packs all of the other operand: cut the longer side, so what every part
  // repeats is the smaller matrix.
  if (byN >= 2 && (n >= m || byM < 2)) return alongN(call, roundUp(Math.ceil(n / byN), blocking.nr));
  if (byM >= 2) return alongM(call, roundUp(Math.ceil(m / byM), blocking.mr));
  return [call];
}

function alongN(call: GemmCall, width: number): GemmCall[] {
  const parts: GemmCall[] = [];
  for (let j = 0; j < call.n; j += width) parts.push(columnsOf(call, j, Math.min(call.n, j + width)));
  return parts;
}

function alongM(call: GemmCall, height: number): GemmCall[] {
  const parts: GemmCall[] = [];
  for (let i = 0; i < call.m; i += height) parts.push(rowsOf(call, i, Math.min(call.m, i + height)));
  return parts;
}

/** The sub-GEMM that writes columns [j0, j1) of C (j0 a multiple of NR). */
export function columnsOf(call: GemmCall, j0: number, j1: number): GemmCall {
  return {
    ...call,
    n: j1 - j0,
    b: call.b + 4 * (call.transB ? j0 * call.ldb : j0),
    c: call.c + 4 * j0,
    bias: call.bias !== 0 && call.biasPerColumn ? call.bias + 4 * j0 : call.bias,
    residual: call.residual ? call.residual + 4 * j0 : call.residual,
  };
}

/** The sub-GEMM that writes rows [i0, i1) of C (i0 a multiple of MR). */
export function rowsOf(call: GemmCall, i0: number, i1: number): GemmCall {
  return {
    ...call,
    m: i1 - i0,
    // A packed by packGemmA is MR-row panels over the whole depth (lda = k): rows i… of a
    // part that starts on a panel edge sit at a + 4·i·lda, as in an untransposed A.
    a: call.a + 4 * (call.transA && !call.packedA ? i0 : i0 * call.lda),
    c: call.c + 4 * i0 * call.ldc,
    bias: call.bias === 0 || call.biasPerColumn ? call.bias : call.bias + 4 * i0,
    residual: call.residual ? call.residual + 4 * i0 * (call.ldr ?? 0) : call.residual,
  };
}
