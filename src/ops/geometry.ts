// Option parsing and output-size arithmetic for conv and pooling, done once per call in
// TypeScript (as TensorFlow.js's computeConv2DInfo) and handed to kernels as a geometry.
import type { AdaptivePool2dGeometry, Conv2dGeometry, Pool2dGeometry } from '../backend/backend.js';
import { formatShape, type Shape } from '../tensor.js';

/** A size for both spatial dimensions, or [height, width]. */
export type Size2 = number | readonly [number, number];
/** number, [h, w], [top, bottom, left, right], 'same' or 'valid'. */
export type Padding = number | readonly [number, number] | readonly [number, number, number, number] | 'same' | 'valid';

export interface Conv2dOptions {
  stride?: Size2;
  padding?: Padding;
  dilation?: Size2;
  groups?: number;
}

export interface Pool2dOptions {
  kernelSize: Size2;
  /** Defaults to kernelSize. */
  stride?: Size2;
  padding?: Padding;
  /** Round output sizes up instead of down (PyTorch's and ONNX's ceil_mode; default false).
   * The last window must still start inside the input or the top/left padding. */
  ceilMode?: boolean;
}

export interface MaxPool2dOptions extends Pool2dOptions {
  /** Spacing of a window's taps (default 1). */
  dilation?: Size2;
}

export interface AvgPool2dOptions extends Pool2dOptions {
  /** Divide by the window's size including padding (default true, PyTorch's default), or
   * by the number of its elements inside the input (false: ONNX's default count_include_pad 0). */
  countIncludePad?: boolean;
}

export interface Im2colOptions {
  kernelSize: Size2;
  stride?: Size2;
  padding?: Padding;
  dilation?: Size2;
}

interface Pads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

function describe(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
}

/** A positive integer size for both dims, or [h, w]. */
export function parseSize2(op: string, name: string, value: Size2 | undefined, fallback: readonly [number, number]): [number, number] {
  if (value === undefined) return [fallback[0], fallback[1]];
  const pair = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new Error(`${op}: ${name} must be a positive integer or [h, w] of positive integers, got ${describe(value)}`);
  }
  return [pair[0], pair[1]];
}

function checkPad(op: string, value: Padding, pads: number[]): void {
  if (!pads.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new Error(`${op}: padding must be non-negative integers, got ${describe(value)}`);
  }
}

/** 'same' padding (calc_pad_dims_sameconv_2D, docs/background.md) for one dimension: the output keeps the input's
 * size at any stride and dilation; an odd total puts the extra row/column at the end. */
function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const effective = dilation * (kernel - 1) + 1;
  const total = Math.max(0, stride * (size - 1) + effective - size);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

export function parsePadding(
  op: string,
  value: Padding | undefined,
  inSize: readonly [number, number],
  kernel: readonly [number, number],
  stride: readonly [number, number],
  dilation: readonly [number, number],
): Pads {
  if (value === undefined || value === 'valid') return { top: 0, bottom: 0, left: 0, right: 0 };
  if (value === 'same') {
    const [top, bottom] = samePads(inSize[0], kernel[0], stride[0], dilation[0]);
    const [left, right] = samePads(inSize[1], kernel[1], stride[1], dilation[1]);
    return { top, bottom, left, right };
  }
  if (typeof value === 'number') {
    checkPad(op, value, [value]);
    return { top: value, bottom: value, left: value, right: value };
  }
  if (Array.isArray(value) && value.length === 2) {
    checkPad(op, value, value);
    return { top: value[0], bottom: value[0], left: value[1], right: value[1] };
  }
  if (Array.isArray(value) && value.length === 4) {
    checkPad(op, value, value);
    return { top: value[0], bottom: value[1], left: value[2], right: value[3] };
  }
  throw new Error(`${op}: padding must be a number, [h, w], [top, bottom, left, right], 'same' or 'valid', got ${describe(value)}`);
}

/** floor((H + padTop + padBottom - dilation·(k-1) - 1) / stride) + 1, refusing an empty result.
 * With `ceil` (pooling's ceilMode) rounded up instead, minus one if the last window would
 * start at or past H + padTop (PyTorch's rule: it must start inside the input or the top padding). */
