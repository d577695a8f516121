// Resize of x [N, C, H, W] to a size or by a scale, nearest or bilinear, with ONNX
// Resize's coordinate modes (opset 11–13) and nearest rounding modes. The coordinate
// arithmetic runs here once per call, in float64, into one table per axis (source indices
// and weights, see ResizeAxis); the kernels only follow the tables, and the backward is
// the same tables' adjoint (a scatter-add).
//
// Per axis, with input length `in`, output length `out` and output position o:
//   scale s: the given one, or out/in for `size`;  resized length L: in·s, or out for `size`
//   half_pixel            x = (o + 0.5)/s − 0.5
//   pytorch_half_pixel    x = (o + 0.5)/s − 0.5, or 0 when L = 1
//   align_corners         x = o·(in − 1)/(L − 1), or 0 when L = 1
//   asymmetric            x = o/s
//   tf_crop_and_resize    x = start·(in − 1) + o·(end − start)·(in − 1)/(L − 1)
//                         ((start + end)/2·(in − 1) when L = 1); outside [0, in − 1] the
//                         output is extrapolationValue
// nearest rounds x by nearestMode, bilinear interpolates between floor(x) and floor(x) + 1;
// both clamp x to [0, in − 1] (ONNX's edge padding, PyTorch's clamping). bicubic (ONNX's
// cubic, PyTorch's bicubic) weighs the four neighbours floor(x) − 1 … floor(x) + 2 of the
// unclamped x with the Keys kernel of coefficient A (cubicCoeffA, default −0.75 as both),
// t = x − floor(x):
//   w0 = ((A(t+1) − 5A)(t+1) + 8A)(t+1) − 4A     w1 = ((A+2)t − (A+3))t² + 1
//   w2 = ((A+2)(1−t) − (A+3))(1−t)² + 1           w3 = ((A(2−t) − 5A)(2−t) + 8A)(2−t) − 4A
// a neighbour outside the input reads the edge (ONNX's edge padding, PyTorch's bounded
// access), or with excludeOutside weighs 0 and the rest are renormalized (ONNX's
// exclude_outside). L is in·s, not
// floor(in·s), as ONNX's reference computes it: it matters only for align_corners and the
// L = 1 cases when in·s is not an integer (PyTorch's align_corners uses the integer size:
// pass `size` for that, as the Upsample layer does).
import type { Backend, ResizeAxis, ResizeGeometry, ResizeMode } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { tracing } from '../autograd/trace.js';
import { Tensor, formatShape, zerosOn, type Shape } from '../tensor.js';
import { parseSize2, type Size2 } from './geometry.js';
import { checkOptions, checkRankOf, checkShapeArg, checkShapeIs, checkTensor, describeValue, resolveBackend } from './validate.js';

export type ResizeCoordinateMode = 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_crop_and_resize';
export type ResizeNearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';

export interface ResizeOptions {
  /** Output [height, width] (or one number for both). Exactly one of size and scale. */
  size?: Size2;
  /** Factor per axis (or one for both): the output is floor(in·scale). */
  scale?: number | readonly [number, number];
  /** 'nearest' (default, as ONNX and PyTorch), 'bilinear' or 'bicubic'. */
  mode?: ResizeMode;
  /** How output positions map to input coordinates; default 'half_pixel' (ONNX's). */
  coordinateMode?: ResizeCoordinateMode;
  /** How nearest rounds a coordinate; default 'round_prefer_floor' (ONNX's). Nearest only. */
  nearestMode?: ResizeNearestMode;
  /** tf_crop_and_resize only (required there): the crop box [startH, startW, endH, endW],
   * normalized to [0, 1] over each axis (ONNX's roi for the two spatial axes). */
  roi?: readonly [number, number, number, number];
  /** tf_crop_and_resize only: the value outside the input; default 0. */
  extrapolationValue?: number;
  /** Bicubic only: the kernel's A; default −0.75 (ONNX's cubic_coeff_a, PyTorch's). */
  cubicCoeffA?: number;
  /** Bicubic only: neighbours outside the input weigh 0 and the others are renormalized,
   * instead of reading the edge (ONNX's exclude_outside); default false. */
  excludeOutside?: boolean;
}

