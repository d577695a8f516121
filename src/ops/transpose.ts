// transpose (ONNX Transpose: any permutation, the default reverses the axes) and permute
// (PyTorch's name, the permutation required). The gradient is the inverse permutation.
import type { Backend, TransposeGeometry } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { Tensor, formatShape, zerosOn } from '../tensor.js';
import { checkTensor, describeValue, resolveBackend } from './validate.js';

/** perm as a permutation of [0, rank) (negative entries count from the end), or an Error. */
export function parsePermutation(op: string, name: string, perm: unknown, shape: readonly number[]): number[] {
  const rank = shape.length;
  const bad = (why: string): never => {
    throw new Error(`${op}: ${name} ${describeValue(perm)} ${why} of the axes of input ${formatShape(shape)}`);
  };
  if (!Array.isArray(perm) || perm.length !== rank) bad(`is not a permutation (it needs ${rank} entries)`);
  const out = (perm as unknown[]).map((a) => {
    if (typeof a !== 'number' || !Number.isInteger(a) || a < -rank || a >= rank) bad(`has an entry outside [${-rank}, ${rank - 1}]: not a permutation`);
    return (a as number) < 0 ? (a as number) + rank : (a as number);
  });
  if (new Set(out).size !== rank) bad('repeats an axis: not a permutation');
  return out;
}

function permuted(op: string, x: Tensor, perm: number[], backend: Backend | undefined): Tensor {
  const be = resolveBackend(op, backend);
  const shape = perm.map((p) => x.shape[p]);
  // Only axes of size 1 move: the data order is unchanged, so it is a view.
  const moving = perm.filter((p) => x.shape[p] !== 1);
  if (moving.every((p, i) => i === 0 || p > moving[i - 1])) return x.reshape(shape);
  const g: TransposeGeometry = { shape: x.shape, perm };
  const y = zerosOn(be, shape);
  be.transpose(g, x.data, y.data);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return record(op, y, [x], be, (dy) => {
    const dx = zerosOn(be, x.shape);
    be.transpose({ shape, perm: inverse }, dy.data, dx.data);
    return [dx];
  }, g);
}

/** x with its axes permuted: output axis i is input axis perm[i] (ONNX Transpose).
 * Without perm the axes are reversed ([N, C, H, W] → [W, H, C, N]). */
export function transpose(x: Tensor, perm?: readonly number[], backend?: Backend): Tensor {
  checkTensor('transpose', 'input', x);
  const p = perm === undefined ? x.shape.map((_, i) => x.rank - 1 - i) : parsePermutation('transpose', 'perm', perm, x.shape);
  return permuted('transpose', x, p, backend);
}

/** PyTorch's permute: output axis i is input axis dims[i], e.g. NCHW → NHWC with [0, 2, 3, 1]. */
export function permute(x: Tensor, dims: readonly number[], backend?: Backend): Tensor {
  checkTensor('permute', 'input', x);
  return permuted('permute', x, parsePermutation('permute', 'dims', dims, x.shape), backend);
}
