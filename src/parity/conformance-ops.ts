// How each ONNX operator of the conformance fixtures (test/fixtures/onnx/, shipped packed
// as dist/onnx-conformance.json) is run with simdnet's ops: one entry per ONNX op type in
// ONNX_OPS, a function from the node (its inputs, attributes, opset, backend) to its
// outputs. An entry throws Unsupported, naming what is missing, for any op, attribute
// value, input or output simdnet cannot express yet; the runner (conformance.ts) counts
// and lists those instead of passing them. `simdnet parity`, the browser parity page and
// test/onnx-conformance.test.ts all run through this one table.
//
// Rules an entry keeps:
// * One ONNX node becomes the simdnet op that implements it. Shape bookkeeping is free
//   (reshape views, resolving 'SAME' or 1-D pooling to 2-D geometry, ONNX's pads order),
//   and so is composing ops where ONNX defines the op as that composition (Sum as a fold
//   of Add). Emulating a missing
//   feature with other ops (a transpose around softmax, a loop of 2-D products for a
//   batched MatMul) is not: that is Unsupported until the op has it.
// * Every attribute is read through `attrs`: an attribute the entry never reads makes
//   the test Unsupported ("attribute X is not mapped"), so a new ONNX attribute cannot
//   pass unnoticed. attrs.ignore(name, why) records one that cannot change the result.
// * Inputs are copied into fresh tensors (node.tensor(i)), so an op that writes into an
//   input (batchNorm2d's running statistics) cannot change the fixture for the next backend.
//
// Adding an op: add its key with a function that reads the inputs and attributes, calls
// the op with `backend`, and returns the outputs in ONNX order; throw
// `new Unsupported(op, what)` for what it cannot do.
import type { Backend } from '../backend/backend.js';
import {
  add, avgPool2d, batchNorm2d, clip, concat, conv2d, convTranspose2d, dropoutWithMask, gemm, globalAvgPool2d, globalMaxPool2d,
  hardSigmoid, hardSwish, instanceNorm, layerNormWithStats, leakyRelu, logSoftmax, matmul, maxOf, maxPool2dWithIndices, meanOf, mul,
  pad, prelu, relu, reshape, resize, sigmoid, softmax, sumOf, tanh, transpose,
  type ResizeCoordinateMode, type ResizeNearestMode, type ResizeOptions,
} from '../ops/index.js';
import { Tensor, shapeSize, zeros } from '../tensor.js';
import { AUTO_PADS, convTransposePads, type AutoPad } from '../onnx/ops/spatial.js';

/** A test needs something simdnet does not do yet: `missing` says what (an op, an
 * attribute value, an input or output). Counted and listed by the suite, never passed. */
export class Unsupported extends Error {
  constructor(readonly op: string, readonly missing: string) {
    super(`${op}: ${missing}`);
    this.name = 'Unsupported';
  }
}

export type AttributeValue = number | string | number[] | string[] | OnnxValue;

/** An input or output as stored in a fixture (float32 data decoded, other dtypes as numbers). */
export interface OnnxValue {
  name: string;
  dtype: string;
  shape: number[];
  data: Float32Array | number[];
}

/** An output the mapping produced: a float tensor, or exact values (indices, masks). */
export type OnnxOutput = Tensor | { dtype: string; shape: readonly number[]; data: ArrayLike<number> };

/** The node's attributes; each read is recorded so that unread ones can be reported. */
export class Attributes {
  private readonly read = new Set<string>();

  constructor(private readonly op: string, private readonly values: Readonly<Record<string, AttributeValue>>) {}

  has(name: string): boolean {
    return name in this.values;
  }

  private get(name: string): AttributeValue | undefined {
    this.read.add(name);
    return this.values[name];
  }

