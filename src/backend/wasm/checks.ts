// Cheap guards run before every kernel: ops already validated shapes, but the wasm side
// must never read or write outside what the TS arena allocated, so the backend re-checks
// that a geometry is self-consistent and that every array is long enough for it.
import type { AdaptivePool2dGeometry, Conv2dGeometry, Pool2dGeometry, ResizeAxis, ResizeGeometry } from '../backend.js';

function isCount(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 31;
}

function expected(input: number, before: number, after: number, kernel: number, stride: number, dilation: number, ceil = false): number {
  const span = input + before + after - dilation * (kernel - 1) - 1;
  const out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  return ceil && (out - 1) * stride >= input + before ? out - 1 : out;
}

/** Every window along one dimension holds a tap inside [0, size): the kernels read the
 * first one unconditionally. */
function windowsOverlap(size: number, out: number, before: number, kernel: number, stride: number, dilation: number): boolean {
  for (let o = 0; o < out; o++) {
    const start = o * stride - before;
    const first = start >= 0 ? 0 : Math.ceil(-start / dilation);
    if (first >= kernel || start + first * dilation >= size) return false;
  }
  return true;
}

/** Throws unless every field is a sane integer and the output size follows from the rest. */
export function checkConvGeometry(op: string, g: Conv2dGeometry): void {
  const positive = [g.batch, g.inChannels, g.inHeight, g.inWidth, g.outChannels, g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.groups];
  const pads = [g.padTop, g.padBottom, g.padLeft, g.padRight];
  const ok =
    positive.every((v) => isCount(v) && v > 0) && pads.every(isCount) &&
    g.inChannels % g.groups === 0 && g.outChannels % g.groups === 0 &&
    g.outHeight === expected(g.inHeight, g.padTop, g.padBottom, g.kernelHeight, g.strideHeight, g.dilationHeight) &&
    g.outWidth === expected(g.inWidth, g.padLeft, g.padRight, g.kernelWidth, g.strideWidth, g.dilationWidth);
  if (!ok) throw new Error(`${op}: inconsistent conv geometry ${JSON.stringify(g)}`);
}

export function checkPoolGeometry(op: string, g: Pool2dGeometry): void {
  const positive = [g.batch, g.channels, g.inHeight, g.inWidth, g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth];
  const pads = [g.padTop, g.padBottom, g.padLeft, g.padRight];
  const extentH = g.dilationHeight * (g.kernelHeight - 1) + 1;
  const extentW = g.dilationWidth * (g.kernelWidth - 1) + 1;
  const ok =
    positive.every((v) => isCount(v) && v > 0) && pads.every(isCount) &&
    typeof g.ceilMode === 'boolean' && typeof g.countIncludePad === 'boolean' &&
    g.padTop < extentH && g.padBottom < extentH && g.padLeft < extentW && g.padRight < extentW &&
    g.outHeight === expected(g.inHeight, g.padTop, g.padBottom, g.kernelHeight, g.strideHeight, g.dilationHeight, g.ceilMode) &&
    g.outWidth === expected(g.inWidth, g.padLeft, g.padRight, g.kernelWidth, g.strideWidth, g.dilationWidth, g.ceilMode) &&
    windowsOverlap(g.inHeight, g.outHeight, g.padTop, g.kernelHeight, g.strideHeight, g.dilationHeight) &&
    windowsOverlap(g.inWidth, g.outWidth, g.padLeft, g.kernelWidth, g.strideWidth, g.dilationWidth);
  if (!ok) throw new Error(`${op}: inconsistent pool geometry ${JSON.stringify(g)}`);
}

/** Sane sizes, and (o + 1)·size + out within int32 (the kernels' window arithmetic). */
export function checkAdaptivePoolGeometry(op: string, g: AdaptivePool2dGeometry): void {
  const sizes = [g.batch, g.channels, g.inHeight, g.inWidth, g.outHeight, g.outWidth];
  const ok = sizes.every((v) => isCount(v) && v > 0) && isCount((g.outHeight + 1) * g.inHeight + g.outHeight) && isCount((g.outWidth + 1) * g.inWidth + g.outWidth);
  if (!ok) throw new Error(`${op}: inconsistent adaptive pool geometry ${JSON.stringify(g)}`);
}

/** Throws unless `array` holds at least `length` elements. */
export function checkLength(op: string, name: string, array: ArrayLike<number>, length: number): void {
  if (!array || typeof array.length !== 'number') throw new Error(`${op}: ${name} must be a typed array`);
  if (array.length < length) throw new Error(`${op}: ${name} has ${array.length} elements but the geometry needs ${length}`);
}

export function checkCounts(op: string, values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!isCount(v)) throw new Error(`${op}: ${name} must be a non-negative integer below 2^31, got ${v}`);
  }
}

/** Bicubic's taps: 4 per output, every index inside the input, finite weights. */
function cubicOk(a: ResizeAxis, out: number, length: number): boolean {
  const c = a.cubic;
  if (!c || !(c.index instanceof Int32Array) || !(c.weight instanceof Float64Array) || c.index.length < 4 * out || c.weight.length < 4 * out) return false;
  for (let k = 0; k < 4 * out; k++) if (!(c.index[k] >= 0 && c.index[k] < length && Number.isFinite(c.weight[k]))) return false;
  return true;
}

function axisOk(a: ResizeAxis | undefined, out: number, length: number, mode: unknown): boolean {
  if (!a || !(a.index0 instanceof Int32Array) || !(a.index1 instanceof Int32Array) || !(a.weight instanceof Float64Array)) return false;
  if (a.index0.length < out || a.index1.length < out || a.weight.length < out) return false;
  if (a.outside !== null && !(a.outside instanceof Uint8Array && a.outside.length >= out)) return false;
  if (mode === 'bicubic' && !cubicOk(a, out, length)) return false;
  for (let o = 0; o < out; o++) {
    const i0 = a.index0[o];
    const i1 = a.index1[o];
    const w = a.weight[o];
    if (i0 < 0 || i0 >= length || i1 < 0 || i1 >= length || !(w >= 0 && w <= 1)) return false;
  }
  return true;
}

/** Throws unless the sizes are sane and every table index lies inside the input. */
export function checkResizeGeometry(op: string, g: ResizeGeometry): void {
  const sizes = [g.batch, g.channels, g.inHeight, g.inWidth, g.outHeight, g.outWidth];
  const ok =
    sizes.every((v) => isCount(v) && v > 0) && (g.mode === 'nearest' || g.mode === 'bilinear' || g.mode === 'bicubic') &&
    axisOk(g.rows, g.outHeight, g.inHeight, g.mode) && axisOk(g.cols, g.outWidth, g.inWidth, g.mode);
  if (!ok) throw new Error(`${op}: inconsistent resize geometry [${g.batch}, ${g.channels}, ${g.inHeight}, ${g.inWidth}] → ${g.outHeight}×${g.outWidth} (${String(g.mode)})`);
}
