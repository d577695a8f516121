// The built-in cases of the op sweep (paritySweep, sweep.ts) that `npx simdnet parity` and
// the browser parity page run: every op of the ops table that runs on a backend, in a
// compact set of shapes — conv2d, convTranspose2d and im2col/col2im (batch 1, odd sizes,
// stride, asymmetric padding, dilation, groups, depthwise), the poolings (max, average,
// global, adaptive), resize (nearest, bilinear, bicubic), gemm, matmul, linear, the
// activations, softmax over an axis, the elementwise and n-ary ops with broadcasting, the
// reductions over axes, the shape ops that copy (concat, split, chunk, transpose, permute,
// slice, narrow, pad in its three modes), the normalizations, dropout (a seeded mask) and
// the losses. reshape, flatten,
// squeeze and unsqueeze are views with no kernel, so there is nothing to compare. For the
// linear ops (`linear: true`) the bound's atol is scaled by Σ|terms| (see tolerance.ts).
import type { Backend } from '../backend/backend.js';
import { conv2d } from '../ops/conv.js';
import { convTranspose2d, type ConvTranspose2dOptions } from '../ops/conv-transpose.js';
import { col2im, im2col } from '../ops/im2col.js';
import { adaptiveAvgPool2d, avgPool2d, globalAvgPool2d, globalMaxPool2d, maxPool2d } from '../ops/pool.js';
import { gemm } from '../ops/gemm.js';
import { matmul } from '../ops/matmul.js';
import { maxOf, maximum, meanOf, minOf, minimum, sumOf } from '../ops/minmax.js';
import { linear } from '../ops/linear.js';
import { leakyRelu, logSoftmax, relu, sigmoid, softmax, tanh } from '../ops/activation.js';
import { clip, hardSigmoid, hardSwish, relu6 } from '../ops/clip.js';
import { elu, gelu, silu, softplus } from '../ops/smooth.js';
import { abs, erf, exp, log, pow, reciprocal, sqrt } from '../ops/math.js';
import { prelu } from '../ops/prelu.js';
import { batchNorm2d } from '../ops/batchnorm.js';
import { groupNorm, instanceNorm, layerNorm } from '../ops/normalization.js';
import { add, div, mul, neg, sub } from '../ops/arithmetic.js';
import { chunk, concat, split } from '../ops/shape.js';
import { permute, transpose } from '../ops/transpose.js';
import { narrow, slice } from '../ops/slice.js';
import { pad } from '../ops/pad.js';
import { dropout } from '../ops/dropout.js';
import { crossEntropy, mseLoss } from '../ops/loss.js';
import { resize, type ResizeOptions } from '../ops/resize.js';
import { max, mean, min, sum } from '../ops/reduce.js';
import type { Conv2dOptions, Pool2dOptions } from '../ops/geometry.js';
import { Random } from '../random.js';
import { Tensor, formatShape, type Shape } from '../tensor.js';

/** One configuration of one op: inputs (all differentiated) and the forward on a backend. */
export interface SweepCase {
  op: string;
  label: string;
  inputs: { name: string; shape: Shape; positive?: boolean }[];
  forward(be: Backend, inputs: Tensor[]): Tensor;
  /** Linear in each input: the bound scales atol by Σ|terms| (naive on |inputs|). */
  linear?: boolean;
}

