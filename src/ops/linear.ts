// Fully connected layer as PyTorch: y = x·Wᵀ + b with W [out, in].
import type { Backend } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { Tensor, emptyOn, formatShape } from '../tensor.js';
import { checkRankOf, checkShapeIs, checkTensor, resolveBackend } from './validate.js';

export interface LinearGradients {
  dx: Tensor;
  dw: Tensor;
  db: Tensor;
}

const NO_TRANS = { transA: false, transB: false, alpha: 1, beta: 0 } as const;

function checkOperands(op: string, x: Tensor, w: Tensor): void {
  checkTensor(op, 'input', x);
  checkTensor(op, 'weight', w);
  checkRankOf(op, 'input', x, 2);
  checkRankOf(op, 'weight', w, 2);
  if (x.shape[1] !== w.shape[1]) {
    throw new Error(`${op}: input ${formatShape(x.shape)} has ${x.shape[1]} features but weight ${formatShape(w.shape)} expects ${w.shape[1]}`);
  }
  if (x.size === 0 || w.size === 0) throw new Error(`${op}: input ${formatShape(x.shape)} and weight ${formatShape(w.shape)} must have no zero sizes`);
}

/** x [N, in] · w [out, in]ᵀ (+ bias [out]) → [N, out]. */
export function linear(x: Tensor, w: Tensor, bias?: Tensor | null, backend?: Backend): Tensor {
  const op = 'linear';
  checkOperands(op, x, w);
  const [batch, inFeatures] = x.shape;
  const outFeatures = w.shape[0];
  if (bias !== undefined && bias !== null) {
    checkTensor(op, 'bias', bias);
    if (bias.rank !== 1 || bias.shape[0] !== outFeatures) {
      throw new Error(`${op}: bias must have shape [${outFeatures}] for weight ${formatShape(w.shape)}, got ${formatShape(bias.shape)}`);
    }
  }
  const be = resolveBackend(op, backend);
  // GEMMs with beta 0 and sumBias write every element: the outputs are not zeroed first.
  const y = emptyOn(be, [batch, outFeatures]);
  be.gemm(batch, outFeatures, inFeatures, x.data, w.data, y.data, { ...NO_TRANS, transB: true });
  const b = bias ?? null;
  if (b) be.addBias(y.data, b.data, batch, outFeatures, 1, y.data);
  return record(op, y, [x, w, b], be, (dy, [needX, needW, needB]) => linearGradients(be, dy, x, w, needX, needW, needB));
}

function linearGradients(be: Backend, dy: Tensor, x: Tensor, w: Tensor, needX: boolean, needW: boolean, needB: boolean): (Tensor | null)[] {
  const [batch, inFeatures] = x.shape;
  const outFeatures = w.shape[0];
  let dx: Tensor | null = null;
  let dw: Tensor | null = null;
  let db: Tensor | null = null;
  if (needX) {
    dx = emptyOn(be, x.shape);
    be.gemm(batch, inFeatures, outFeatures, dy.data, w.data, dx.data, NO_TRANS);
  }
  if (needW) {
    dw = emptyOn(be, w.shape);
    be.gemm(outFeatures, inFeatures, batch, dy.data, x.data, dw.data, { ...NO_TRANS, transA: true });
  }
  if (needB) {
    db = emptyOn(be, [outFeatures]);
    be.sumBias(dy.data, batch, outFeatures, 1, db.data);
  }
  return [dx, dw, db];
}

/** Gradients of linear given dy [N, out]: dx = dy·W, dw = dyᵀ·x, db = Σ_N dy. */
export function linearBackward(dy: Tensor, x: Tensor, w: Tensor, backend?: Backend): LinearGradients {
  const op = 'linearBackward';
  checkTensor(op, 'dy', dy);
  checkOperands(op, x, w);
  const [batch] = x.shape;
  const outFeatures = w.shape[0];
  checkShapeIs(op, 'dy', dy.shape, [batch, outFeatures], `the output of input ${formatShape(x.shape)} · weight ${formatShape(w.shape)}ᵀ`);
  const [dx, dw, db] = linearGradients(resolveBackend(op, backend), dy, x, w, true, true, true) as Tensor[];
  return { dx, dw, db };
}