const KEYS = ['size', 'scale', 'mode', 'coordinateMode', 'nearestMode', 'roi', 'extrapolationValue', 'cubicCoeffA', 'excludeOutside'] as const;
const MODES: readonly ResizeMode[] = ['nearest', 'bilinear', 'bicubic'];
const COORDINATE_MODES: readonly ResizeCoordinateMode[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_crop_and_resize'];
const NEAREST_MODES: readonly ResizeNearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
/** Typed arrays (and so tensors) hold at most this many elements. */
const MAX_ELEMENTS = 2 ** 31 - 1;

function oneOf<T extends string>(op: string, name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new Error(`${op}: ${name} must be ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describeValue(value)}`);
  return value as T;
}

function parseScale(op: string, value: unknown): [number, number] {
  const pair = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)) {
    throw new Error(`${op}: scale must be a positive finite number or [h, w] of them, got ${describeValue(value)}`);
  }
  return [pair[0], pair[1]];
}

interface AxisPlan {
  out: number;
  /** The scale s and the resized length L of the header. */
  scale: number;
  length: number;
}

interface ResizePlan {
  mode: ResizeMode;
  coordinateMode: ResizeCoordinateMode;
  nearestMode: ResizeNearestMode;
  roi: readonly [number, number, number, number] | null;
  extrapolationValue: number;
  cubicCoeffA: number;
  excludeOutside: boolean;
  axes: [AxisPlan, AxisPlan];
}

/** Validates the options against x's shape and resolves the output size per axis. */
function plan(op: string, shape: Shape, options: ResizeOptions): ResizePlan {
  const o = checkOptions(op, options, KEYS, true);
  const mode = oneOf(op, 'mode', o.mode, MODES, 'nearest');
  const coordinateMode = oneOf(op, 'coordinateMode', o.coordinateMode, COORDINATE_MODES, 'half_pixel');
  if (mode !== 'nearest' && o.nearestMode !== undefined) throw new Error(`${op}: nearestMode applies to mode 'nearest' only (mode is '${mode}')`);
  const nearestMode = oneOf(op, 'nearestMode', o.nearestMode, NEAREST_MODES, 'round_prefer_floor');
  const crop = coordinateMode === 'tf_crop_and_resize';
  if (!crop && (o.roi !== undefined || o.extrapolationValue !== undefined)) {
    throw new Error(`${op}: roi and extrapolationValue apply to coordinateMode 'tf_crop_and_resize' only (coordinateMode is '${coordinateMode}')`);
  }
  let roi: ResizePlan['roi'] = null;
  if (crop) {
    const r: unknown = o.roi;
    if (!Array.isArray(r) || r.length !== 4 || !r.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new Error(`${op}: coordinateMode 'tf_crop_and_resize' needs roi [startH, startW, endH, endW] of finite numbers, got ${describeValue(r)}`);
    }
    roi = [r[0], r[1], r[2], r[3]];
    if (o.scale !== undefined) {
      throw new Error(`${op}: coordinateMode 'tf_crop_and_resize' needs size, not scale (ONNX's spec and reference size a scaled crop differently)`);
    }
  }
  const extrapolationValue = o.extrapolationValue ?? 0;
  if (typeof extrapolationValue !== 'number') throw new Error(`${op}: extrapolationValue must be a number, got ${describeValue(extrapolationValue)}`);
  if (mode !== 'bicubic' && (o.cubicCoeffA !== undefined || o.excludeOutside !== undefined)) {
    throw new Error(`${op}: cubicCoeffA and excludeOutside apply to mode 'bicubic' only (mode is '${mode}')`);
  }
  const cubicCoeffA = o.cubicCoeffA ?? -0.75;
  if (typeof cubicCoeffA !== 'number' || !Number.isFinite(cubicCoeffA)) throw new Error(`${op}: cubicCoeffA must be a finite number, got ${describeValue(o.cubicCoeffA)}`);
  const excludeOutside = o.excludeOutside ?? false;
  if (typeof excludeOutside !== 'boolean') throw new Error(`${op}: excludeOutside must be true or false, got ${describeValue(o.excludeOutside)}`);
  if ((o.size === undefined) === (o.scale === undefined)) {
    throw new Error(`${op}: give exactly one of size and scale, got ${o.size === undefined ? 'neither' : 'both'}`);
  }
  const [H, W] = [shape[2], shape[3]];
  let axes: [AxisPlan, AxisPlan];
  if (o.size !== undefined) {
    const [oh, ow] = parseSize2(op, 'size', o.size, [1, 1]);
    axes = [{ out: oh, scale: oh / H, length: oh }, { out: ow, scale: ow / W, length: ow }];
  } else {
    const s = parseScale(op, o.scale);
    axes = [H, W].map((len, d) => {
      const length = len * s[d];
      const out = Math.floor(length);
      if (out < 1) throw new Error(`${op}: output ${d === 0 ? 'height' : 'width'} would be empty (input ${len} × scale ${s[d]} = ${length} < 1, input ${formatShape(shape)})`);
      return { out, scale: s[d], length };
    }) as [AxisPlan, AxisPlan];
  }
  const size = shape[0] * shape[1] * axes[0].out * axes[1].out;
  if (size > MAX_ELEMENTS) throw new Error(`${op}: output [${shape[0]}, ${shape[1]}, ${axes[0].out}, ${axes[1].out}] of input ${formatShape(shape)} has more than 2^31 − 1 elements`);
  return { mode, coordinateMode, nearestMode, roi, extrapolationValue, cubicCoeffA, excludeOutside, axes };
}

