// General matrix multiply on 2-D tensors: C = alpha·op(A)·op(B) + beta·C.
import type { Backend } from '../backend/backend.js';
import { needsGrad, record } from '../autograd/graph.js';
import { tracing } from '../autograd/trace.js';
import { Tensor, formatShape, zerosOn } from '../tensor.js';
import { checkBoolean, checkFiniteNumber, checkOptions, checkRankOf, checkShapeIs, checkTensor, resolveBackend } from './validate.js';

export interface GemmOptions {
  /** Use Aᵀ: a is stored [k, m]. */
  transA?: boolean;
  /** Use Bᵀ: b is stored [n, k]. */
  transB?: boolean;
  /** Default 1. */
  alpha?: number;
  /** Default 1 when c is given, else 0 (0 ignores c's old contents, even NaN). */
  beta?: number;
  /** [m, n] output written in place and returned; must not share memory with a or b. */
  c?: Tensor;
}

function overlaps(p: Float32Array, q: Float32Array): boolean {
  if (p.buffer !== q.buffer) return false;
  return p.byteOffset < q.byteOffset + q.byteLength && q.byteOffset < p.byteOffset + p.byteLength;
}

/** alpha·op(a)·op(b) + beta·c for a [m, k] (or [k, m] with transA) and b [k, n] (or [n, k] with transB). */
export function gemm(a: Tensor, b: Tensor, options?: GemmOptions, backend?: Backend): Tensor {
  const op = 'gemm';
  checkTensor(op, 'a', a);
  checkTensor(op, 'b', b);
  checkRankOf(op, 'a', a, 2);
  checkRankOf(op, 'b', b, 2);
  const opts = checkOptions(op, options, ['transA', 'transB', 'alpha', 'beta', 'c']);
  const transA = checkBoolean(op, 'transA', opts.transA, false);
  const transB = checkBoolean(op, 'transB', opts.transB, false);
  const alpha = opts.alpha === undefined ? 1 : checkFiniteNumber(op, 'alpha', opts.alpha);
  const c = opts.c;
  const beta = opts.beta === undefined ? (c ? 1 : 0) : checkFiniteNumber(op, 'beta', opts.beta);
  const be = resolveBackend(op, backend);
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [k2, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  const desc = `a ${formatShape(a.shape)}${transA ? 'ᵀ' : ''} · b ${formatShape(b.shape)}${transB ? 'ᵀ' : ''}`;
  if (k !== k2) throw new Error(`${op}: inner dimensions differ (${k} vs ${k2}) in ${desc}`);
  if (m === 0 || n === 0 || k === 0) throw new Error(`${op}: sizes must be positive, got m=${m}, n=${n}, k=${k} in ${desc}`);
  if (c !== undefined) {
    checkTensor(op, 'c', c);
    checkShapeIs(op, 'c', c.shape, [m, n], desc);
    if (overlaps(c.data, a.data) || overlaps(c.data, b.data)) throw new Error(`${op}: c must not share memory with a or b (${desc})`);
    // c is written in place: on the tape that would overwrite what other ops saved.
    if (needsGrad([a, b, c])) throw new Error(`${op}: c is written in place, which cannot be recorded for gradients; use add(gemm(a, b), c) (${desc})`);
    // Nor in an op trace: the output would be the same tensor as an input, with new values.
    if (tracing()) throw new Error(`${op}: c is written in place, which an op trace (ONNX export) cannot record; use add(gemm(a, b), c) (${desc})`);
    be.gemm(m, n, k, a.data, b.data, c.data, { transA, transB, alpha, beta });
    return c;
  }
  const out = zerosOn(be, [m, n]);
  be.gemm(m, n, k, a.data, b.data, out.data, { transA, transB, alpha, beta: 0 });
  return record(op, out, [a, b], be, (dc, [needA, needB]) => {
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (needA) {
      // dop(A) = alpha·dC·op(B)ᵀ, stored transposed when A is.
      da = zerosOn(be, a.shape);
      if (!transA) be.gemm(m, k, n, dc.data, b.data, da.data, { transA: false, transB: !transB, alpha, beta: 0 });
      else be.gemm(k, m, n, b.data, dc.data, da.data, { transA: transB, transB: true, alpha, beta: 0 });
    }
    if (needB) {
      // dop(B) = alpha·op(A)ᵀ·dC, stored transposed when B is.
      db = zerosOn(be, b.shape);
      if (!transB) be.gemm(k, n, m, a.data, dc.data, db.data, { transA: !transA, transB: false, alpha, beta: 0 });
      else be.gemm(n, k, m, dc.data, a.data, db.data, { transA: true, transB: transA, alpha, beta: 0 });
    }
    return [da, db];
  }, tracing() ? { transA, transB, alpha } : undefined);
}
