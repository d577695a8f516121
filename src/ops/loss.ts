// Loss ops: a scalar tensor whose rule scales the gradient computed with the forward, in
// float64 (the batch is small next to the network) and stored as float32.
import type { Backend } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { tracing } from '../autograd/trace.js';
import { Tensor, formatShape, zerosOn } from '../tensor.js';
import { checkTensor, resolveBackend } from './validate.js';

/** Class indices (Int32Array, number[], or a Tensor [N]) or a Tensor shaped like the input
 * (one-hot or soft targets for cross-entropy, regression targets for MSE). */
export type LossTarget = Tensor | Int32Array | readonly number[];

/** Integer class labels in [0, classes), one per row; throws on a bad count or value. */
export function toClassLabels(op: string, target: LossTarget, rows: number, classes: number): Int32Array {
  if (!(target instanceof Tensor) && !(target instanceof Int32Array) && !Array.isArray(target)) {
    throw new Error(`${op}: target must be a Tensor, an Int32Array or an array of labels, got ${String(target)}`);
  }
  const values: ArrayLike<number> = target instanceof Tensor ? target.data : target;
  if (target instanceof Tensor && target.rank !== 1) {
    throw new Error(`${op}: class-index target must have shape [${rows}], got ${formatShape(target.shape)}`);
  }
  if (values.length !== rows) throw new Error(`${op}: got ${values.length} labels for a batch of ${rows}`);
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new Error(`${op}: label ${String(v)} at index ${i} is not an integer class in [0, ${classes})`);
    }
    labels[i] = v;
  }
  return labels;
}

/** A target tensor that requires a gradient (soft labels, regression targets) and dL/dtarget. */
interface TargetGradient {
  tensor: Tensor;
  grad: Float32Array;
}

/** The scalar loss with its rule: dL/dinput = grad · dy (and dL/dtarget = target.grad · dy). */
function scalarLoss(
  op: string, be: Backend, input: Tensor, loss: number, grad: Float32Array, target: TargetGradient | null, attrs: object | undefined,
): Tensor {
  const y = new Tensor(Float32Array.of(loss), []);
  const scaled = (g: Float32Array, like: Tensor, dy: Tensor): Tensor => {
    const out = zerosOn(be, like.shape);
    be.axpby(dy.data[0], g, 0, out.data);
    return out;
  };
  return record(op, y, [input, target?.tensor], be, (dy, [needInput, needTarget]) => [
    needInput ? scaled(grad, input, dy) : null,
    needTarget && target ? scaled(target.grad, target.tensor, dy) : null,
  ], attrs);
}

/** Softmax cross-entropy of logits [N, C] (stable log-softmax), mean over the batch.
 * Targets: class indices, or a [N, C] tensor of one-hot / probability rows. */
export function crossEntropy(input: Tensor, target: LossTarget, backend?: Backend): Tensor {
  const op = 'crossEntropy';
  checkTensor(op, 'input', input);
  if (input.rank !== 2 || input.shape[0] < 1 || input.shape[1] < 1) {
    throw new Error(`${op}: input must be logits [N, C] with N, C ≥ 1, got ${formatShape(input.shape)}`);
  }
  const be = resolveBackend(op, backend);
  const [rows, classes] = input.shape;
  const soft = target instanceof Tensor && target.rank === 2;
  if (soft && (target.shape[0] !== rows || target.shape[1] !== classes)) {
    throw new Error(`${op}: one-hot target ${formatShape(target.shape)} does not match logits ${formatShape(input.shape)}`);
  }
  const labels = soft ? null : toClassLabels(op, target, rows, classes);
  const x = input.data;
  const grad = new Float32Array(x.length);
  // dL/dtarget = −log softmax(x) / N, for probability rows that require a gradient.
  const targetGrad = soft && target.requiresGrad ? new Float32Array(x.length) : null;
  const probs = new Float64Array(classes);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, x[base + c]);
    if (!Number.isFinite(max)) throw new Error(`${op}: logits row ${r} contains non-finite values`);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += probs[c] = Math.exp(x[base + c] - max);
    const logSum = Math.log(sum) + max;
    for (let c = 0; c < classes; c++) {
      const t = labels ? (labels[r] === c ? 1 : 0) : (target as Tensor).data[base + c];
      if (t !== 0) total -= t * (x[base + c] - logSum);
      grad[base + c] = (probs[c] / sum - t) / rows;
      if (targetGrad) targetGrad[base + c] = -(x[base + c] - logSum) / rows;
    }
  }
  const targetOf = targetGrad ? { tensor: target as Tensor, grad: targetGrad } : null;
  return scalarLoss(op, be, input, total / rows, grad, targetOf, tracing() ? { target, labels } : undefined);
}

/** Mean squared error: mean((input − target)²) over all elements. */
export function mseLoss(input: Tensor, target: LossTarget, backend?: Backend): Tensor {
  const op = 'mseLoss';
  checkTensor(op, 'input', input);
  const be = resolveBackend(op, backend);
  if (!(target instanceof Tensor) && !(target instanceof Int32Array) && !Array.isArray(target)) {
    throw new Error(`${op}: target must be a Tensor or an array of numbers, got ${String(target)}`);
  }
  const t: ArrayLike<number> = target instanceof Tensor ? target.data : target;
  if (target instanceof Tensor && (target.rank !== input.rank || target.shape.some((d, i) => d !== input.shape[i]))) {
    throw new Error(`${op}: target ${formatShape(target.shape)} does not match input ${formatShape(input.shape)}`);
  }
  if (t.length !== input.size || input.size === 0) {
    throw new Error(`${op}: target has ${t.length} values, input ${formatShape(input.shape)} has ${input.size} (must be equal and non-zero)`);
  }
  const x = input.data;
  const n = x.length;
  const grad = new Float32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - t[i];
    total += d * d;
    grad[i] = (2 * d) / n;
  }
  const targetOf = target instanceof Tensor && target.requiresGrad ? { tensor: target, grad: grad.map((g) => -g) } : null;
  return scalarLoss(op, be, input, total / n, grad, targetOf, tracing() ? { target } : undefined);
}
