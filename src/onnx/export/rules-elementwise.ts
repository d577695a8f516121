// Export rules of the elementwise ops: activations, arithmetic with broadcasting and
// scalar constants, the n-ary max/min/sum/mean, prelu. ONNX's own op where opset ≤ 17
// has it; otherwise the formula the simdnet op computes, in ONNX ops.
import type { TracedOp } from '../../autograd/trace.js';
import { attr, type GraphBuilder } from './builder.js';
import { attrsOf, type ExportRule } from './rule.js';

/** One ONNX op on input 0 with fixed attributes. */
function unary(opType: string, attributes: (op: TracedOp) => ReturnType<typeof attr.float>[] = () => []): ExportRule {
  return (b, op) => b.emit(op, opType, [b.input(op, 0)], attributes(op));
}

/** One ONNX op over every input (ONNX broadcasts them as numpy, as simdnet does). */
function nary(opType: string): ExportRule {
  return (b, op) => b.emit(op, opType, op.inputs.map((_, i) => b.input(op, i)));
}

/** Clip's optional bound inputs: an infinite bound is left out. */
function clipRule(b: GraphBuilder, op: TracedOp): void {
  const { min, max } = attrsOf<{ min: number; max: number }>(op);
  const bound = (v: number, base: string): string => (Number.isFinite(v) ? b.scalar(v, base) : '');
  b.emit(op, 'Clip', [b.input(op, 0), bound(min, 'min'), bound(max, 'max')]);
}

/** HardSwish is opset 14; before it, x·HardSigmoid(x) with PyTorch's 1/6 and 0.5. */
function hardSwishRule(b: GraphBuilder, op: TracedOp): void {
  const x = b.input(op, 0);
  if (b.opset >= 14) return b.emit(op, 'HardSwish', [x]);
  const gate = b.temp('HardSigmoid', [x], [attr.float('alpha', 1 / 6), attr.float('beta', 0.5)]);
  b.emit(op, 'Mul', [x, gate]);
}

/** x·sigmoid(x): ONNX has no SiLU before opset 22. */
function siluRule(b: GraphBuilder, op: TracedOp): void {
  const x = b.input(op, 0);
  b.emit(op, 'Mul', [x, b.temp('Sigmoid', [x])]);
}

/** Exact: x·½(1 + erf(x/√2)); tanh: x·½(1 + tanh(√(2/π)(x + 0.044715x³))). */
function geluRule(b: GraphBuilder, op: TracedOp): void {
  const { approximate } = attrsOf<{ approximate: 'none' | 'tanh' }>(op);
  const x = b.input(op, 0);
  let inner: string;
  if (approximate === 'tanh') {
    const cube = b.temp('Mul', [b.temp('Mul', [x, x]), x]);
    const poly = b.temp('Add', [x, b.temp('Mul', [cube, b.scalar(0.044715)])]);
    inner = b.temp('Tanh', [b.temp('Mul', [poly, b.scalar(Math.sqrt(2 / Math.PI))])]);
  } else {
    inner = b.temp('Erf', [b.temp('Div', [x, b.scalar(Math.SQRT2)])]);
  }
  const half = b.temp('Mul', [x, b.scalar(0.5)]);
  b.emit(op, 'Mul', [half, b.temp('Add', [inner, b.scalar(1)])]);
}

/** log(1 + e^(beta·x))/beta, and x where beta·x > threshold. ONNX Softplus is beta 1 with
 * no threshold: with beta 1 and threshold ≥ 20 the two differ by less than e^−20·x. */
function softplusRule(b: GraphBuilder, op: TracedOp): void {
  const { beta, threshold } = attrsOf<{ beta: number; threshold: number }>(op);
  const x = b.input(op, 0);
  if (beta === 1 && threshold >= 20) return b.emit(op, 'Softplus', [x]);
  const scaled = beta === 1 ? x : b.temp('Mul', [x, b.scalar(beta)]);
  const soft = b.temp('Softplus', [scaled]);
  const curve = beta === 1 ? soft : b.temp('Div', [soft, b.scalar(beta)]);
  b.emit(op, 'Where', [b.temp('Greater', [scaled, b.scalar(threshold)]), x, curve]);
}

/** x^exponent for a scalar exponent (the math op pow): ONNX Pow with a 0-d exponent. */
function powRule(b: GraphBuilder, op: TracedOp): void {
  const { exponent } = attrsOf<{ exponent?: number }>(op);
  if (typeof exponent !== 'number') throw b.fail('its trace lacks the exponent (pass { exponent } as attrs where pow records)');
  b.emit(op, 'Pow', [b.input(op, 0), b.scalar(exponent, 'exponent')]);
}

/** PRelu broadcasts the slope to x from the right, so a per-channel slope [C] of x
 * [N, C, …] is reshaped to [C, 1, …]. */
function preluRule(b: GraphBuilder, op: TracedOp): void {
  const [x, slope] = op.inputs as [NonNullable<TracedOp['inputs'][0]>, NonNullable<TracedOp['inputs'][0]>];
  let s = b.input(op, 1);
  const channels = slope.shape[0];
  if (channels > 1 && x.rank > 2) s = b.temp('Reshape', [s, b.int64Const([channels, ...new Array<number>(x.rank - 2).fill(1)], 'shape')]);
  b.emit(op, 'PRelu', [b.input(op, 0), s]);
}

export const ELEMENTWISE_RULES: Readonly<Record<string, ExportRule>> = {
  relu: unary('Relu'),
  leakyRelu: unary('LeakyRelu', (op) => [attr.float('alpha', attrsOf<{ slope: number }>(op).slope)]),
  sigmoid: unary('Sigmoid'),
  tanh: unary('Tanh'),
  elu: unary('Elu', (op) => [attr.float('alpha', attrsOf<{ alpha: number }>(op).alpha)]),
  softmax: unary('Softmax', (op) => [attr.int('axis', attrsOf<{ axis: number }>(op).axis)]),
  logSoftmax: unary('LogSoftmax', (op) => [attr.int('axis', attrsOf<{ axis: number }>(op).axis)]),
  hardSigmoid: unary('HardSigmoid', (op) => {
    const { alpha, beta } = attrsOf<{ alpha: number; beta: number }>(op);
    return [attr.float('alpha', alpha), attr.float('beta', beta)];
  }),
  clip: clipRule,
  relu6: clipRule,
  hardSwish: hardSwishRule,
  silu: siluRule,
  gelu: geluRule,
  softplus: softplusRule,
  prelu: preluRule,
  exp: unary('Exp'),
  log: unary('Log'),
  sqrt: unary('Sqrt'),
  abs: unary('Abs'),
  reciprocal: unary('Reciprocal'),
  erf: unary('Erf'),
  pow: powRule,
  add: nary('Add'),
  sub: nary('Sub'),
  mul: nary('Mul'),
  div: nary('Div'),
  maximum: nary('Max'),
  minimum: nary('Min'),
  maxOf: nary('Max'),
  minOf: nary('Min'),
  sumOf: nary('Sum'),
  meanOf: nary('Mean'),
};
