// conv2d and its backward: validation and shapes here, arithmetic in the backend.
import type { Backend, Conv2dGeometry } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { Tensor, emptyOn, formatShape } from '../tensor.js';
import { conv2dGeometry, type Conv2dOptions } from './geometry.js';
import { CONV_KEYS, checkBoolean, checkOptions, checkShapeIs, checkTensor, resolveBackend } from './validate.js';

export interface Conv2dBackwardOptions extends Conv2dOptions {
  /** Compute dx (default true); false returns dx null, e.g. for a network's first layer. */
  inputGrad?: boolean;
}

export interface Conv2dGradients {
  dx: Tensor | null;
  dw: Tensor;
  db: Tensor;
}

/** Cross-correlation of x [N, C, H, W] with w [OC, C/groups, kH, kW] (+ bias [OC]) → [N, OC, OH, OW]. */
export function conv2d(x: Tensor, w: Tensor, bias?: Tensor | null, options?: Conv2dOptions, backend?: Backend): Tensor {
  const op = 'conv2d';
  checkTensor(op, 'input', x);
  checkTensor(op, 'weight', w);
  const opts = checkOptions(op, options, CONV_KEYS);
  const be = resolveBackend(op, backend);
  const g = conv2dGeometry(op, x.shape, w.shape, opts);
  if (bias !== undefined && bias !== null) {
    checkTensor(op, 'bias', bias);
    if (bias.rank !== 1 || bias.shape[0] !== g.outChannels) {
      throw new Error(`${op}: bias must have shape [${g.outChannels}] for weight ${formatShape(w.shape)}, got ${formatShape(bias.shape)}`);
    }
  }
  // Outputs the kernels overwrite entirely are not zeroed first (emptyOn).
  const y = emptyOn(be, [g.batch, g.outChannels, g.outHeight, g.outWidth]);
  const b = bias ?? null;
  be.conv2d(g, x.data, w.data, b ? b.data : null, y.data);
  // The trace's attrs are the geometry itself (strides, pads, dilations, groups): nothing to build.
  return record(op, y, [x, w, b], be, (dy, [needX, needW, needB]) => convGradients(be, g, dy, x, w, needX, needW, needB), g);
}

/** The conv2d rule: only the gradients asked for are computed (a frozen weight costs no
 * backward-filter pass, a first layer no backward-input pass). */
function convGradients(be: Backend, g: Conv2dGeometry, dy: Tensor, x: Tensor, w: Tensor, needX: boolean, needW: boolean, needB: boolean): (Tensor | null)[] {
  let dx: Tensor | null = null;
  let dw: Tensor | null = null;
  let db: Tensor | null = null;
  if (needX) {
    dx = emptyOn(be, x.shape);
    be.conv2dBackwardInput(g, dy.data, w.data, dx.data);
  }
  if (needB) db = emptyOn(be, [g.outChannels]);
  if (needW) {
    dw = emptyOn(be, w.shape);
    be.conv2dBackwardFilter(g, dy.data, x.data, dw.data, db ? db.data : null);
  } else if (db) {
    be.sumBias(dy.data, g.batch, g.outChannels, g.outHeight * g.outWidth, db.data);
  }
  return [dx, dw, db];
}

/** Gradients of conv2d given dy (the gradient of its output): dw, db = Σ dy over N, H, W,
 * and dx unless options.inputGrad is false. */
export function conv2dBackward(dy: Tensor, x: Tensor, w: Tensor, options?: Conv2dBackwardOptions, backend?: Backend): Conv2dGradients {
  const op = 'conv2dBackward';
  checkTensor(op, 'dy', dy);
  checkTensor(op, 'input', x);
  checkTensor(op, 'weight', w);
  const opts = checkOptions(op, options, [...CONV_KEYS, 'inputGrad']);
  const inputGrad = checkBoolean(op, 'inputGrad', opts.inputGrad, true);
  const be = resolveBackend(op, backend);
  const g = conv2dGeometry(op, x.shape, w.shape, opts);
  checkShapeIs(op, 'dy', dy.shape, [g.batch, g.outChannels, g.outHeight, g.outWidth], `the output of input ${formatShape(x.shape)} ⋆ weight ${formatShape(w.shape)}`);
  const [dx, dw, db] = convGradients(be, g, dy, x, w, inputGrad, true, true);
  return { dx, dw: dw as Tensor, db: db as Tensor };
}