  int(name: string, fallback: number): number {
    const v = this.get(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${this.op}: attribute ${name} should be an int, got ${JSON.stringify(v)}`);
    return v;
  }

  float(name: string, fallback: number): number {
    const v = this.get(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'number') throw new Error(`${this.op}: attribute ${name} should be a float, got ${JSON.stringify(v)}`);
    return v;
  }

  string(name: string, fallback: string): string {
    const v = this.get(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'string') throw new Error(`${this.op}: attribute ${name} should be a string, got ${JSON.stringify(v)}`);
    return v;
  }

  ints(name: string): number[] | undefined;
  ints(name: string, fallback: number[]): number[];
  ints(name: string, fallback?: number[]): number[] | undefined {
    const v = this.get(name);
    if (v === undefined) return fallback;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x))) {
      throw new Error(`${this.op}: attribute ${name} should be ints, got ${JSON.stringify(v)}`);
    }
    return v as number[];
  }

  floats(name: string): number[] | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) throw new Error(`${this.op}: attribute ${name} should be floats, got ${JSON.stringify(v)}`);
    return v as number[];
  }

  /** Marks an attribute as handled although it cannot change the result (say why). */
  ignore(name: string, why: string): void {
    void why;
    this.read.add(name);
  }

  /** Attributes present on the node that the mapping never read. */
  unread(): string[] {
    return Object.keys(this.values).filter((k) => !this.read.has(k));
  }
}

/** What a mapping gets: one ONNX node with its data, and the backend to run on. */
export class OnnxNode {
  constructor(
    readonly op: string,
    readonly opset: number,
    readonly inputs: readonly (OnnxValue | null)[],
    readonly attrs: Attributes,
    /** Names of the outputs the test expects, in ONNX order. */
    readonly outputs: readonly string[],
    readonly backend: Backend,
  ) {}

  /** Whether optional input i is present. */
  has(i: number): boolean {
    return this.inputs[i] !== undefined && this.inputs[i] !== null;
  }

  private value(i: number): OnnxValue {
    const v = this.inputs[i];
    if (v === undefined || v === null) throw new Error(`${this.op}: input ${i} is required but missing`);
    return v;
  }

  /** Input i as a fresh float32 Tensor. Integer, bool, float16 and float64 data are
   * converted when every value is exact in float32 (simdnet computes in float32 only). */
  tensor(i: number): Tensor {
    const v = this.value(i);
    if (v.data instanceof Float32Array) return new Tensor(v.data.slice(), v.shape);
    const data = Float32Array.from(v.data);
    const inexact = v.data.findIndex((x, k) => data[k] !== x);
    if (inexact >= 0) throw new Unsupported(this.op, `input ${v.name} (${v.dtype}) value ${v.data[inexact]} is not exact in float32`);
    return new Tensor(data, v.shape);
  }

  /** Optional input i as a Tensor, or null when omitted. */
  optionalTensor(i: number): Tensor | null {
    return this.has(i) ? this.tensor(i) : null;
  }

  /** Input i as plain numbers (int64 shapes, pads, sizes; scalars such as a ratio). */
  numbers(i: number): number[] {
    const v = this.value(i);
    return Array.from(v.data);
  }

  /** Optional scalar input i (e.g. Dropout's ratio), or the fallback when omitted. */
  scalar(i: number, fallback: number): number {
    if (!this.has(i)) return fallback;
    const v = this.numbers(i);
    if (v.length !== 1) throw new Error(`${this.op}: input ${i} should be a scalar, got shape [${this.value(i).shape.join(', ')}]`);
    return v[0];
  }

  /** Throws Unsupported when the test expects more than the first `count` outputs. */
  onlyOutputs(count: number, why: string): void {
    if (this.outputs.length > count) throw new Unsupported(this.op, `output ${this.outputs.slice(count).join(', ')} (${why})`);
  }
}

export type OnnxOpMapping = (node: OnnxNode) => OnnxOutput[];

// ---------------------------------------------------------------------------------
// Convolution and pooling geometry: ONNX pads are [x1_begin, x2_begin, x1_end, x2_end],
// simdnet's [top, bottom, left, right]. ONNX's SAME_UPPER/SAME_LOWER give ceil(in/stride)
// outputs at any stride, while simdnet's 'same' keeps the input size (docs/conventions.md),
// so they are resolved to explicit pads here. 1-D ([N, C, L]) runs as 2-D with height 1.

interface Spatial {
  /** The input as NCHW (a view), and the ONNX rank of the output to reshape back to. */
  x: Tensor;
  oneD: boolean;
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  padding: [number, number, number, number];
}

function spatial(node: OnnxNode, x: Tensor, kernelFromWeight?: readonly number[]): Spatial {
  const { op, attrs } = node;
  const dims = x.rank - 2;
  if (dims !== 1 && dims !== 2) throw new Unsupported(op, `${dims}-D spatial input [${x.shape.join(', ')}] (NCHW is 2-D)`);
  const kernelAttr = attrs.ints('kernel_shape');
  const kernelList = kernelAttr ?? (kernelFromWeight ? [...kernelFromWeight] : undefined);
  if (!kernelList) throw new Error(`${op}: kernel_shape is required`);
  if (kernelFromWeight && kernelAttr && kernelAttr.some((k, i) => k !== kernelFromWeight[i])) {
    throw new Error(`${op}: kernel_shape [${kernelAttr.join(', ')}] differs from the weight's [${kernelFromWeight.join(', ')}]`);
  }
  const ones = new Array<number>(dims).fill(1);
  const strides = attrs.ints('strides', ones);
  const dilations = attrs.ints('dilations', ones);
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  const inSize = x.shape.slice(2);
  let pads = attrs.ints('pads', new Array<number>(2 * dims).fill(0));
  if (autoPad === 'VALID') pads = new Array<number>(2 * dims).fill(0);
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const begin: number[] = [];
    const end: number[] = [];
    for (let d = 0; d < dims; d++) {
      const out = Math.ceil(inSize[d] / strides[d]);
      const total = Math.max(0, (out - 1) * strides[d] + dilations[d] * (kernelList[d] - 1) + 1 - inSize[d]);
      const small = Math.floor(total / 2);
      begin.push(autoPad === 'SAME_UPPER' ? small : total - small);
      end.push(autoPad === 'SAME_UPPER' ? total - small : small);
    }
    pads = [...begin, ...end];
  } else if (autoPad !== 'NOTSET') throw new Error(`${op}: unknown auto_pad ${autoPad}`);
  if (dims === 1) {
    return {
      x: reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]]), oneD: true,
      kernel: [1, kernelList[0]], stride: [1, strides[0]], dilation: [1, dilations[0]], padding: [0, 0, pads[0], pads[1]],
    };
  }
  return {
    x, oneD: false, kernel: [kernelList[0], kernelList[1]], stride: [strides[0], strides[1]],
    dilation: [dilations[0], dilations[1]], padding: [pads[0], pads[2], pads[1], pads[3]],
  };
}