const conv = (x: Shape, w: Shape, o: Conv2dOptions): SweepCase => ({
  op: 'conv2d', label: `x ${formatShape(x)} w ${formatShape(w)} ${JSON.stringify(o)}`, linear: true,
  inputs: [{ name: 'x', shape: x }, { name: 'w', shape: w }, { name: 'b', shape: [w[0]] }],
  forward: (be, [xt, wt, bt]) => conv2d(xt, wt, bt, o, be),
});
const convT = (x: Shape, w: Shape, o: ConvTranspose2dOptions): SweepCase => ({
  op: 'convTranspose2d', label: `x ${formatShape(x)} w ${formatShape(w)} ${JSON.stringify(o)}`, linear: true,
  inputs: [{ name: 'x', shape: x }, { name: 'w', shape: w }, { name: 'b', shape: [w[1] * (o.groups ?? 1)] }],
  forward: (be, [xt, wt, bt]) => convTranspose2d(xt, wt, bt, o, be),
});
const pool = (op: 'maxPool2d' | 'avgPool2d', x: Shape, o: Pool2dOptions): SweepCase => ({
  op, label: `x ${formatShape(x)} ${JSON.stringify(o)}`, linear: op === 'avgPool2d',
  inputs: [{ name: 'x', shape: x }],
  forward: (be, [xt]) => (op === 'maxPool2d' ? maxPool2d(xt, o, be) : avgPool2d(xt, o, be)),
});
const mm = (m: number, k: number, n: number, transA = false, transB = false): SweepCase => ({
  op: 'gemm', label: `m ${m} k ${k} n ${n}${transA ? ' transA' : ''}${transB ? ' transB' : ''}`, linear: true,
  inputs: [{ name: 'a', shape: transA ? [k, m] : [m, k] }, { name: 'b', shape: transB ? [n, k] : [k, n] }],
  forward: (be, [a, b]) => gemm(a, b, { transA, transB }, be),
});
const act = (op: string, f: (x: Tensor, be: Backend) => Tensor, shape: Shape = [3, 37]): SweepCase => ({
  op, label: `x ${formatShape(shape)}`, inputs: [{ name: 'x', shape }], forward: (be, [x]) => f(x, be),
});
const rs = (x: Shape, o: ResizeOptions): SweepCase => ({
  op: 'resize', label: `x ${formatShape(x)} ${JSON.stringify(o)}`, linear: true,
  inputs: [{ name: 'x', shape: x }], forward: (be, [xt]) => resize(xt, o, be),
});
const bn = (x: Shape, training: boolean): SweepCase => ({
  op: 'batchNorm2d', label: `x ${formatShape(x)} ${training ? 'train' : 'eval'}`,
  inputs: [{ name: 'x', shape: x }, { name: 'weight', shape: [x[1]] }, { name: 'bias', shape: [x[1]] }],
  forward: (be, [xt, w, b]) => {
    const c = x[1];
    const mean = new Tensor(Float32Array.from({ length: c }, (_, i) => 0.1 * i - 0.2), [c]);
    const variance = new Tensor(Float32Array.from({ length: c }, (_, i) => 0.5 + 0.25 * i), [c]);
    return batchNorm2d(xt, mean, variance, w, b, { training }, be);
  },
});

const two = (op: string, f: (a: Tensor, b: Tensor, be: Backend) => Tensor, a: Shape, b: Shape, linear = false): SweepCase => ({
  op, label: `a ${formatShape(a)} b ${formatShape(b)}`, linear,
  inputs: [{ name: 'a', shape: a }, { name: 'b', shape: b }], forward: (be, [at, bt]) => f(at, bt, be),
});
const nary = (op: string, f: (xs: Tensor[], be: Backend) => Tensor, shapes: Shape[]): SweepCase => ({
  op, label: shapes.map(formatShape).join(' '), inputs: shapes.map((shape, i) => ({ name: `x${i}`, shape })), forward: (be, xs) => f(xs, be),
});
/** One input x, with what the label should say about the options. */
const one = (op: string, what: string, shape: Shape, f: (x: Tensor, be: Backend) => Tensor, linear = false): SweepCase => ({
  op, label: `x ${formatShape(shape)}${what ? ` ${what}` : ''}`, linear, inputs: [{ name: 'x', shape }], forward: (be, [x]) => f(x, be),
});
const norm = (op: string, x: Shape, affine: Shape, f: (x: Tensor, w: Tensor, b: Tensor, be: Backend) => Tensor, what: string): SweepCase => ({
  op, label: `x ${formatShape(x)} ${what}`,
  inputs: [{ name: 'x', shape: x }, { name: 'weight', shape: affine }, { name: 'bias', shape: affine }],
  forward: (be, [xt, w, b]) => f(xt, w, b, be),
});

