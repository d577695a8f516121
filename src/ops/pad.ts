// pad (ONNX Pad): constant (with a value), reflect or edge, on any axes. The gradient of
// a constant pad crops dy; reflect and edge add the gradient of every copy of a border
// element back into it.
import type { Backend, PadGeometry, PadMode } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { Tensor, formatShape, zerosOn, type Shape } from '../tensor.js';
import { normalizeAxis } from './shape.js';
import { checkOptions, checkTensor, describeValue, resolveBackend } from './validate.js';

/** ONNX's flat [x1_begin, x2_begin, …, x1_end, x2_end, …], or one [before, after] pair
 * per axis (numpy's pad_width). Either covers every axis, or the axes option's. */
export type Pads = readonly number[] | readonly (readonly [number, number])[];

export interface PadOptions {
  /** 'constant' (default), 'reflect' (mirror without repeating the border, as ONNX, numpy
   * and PyTorch's ReflectionPad) or 'edge' (repeat the border, PyTorch's 'replicate'). */
  mode?: PadMode;
  /** The fill of constant mode (default 0; ±Infinity allowed, NaN refused). */
  value?: number;
  /** The axes the pads refer to (default all, in order); negative counts from the end. */
  axes?: readonly number[];
}

const MODES: readonly PadMode[] = ['constant', 'reflect', 'edge'];

/** Per axis of x, [before, after]: the pads checked against the mode and the shape. */
function parsePads(op: string, shape: Shape, pads: Pads, mode: PadMode, axes: readonly number[] | undefined): [number, number][] {
  const list = axes === undefined ? shape.map((_, i) => i) : axes;
  const rank = shape.length;
  if (!Array.isArray(list) || !list.every((a) => Number.isInteger(a))) throw new Error(`${op}: axes must be an array of integers, got ${describeValue(axes)}`);
  const ax = list.map((a) => normalizeAxis(op, a, rank));
  if (new Set(ax).size !== ax.length) throw new Error(`${op}: axes ${describeValue(axes)} repeat an axis of input ${formatShape(shape)}`);
  const k = ax.length;
  let pairs: [number, number][];
  const isPairs = Array.isArray(pads) && pads.length > 0 && pads.every((p) => Array.isArray(p));
  if (isPairs) {
    const ps = pads as readonly (readonly number[])[];
    if (ps.length !== k || !ps.every((p) => p.length === 2)) {
      throw new Error(`${op}: pads ${describeValue(pads)} must have one [before, after] pair for each of the ${k} axes of input ${formatShape(shape)}`);
    }
    pairs = ps.map((p) => [p[0], p[1]]);
  } else {
    if (!Array.isArray(pads) || pads.length !== 2 * k) {
      throw new Error(`${op}: pads ${describeValue(pads)} must be ${2 * k} numbers (all begins, then all ends) or ${k} [before, after] pairs for input ${formatShape(shape)}`);
    }
    const flat = pads as readonly number[];
    pairs = ax.map((_, i) => [flat[i], flat[k + i]]);
  }
  if (!pairs.every(([b, a]) => Number.isInteger(b) && Number.isInteger(a))) throw new Error(`${op}: pads must be integers, got ${describeValue(pads)}`);
  const out: [number, number][] = shape.map(() => [0, 0]);
  pairs.forEach(([b, a], i) => {
    const axis = ax[i];
    const d = shape[axis];
    const where = `on axis ${axis} of input ${formatShape(shape)}`;
    if (mode !== 'constant' && (b < 0 || a < 0)) throw new Error(`${op}: negative pads [${b}, ${a}] ${where} crop, which only mode 'constant' does (mode '${mode}')`);
    if (mode === 'reflect' && Math.max(b, a) > d - 1) throw new Error(`${op}: reflect pads [${b}, ${a}] ${where} must be at most the axis size − 1 (${d - 1})`);
    if (mode === 'edge' && d === 0 && b + a > 0) throw new Error(`${op}: edge pads [${b}, ${a}] ${where} have no edge to repeat (the axis is empty)`);
    if (d + b + a < 0) throw new Error(`${op}: pads [${b}, ${a}] ${where} crop more than the axis holds`);
    out[axis] = [b, a];
  });
  return out;
}

/** The geometry of pad(x, pads, options) for an input of `shape`: pads checked against
 * the mode and the shape. */
export function padGeometry(op: string, shape: Shape, pads: Pads, options?: PadOptions): PadGeometry {
  const o = checkOptions(op, options, ['mode', 'value', 'axes']);
  const mode = o.mode ?? 'constant';
  if (!MODES.includes(mode)) throw new Error(`${op}: mode must be 'constant', 'reflect' or 'edge', got ${describeValue(o.mode)}`);
  if (o.value !== undefined) {
    if (typeof o.value !== 'number' || Number.isNaN(o.value)) throw new Error(`${op}: value must be a number (not NaN), got ${describeValue(o.value)}`);
    if (mode !== 'constant') throw new Error(`${op}: value is the fill of mode 'constant'; mode '${mode}' takes none`);
  }
  const pairs = parsePads(op, shape, pads, mode, o.axes);
  return {
    inShape: [...shape],
    outShape: shape.map((d, i) => d + pairs[i][0] + pairs[i][1]),
    before: pairs.map((p) => p[0]),
    mode,
    value: o.value ?? 0,
  };
}

/** x padded on every axis (or the axes option's) by pads (see Pads), e.g. H and W of NCHW
 * by one: pad(x, [0, 0, 1, 1, 0, 0, 1, 1]) or pad(x, [[1, 1], [1, 1]], { axes: [2, 3] }).
 * Negative pads crop (constant mode only). */
export function pad(x: Tensor, pads: Pads, options?: PadOptions, backend?: Backend): Tensor {
  const op = 'pad';
  checkTensor(op, 'input', x);
  const g = padGeometry(op, x.shape, pads, options);
  const be = resolveBackend(op, backend);
  const y = zerosOn(be, g.outShape);
  be.pad(g, x.data, y.data);
  return record(op, y, [x], be, (dy) => {
    const dx = zerosOn(be, x.shape);
    be.padBackward(g, dy.data, dx.data);
    return [dx];
  }, g);
}
