// Export rules of the ops that move data: reshape (and the views over it), copies, concat,
// split, transpose, slice, pad, and the reductions. Shape constants are int64
// initializers; with a batch that varies, a reshape puts −1 on the axis that follows it.
import type { TracedOp } from '../../autograd/trace.js';
import type { PadGeometry, SliceGeometry, TransposeGeometry } from '../../backend/backend.js';
import type { Tensor } from '../../tensor.js';
import { attr, type GraphBuilder } from './builder.js';
import { attrsOf, type ExportRule } from './rule.js';

/** ONNX clamps an end beyond the axis; this one means "past the start" for a negative step. */
const BEFORE_START = -Number.MAX_SAFE_INTEGER;

function inputTensor(op: TracedOp, i: number): Tensor {
  return op.inputs[i] as Tensor;
}

function reshapeRule(b: GraphBuilder, op: TracedOp): void {
  const shape = [...op.output.shape];
  const dynamic = b.batchAxes(op.output);
  if (dynamic.length > 1) throw b.fail(`the output [${shape.join(', ')}] has ${dynamic.length} axes that follow the batch; export with dynamicBatch: false`);
  if (dynamic.length === 1) shape[dynamic[0]] = -1;
  const attributes = [];
  // A 0 in Reshape's shape copies the input's size unless allowzero (opset 14).
  if (shape.includes(0)) {
    if (b.opset < 14) throw b.fail(`the output [${shape.join(', ')}] is empty, which Reshape expresses only from opset 14 (allowzero)`);
    attributes.push(attr.int('allowzero', 1));
  }
  b.emit(op, 'Reshape', [b.input(op, 0), b.int64Const(shape, 'shape')], attributes);
}

/** The parts of one split are one Split node: the first live part emits it for all. */
function splitRule(b: GraphBuilder, op: TracedOp): void {
  if (b.has(op.output)) return;
  const { axis, sizes, parts } = attrsOf<{ axis: number; sizes: readonly number[]; parts: readonly Tensor[] }>(op);
  b.staticAxes(inputTensor(op, 0), [axis], 'it splits along');
  b.emitMany('Split', [b.input(op, 0), b.int64Const(sizes, 'split')], [attr.int('axis', axis)], parts);
}

/** Slice over the axes the window changes (starts, ends, axes, steps as int64 inputs). */
function sliceRule(b: GraphBuilder, op: TracedOp): void {
  const g = attrsOf<SliceGeometry>(op);
  const axes: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const steps: number[] = [];
  g.inShape.forEach((d, axis) => {
    const [start, step, size] = [g.starts[axis], g.steps[axis], g.outShape[axis]];
    if (start === 0 && step === 1 && size === d) return;
    axes.push(axis);
    starts.push(start);
    steps.push(step);
    const end = start + size * step;
    ends.push(step < 0 && end < 0 ? BEFORE_START : end);
  });
  const x = b.input(op, 0);
  if (axes.length === 0) return b.emit(op, 'Identity', [x]);
  b.staticAxes(inputTensor(op, 0), axes, 'it slices along');
  b.emit(op, 'Slice', [x, b.int64Const(starts, 'starts'), b.int64Const(ends, 'ends'), b.int64Const(axes, 'axes'), b.int64Const(steps, 'steps')]);
}

function padRule(b: GraphBuilder, op: TracedOp): void {
  const g = attrsOf<PadGeometry>(op);
  const after = g.outShape.map((d, i) => d - g.inShape[i] - g.before[i]);
  const pads = b.int64Const([...g.before, ...after], 'pads');
  const value = g.mode === 'constant' && g.value !== 0 ? b.scalar(g.value, 'value') : '';
  b.emit(op, 'Pad', [b.input(op, 0), pads, value], [attr.string('mode', g.mode)]);
}

/** ReduceSum takes its axes as an input from opset 13; the others as an attribute until 18. */
function reduceRule(opType: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin'): ExportRule {
  return (b, op) => {
    const { axes, keepDims } = attrsOf<{ axes: readonly number[]; keepDims: boolean }>(op);
    const x = b.input(op, 0);
    if (axes.length === 0) return b.emit(op, 'Identity', [x]);
    const keep = attr.int('keepdims', keepDims ? 1 : 0);
    if (opType === 'ReduceSum') b.emit(op, opType, [x, b.int64Const(axes, 'axes')], [keep]);
    else b.emit(op, opType, [x], [attr.ints('axes', axes), keep]);
  };
}

const identity: ExportRule = (b, op) => b.emit(op, 'Identity', [b.input(op, 0)]);

export const SHAPE_RULES: Readonly<Record<string, ExportRule>> = {
  reshape: reshapeRule,
  clone: identity,
  detach: identity,
  copyDetached: identity,
  concat: (b, op) => b.emit(op, 'Concat', op.inputs.map((_, i) => b.input(op, i)), [attr.int('axis', attrsOf<{ axis: number }>(op).axis)]),
  split: splitRule,
  chunk: splitRule,
  transpose: (b, op) => b.emit(op, 'Transpose', [b.input(op, 0)], [attr.ints('perm', attrsOf<TransposeGeometry>(op).perm)]),
  permute: (b, op) => b.emit(op, 'Transpose', [b.input(op, 0)], [attr.ints('perm', attrsOf<TransposeGeometry>(op).perm)]),
  slice: sliceRule,
  narrow: sliceRule,
  pad: padRule,
  sum: reduceRule('ReduceSum'),
  mean: reduceRule('ReduceMean'),
  max: reduceRule('ReduceMax'),
  min: reduceRule('ReduceMin'),
};