export function outputSize(
  op: string, what: string, input: number, padBefore: number, padAfter: number, kernel: number, stride: number, dilation: number, ceil = false,
): number {
  const span = input + padBefore + padAfter - dilation * (kernel - 1) - 1;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && span >= 0 && (out - 1) * stride >= input + padBefore) out--;
  if (span < 0 || out < 1) {
    throw new Error(
      `${op}: output ${what} would be ${span < 0 ? 'empty' : out} (input ${input}, padding ${padBefore}+${padAfter}, kernel ${kernel}, dilation ${dilation}, stride ${stride})`,
    );
  }
  return out;
}

export function checkRank(op: string, name: string, shape: Shape, rank: number): void {
  if (shape.length !== rank) {
    throw new Error(`${op}: ${name} must have rank ${rank}, got shape ${formatShape(shape)}`);
  }
}

/** Geometry of conv2d(x [N, C, H, W], w [OC, C/groups, kH, kW]) with all checks. */
export function conv2dGeometry(op: string, xShape: Shape, wShape: Shape, options: Conv2dOptions = {}): Conv2dGeometry {
  checkRank(op, 'input', xShape, 4);
  checkRank(op, 'weight', wShape, 4);
  const [batch, inChannels, inHeight, inWidth] = xShape;
  const [outChannels, channelsPerGroup, kernelHeight, kernelWidth] = wShape;
  if (options === null || typeof options !== 'object') throw new Error(`${op}: options must be an object, got ${String(options)}`);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  if (xShape.some((d) => d === 0) || wShape.some((d) => d === 0)) {
    throw new Error(`${op}: input ${formatShape(xShape)} and weight ${formatShape(wShape)} must have no zero sizes`);
  }
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(`${op}: groups ${groups} must divide input channels ${inChannels} and output channels ${outChannels} (input ${formatShape(xShape)}, weight ${formatShape(wShape)})`);
  }
  if (channelsPerGroup * groups !== inChannels) {
    throw new Error(`${op}: weight ${formatShape(wShape)} expects ${channelsPerGroup * groups} input channels (${channelsPerGroup} per group × ${groups} groups) but input ${formatShape(xShape)} has ${inChannels}`);
  }
  const kernel: [number, number] = [kernelHeight, kernelWidth];
  const stride = parseSize2(op, 'stride', options.stride, [1, 1]);
  const dilation = parseSize2(op, 'dilation', options.dilation, [1, 1]);
  const pads = parsePadding(op, options.padding, [inHeight, inWidth], kernel, stride, dilation);
  const outHeight = outputSize(op, 'height', inHeight, pads.top, pads.bottom, kernelHeight, stride[0], dilation[0]);
  const outWidth = outputSize(op, 'width', inWidth, pads.left, pads.right, kernelWidth, stride[1], dilation[1]);
  return {
    batch, inChannels, inHeight, inWidth, outChannels, outHeight, outWidth, kernelHeight, kernelWidth,
    strideHeight: stride[0], strideWidth: stride[1], dilationHeight: dilation[0], dilationWidth: dilation[1],
    padTop: pads.top, padBottom: pads.bottom, padLeft: pads.left, padRight: pads.right, groups,
  };
}

/** Geometry of an im2col / col2im over x [N, C, H, W] (no weight: the kernel size is an option). */
export function im2colGeometry(op: string, xShape: Shape, options: Im2colOptions): Conv2dGeometry {
  checkRank(op, 'input', xShape, 4);
  if (options === null || typeof options !== 'object') throw new Error(`${op}: options with kernelSize are required`);
  const kernel = parseSize2(op, 'kernelSize', options.kernelSize, [NaN, NaN]);
  if (Number.isNaN(kernel[0])) throw new Error(`${op}: kernelSize is required`);
  return conv2dGeometry(op, xShape, [1, xShape[1], kernel[0], kernel[1]], {
    stride: options.stride,
    padding: options.padding,
    dilation: options.dilation,
  });
}

function checkFlag(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new Error(`${op}: ${name} must be true or false, got ${describe(value)}`);
  return value;
}

/** The first window along one dimension whose taps all miss the input [0, size), or -1. */
function emptyWindow(size: number, out: number, padBefore: number, kernel: number, stride: number, dilation: number): number {
  for (let o = 0; o < out; o++) {
    const start = o * stride - padBefore;
    const first = start >= 0 ? 0 : Math.ceil(-start / dilation); // first tap at or after 0
    if (first >= kernel || start + first * dilation >= size) return o;
  }
  return -1;
}

/** Pooling padding must be smaller than the (dilated) kernel on each side, or a window
 * could hold only padding. Pooling layers check this at construction too. */
