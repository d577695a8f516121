// Elementwise activations and softmax along an axis; each backward takes what its kernel needs
// (relu/leakyRelu the forward input x, sigmoid/tanh the forward output y).
import type { AxisGeometry, Backend } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { tracing } from '../autograd/trace.js';
import { Tensor, formatShape, shapeSize, emptyOn, zerosOn } from '../tensor.js';
import { normalizeAxis } from './shape.js';
import { checkFiniteNumber, checkShapeIs, checkTensor, resolveBackend } from './validate.js';

/** An elementwise op: forward on the backend, and its rule from the backward kernel given
 * what it saves (the input x or the output y). Shared with the other activation files.
 * attrs (the op's resolved options) go to the op trace; pass them only while tracing(). */
export function unary(
  op: string, x: Tensor, backend: Backend | undefined, run: (be: Backend, y: Tensor) => void,
  saves: 'x' | 'y', grad: (be: Backend, saved: Float32Array, dy: Float32Array, dx: Float32Array) => void, attrs?: object,
): Tensor {
  checkTensor(op, 'input', x);
  const be = resolveBackend(op, backend);
  // Elementwise kernels write every element: the outputs are not zeroed first.
  const y = emptyOn(be, x.shape);
  run(be, y);
  return record(op, y, [x], be, (dy) => {
    const dx = emptyOn(be, x.shape);
    grad(be, saves === 'x' ? x.data : y.data, dy.data, dx.data);
    return [dx];
  }, attrs);
}

function binary(op: string, aName: string, a: Tensor, dy: Tensor, backend: Backend | undefined, run: (be: Backend, dx: Tensor) => void): Tensor {
  checkTensor(op, aName, a);
  checkTensor(op, 'dy', dy);
  checkShapeIs(op, 'dy', dy.shape, a.shape, `${aName} ${formatShape(a.shape)}`);
  const be = resolveBackend(op, backend);
  const dx = emptyOn(be, a.shape);
  run(be, dx);
  return dx;
}

function checkSlope(op: string, slope: unknown): number {
  return checkFiniteNumber(op, 'slope', slope);
}

/** max(x, 0). */
export function relu(x: Tensor, backend?: Backend): Tensor {
  return unary('relu', x, backend, (be, y) => be.relu(x.data, y.data), 'x', (be, sx, dy, dx) => be.reluBackward(sx, dy, dx));
}

/** dy where x > 0, else 0. */
export function reluBackward(x: Tensor, dy: Tensor, backend?: Backend): Tensor {
  return binary('reluBackward', 'x', x, dy, backend, (be, dx) => be.reluBackward(x.data, dy.data, dx.data));
}

/** x where x > 0, else slope·x. */
export function leakyRelu(x: Tensor, slope = 0.01, backend?: Backend): Tensor {
  const s = checkSlope('leakyRelu', slope);
  return unary(
    'leakyRelu', x, backend, (be, y) => be.leakyRelu(x.data, s, y.data),
    'x', (be, sx, dy, dx) => be.leakyReluBackward(sx, s, dy, dx), tracing() ? { slope: s } : undefined,
  );
}

export function leakyReluBackward(x: Tensor, dy: Tensor, slope = 0.01, backend?: Backend): Tensor {
  const s = checkSlope('leakyReluBackward', slope);
  return binary('leakyReluBackward', 'x', x, dy, backend, (be, dx) => be.leakyReluBackward(x.data, s, dy.data, dx.data));
}

/** 1 / (1 + e^−x). */
export function sigmoid(x: Tensor, backend?: Backend): Tensor {
  return unary('sigmoid', x, backend, (be, y) => be.sigmoid(x.data, y.data), 'y', (be, sy, dy, dx) => be.sigmoidBackward(sy, dy, dx));
}

/** dy·y·(1 − y), from the forward output y. */
export function sigmoidBackward(y: Tensor, dy: Tensor, backend?: Backend): Tensor {
  return binary('sigmoidBackward', 'y', y, dy, backend, (be, dx) => be.sigmoidBackward(y.data, dy.data, dx.data));
}

export function tanh(x: Tensor, backend?: Backend): Tensor {
  return unary('tanh', x, backend, (be, y) => be.tanh(x.data, y.data), 'y', (be, sy, dy, dx) => be.tanhBackward(sy, dy, dx));
}

/** dy·(1 − y²), from the forward output y. */
export function tanhBackward(y: Tensor, dy: Tensor, backend?: Backend): Tensor {
  return binary('tanhBackward', 'y', y, dy, backend, (be, dx) => be.tanhBackward(y.data, dy.data, dx.data));
}

/** Softmax or log-softmax along `axis`: the row-wise kernels for the last axis, the
 * strided ones (x seen as [outer, size, inner]) for any other. */
function alongAxis(op: string, x: Tensor, axis: unknown, backend: Backend | undefined, log: boolean): Tensor {
  checkTensor(op, 'input', x);
  if (x.rank < 1) throw new Error(`${op}: input must have at least one dimension, got shape ${formatShape(x.shape)}`);
  if (axis !== null && typeof axis === 'object' && typeof (axis as Backend).softmax === 'function') {
    throw new Error(`${op}: axis must be an integer, got the ${(axis as Backend).name} backend (the backend is the third argument: ${op}(x, axis, backend))`);
  }
  const ax = normalizeAxis(op, axis, x.rank);
  if (x.size === 0) throw new Error(`${op}: input ${formatShape(x.shape)} is empty`);
  const be = resolveBackend(op, backend);
  const y = zerosOn(be, x.shape);
  const size = x.shape[ax];
  const inner = shapeSize(x.shape.slice(ax + 1));
  const g: AxisGeometry = { outer: x.size / (size * inner), size, inner };
  if (inner === 1) {
    if (log) be.logSoftmax(x.data, g.outer, size, y.data);
    else be.softmax(x.data, g.outer, size, y.data);
  } else if (log) be.logSoftmaxStrided(g, x.data, y.data);
  else be.softmaxStrided(g, x.data, y.data);
  return record(op, y, [x], be, (dy) => {
    const dx = zerosOn(be, x.shape);
    if (inner === 1) {
      if (log) be.logSoftmaxBackward(y.data, dy.data, g.outer, size, dx.data);
      else be.softmaxBackward(y.data, dy.data, g.outer, size, dx.data);
    } else if (log) be.logSoftmaxStridedBackward(g, y.data, dy.data, dx.data);
    else be.softmaxStridedBackward(g, y.data, dy.data, dx.data);
    return [dx];
  }, tracing() ? { axis: ax } : undefined);
}

/** exp(x) / Σ exp(x) along `axis` (default −1, the last; negative counts from the end). */
export function softmax(x: Tensor, axis = -1, backend?: Backend): Tensor {
  return alongAxis('softmax', x, axis, backend, false);
}

/** x − log Σ exp(x) along `axis` (default −1, the last; negative counts from the end). */
export function logSoftmax(x: Tensor, axis = -1, backend?: Backend): Tensor {
  return alongAxis('logSoftmax', x, axis, backend, true);
}
