// Max, average, global and adaptive pooling with their backward passes.
import type { AdaptivePool2dGeometry, Backend, Pool2dGeometry } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { tracing } from '../autograd/trace.js';
import { Tensor, formatShape, shapeSize, emptyOn, zerosOn, type Shape } from '../tensor.js';
import { adaptivePool2dGeometry, pool2dGeometry, type AvgPool2dOptions, type MaxPool2dOptions, type Size2 } from './geometry.js';
import { AVG_POOL_KEYS, MAX_POOL_KEYS, checkOptions, checkRankOf, checkShapeArg, checkShapeIs, checkTensor, resolveBackend } from './validate.js';

export interface MaxPool2dResult {
  y: Tensor;
  /** For each y element, the flat index into x of the element it took (for the backward). */
  argmax: Int32Array;
}

function outShape(g: Pool2dGeometry | AdaptivePool2dGeometry): number[] {
  return [g.batch, g.channels, g.outHeight, g.outWidth];
}

/** Max over each window of x [N, C, H, W]; padding never wins, the first maximum does. */
export function maxPool2d(x: Tensor, options: MaxPool2dOptions, backend?: Backend): Tensor {
  return maxPool2dWithIndices(x, options, backend).y;
}

/** maxPool2d that also returns the argmax (the flat index into x each output took). */
export function maxPool2dWithIndices(x: Tensor, options: MaxPool2dOptions, backend?: Backend): MaxPool2dResult {
  const op = 'maxPool2d';
  checkTensor(op, 'input', x);
  const opts = checkOptions(op, options, MAX_POOL_KEYS, true);
  const be = resolveBackend(op, backend);
  return maxPool(op, be, pool2dGeometry(op, x.shape, opts), x);
}

function maxPool(op: string, be: Backend, g: Pool2dGeometry, x: Tensor): MaxPool2dResult {
  const y = emptyOn(be, outShape(g)); // every window written
  const argmax = new Int32Array(y.size);
  be.maxPool2d(g, x.data, y.data, argmax);
  // The trace keeps the argmax beside the geometry: the op's second output (not a tensor).
  record(op, y, [x], be, (dy) => {
    const dx = zerosOn(be, x.shape);
    be.maxPool2dBackward(g, dy.data, argmax, dx.data);
    return [dx];
  }, tracing() ? { ...g, argmax } : undefined);
  return { y, argmax };
}

/** dx of shape xShape: each dy element added at the input position its window took. */
export function maxPool2dBackward(dy: Tensor, argmax: Int32Array, xShape: Shape, options: MaxPool2dOptions, backend?: Backend): Tensor {
  const op = 'maxPool2dBackward';
  checkTensor(op, 'dy', dy);
  const shape = checkShapeArg(op, 'xShape', xShape, 4);
  const opts = checkOptions(op, options, MAX_POOL_KEYS, true);
  const be = resolveBackend(op, backend);
  const g = pool2dGeometry(op, shape, opts);
  checkShapeIs(op, 'dy', dy.shape, outShape(g), `max pooling of ${formatShape(shape)}`);
  if (!(argmax instanceof Int32Array) || argmax.length !== dy.size) {
    const got = argmax instanceof Int32Array ? `an Int32Array of length ${argmax.length}` : String(argmax);
    throw new Error(`${op}: argmax must be the Int32Array of length ${dy.size} from maxPool2d (dy ${formatShape(dy.shape)}), got ${got}`);
  }
  const size = shapeSize(shape);
  for (let i = 0; i < argmax.length; i++) {
    const k = argmax[i];
    if (k < 0 || k >= size) throw new Error(`${op}: argmax[${i}] = ${k} is outside the input ${formatShape(shape)} (${size} elements)`);
  }
  const dx = zerosOn(be, shape);
  be.maxPool2dBackward(g, dy.data, argmax, dx.data);
  return dx;
}

/** Mean over each window of x [N, C, H, W]. By default padding counts as zeros (divides by
 * kH·kW); countIncludePad: false divides by the window's elements inside the input. */
export function avgPool2d(x: Tensor, options: AvgPool2dOptions, backend?: Backend): Tensor {
  const op = 'avgPool2d';
  checkTensor(op, 'input', x);
  const opts = checkOptions(op, options, AVG_POOL_KEYS, true);
  const be = resolveBackend(op, backend);
  const g = pool2dGeometry(op, x.shape, opts);
  return averagePool(op, be, g, x);
}

