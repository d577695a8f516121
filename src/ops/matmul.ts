// matmul with numpy / ONNX MatMul semantics: the last two dimensions multiply as
// matrices, the ones before them are batch dimensions that broadcast; a 1-D operand is a
// row vector on the left ([k] as [1, k]) or a column vector on the right ([k] as [k, 1]),
// and that dimension is dropped from the result. One backend GEMM per batch element (one
// for all of them when b has no batch of its own); the gradient of a broadcast operand is
// summed over the batch dimensions it was broadcast along.
import type { Backend, GemmParams } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { Tensor, formatShape, shapeSize, zerosOn, type Shape } from '../tensor.js';
import { broadcastShapes, broadcastStrides, reduceTo } from './arithmetic.js';
import { checkTensor, resolveBackend, sameShape } from './validate.js';

const PLAIN: GemmParams = { transA: false, transB: false, alpha: 1, beta: 0 };

/** For each batch element of `target`, the index of the matrix of an operand with batch
 * shape `own` (numpy broadcasting, aligned to the right). */
function matrixIndices(own: Shape, target: Shape): Int32Array {
  const strides = broadcastStrides(own, target);
  const count = shapeSize(target);
  const out = new Int32Array(count);
  const index = new Array<number>(target.length).fill(0);
  let at = 0;
  for (let i = 0; i < count; i++) {
    out[i] = at;
    for (let d = target.length - 1; d >= 0; d--) {
      index[d]++;
      at += strides[d];
      if (index[d] < target[d]) break;
      at -= strides[d] * target[d];
      index[d] = 0;
    }
  }
  return out;
}

/** The matrix product of a and b with broadcast batch dimensions (see the file header). */
export function matmul(a: Tensor, b: Tensor, backend?: Backend): Tensor {
  const op = 'matmul';
  checkTensor(op, 'a', a);
  checkTensor(op, 'b', b);
  const desc = `a ${formatShape(a.shape)} · b ${formatShape(b.shape)}`;
  if (a.rank === 0 || b.rank === 0) throw new Error(`${op}: operands must have at least one dimension, got ${desc}`);
  // Both as (batch…, rows, columns).
  const as = a.rank === 1 ? [1, a.shape[0]] : a.shape;
  const bs = b.rank === 1 ? [b.shape[0], 1] : b.shape;
  const [m, k] = as.slice(-2);
  const [k2, n] = bs.slice(-2);
  if (k !== k2) throw new Error(`${op}: inner dimensions differ (${k} vs ${k2}) in ${desc}`);
  if (m === 0 || n === 0 || k === 0) throw new Error(`${op}: matrix sizes must be positive, got m=${m}, n=${n}, k=${k} in ${desc}`);
  const batchA = as.slice(0, -2);
  const batchB = bs.slice(0, -2);
  let batch: number[];
  try {
    batch = broadcastShapes(op, batchA, batchB);
  } catch {
    throw new Error(`${op}: batch dimensions ${formatShape(batchA)} and ${formatShape(batchB)} do not broadcast in ${desc}`);
  }
  if (shapeSize(batch) === 0) throw new Error(`${op}: batch dimensions ${formatShape(batch)} are empty in ${desc}`);
  const be = resolveBackend(op, backend);
  const count = shapeSize(batch);
  const shape = [...batch, ...(a.rank === 1 ? [] : [m]), ...(b.rank === 1 ? [] : [n])];
  const y = zerosOn(be, shape);
  // b shared by every batch element and a not broadcast: a's batch folds into its rows.
  const foldRows = shapeSize(batchB) === 1 && sameShape(batchA, batch);
  const ia = matrixIndices(batchA, batch);
  const ib = matrixIndices(batchB, batch);
  const [sa, sb, sc] = [m * k, k * n, m * n];
  // The matrices of batch element i: a's and b's (through broadcasting), and a [size]-float block i.
  const aOf = (i: number) => a.data.subarray(ia[i] * sa, (ia[i] + 1) * sa);
  const bOf = (i: number) => b.data.subarray(ib[i] * sb, (ib[i] + 1) * sb);
  const block = (t: Tensor, i: number, size: number) => t.data.subarray(i * size, (i + 1) * size);
  if (foldRows) be.gemm(count * m, n, k, a.data, b.data, y.data, PLAIN);
  else {
    for (let i = 0; i < count; i++) {
      be.gemm(m, n, k, aOf(i), bOf(i), block(y, i, sc), PLAIN);
    }
  }
  return record(op, y, [a, b], be, (dc, [needA, needB]) => {
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (foldRows) {
      // dA = dC·Bᵀ over all rows at once; dB = Aᵀ·dC sums over the batch in the one product.
      if (needA) {
        da = zerosOn(be, a.shape);
        be.gemm(count * m, k, n, dc.data, b.data, da.data, { ...PLAIN, transB: true });
      }
      if (needB) {
        db = zerosOn(be, b.shape);
        be.gemm(k, n, count * m, a.data, dc.data, db.data, { ...PLAIN, transA: true });
      }
      return [da, db];
    }
    // Per batch element into full-batch gradients, then summed down to each operand's shape.
    if (needA) {
      const full = zerosOn(be, [...batch, m, k]);
      for (let i = 0; i < count; i++) {
        be.gemm(m, k, n, block(dc, i, sc), bOf(i), block(full, i, sa), { ...PLAIN, transB: true });
      }
      da = new Tensor(Tensor.shareData(reduceTo(be, full, as)), a.shape);
    }
    if (needB) {
      const full = zerosOn(be, [...batch, k, n]);
      for (let i = 0; i < count; i++) {
        be.gemm(k, n, m, aOf(i), block(dc, i, sc), block(full, i, sb), { ...PLAIN, transA: true });
      }
      db = new Tensor(Tensor.shareData(reduceTo(be, full, bs)), b.shape);
    }
    return [da, db];
  });
}
