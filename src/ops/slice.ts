// slice (ONNX Slice: starts, ends, axes, steps, negative steps, clamping) and narrow
// (PyTorch's narrow: a start and a length on one axis, no clamping). An empty window is
// an empty tensor (a size 0 on that axis), as in ONNX and PyTorch; its gradient is 0.
import type { Backend, SliceGeometry } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { Tensor, formatShape, zerosOn, type Shape } from '../tensor.js';
import { normalizeAxis } from './shape.js';
import { checkOptions, checkTensor, describeValue, resolveBackend } from './validate.js';

export interface SliceOptions {
  /** First index per listed axis (negative counts from the end; clamped into the axis). */
  starts: readonly number[];
  /** One past the last index per listed axis (exclusive; clamped). Infinity or a large
   * number means "to the end", −Infinity with a negative step "to the beginning". */
  ends: readonly number[];
  /** The axes starts/ends refer to (default 0, 1, …); negative counts from the end. */
  axes?: readonly number[];
  /** Step per listed axis (default 1); negative walks backwards; never 0. */
  steps?: readonly number[];
}

function integers(op: string, name: string, value: unknown, length: number | null, infinite: boolean): number[] {
  const ok = (v: unknown): boolean => typeof v === 'number' && (Number.isInteger(v) || (infinite && (v === Infinity || v === -Infinity)));
  if (!Array.isArray(value) || (length !== null && value.length !== length) || !value.every(ok)) {
    const size = length === null ? ' of' : ` of ${length}`;
    throw new Error(`${op}: ${name} must be an array${size} integers${infinite ? ' (or ±Infinity)' : ''}, got ${describeValue(value)}`);
  }
  return value as number[];
}

function run(op: string, x: Tensor, g: SliceGeometry, be: Backend): Tensor {
  const y = zerosOn(be, g.outShape);
  be.slice(g, x.data, y.data);
  return record(op, y, [x], be, (dy) => {
    const dx = zerosOn(be, x.shape);
    be.sliceBackward(g, dy.data, dx.data);
    return [dx];
  }, g);
}

/** The window of an input of `shape` that slice(x, options) reads (ONNX Slice). On each
 * listed axis of size d, a negative start or end has d added; then with step > 0 both
 * are clamped to [0, d], with step < 0 start to [0, d − 1] and end to [−1, d − 1]; the
 * axis keeps max(0, ⌈(end − start) / step⌉) elements start, start + step, …. Unlisted
 * axes are kept whole. */
export function sliceGeometry(op: string, shape: Shape, options: SliceOptions): SliceGeometry {
  const o = checkOptions(op, options, ['starts', 'ends', 'axes', 'steps'], true);
  const rank = shape.length;
  const starts = integers(op, 'starts', o.starts, null, true);
  const n = starts.length;
  const ends = integers(op, 'ends', o.ends, n, true);
  const axes = o.axes === undefined ? starts.map((_, i) => i) : integers(op, 'axes', o.axes, n, false);
  const steps = o.steps === undefined ? starts.map(() => 1) : integers(op, 'steps', o.steps, n, false);
  if (n > rank) throw new Error(`${op}: ${n} starts for input ${formatShape(shape)} of rank ${rank}`);
  const outShape = [...shape];
  const first = shape.map(() => 0);
  const step = shape.map(() => 1);
  const seen = new Set<number>();
  axes.forEach((a, i) => {
    const axis = normalizeAxis(op, a, rank);
    if (seen.has(axis)) throw new Error(`${op}: axes ${describeValue(axes)} repeat axis ${axis} of input ${formatShape(shape)}`);
    seen.add(axis);
    const s = steps[i];
    if (s === 0) throw new Error(`${op}: steps ${describeValue(steps)} has a 0 (axis ${axis} of input ${formatShape(shape)})`);
    const d = shape[axis];
    let b = starts[i] < 0 ? starts[i] + d : starts[i];
    let e = ends[i] < 0 ? ends[i] + d : ends[i];
    if (s > 0) {
      b = Math.min(Math.max(b, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      b = Math.min(Math.max(b, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    outShape[axis] = Math.max(0, Math.ceil((e - b) / s));
    first[axis] = outShape[axis] === 0 ? 0 : b;
    step[axis] = s;
  });
  return { inShape: [...shape], outShape, starts: first, steps: step };
}

/** The window of x described by options (see sliceGeometry), e.g. the last two columns
 * reversed: slice(x, { starts: [-1], ends: [-3], axes: [-1], steps: [-1] }). */
export function slice(x: Tensor, options: SliceOptions, backend?: Backend): Tensor {
  checkTensor('slice', 'input', x);
  return run('slice', x, sliceGeometry('slice', x.shape, options), resolveBackend('slice', backend));
}

/** PyTorch's narrow: `length` elements of `axis` from `start` (negative counts from the
 * end). Unlike slice nothing is clamped: the range must lie inside the axis. */
export function narrow(x: Tensor, axis: number, start: number, length: number, backend?: Backend): Tensor {
  const op = 'narrow';
  checkTensor(op, 'input', x);
  const ax = normalizeAxis(op, axis, x.rank);
  const d = x.shape[ax];
  if (!Number.isInteger(start) || start < -d || start > d) {
    throw new Error(`${op}: start must be an integer in [${-d}, ${d}] for axis ${ax} of input ${formatShape(x.shape)}, got ${describeValue(start)}`);
  }
  const b = start < 0 ? start + d : start;
  if (!Number.isInteger(length) || length < 0 || b + length > d) {
    throw new Error(`${op}: length must be an integer in [0, ${d - b}] from start ${b} on axis ${ax} of input ${formatShape(x.shape)}, got ${describeValue(length)}`);
  }
  const outShape = [...x.shape];
  outShape[ax] = length;
  const starts = x.shape.map((_, i) => (i === ax ? b : 0));
  return run(op, x, { inShape: x.shape, outShape, starts, steps: x.shape.map(() => 1) }, resolveBackend(op, backend));
}