function averagePool(op: string, be: Backend, g: Pool2dGeometry, x: Tensor): Tensor {
  const y = zerosOn(be, outShape(g));
  be.avgPool2d(g, x.data, y.data);
  return record(op, y, [x], be, (dy) => {
    const dx = zerosOn(be, x.shape);
    be.avgPool2dBackward(g, dy.data, dx.data);
    return [dx];
  }, g);
}

/** dx of shape xShape: each dy element spread evenly over its window (over its divisor). */
export function avgPool2dBackward(dy: Tensor, xShape: Shape, options: AvgPool2dOptions, backend?: Backend): Tensor {
  const op = 'avgPool2dBackward';
  checkTensor(op, 'dy', dy);
  const shape = checkShapeArg(op, 'xShape', xShape, 4);
  const opts = checkOptions(op, options, AVG_POOL_KEYS, true);
  const be = resolveBackend(op, backend);
  const g = pool2dGeometry(op, shape, opts);
  checkShapeIs(op, 'dy', dy.shape, outShape(g), `average pooling of ${formatShape(shape)}`);
  const dx = zerosOn(be, shape);
  be.avgPool2dBackward(g, dy.data, dx.data);
  return dx;
}

function globalGeometry(op: string, shape: Shape): Pool2dGeometry {
  return pool2dGeometry(op, shape, { kernelSize: [shape[2], shape[3]] });
}

/** Mean over H and W: x [N, C, H, W] → [N, C, 1, 1]. */
export function globalAvgPool2d(x: Tensor, backend?: Backend): Tensor {
  const op = 'globalAvgPool2d';
  checkTensor(op, 'input', x);
  checkRankOf(op, 'input', x, 4);
  const be = resolveBackend(op, backend);
  return averagePool(op, be, globalGeometry(op, x.shape), x);
}

/** dx of shape xShape: dy [N, C, 1, 1] / (H·W) at every position. */
export function globalAvgPool2dBackward(dy: Tensor, xShape: Shape, backend?: Backend): Tensor {
  const op = 'globalAvgPool2dBackward';
  checkTensor(op, 'dy', dy);
  const shape = checkShapeArg(op, 'xShape', xShape, 4);
  const be = resolveBackend(op, backend);
  const g = globalGeometry(op, shape);
  checkShapeIs(op, 'dy', dy.shape, outShape(g), `global average pooling of ${formatShape(shape)}`);
  const dx = zerosOn(be, shape);
  be.avgPool2dBackward(g, dy.data, dx.data);
  return dx;
}

/** Max over H and W: x [N, C, H, W] → [N, C, 1, 1] (max pooling with an H×W window; the
 * gradient goes to the first maximum of each plane). */
export function globalMaxPool2d(x: Tensor, backend?: Backend): Tensor {
  const op = 'globalMaxPool2d';
  checkTensor(op, 'input', x);
  checkRankOf(op, 'input', x, 4);
  const be = resolveBackend(op, backend);
  return maxPool(op, be, globalGeometry(op, x.shape), x).y;
}

/** Mean over adaptive windows: x [N, C, H, W] → [N, C, oh, ow] for outputSize oh or [oh, ow];
 * output row i averages input rows floor(i·H/oh) .. ceil((i+1)·H/oh) − 1 (PyTorch), columns alike. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Size2, backend?: Backend): Tensor {
  const op = 'adaptiveAvgPool2d';
  checkTensor(op, 'input', x);
  const be = resolveBackend(op, backend);
  const g = adaptivePool2dGeometry(op, x.shape, outputSize);
  const y = zerosOn(be, outShape(g));
  be.adaptiveAvgPool2d(g, x.data, y.data);
  return record(op, y, [x], be, (dy) => {
    const dx = zerosOn(be, x.shape);
    be.adaptiveAvgPool2dBackward(g, dy.data, dx.data);
    return [dx];
  }, g);
}

/** dx of shape xShape: each dy element spread evenly over its adaptive window. */
export function adaptiveAvgPool2dBackward(dy: Tensor, xShape: Shape, outputSize: Size2, backend?: Backend): Tensor {
  const op = 'adaptiveAvgPool2dBackward';
  checkTensor(op, 'dy', dy);
  const shape = checkShapeArg(op, 'xShape', xShape, 4);
  const be = resolveBackend(op, backend);
  const g = adaptivePool2dGeometry(op, shape, outputSize);
  checkShapeIs(op, 'dy', dy.shape, outShape(g), `adaptive average pooling of ${formatShape(shape)}`);
  const dx = zerosOn(be, shape);
  be.adaptiveAvgPool2dBackward(g, dy.data, dx.data);
  return dx;
}