/** The built-in cases: about 90 configurations. */
export function defaultSweep(): SweepCase[] {
  return [
    conv([2, 3, 7, 7], [4, 3, 3, 3], { padding: 1 }),
    conv([1, 1, 5, 6], [2, 1, 2, 2], {}),
    conv([1, 4, 9, 8], [6, 2, 3, 2], { stride: 2, padding: [0, 1, 2, 1], groups: 2 }),
    conv([2, 5, 6, 6], [5, 1, 3, 3], { groups: 5, dilation: 2, padding: 'same' }),
    conv([1, 3, 12, 11], [8, 3, 5, 5], { stride: [3, 2], padding: 'valid' }),
    conv([3, 2, 5, 5], [3, 2, 1, 1], { stride: 2 }),
    conv([1, 6, 8, 8], [6, 1, 4, 4], { groups: 6, padding: 'same' }),
    pool('maxPool2d', [2, 3, 8, 8], { kernelSize: 2 }),
    pool('maxPool2d', [1, 2, 7, 9], { kernelSize: 3, stride: 2, padding: 1 }),
    pool('maxPool2d', [1, 1, 6, 5], { kernelSize: [2, 3], stride: 1 }),
    pool('avgPool2d', [2, 3, 8, 8], { kernelSize: 2 }),
    pool('avgPool2d', [1, 2, 7, 9], { kernelSize: 3, stride: 2, padding: 1 }),
    pool('avgPool2d', [1, 1, 6, 5], { kernelSize: [2, 3], stride: 1, padding: [1, 0, 0, 1] }),
    { op: 'globalAvgPool2d', label: 'x [2, 3, 5, 7]', linear: true, inputs: [{ name: 'x', shape: [2, 3, 5, 7] }], forward: (be, [x]) => globalAvgPool2d(x, be) },
    convT([2, 3, 4, 4], [3, 2, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }),
    convT([1, 4, 3, 5], [4, 3, 2, 3], { stride: [1, 2], padding: [1, 0, 0, 2], dilation: [2, 1], groups: 2 }),
    convT([1, 2, 3, 3], [2, 2, 2, 2], { dilation: 3, outputPadding: 2 }),
    rs([2, 3, 5, 7], { scale: 2, coordinateMode: 'asymmetric', nearestMode: 'floor' }),
    rs([1, 2, 7, 9], { size: [4, 13] }),
    rs([2, 3, 5, 7], { scale: 2, mode: 'bilinear' }),
    rs([1, 2, 7, 9], { size: [11, 5], mode: 'bilinear', coordinateMode: 'align_corners' }),
    rs([2, 1, 6, 5], { size: [9, 4], mode: 'bicubic' }),
    rs([1, 2, 5, 7], { scale: [1.5, 0.6], mode: 'bicubic', coordinateMode: 'align_corners', cubicCoeffA: -0.5, excludeOutside: true }),
    mm(1, 1, 1), mm(7, 13, 5), mm(5, 9, 17, true), mm(17, 33, 9, false, true), mm(33, 65, 31, true, true), mm(64, 64, 64),
    {
      op: 'matmul', label: 'a [2, 3, 5, 4] · b [4, 6]', linear: true,
      inputs: [{ name: 'a', shape: [2, 3, 5, 4] }, { name: 'b', shape: [4, 6] }],
      forward: (be, [a, b]) => matmul(a, b, be),
    },
    {
      op: 'matmul', label: 'a [3, 1, 4, 5] · b [2, 5, 3]', linear: true,
      inputs: [{ name: 'a', shape: [3, 1, 4, 5] }, { name: 'b', shape: [2, 5, 3] }],
      forward: (be, [a, b]) => matmul(a, b, be),
    },
    {
      op: 'maximum', label: 'a [3, 37] b [37]',
      inputs: [{ name: 'a', shape: [3, 37] }, { name: 'b', shape: [37] }],
      forward: (be, [a, b]) => maximum(a, b, be),
    },
    act('max', (x, be) => max(x, { axis: [0, 2] }, be), [3, 4, 5]),
    {
      op: 'linear', label: 'x [5, 19] w [7, 19]', linear: true,
      inputs: [{ name: 'x', shape: [5, 19] }, { name: 'w', shape: [7, 19] }, { name: 'b', shape: [7] }],
      forward: (be, [x, w, b]) => linear(x, w, b, be),
    },
    act('relu', (x, be) => relu(x, be)),
    act('leakyRelu', (x, be) => leakyRelu(x, 0.1, be)),
    act('sigmoid', (x, be) => sigmoid(x, be)),
    act('tanh', (x, be) => tanh(x, be)),
    act('softmax', (x, be) => softmax(x, -1, be)),
    act('logSoftmax', (x, be) => logSoftmax(x, -1, be)),
    act('softmax', (x, be) => softmax(x, 1, be), [2, 7, 5]),
    act('logSoftmax', (x, be) => logSoftmax(x, 0, be), [4, 3, 6]),
    act('relu6', (x, be) => relu6(x, be)),
    act('hardSigmoid', (x, be) => hardSigmoid(x, undefined, be)),
    act('hardSwish', (x, be) => hardSwish(x, be)),
    act('silu', (x, be) => silu(x, be)),
    act('gelu', (x, be) => gelu(x, undefined, be)),
    act('elu', (x, be) => elu(x, undefined, be)),
    act('softplus', (x, be) => softplus(x, undefined, be)),
    // The math ops of ONNX import; log, sqrt, reciprocal and the fractional pow get a
    // positive input (|x| + 0.5), so the reference has no NaN to compare.
    act('exp', (x, be) => exp(x, be)),
    act('abs', (x, be) => abs(x, be)),
    act('erf', (x, be) => erf(x, be)),
    act('log', (x, be) => log(add(abs(x, be), 0.5, be), be)),
    act('sqrt', (x, be) => sqrt(add(abs(x, be), 0.5, be), be)),
    act('reciprocal', (x, be) => reciprocal(add(abs(x, be), 0.5, be), be)),
    act('pow', (x, be) => pow(x, 3, be)),
    act('pow', (x, be) => pow(add(abs(x, be), 0.5, be), 1.5, be), [4, 9]),
    {
      op: 'prelu', label: 'x [2, 3, 4, 5] slope [3]',
      inputs: [{ name: 'x', shape: [2, 3, 4, 5] }, { name: 'slope', shape: [3] }],
      forward: (be, [x, s]) => prelu(x, s, be),
    },
    bn([2, 3, 5, 5], false),
    bn([4, 2, 3, 3], true),
    bn([1, 5, 4, 7], true),
    norm('layerNorm', [3, 4, 5], [4, 5], (x, w, b, be) => layerNorm(x, [4, 5], w, b, undefined, be), 'over [4, 5]'),
    norm('groupNorm', [2, 6, 3, 3], [6], (x, w, b, be) => groupNorm(x, 3, w, b, undefined, be), '3 groups'),
    norm('instanceNorm', [2, 3, 4, 5], [3], (x, w, b, be) => instanceNorm(x, w, b, undefined, be), ''),
    one('globalMaxPool2d', '', [2, 3, 5, 7], (x, be) => globalMaxPool2d(x, be)),
    one('adaptiveAvgPool2d', 'to [3, 4]', [1, 2, 7, 9], (x, be) => adaptiveAvgPool2d(x, [3, 4], be), true),
    one('im2col', '{"kernelSize":3,"stride":2,"padding":1}', [1, 2, 5, 6], (x, be) => im2col(x, { kernelSize: 3, stride: 2, padding: 1 }, be), true),
    one('col2im', 'to [1, 2, 5, 6] {"kernelSize":3,"stride":2,"padding":1}', [1, 18, 9], (x, be) => col2im(x, [1, 2, 5, 6], { kernelSize: 3, stride: 2, padding: 1 }, be), true),
    two('add', (a, b, be) => add(a, b, be), [3, 1, 5], [4, 5], true),
    two('sub', (a, b, be) => sub(a, b, be), [2, 3, 4], [3, 1], true),
    two('mul', (a, b, be) => mul(a, b, be), [3, 37], [37]),
    {
      op: 'div', label: 'a [3, 7] / (b [3, 7] + 0.5), b ≥ 0',
      inputs: [{ name: 'a', shape: [3, 7] }, { name: 'b', shape: [3, 7], positive: true }],
      forward: (be, [a, b]) => div(a, add(b, 0.5, be), be),
    },
    one('neg', '', [3, 37], (x, be) => neg(x, be)),
    two('minimum', (a, b, be) => minimum(a, b, be), [3, 37], [3, 1]),
    nary('sumOf', (xs, be) => sumOf(xs, be), [[2, 3, 4], [3, 4], [1, 4]]),
    nary('meanOf', (xs, be) => meanOf(xs, be), [[2, 3, 4], [3, 4], [1, 4]]),
    nary('maxOf', (xs, be) => maxOf(xs, be), [[2, 3, 4], [3, 4], [1, 4]]),
    nary('minOf', (xs, be) => minOf(xs, be), [[2, 3, 4], [3, 4], [1, 4]]),
    one('clip', '{"min":-0.5,"max":0.7}', [3, 37], (x, be) => clip(x, { min: -0.5, max: 0.7 }, be)),
    one('sum', '{"axis":[0,2]}', [3, 4, 5], (x, be) => sum(x, { axis: [0, 2] }, be), true),
    one('mean', '{"axis":1,"keepDims":true}', [3, 4, 5], (x, be) => mean(x, { axis: 1, keepDims: true }, be), true),
    one('min', '{"axis":-1}', [3, 4, 5], (x, be) => min(x, { axis: -1 }, be)),
    nary('concat', (xs, be) => concat(xs, 1, be), [[2, 3, 4], [2, 1, 4], [2, 2, 4]]),
    one('split', '[2, 5] along 1, the second part', [2, 7, 3], (x, be) => split(x, [2, 5], 1, be)[1]),
    one('chunk', '3 along −1, the first part', [2, 3, 7], (x, be) => chunk(x, 3, -1, be)[0]),
    one('transpose', '[0, 2, 3, 1]', [2, 3, 4, 5], (x, be) => transpose(x, [0, 2, 3, 1], be)),
    one('transpose', 'reversed', [3, 1, 6], (x, be) => transpose(x, undefined, be)),
    one('permute', '[-1, 0, 1]', [3, 4, 5], (x, be) => permute(x, [-1, 0, 1], be)),
    one('slice', '{"starts":[1,-1],"ends":[4,-∞],"axes":[0,2],"steps":[2,-2]}', [4, 6, 5], (x, be) => slice(x, { starts: [1, -1], ends: [4, -Infinity], axes: [0, 2], steps: [2, -2] }, be)),
    one('narrow', 'axis 1 from 1, 3 long', [2, 6, 3], (x, be) => narrow(x, 1, 1, 3, be)),
    one('pad', 'constant 0.5 [1, 2, 2, 1] on H, W', [2, 3, 4, 5], (x, be) => pad(x, [1, 2, 2, 1], { mode: 'constant', value: 0.5, axes: [2, 3] }, be)),
    one('pad', 'constant, cropping −1 before C', [2, 3, 4, 5], (x, be) => pad(x, [[0, 0], [-1, 1], [0, 0], [2, 0]], undefined, be)),
    one('pad', 'reflect [1, 2, 2, 1] on H, W', [2, 3, 4, 5], (x, be) => pad(x, [1, 2, 2, 1], { mode: 'reflect', axes: [2, 3] }, be)),
    one('pad', 'edge [3, 0, 1, 4] on H, W', [1, 2, 3, 4], (x, be) => pad(x, [3, 0, 1, 4], { mode: 'edge', axes: [2, 3] }, be)),
    one('dropout', 'p 0.3, seeded mask', [4, 9], (x, be) => dropout(x, { p: 0.3, random: new Random(5) }, be)),
    one('crossEntropy', 'labels [0, 4, 2, 2]', [4, 5], (x, be) => crossEntropy(x, [0, 4, 2, 2], be)),
    two('mseLoss', (a, b, be) => mseLoss(a, b, be), [3, 4], [3, 4]),
  ];
}
