// Export rules of the ops with weights or windows: convolutions, matrix products,
// pooling and resize. Geometry comes from the op's trace attrs (the geometry it ran with),
// so pads, strides and rounding are the ones simdnet used, not re-derived options.
import type { TracedOp } from '../../autograd/trace.js';
import type { AdaptivePool2dGeometry, Conv2dGeometry, Pool2dGeometry } from '../../backend/backend.js';
import type { ConvTranspose2dGeometry } from '../../ops/conv-transpose.js';
import type { ResizeCoordinateMode, ResizeNearestMode } from '../../ops/resize.js';
import { attr, type GraphBuilder } from './builder.js';
import { attrsOf, type ExportRule } from './rule.js';

function inputs(b: GraphBuilder, op: TracedOp): string[] {
  return op.inputs.map((_, i) => b.input(op, i));
}

function conv2dRule(b: GraphBuilder, op: TracedOp): void {
  const g = attrsOf<Conv2dGeometry>(op);
  b.emit(op, 'Conv', inputs(b, op), [
    attr.ints('kernel_shape', [g.kernelHeight, g.kernelWidth]),
    attr.ints('strides', [g.strideHeight, g.strideWidth]),
    attr.ints('pads', [g.padTop, g.padLeft, g.padBottom, g.padRight]),
    attr.ints('dilations', [g.dilationHeight, g.dilationWidth]),
    attr.int('group', g.groups),
  ]);
}

/** ConvTranspose with PyTorch's (and ONNX's) output size: (H − 1)·s − pads + d·(k − 1) + outputPadding + 1. */
function convTranspose2dRule(b: GraphBuilder, op: TracedOp): void {
  const t = attrsOf<ConvTranspose2dGeometry>(op);
  const g = t.conv;
  const p = t.padding;
  b.emit(op, 'ConvTranspose', inputs(b, op), [
    attr.ints('kernel_shape', [g.kernelHeight, g.kernelWidth]),
    attr.ints('strides', [g.strideHeight, g.strideWidth]),
    attr.ints('pads', [p.top, p.left, p.bottom, p.right]),
    attr.ints('dilations', [g.dilationHeight, g.dilationWidth]),
    attr.ints('output_padding', [...t.outputPadding]),
    attr.int('group', g.groups),
  ]);
}

/** y = x·Wᵀ + b: Gemm with transB (the bias, when given, is its C). */
function linearRule(b: GraphBuilder, op: TracedOp): void {
  b.emit(op, 'Gemm', inputs(b, op), [attr.int('transB', 1)]);
}

function gemmRule(b: GraphBuilder, op: TracedOp): void {
  const { transA, transB, alpha } = attrsOf<{ transA: boolean; transB: boolean; alpha: number }>(op);
  b.emit(op, 'Gemm', inputs(b, op), [attr.int('transA', transA ? 1 : 0), attr.int('transB', transB ? 1 : 0), attr.float('alpha', alpha)]);
}

function windowAttributes(g: Pool2dGeometry): ReturnType<typeof attr.ints>[] {
  return [
    attr.ints('kernel_shape', [g.kernelHeight, g.kernelWidth]),
    attr.ints('strides', [g.strideHeight, g.strideWidth]),
    attr.ints('pads', [g.padTop, g.padLeft, g.padBottom, g.padRight]),
    attr.int('ceil_mode', g.ceilMode ? 1 : 0),
  ];
}

function maxPool2dRule(b: GraphBuilder, op: TracedOp): void {
  const g = attrsOf<Pool2dGeometry>(op);
  b.emit(op, 'MaxPool', [b.input(op, 0)], [...windowAttributes(g), attr.ints('dilations', [g.dilationHeight, g.dilationWidth])]);
}

function avgPool2dRule(b: GraphBuilder, op: TracedOp): void {
  const g = attrsOf<Pool2dGeometry>(op);
  // AveragePool has no dilations before opset 19; simdnet's avgPool2d has none either.
  if (g.dilationHeight !== 1 || g.dilationWidth !== 1) throw b.fail('average pooling with dilation needs ONNX opset 19');
  b.emit(op, 'AveragePool', [b.input(op, 0)], [...windowAttributes(g), attr.int('count_include_pad', g.countIncludePad ? 1 : 0)]);
}

/** Row i of the [out, size] matrix that averages adaptive window i: input positions
 * floor(i·size/out) .. ceil((i+1)·size/out) − 1 (PyTorch's windows), each 1/count. */
function windowMatrix(size: number, out: number): Float32Array {
  const m = new Float32Array(out * size);
  for (let i = 0; i < out; i++) {
    const [start, end] = [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)];
    for (let j = start; j < end; j++) m[i * size + j] = 1 / (end - start);
  }
  return m;
}

