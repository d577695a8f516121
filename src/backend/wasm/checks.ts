// Cheap guards run before every kernel: ops already validated shapes, but the wasm side
// must never read or write outside what the TS arena allocated, so the backend re-checks
// that a geometry is self-consistent and that every array is long enough for it.
import type { Conv2dGeometry, Pool2dGeometry } from '../backend.js';

function isCount(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 31;
}

function expected(input: number, before: number, after: number, kernel: number, stride: number, dilation: number): number {
  return Math.floor((input + before + after - dilation * (kernel - 1) - 1) / stride) + 1;
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
  const positive = [g.batch, g.channels, g.inHeight, g.inWidth, g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth];
  const pads = [g.padTop, g.padBottom, g.padLeft, g.padRight];
  const ok =
    positive.every((v) => isCount(v) && v > 0) && pads.every(isCount) &&
    g.padTop < g.kernelHeight && g.padBottom < g.kernelHeight && g.padLeft < g.kernelWidth && g.padRight < g.kernelWidth &&
    g.outHeight === expected(g.inHeight, g.padTop, g.padBottom, g.kernelHeight, g.strideHeight, 1) &&
    g.outWidth === expected(g.inWidth, g.padLeft, g.padRight, g.kernelWidth, g.strideWidth, 1);
  if (!ok) throw new Error(`${op}: inconsistent pool geometry ${JSON.stringify(g)}`);
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