export function checkPoolPadding(
  op: string, pads: { top: number; bottom: number; left: number; right: number }, kernel: readonly number[], dilation: readonly number[], where = '',
): void {
  const extent = [dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1];
  if (pads.top >= extent[0] || pads.bottom >= extent[0] || pads.left >= extent[1] || pads.right >= extent[1]) {
    const dilated = dilation[0] > 1 || dilation[1] > 1;
    throw new Error(
      `${op}: padding [${pads.top}, ${pads.bottom}, ${pads.left}, ${pads.right}] must be smaller than ${dilated ? `the dilated kernel [${extent.join(', ')}]` : `kernelSize [${kernel.join(', ')}]`} on each side${where}`,
    );
  }
}

/** Geometry of max or average pooling over x [N, C, H, W]. Every window must hold an input
 * element: each side's padding must be smaller than the (dilated) kernel, and with dilation
 * no window may fall between the input's rows or columns. Options are validated by the op
 * (which keys it takes); here dilation defaults to 1, ceilMode to false, countIncludePad to true. */
export function pool2dGeometry(op: string, xShape: Shape, options: MaxPool2dOptions & AvgPool2dOptions): Pool2dGeometry {
  checkRank(op, 'input', xShape, 4);
  if (options === null || typeof options !== 'object') throw new Error(`${op}: options with kernelSize are required`);
  if (xShape.some((d) => d === 0)) throw new Error(`${op}: input ${formatShape(xShape)} must have no zero sizes`);
  const [batch, channels, inHeight, inWidth] = xShape;
  const kernel = parseSize2(op, 'kernelSize', options.kernelSize, [NaN, NaN]);
  if (Number.isNaN(kernel[0])) throw new Error(`${op}: kernelSize is required`);
  const stride = parseSize2(op, 'stride', options.stride, kernel);
  const dilation = parseSize2(op, 'dilation', options.dilation, [1, 1]);
  const ceilMode = checkFlag(op, 'ceilMode', options.ceilMode, false);
  const countIncludePad = checkFlag(op, 'countIncludePad', options.countIncludePad, true);
  const pads = parsePadding(op, options.padding, [inHeight, inWidth], kernel, stride, dilation);
  checkPoolPadding(op, pads, kernel, dilation, ` (input ${formatShape(xShape)})`);
  const outHeight = outputSize(op, 'height', inHeight, pads.top, pads.bottom, kernel[0], stride[0], dilation[0], ceilMode);
  const outWidth = outputSize(op, 'width', inWidth, pads.left, pads.right, kernel[1], stride[1], dilation[1], ceilMode);
  const dims = [
    ['row', inHeight, outHeight, pads.top, kernel[0], stride[0], dilation[0]],
    ['column', inWidth, outWidth, pads.left, kernel[1], stride[1], dilation[1]],
  ] as const;
  for (const [what, size, out, before, k, s, d] of dims) {
    const o = emptyWindow(size, out, before, k, s, d);
    if (o >= 0) {
      throw new Error(`${op}: window ${what} ${o} holds no input element (input ${formatShape(xShape)}, kernel ${k}, dilation ${d}, stride ${s}, padding before ${before}): every window must overlap the input`);
    }
  }
  return {
    batch, channels, inHeight, inWidth, outHeight, outWidth, kernelHeight: kernel[0], kernelWidth: kernel[1],
    strideHeight: stride[0], strideWidth: stride[1], padTop: pads.top, padBottom: pads.bottom, padLeft: pads.left, padRight: pads.right,
    dilationHeight: dilation[0], dilationWidth: dilation[1], ceilMode, countIncludePad,
  };
}

/** Geometry of adaptive pooling of x [N, C, H, W] to outputSize (a positive integer or [oh, ow]). */
export function adaptivePool2dGeometry(op: string, xShape: Shape, outputSize: Size2): AdaptivePool2dGeometry {
  checkRank(op, 'input', xShape, 4);
  if (xShape.some((d) => d === 0)) throw new Error(`${op}: input ${formatShape(xShape)} must have no zero sizes`);
  if (outputSize === undefined) throw new Error(`${op}: outputSize is required`);
  const [outHeight, outWidth] = parseSize2(op, 'outputSize', outputSize, [NaN, NaN]);
  const [batch, channels, inHeight, inWidth] = xShape;
  return { batch, channels, inHeight, inWidth, outHeight, outWidth };
}