/** A pooling output back to the input's rank (drops the height 1 of 1-D). */
function unspatial(s: Spatial, y: Tensor): Tensor {
  return s.oneD ? reshape(y, [y.shape[0], y.shape[1], y.shape[3]]) : y;
}

/** ceil_mode 1 is simdnet's ceilMode. ONNX 1.12 rounds up without PyTorch's rule that the
 * last window must start inside the input or the leading padding; simdnet keeps PyTorch's,
 * so a model whose ceil-mode window would start in the trailing padding gets one output
 * less than ONNX's formula (none of the conformance tests has one). */
function ceilMode(node: OnnxNode): boolean {
  return node.attrs.int('ceil_mode', 0) !== 0;
}

/** ONNX's column-major (storage_order 1) index of each row-major flat index into x [N, C, H, W]. */
function columnMajorIndices(argmax: Int32Array, h: number, w: number): number[] {
  return Array.from(argmax, (k) => {
    const plane = Math.floor(k / (h * w));
    const r = Math.floor((k % (h * w)) / w);
    const c = k % w;
    return plane * h * w + c * h + r;
  });
}

// ---------------------------------------------------------------------------------
// Resize (opset 10–13; 18's antialias, axes and keep_aspect_ratio_policy refused) and
// Upsample (opset 7–9): 2-D spatial over NCHW, N and C kept (scale 1, or their own size).