/** The input coordinate of output position o (float64), before clamping. */
function sourceCoordinate(p: ResizePlan, axis: 0 | 1, inLength: number, o: number): number {
  const { scale: s, length: L } = p.axes[axis];
  switch (p.coordinateMode) {
    case 'half_pixel':
      return (o + 0.5) / s - 0.5;
    case 'pytorch_half_pixel':
      return L === 1 ? 0 : (o + 0.5) / s - 0.5;
    case 'align_corners':
      return L === 1 ? 0 : (o * (inLength - 1)) / (L - 1);
    case 'asymmetric':
      return o / s;
    case 'tf_crop_and_resize': {
      const roi = p.roi as readonly number[];
      const [start, end] = [roi[axis], roi[axis + 2]];
      const x = L === 1 ? ((end - start) * (inLength - 1)) / 2 : (o * (end - start) * (inLength - 1)) / (L - 1);
      return x + start * (inLength - 1);
    }
  }
}

function roundNearest(x: number, mode: ResizeNearestMode): number {
  const f = Math.floor(x);
  if (x === f) return x;
  const frac = x - f;
  switch (mode) {
    case 'round_prefer_floor':
      return frac <= 0.5 ? f : f + 1;
    case 'round_prefer_ceil':
      return frac < 0.5 ? f : f + 1;
    case 'floor':
      return f;
    case 'ceil':
      return f + 1;
  }
}

/** The Keys cubic weights of neighbours floor(x) − 1 … floor(x) + 2 at t = x − floor(x). */
function cubicWeights(t: number, a: number, out: Float64Array, at: number): void {
  const u = 1 - t;
  out[at] = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a;
  out[at + 1] = ((a + 2) * t - (a + 3)) * t * t + 1;
  out[at + 2] = ((a + 2) * u - (a + 3)) * u * u + 1;
  out[at + 3] = ((a * (u + 1) - 5 * a) * (u + 1) + 8 * a) * (u + 1) - 4 * a;
}