/** ONNX has no adaptive pooling. An output of 1×1 is GlobalAveragePool, one that divides
 * the input an AveragePool whose windows tile it; any other is exact as two MatMuls, since
 * a window's mean is the mean over its rows of the means over its columns:
 * y = A_h · x · A_wᵀ with A the window-averaging matrices. */
function adaptiveAvgPool2dRule(b: GraphBuilder, op: TracedOp): void {
  const g = attrsOf<AdaptivePool2dGeometry>(op);
  const x = b.input(op, 0);
  if (g.outHeight === 1 && g.outWidth === 1) return b.emit(op, 'GlobalAveragePool', [x]);
  if (g.inHeight % g.outHeight === 0 && g.inWidth % g.outWidth === 0) {
    const kernel = [g.inHeight / g.outHeight, g.inWidth / g.outWidth];
    return b.emit(op, 'AveragePool', [x], [attr.ints('kernel_shape', kernel), attr.ints('strides', kernel)]);
  }
  const rows = b.floatConst(windowMatrix(g.inHeight, g.outHeight), [g.outHeight, g.inHeight], 'rows');
  const w = windowMatrix(g.inWidth, g.outWidth);
  const columnsT = new Float32Array(w.length);
  for (let i = 0; i < g.outWidth; i++) for (let j = 0; j < g.inWidth; j++) columnsT[j * g.outWidth + i] = w[i * g.inWidth + j];
  const cols = b.floatConst(columnsT, [g.inWidth, g.outWidth], 'columns');
  b.emit(op, 'MatMul', [b.temp('MatMul', [rows, x]), cols]);
}

interface ResizeAttrs {
  mode: 'nearest' | 'bilinear';
  coordinateMode: ResizeCoordinateMode;
  nearestMode: ResizeNearestMode;
  roi: readonly [number, number, number, number] | null;
  extrapolationValue: number;
  scale: [number, number] | null;
  size: [number, number];
}

/** Resize (opset 13 form: X, roi, scales, sizes). A resize by a scale passes the scales
 * (they set the coordinates), one to a size passes the sizes; with a batch that varies,
 * the sizes' N and C are read from the input's shape. */
function resizeRule(b: GraphBuilder, op: TracedOp): void {
  const a = attrsOf<ResizeAttrs>(op);
  const xt = op.inputs[0] as NonNullable<TracedOp['inputs'][0]>;
  const x = b.input(op, 0);
  const crop = a.coordinateMode === 'tf_crop_and_resize';
  const roi = crop && a.roi ? b.floatConst([0, 0, a.roi[0], a.roi[1], 1, 1, a.roi[2], a.roi[3]], [8], 'roi') : '';
  let scales = '';
  let sizes = '';
  if (a.scale) scales = b.floatConst([1, 1, a.scale[0], a.scale[1]], [4], 'scales');
  else if (b.batchAxes(xt).some((axis) => axis < 2)) {
    const lead = b.temp('Slice', [b.temp('Shape', [x]), b.int64Const([0], 'starts'), b.int64Const([2], 'ends')]);
    sizes = b.temp('Concat', [lead, b.int64Const(a.size, 'sizes')], [attr.int('axis', 0)]);
  } else sizes = b.int64Const([xt.shape[0], xt.shape[1], ...a.size], 'sizes');
  const attributes = [attr.string('mode', a.mode === 'bilinear' ? 'linear' : 'nearest'), attr.string('coordinate_transformation_mode', a.coordinateMode)];
  if (a.mode === 'nearest') attributes.push(attr.string('nearest_mode', a.nearestMode));
  if (crop) attributes.push(attr.float('extrapolation_value', a.extrapolationValue));
  b.emit(op, 'Resize', [x, roi, scales, sizes], attributes);
}

export const LAYER_RULES: Readonly<Record<string, ExportRule>> = {
  conv2d: conv2dRule,
  convTranspose2d: convTranspose2dRule,
  linear: linearRule,
  gemm: gemmRule,
  matmul: (b, op) => b.emit(op, 'MatMul', inputs(b, op)),
  maxPool2d: maxPool2dRule,
  avgPool2d: avgPool2dRule,
  globalAvgPool2d: (b, op) => b.emit(op, 'GlobalAveragePool', [b.input(op, 0)]),
  globalMaxPool2d: (b, op) => b.emit(op, 'GlobalMaxPool', [b.input(op, 0)]),
  adaptiveAvgPool2d: adaptiveAvgPool2dRule,
  resize: resizeRule,
};