const RESIZE_COORDINATE_MODES: readonly string[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_crop_and_resize'];
const RESIZE_NEAREST_MODES: readonly string[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

/** The ONNX mode as resize's: 'linear' (and Upsample-7's 'bilinear') is bilinear in 2-D,
 * Resize's 'cubic' bicubic. */
function resizeMode(node: OnnxNode): 'nearest' | 'bilinear' | 'bicubic' {
  const mode = node.attrs.string('mode', 'nearest');
  if (mode === 'nearest') return 'nearest';
  if (mode === 'linear' || (node.op === 'Upsample' && mode === 'bilinear')) return 'bilinear';
  if (mode === 'cubic' && node.op === 'Resize') return 'bicubic';
  throw new Unsupported(node.op, `mode '${mode}' (resize is nearest, bilinear or bicubic)`);
}

/** Only the spatial axes H and W may change: scales [1, 1, sh, sw] or sizes [N, C, oh, ow]. */
function spatialPair(node: OnnxNode, what: 'scales' | 'sizes', values: number[], x: Tensor): [number, number] {
  if (values.length !== x.rank) throw new Error(`${node.op}: ${what} has ${values.length} values for a rank-${x.rank} input`);
  const keep = what === 'scales' ? [1, 1] : [x.shape[0], x.shape[1]];
  if (values[0] !== keep[0] || values[1] !== keep[1]) throw new Unsupported(node.op, `${what} [${values.join(', ')}] resizes N or C (resize is 2-D spatial)`);
  return [values[2], values[3]];
}

function nchwOnly(node: OnnxNode, x: Tensor): void {
  if (x.rank !== 4) throw new Unsupported(node.op, `rank-${x.rank} input [${x.shape.join(', ')}] (resize is 2-D spatial over NCHW)`);
}

function resizeNode(node: OnnxNode): OnnxOutput[] {
  const { attrs, op } = node;
  const x = node.tensor(0);
  if (attrs.int('antialias', 0) !== 0) throw new Unsupported(op, 'antialias 1 (an antialiasing filter when downsampling)');
  if (attrs.has('axes')) throw new Unsupported(op, `axes [${attrs.ints('axes', []).join(', ')}] (resize takes scales or sizes for every axis)`);
  const policy = attrs.string('keep_aspect_ratio_policy', 'stretch');
  if (policy !== 'stretch') throw new Unsupported(op, `keep_aspect_ratio_policy '${policy}'`);
  const mode = resizeMode(node);
  nchwOnly(node, x);
  // Opset 10: X and scales only, and no coordinate or rounding attributes: Upsample's asymmetric floor.
  if (node.opset < 11) {
    return [resize(x, { scale: spatialPair(node, 'scales', node.numbers(1), x), mode, coordinateMode: 'asymmetric', ...(mode === 'nearest' ? { nearestMode: 'floor' as const } : {}) }, node.backend)];
  }
  const coordinateMode = attrs.string('coordinate_transformation_mode', 'half_pixel');
  if (!RESIZE_COORDINATE_MODES.includes(coordinateMode)) throw new Unsupported(op, `coordinate_transformation_mode '${coordinateMode}'`);
  const options: ResizeOptions = { mode, coordinateMode: coordinateMode as ResizeCoordinateMode };
  if (mode === 'bicubic') {
    options.cubicCoeffA = attrs.float('cubic_coeff_a', -0.75);
    options.excludeOutside = attrs.int('exclude_outside', 0) !== 0;
  } else {
    attrs.ignore('cubic_coeff_a', 'only used by mode cubic');
    // Nearest and linear read neighbours clamped into the input, so none is outside.
    if (attrs.int('exclude_outside', 0) !== 0) throw new Unsupported(op, `exclude_outside 1 with mode '${mode}' (resize takes it for bicubic only)`);
  }
  if (mode === 'nearest') {
    const nearestMode = attrs.string('nearest_mode', 'round_prefer_floor');
    if (!RESIZE_NEAREST_MODES.includes(nearestMode)) throw new Unsupported(op, `nearest_mode '${nearestMode}'`);
    options.nearestMode = nearestMode as ResizeNearestMode;
  } else attrs.ignore('nearest_mode', 'only used by mode nearest');
  // roi is only read by tf_crop_and_resize; opset 11's required scales may be empty beside sizes.
  const scales = node.has(2) ? node.numbers(2) : [];
  const sizes = node.has(3) ? node.numbers(3) : [];
  if ((scales.length === 0) === (sizes.length === 0)) throw new Error(`${op}: exactly one of scales and sizes must be given`);
  if (coordinateMode === 'tf_crop_and_resize') {
    const roi = node.numbers(1);
    if (roi.length !== 2 * x.rank) throw new Error(`${op}: roi has ${roi.length} values for a rank-${x.rank} input`);
    const n = x.rank;
    if (roi[0] !== 0 || roi[1] !== 0 || roi[n] !== 1 || roi[n + 1] !== 1) throw new Unsupported(op, `roi [${roi.join(', ')}] crops N or C`);
    if (scales.length > 0) throw new Unsupported(op, "tf_crop_and_resize with scales (resize's crop takes sizes)");
    options.roi = [roi[2], roi[3], roi[n + 2], roi[n + 3]];
    options.extrapolationValue = attrs.float('extrapolation_value', 0);
  } else attrs.ignore('extrapolation_value', 'only used by tf_crop_and_resize');
  if (sizes.length > 0) options.size = spatialPair(node, 'sizes', sizes, x);
  else options.scale = spatialPair(node, 'scales', scales, x);
  return [resize(x, options, node.backend)];
}

/** Upsample: scales (an attribute before opset 9, an input from 9) ≥ 1, asymmetric
 * coordinates, nearest rounding down (the floor of o/scale, as ONNX's test expects). */
function upsampleNode(node: OnnxNode): OnnxOutput[] {
  const x = node.tensor(0);
  const mode = resizeMode(node);
  nchwOnly(node, x);
  const scales = node.opset < 9 ? node.attrs.floats('scales') : node.numbers(1);
  if (!scales) throw new Error(`${node.op}: scales is required`);
  if (scales.some((s) => !(s >= 1))) throw new Error(`${node.op}: scales [${scales.join(', ')}] must be ≥ 1`);
  const scale = spatialPair(node, 'scales', scales, x);
  return [resize(x, { scale, mode, coordinateMode: 'asymmetric', ...(mode === 'nearest' ? { nearestMode: 'floor' as const } : {}) }, node.backend)];
}

// ---------------------------------------------------------------------------------
// Small helpers.

function normalizeAxis(op: string, axis: number, rank: number): number {
  if (axis < -rank || axis >= rank) throw new Error(`${op}: axis ${axis} is outside rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** Softmax / LogSoftmax: opset 13 normalizes one axis (default −1); earlier opsets flatten
 * to 2-D at `axis` (default 1) and normalize the rows, which is a reshape around the op. */
function softmaxLike(node: OnnxNode, run: (x: Tensor, axis: number, backend: Backend) => Tensor): OnnxOutput[] {
  const x = node.tensor(0);
  if (node.opset < 13) {
    const axis = normalizeAxis(node.op, node.attrs.int('axis', 1), x.rank);
    const rows = reshape(x, [shapeSize(x.shape.slice(0, axis)), shapeSize(x.shape.slice(axis))]);
    return [reshape(run(rows, -1, node.backend), x.shape)];
  }
  return [run(x, node.attrs.int('axis', -1), node.backend)];
}

/** ConvTranspose: pads and output padding by ONNX's rule, which the importer shares
 * (convTransposePads). 1-D runs as 2-D with height 1. */
function convTranspose(node: OnnxNode): OnnxOutput[] {
  const { op, attrs } = node;
  const x = node.tensor(0);
  const w = node.tensor(1);
  const dims = x.rank - 2;
  if (dims !== 1 && dims !== 2) throw new Unsupported(op, `${dims}-D spatial input [${x.shape.join(', ')}] (NCHW is 2-D)`);
  const kernel = w.shape.slice(2);
  const kernelAttr = attrs.ints('kernel_shape');
  if (kernelAttr && kernelAttr.some((k, i) => k !== kernel[i])) throw new Error(`${op}: kernel_shape [${kernelAttr.join(', ')}] differs from the weight's [${kernel.join(', ')}]`);
  const ones = new Array<number>(dims).fill(1);
  const zerosList = new Array<number>(dims).fill(0);
  const strides = attrs.ints('strides', ones);
  const dilations = attrs.ints('dilations', ones);
  const group = attrs.int('group', 1);
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  if (!(AUTO_PADS as readonly string[]).includes(autoPad)) throw new Error(`${op}: unknown auto_pad ${autoPad}`);
  const { pads, outputPadding: extra } = convTransposePads({
    strides, dilations, kernel, inSize: x.shape.slice(2), outputPadding: attrs.ints('output_padding', zerosList),
    pads: attrs.ints('pads', new Array<number>(2 * dims).fill(0)), autoPad: autoPad as AutoPad, outputShape: attrs.ints('output_shape'),
  });
  const two = (v: number[], fill: number): [number, number] => (dims === 1 ? [fill, v[0]] : [v[0], v[1]]);
  const options = {
    stride: two(strides, 1), dilation: two(dilations, 1), outputPadding: two(extra, 0), groups: group,
    padding: (dims === 1 ? [0, 0, pads[0], pads[1]] : [pads[0], pads[2], pads[1], pads[3]]) as [number, number, number, number],
  };
  const x4 = dims === 1 ? reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]]) : x;
  const w4 = dims === 1 ? reshape(w, [w.shape[0], w.shape[1], 1, w.shape[2]]) : w;
  const y = convTranspose2d(x4, w4, node.optionalTensor(2), options, node.backend);
  return [dims === 1 ? reshape(y, [y.shape[0], y.shape[1], y.shape[3]]) : y];
}

