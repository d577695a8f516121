// Export rules of the normalizations. BatchNorm (eval) is BatchNormalization with the
// running statistics; LayerNorm is LayerNormalization from opset 17 and its formula in
// ONNX ops below; GroupNorm is InstanceNormalization over [N, groups, rest]; InstanceNorm
// is InstanceNormalization, or with running statistics BatchNormalization.
import type { TracedOp } from '../../autograd/trace.js';
import type { Tensor } from '../../tensor.js';
import { attr, type GraphBuilder } from './builder.js';
import { attrsOf, type ExportRule } from './rule.js';

function inputTensor(op: TracedOp, i: number): Tensor {
  return op.inputs[i] as Tensor;
}

/** Input i (weight 1, bias 2), or a constant of `fill` when the op had none (ONNX's
 * normalization ops need scale and B). */
function affine(b: GraphBuilder, op: TracedOp, i: number, shape: readonly number[], fill: number): string {
  if (op.inputs[i] !== null) return b.input(op, i);
  const size = shape.reduce((a, d) => a * d, 1);
  return b.floatConst(new Float32Array(size).fill(fill), shape, i === 1 ? 'scale' : 'bias');
}

/** A per-channel [C] input shaped to broadcast over x [N, C, …]: [C, 1, …]. */
function perChannel(b: GraphBuilder, op: TracedOp, i: number, rank: number): string {
  const name = b.input(op, i);
  if (rank <= 2) return name;
  const channels = inputTensor(op, i).shape[0];
  return b.temp('Reshape', [name, b.int64Const([channels, ...new Array<number>(rank - 2).fill(1)], 'shape')]);
}

function batchNorm2dRule(b: GraphBuilder, op: TracedOp): void {
  const a = attrsOf<{ training: boolean; eps: number; runningMean: Tensor; runningVar: Tensor }>(op);
  if (a.training) throw b.fail('train mode (batch statistics, running statistics updated) is training-only; ONNX BatchNormalization is exported from eval mode');
  const channels = inputTensor(op, 0).shape[1];
  b.emit(op, 'BatchNormalization', [
    b.input(op, 0), affine(b, op, 1, [channels], 1), affine(b, op, 2, [channels], 0),
    b.state(a.runningMean, 'runningMean'), b.state(a.runningVar, 'runningVar'),
  ], [attr.float('epsilon', a.eps)]);
}

interface LayerNormAttrs {
  eps: number;
  normalizedShape: readonly number[];
}

/** The normalized axes of a layerNorm (the last normalizedShape.length of x). */
function normalizedAxes(b: GraphBuilder, op: TracedOp): number[] {
  const x = inputTensor(op, 0);
  const { normalizedShape } = attrsOf<LayerNormAttrs>(op);
  const axes = normalizedShape.map((_, i) => x.rank - normalizedShape.length + i);
  b.staticAxes(x, axes, 'it normalizes over');
  return axes;
}

/** mean and x − mean over the normalized axes (kept as size 1). */
function centered(b: GraphBuilder, x: string, axes: readonly number[]): { mean: string; d: string } {
  const mean = b.temp('ReduceMean', [x], [attr.ints('axes', axes), attr.int('keepdims', 1)]);
  return { mean, d: b.temp('Sub', [x, mean]) };
}

/** √(biased variance + eps) of d (centered) over the axes. */
function deviation(b: GraphBuilder, d: string, axes: readonly number[], eps: number): string {
  const variance = b.temp('ReduceMean', [b.temp('Mul', [d, d])], [attr.ints('axes', axes), attr.int('keepdims', 1)]);
  return b.temp('Sqrt', [b.temp('Add', [variance, b.scalar(eps, 'eps')])]);
}

function layerNormRule(b: GraphBuilder, op: TracedOp): void {
  const { eps, normalizedShape } = attrsOf<LayerNormAttrs>(op);
  const axes = normalizedAxes(b, op);
  const x = b.input(op, 0);
  if (b.opset >= 17) {
    b.emit(op, 'LayerNormalization', [x, affine(b, op, 1, normalizedShape, 1), b.input(op, 2)], [attr.int('axis', axes[0]), attr.float('epsilon', eps)]);
    return;
  }
  const [hasW, hasB] = [op.inputs[1] !== null, op.inputs[2] !== null];
  const { d } = centered(b, x, axes);
  let y = b.step(op, !hasW && !hasB, 'Div', [d, deviation(b, d, axes, eps)]);
  if (hasW) y = b.step(op, !hasB, 'Mul', [y, b.input(op, 1)]);
  if (hasB) b.step(op, true, 'Add', [y, b.input(op, 2)]);
}

function layerNormMeanRule(b: GraphBuilder, op: TracedOp): void {
  b.emit(op, 'ReduceMean', [b.input(op, 0)], [attr.ints('axes', normalizedAxes(b, op)), attr.int('keepdims', 1)]);
}

function layerNormInvStdDevRule(b: GraphBuilder, op: TracedOp): void {
  const axes = normalizedAxes(b, op);
  const { d } = centered(b, b.input(op, 0), axes);
  b.emit(op, 'Reciprocal', [deviation(b, d, axes, attrsOf<LayerNormAttrs>(op).eps)]);
}

/** x [N, C, *] as [N, G, C/G·*] through InstanceNormalization (no affine), back to x's
 * shape, then the per-channel weight and bias. */
function groupNormRule(b: GraphBuilder, op: TracedOp): void {
  const { eps, numGroups } = attrsOf<{ eps: number; numGroups: number }>(op);
  const xt = inputTensor(op, 0);
  const x = b.input(op, 0);
  const grouped = b.temp('Reshape', [x, b.int64Const([0, numGroups, -1], 'shape')]);
  const ones = b.floatConst(new Float32Array(numGroups).fill(1), [numGroups], 'scale');
  const zeros = b.floatConst(new Float32Array(numGroups), [numGroups], 'bias');
  const normalized = b.temp('InstanceNormalization', [grouped, ones, zeros], [attr.float('epsilon', eps)]);
  const [hasW, hasB] = [op.inputs[1] !== null, op.inputs[2] !== null];
  let y = b.step(op, !hasW && !hasB, 'Reshape', [normalized, b.temp('Shape', [x])]);
  if (hasW) y = b.step(op, !hasB, 'Mul', [y, perChannel(b, op, 1, xt.rank)]);
  if (hasB) b.step(op, true, 'Add', [y, perChannel(b, op, 2, xt.rank)]);
}

function instanceNormRule(b: GraphBuilder, op: TracedOp): void {
  const a = attrsOf<{ eps: number; useInputStats: boolean; runningMean: Tensor | null; runningVar: Tensor | null }>(op);
  const channels = inputTensor(op, 0).shape[1];
  const scale = affine(b, op, 1, [channels], 1);
  const bias = affine(b, op, 2, [channels], 0);
  const epsilon = [attr.float('epsilon', a.eps)];
  if (a.useInputStats) return b.emit(op, 'InstanceNormalization', [b.input(op, 0), scale, bias], epsilon);
  b.emit(op, 'BatchNormalization', [b.input(op, 0), scale, bias, b.state(a.runningMean, 'runningMean'), b.state(a.runningVar, 'runningVar')], epsilon);
}

export const NORM_RULES: Readonly<Record<string, ExportRule>> = {
  batchNorm2d: batchNorm2dRule,
  layerNorm: layerNormRule,
  layerNormMean: layerNormMeanRule,
  layerNormInvStdDev: layerNormInvStdDevRule,
  groupNorm: groupNormRule,
  instanceNorm: instanceNormRule,
};