function axisTable(p: ResizePlan, axis: 0 | 1, inLength: number): ResizeAxis {
  const out = p.axes[axis].out;
  const index0 = new Int32Array(out);
  const index1 = new Int32Array(out);
  const weight = new Float64Array(out);
  const cubic = p.mode === 'bicubic' ? { index: new Int32Array(4 * out), weight: new Float64Array(4 * out) } : null;
  let outside: Uint8Array | null = null;
  const last = inLength - 1;
  for (let o = 0; o < out; o++) {
    const x = sourceCoordinate(p, axis, inLength, o);
    if (p.coordinateMode === 'tf_crop_and_resize' && !(x >= 0 && x <= last)) {
      outside ??= new Uint8Array(out);
      outside[o] = 1;
    }
    if (p.mode === 'nearest') {
      const i = Math.min(Math.max(roundNearest(x, p.nearestMode), 0), last);
      index0[o] = index1[o] = Number.isNaN(i) ? 0 : i;
    } else if (cubic) {
      const f = Number.isFinite(x) ? Math.floor(x) : 0;
      cubicWeights(Number.isFinite(x) ? x - f : 0, p.cubicCoeffA, cubic.weight, 4 * o);
      let kept = 0;
      for (let k = 0; k < 4; k++) {
        const i = f - 1 + k;
        if (p.excludeOutside && (i < 0 || i > last)) cubic.weight[4 * o + k] = 0;
        kept += cubic.weight[4 * o + k];
        cubic.index[4 * o + k] = Math.min(Math.max(i, 0), last);
      }
      if (p.excludeOutside) for (let k = 0; k < 4; k++) cubic.weight[4 * o + k] /= kept;
      index0[o] = index1[o] = Math.min(Math.max(f, 0), last);
    } else {
      const c = Math.min(Math.max(x, 0), last);
      const i = Number.isNaN(c) ? 0 : Math.floor(c);
      index0[o] = i;
      index1[o] = Math.min(i + 1, last);
      weight[o] = Number.isNaN(c) ? 0 : c - i;
    }
  }
  return cubic ? { index0, index1, weight, outside, cubic } : { index0, index1, weight, outside };
}

/** The geometry (with both tables) of resizing a tensor of `shape` by `options`. */
export function resizeGeometry(op: string, shape: Shape, options: ResizeOptions): ResizeGeometry {
  return planned(op, shape, options).g;
}

function planned(op: string, shape: Shape, options: ResizeOptions): { p: ResizePlan; g: ResizeGeometry } {
  if (shape.some((d) => d === 0)) throw new Error(`${op}: input ${formatShape(shape)} must have no zero sizes`);
  const p = plan(op, shape, options);
  const g: ResizeGeometry = {
    batch: shape[0], channels: shape[1], inHeight: shape[2], inWidth: shape[3],
    outHeight: p.axes[0].out, outWidth: p.axes[1].out, mode: p.mode,
    rows: axisTable(p, 0, shape[2]), cols: axisTable(p, 1, shape[3]),
    extrapolationValue: p.extrapolationValue,
  };
  return { p, g };
}

/** The op trace's attrs of a resize: the resolved options, with `scale` the factors when
 * the output was sized by a scale (they set the coordinates), else null. */
function traceAttrs(p: ResizePlan, g: ResizeGeometry, options: ResizeOptions): object {
  const { mode, coordinateMode, nearestMode, roi, extrapolationValue } = p;
  const scale = options.scale === undefined ? null : [p.axes[0].scale, p.axes[1].scale];
  return { mode, coordinateMode, nearestMode, roi, extrapolationValue, scale, size: [g.outHeight, g.outWidth], geometry: g };
}

function outShape(g: ResizeGeometry): number[] {
  return [g.batch, g.channels, g.outHeight, g.outWidth];
}

/** x [N, C, H, W] resized to [N, C, OH, OW] (see the file header for the modes). Nearest and
 * bilinear run on the backend's kernels (wasm's own); bicubic on the shared float64 one. */
export function resize(x: Tensor, options: ResizeOptions, backend?: Backend): Tensor {
  const op = 'resize';
  checkTensor(op, 'input', x);
  checkRankOf(op, 'input', x, 4);
  const { p, g } = planned(op, x.shape, options);
  const be = resolveBackend(op, backend);
  const y = zerosOn(be, outShape(g));
  be.resize(g, x.data, y.data);
  return record(op, y, [x], be, (dy) => {
    const dx = zerosOn(be, x.shape);
    be.resizeBackward(g, dy.data, dx.data);
    return [dx];
  }, tracing() ? traceAttrs(p, g, options) : undefined);
}

/** dx of shape xShape from dy (the shape of resize's output): the adjoint of resize. */
export function resizeBackward(dy: Tensor, xShape: Shape, options: ResizeOptions, backend?: Backend): Tensor {
  const op = 'resizeBackward';
  checkTensor(op, 'dy', dy);
  const shape = checkShapeArg(op, 'xShape', xShape, 4);
  const g = resizeGeometry(op, shape, options);
  checkShapeIs(op, 'dy', dy.shape, outShape(g), `the resize of ${formatShape(shape)}`);
  const be = resolveBackend(op, backend);
  const dx = zerosOn(be, shape);
  be.resizeBackward(g, dy.data, dx.data);
  return dx;
}