/** The node's inputs as tensors (the variadic Sum, Mean, Max). */
function allInputs(node: OnnxNode): Tensor[] {
  return node.inputs.map((_, i) => node.tensor(i));
}

/** PRelu: the slope broadcasts to x (numpy rules, right-aligned). Its span of axes,
 * without leading and trailing 1s, must match x's own: x is then viewed as
 * [outer, C, inner] with the slope as [C], simdnet's per-channel layout (a reshape). */
function preluNode(node: OnnxNode): OnnxOutput[] {
  const x = node.tensor(0);
  const slope = node.tensor(1);
  const offset = x.rank - slope.rank;
  if (offset < 0) throw new Error(`${node.op}: slope [${slope.shape.join(', ')}] has a higher rank than x [${x.shape.join(', ')}]`);
  const axes = slope.shape.map((_, i) => i).filter((i) => slope.shape[i] !== 1);
  if (axes.length === 0) return [prelu(x, reshape(slope, [1]), node.backend)];
  const [first, last] = [axes[0], axes[axes.length - 1]];
  for (let i = first; i <= last; i++) {
    if (slope.shape[i] !== x.shape[offset + i]) {
      throw new Unsupported(node.op, `slope [${slope.shape.join(', ')}] broadcast inside x [${x.shape.join(', ')}] (prelu's slope is [C] over a span of axes)`);
    }
  }
  const outer = shapeSize(x.shape.slice(0, offset + first));
  const channels = shapeSize(slope.shape.slice(first, last + 1));
  const inner = shapeSize(x.shape.slice(offset + last + 1));
  const y = prelu(reshape(x, [outer, channels, inner]), reshape(slope, [channels]), node.backend);
  return [reshape(y, x.shape)];
}

function unary(run: (x: Tensor, backend: Backend) => Tensor): OnnxOpMapping {
  return (node) => [run(node.tensor(0), node.backend)];
}

// ---------------------------------------------------------------------------------
// The table: one entry per ONNX op type of the fixtures.

export const ONNX_OPS: Record<string, OnnxOpMapping> = {
  Conv(node) {
    const x = node.tensor(0);
    const w = node.tensor(1);
    const s = spatial(node, x, w.shape.slice(2));
    const group = node.attrs.int('group', 1);
    const weight = s.oneD ? reshape(w, [w.shape[0], w.shape[1], 1, w.shape[2]]) : w;
    const y = conv2d(s.x, weight, node.optionalTensor(2), { stride: s.stride, dilation: s.dilation, padding: s.padding, groups: group }, node.backend);
    return [unspatial(s, y)];
  },

  ConvTranspose: convTranspose,

  MaxPool(node) {
    const s = spatial(node, node.tensor(0));
    const storageOrder = node.attrs.int('storage_order', 0);
    const options = { kernelSize: s.kernel, stride: s.stride, padding: s.padding, dilation: s.dilation, ceilMode: ceilMode(node) };
    const { y, argmax } = maxPool2dWithIndices(s.x, options, node.backend);
    const out: OnnxOutput[] = [unspatial(s, y)];
    if (node.outputs.length > 1) {
      const [, , h, w] = s.x.shape;
      const indices = storageOrder === 0 ? Array.from(argmax) : columnMajorIndices(argmax, h, w);
      out.push({ dtype: 'int64', shape: out[0].shape, data: indices });
    }
    return out;
  },

  AveragePool(node) {
    const s = spatial(node, node.tensor(0));
    if (s.dilation.some((d) => d !== 1)) throw new Unsupported(node.op, `dilations [${s.dilation.join(', ')}] (average pooling has no dilation)`);
    // ONNX's default (0) excludes the padding from each window's count; simdnet's default counts it.
    const countIncludePad = node.attrs.int('count_include_pad', 0) !== 0;
    const options = { kernelSize: s.kernel, stride: s.stride, padding: s.padding, ceilMode: ceilMode(node), countIncludePad };
    return [unspatial(s, avgPool2d(s.x, options, node.backend))];
  },

  GlobalAveragePool(node) {
    const x = node.tensor(0);
    if (x.rank !== 4) throw new Unsupported(node.op, `rank-${x.rank} input (NCHW only)`);
    return [globalAvgPool2d(x, node.backend)];
  },

  GlobalMaxPool(node) {
    const x = node.tensor(0);
    if (x.rank !== 4) throw new Unsupported(node.op, `rank-${x.rank} input (NCHW only)`);
    return [globalMaxPool2d(x, node.backend)];
  },

  Gemm(node) {
    const { attrs } = node;
    const a = node.tensor(0);
    const b = node.tensor(1);
    const transA = attrs.int('transA', 0) === 1;
    const transB = attrs.int('transB', 0) === 1;
    const alpha = attrs.float('alpha', 1);
    const beta = attrs.float('beta', 1);
    if (!node.has(2)) return [gemm(a, b, { transA, transB, alpha }, node.backend)];
    const m = transA ? a.shape[1] : a.shape[0];
    const n = transB ? b.shape[0] : b.shape[1];
    // C broadcasts (unidirectionally) to [M, N]; gemm accumulates into a full [M, N] c.
    const c = add(zeros([m, n]), node.tensor(2), node.backend);
    return [gemm(a, b, { transA, transB, alpha, beta, c }, node.backend)];
  },

  MatMul: (node) => [matmul(node.tensor(0), node.tensor(1), node.backend)],

  Relu: unary((x, be) => relu(x, be)),
  LeakyRelu: (node) => [leakyRelu(node.tensor(0), node.attrs.float('alpha', 0.01), node.backend)],
  PRelu: preluNode,
  Sigmoid: unary((x, be) => sigmoid(x, be)),
  Tanh: unary((x, be) => tanh(x, be)),
  HardSigmoid: (node) => [hardSigmoid(node.tensor(0), { alpha: node.attrs.float('alpha', 0.2), beta: node.attrs.float('beta', 0.5) }, node.backend)],
  HardSwish: unary((x, be) => hardSwish(x, be)),
  // Opset 11+: min and max are optional scalar inputs; before, attributes.
  Clip(node) {
    const bound = (i: number, name: string, fallback: number): number => (node.opset < 11 ? node.attrs.float(name, fallback) : node.scalar(i, fallback));
    return [clip(node.tensor(0), { min: bound(1, 'min', -Infinity), max: bound(2, 'max', Infinity) }, node.backend)];
  },
  Softmax: (node) => softmaxLike(node, (x, axis, be) => softmax(x, axis, be)),
  LogSoftmax: (node) => softmaxLike(node, (x, axis, be) => logSoftmax(x, axis, be)),

  BatchNormalization(node) {
    const { attrs } = node;
    const x = node.tensor(0);
    if (x.rank < 2) throw new Error(`${node.op}: input must have rank ≥ 2`);
    // [N, C, D1, ...] as [N, C, D1·…, 1]: statistics per channel are the same.
    const x4 = reshape(x, [x.shape[0], x.shape[1], shapeSize(x.shape.slice(2)), 1]);
    const eps = attrs.float('epsilon', 1e-5);
    // ONNX: running = running·momentum + batch·(1 − momentum); simdnet (PyTorch) weighs the batch by momentum.
    const momentum = attrs.float('momentum', 0.9);
    // Before opset 14 training mode was implied by the extra outputs (saved statistics).
    const training = node.opset >= 14 && attrs.int('training_mode', 0) === 1;
    const runningMean = node.tensor(3);
    const runningVar = node.tensor(4);
    const y = batchNorm2d(x4, runningMean, runningVar, node.tensor(1), node.tensor(2), { eps, training, momentum: 1 - momentum }, node.backend);
    if (!training) node.onlyOutputs(1, 'training outputs before opset 14');
    // Training mode: Y, then the updated running mean and variance (each optional).
    return [reshape(y, x.shape), runningMean, runningVar].slice(0, node.outputs.length);
  },

  InstanceNormalization(node) {
    const x = node.tensor(0);
    if (x.rank < 3) throw new Error(`${node.op}: input must have rank ≥ 3`);
    return [instanceNorm(x, node.tensor(1), node.tensor(2), { eps: node.attrs.float('epsilon', 1e-5) }, node.backend)];
  },

  // Statistics over the dimensions from axis on (negative counts from the end); Mean and
  // InvStdDev keep those dimensions as 1. simdnet's sums are float64 whatever stash_type.
  LayerNormalization(node) {
    const { attrs } = node;
    const x = node.tensor(0);
    const axis = attrs.int('axis', -1);
    const a = axis < 0 ? axis + x.rank : axis;
    if (a < 0 || a >= x.rank) throw new Error(`${node.op}: axis ${axis} is outside rank ${x.rank}`);
    const stash = attrs.int('stash_type', 1);
    if (stash !== 1) throw new Unsupported(node.op, `stash_type ${stash} (float32 statistics only)`);
    const eps = attrs.float('epsilon', 1e-5);
    const { y, mean, invStdDev } = layerNormWithStats(x, x.shape.slice(a), node.tensor(1), node.optionalTensor(2), { eps }, node.backend);
    return [y, mean, invStdDev].slice(0, node.outputs.length);
  },

  // Flatten(axis) is a reshape to [d0·…·d(axis−1), d(axis)·…].
  Flatten(node) {
    const x = node.tensor(0);
    const axis = node.attrs.int('axis', 1);
    const a = axis < 0 ? axis + x.rank : axis;
    if (a < 0 || a > x.rank) throw new Error(`${node.op}: axis ${axis} is outside rank ${x.rank}`);
    return [reshape(x, [shapeSize(x.shape.slice(0, a)), shapeSize(x.shape.slice(a))])];
  },

  Reshape(node) {
    const x = node.tensor(0);
    const allowZero = node.attrs.int('allowzero', 0) === 1;
    // A 0 copies the input's size at that position unless allowzero is set.
    const shape = node.numbers(1).map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
    return [reshape(x, shape)];
  },

  // No perm reverses the axes, as transpose's default.
  Transpose: (node) => [transpose(node.tensor(0), node.attrs.ints('perm'), node.backend)],

  Add: (node) => [add(node.tensor(0), node.tensor(1), node.backend)],
  Mul: (node) => [mul(node.tensor(0), node.tensor(1), node.backend)],

  Concat(node) {
    const tensors = node.inputs.map((_, i) => node.tensor(i));
    return [concat(tensors, node.attrs.int('axis', NaN), node.backend)];
  },

  Pad(node) {
    const { attrs } = node;
    const mode = attrs.string('mode', 'constant');
    if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') throw new Unsupported(node.op, `mode '${mode}'`);
    // Opset < 11: pads and value are attributes; 11+: inputs, and 18+ adds axes.
    const pads = node.opset < 11 ? attrs.ints('pads', []) : node.numbers(1);
    const value = node.opset < 11 ? attrs.float('value', 0) : node.scalar(2, 0);
    const axes = node.has(3) ? node.numbers(3) : undefined;
    // ONNX ignores the value outside constant mode; pad refuses one there.
    return [pad(node.tensor(0), pads, { mode, axes, ...(mode === 'constant' ? { value } : {}) }, node.backend)];
  },

  Dropout(node) {
    const { attrs } = node;
    attrs.ignore('seed', 'only draws the mask in training mode');
    // Opset ≤ 11: ratio is an attribute and the op is the identity at inference;
    // opset 12+: ratio and training_mode are optional inputs.
    const ratio = node.opset < 12 ? attrs.float('ratio', 0.5) : node.scalar(1, 0.5);
    const training = node.opset >= 12 && node.scalar(2, 0) !== 0;
    if (training && ratio !== 0) throw new Unsupported(node.op, `training mode with ratio ${ratio} (a random mask)`);
    const x = node.tensor(0);
    const { y, mask } = dropoutWithMask(x, { p: ratio, training }, node.backend);
    // Opset 12+: the optional second output is the mask (bool, true where kept).
    return node.outputs.length > 1 ? [y, { dtype: 'bool', shape: x.shape, data: mask }] : [y];
  },

  Upsample: upsampleNode,
  Resize: resizeNode,

  // The identity: the input is the output (no simdnet op is involved).
  Identity: (node) => [node.tensor(0)],

  Sum: (node) => [sumOf(allInputs(node), node.backend)],
  Mean: (node) => [meanOf(allInputs(node), node.backend)],
  Max: (node) => [maxOf(allInputs(node), node.backend)],
};
