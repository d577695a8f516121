// convTranspose2d (PyTorch's conv_transpose2d, ONNX ConvTranspose): the adjoint of conv2d
// with respect to its input, so it needs no kernel of its own. With weight
// [inChannels, outChannels / groups, kH, kW], which is a conv2d weight read the other way,
// it is conv2d's backward-input on the "transposed" geometry (a conv from y's channels to
// x's), and its gradients are that conv's forward (dx) and backward-filter (dw).
//
// Output size per dimension, as PyTorch:
//   OH = (H − 1)·stride − padTop − padBottom + dilation·(kH − 1) + outputPadding + 1.
// outputPadding adds rows/columns at the bottom/right; PyTorch requires it to be smaller
// than the stride or the dilation. The conv over y sees rows [0, OH − crop) with its
// bottom padding reduced by outputPadding (never below 0); when outputPadding exceeds
// padBottom by a stride or more, the last `crop` rows of y are beyond every tap (only
// the bias reaches them) and are filled and cut off with the concat/split kernels.
import type { Backend, ConcatGeometry, Conv2dGeometry } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { Tensor, formatShape, zerosOn } from '../tensor.js';
import { checkRank, parsePadding, parseSize2, type Padding, type Size2 } from './geometry.js';
import { checkOptions, checkTensor, describeValue, resolveBackend } from './validate.js';

export interface ConvTranspose2dOptions {
  stride?: Size2;
  /** Rows/columns cut from each side of the full output: a number, [h, w] or [top, bottom, left, right] (no 'same'/'valid'). */
  padding?: Exclude<Padding, 'same' | 'valid'>;
  /** Extra rows/columns at the bottom/right: a non-negative number or [h, w], smaller than stride or dilation (default 0). */
  outputPadding?: number | readonly [number, number];
  dilation?: Size2;
  groups?: number;
}

export const CONV_TRANSPOSE_KEYS = ['stride', 'padding', 'outputPadding', 'dilation', 'groups'] as const;

export interface ConvTranspose2dGeometry {
  /** The conv2d from y (its input, rows [0, OH − cropHeight)) to x (its output). */
  readonly conv: Conv2dGeometry;
  readonly outHeight: number;
  readonly outWidth: number;
  /** Rows at the bottom and columns at the right of y that no tap reaches. */
  readonly cropHeight: number;
  readonly cropWidth: number;
  /** The options as given, resolved (conv's padBottom/padRight are the adjusted ones). */
  readonly padding: { readonly top: number; readonly bottom: number; readonly left: number; readonly right: number };
  readonly outputPadding: readonly [number, number];
}

function parseOutputPadding(op: string, value: unknown): [number, number] {
  if (value === undefined) return [0, 0];
  const pair = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new Error(`${op}: outputPadding must be a non-negative integer or [h, w] of them, got ${describeValue(value)}`);
  }
  return [pair[0], pair[1]];
}

interface Dim {
  out: number;
  convIn: number;
  padAfter: number;
  crop: number;
}

/** One spatial dimension: y's size, and the conv over y that maps back to `input`. */
function dimension(op: string, what: string, input: number, kernel: number, stride: number, dilation: number, before: number, after: number, extra: number): Dim {
  const out = (input - 1) * stride - before - after + dilation * (kernel - 1) + extra + 1;
  if (out < 1) {
    throw new Error(
      `${op}: output ${what} would be ${out} (input ${input}, stride ${stride}, padding ${before}+${after}, dilation ${dilation}, kernel ${kernel}, outputPadding ${extra})`,
    );
  }
  // The conv over y needs span (convIn + before + padAfter − dilation·(k − 1) − 1) in
  // [(input − 1)·stride, input·stride − 1]: take off outputPadding − padding rows, and what
  // a stride cannot absorb is cropped (those rows are past every tap).
  const excess = extra - after;
  const crop = Math.max(0, excess - (stride - 1));
  const convIn = out - crop;
  if (convIn < 1) {
    throw new Error(`${op}: padding ${before} cuts off every ${what === 'height' ? 'row' : 'column'} the input reaches (input ${input}, output ${what} ${out}, outputPadding ${extra})`);
  }
  return { out, convIn, padAfter: Math.max(0, -excess), crop };
}

/** Geometry of convTranspose2d(x [N, C, H, W], w [C, OC/groups, kH, kW]) with all checks. */
export function convTranspose2dGeometry(op: string, xShape: readonly number[], wShape: readonly number[], options: ConvTranspose2dOptions = {}): ConvTranspose2dGeometry {
  checkRank(op, 'input', xShape, 4);
  checkRank(op, 'weight', wShape, 4);
  if (xShape.some((d) => d === 0) || wShape.some((d) => d === 0)) {
    throw new Error(`${op}: input ${formatShape(xShape)} and weight ${formatShape(wShape)} must have no zero sizes`);
  }
  const [batch, inChannels, inHeight, inWidth] = xShape;
  const [weightIn, outPerGroup, kernelHeight, kernelWidth] = wShape;
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${describeValue(groups)}`);
  if (weightIn !== inChannels) {
    throw new Error(`${op}: weight ${formatShape(wShape)} ([inChannels, outChannels / groups, kH, kW]) expects ${weightIn} input channels but input ${formatShape(xShape)} has ${inChannels}`);
  }
  if (inChannels % groups !== 0) {
    throw new Error(`${op}: groups ${groups} must divide input channels ${inChannels} (input ${formatShape(xShape)}, weight ${formatShape(wShape)})`);
  }
  const outChannels = outPerGroup * groups;
  if (typeof options.padding === 'string') {
    throw new Error(`${op}: padding must be a number, [h, w] or [top, bottom, left, right], got '${options.padding}' ('same' and 'valid' are conv2d's)`);
  }
  const kernel: [number, number] = [kernelHeight, kernelWidth];
  const stride = parseSize2(op, 'stride', options.stride, [1, 1]);
  const dilation = parseSize2(op, 'dilation', options.dilation, [1, 1]);
  const extra = parseOutputPadding(op, options.outputPadding);
  if ((extra[0] >= stride[0] && extra[0] >= dilation[0]) || (extra[1] >= stride[1] && extra[1] >= dilation[1])) {
    throw new Error(`${op}: outputPadding [${extra.join(', ')}] must be smaller than stride [${stride.join(', ')}] or dilation [${dilation.join(', ')}] in each dimension`);
  }
  const pads = parsePadding(op, options.padding, [inHeight, inWidth], kernel, stride, dilation);
  const h = dimension(op, 'height', inHeight, kernelHeight, stride[0], dilation[0], pads.top, pads.bottom, extra[0]);
  const w = dimension(op, 'width', inWidth, kernelWidth, stride[1], dilation[1], pads.left, pads.right, extra[1]);
  const conv: Conv2dGeometry = {
    batch, inChannels: outChannels, inHeight: h.convIn, inWidth: w.convIn, outChannels: inChannels, outHeight: inHeight, outWidth: inWidth,
    kernelHeight, kernelWidth, strideHeight: stride[0], strideWidth: stride[1], dilationHeight: dilation[0], dilationWidth: dilation[1],
    padTop: pads.top, padBottom: h.padAfter, padLeft: pads.left, padRight: w.padAfter, groups,
  };
  return { conv, outHeight: h.out, outWidth: w.out, cropHeight: h.crop, cropWidth: w.crop, padding: pads, outputPadding: extra };
}

/** The concat layouts that put the conv's region [N·C, h, w] into y [N·C, OH, OW]: first
 * each row gets the cropped columns, then each plane the cropped rows. */
function cropSteps(t: ConvTranspose2dGeometry): { rows: ConcatGeometry | null; columns: ConcatGeometry | null } {
  const planes = t.conv.batch * t.conv.inChannels;
  const { inHeight: h, inWidth: w } = t.conv;
  return {
    columns: t.cropWidth > 0 ? { outer: planes * h, inner: 1, sizes: [w, t.cropWidth] } : null,
    rows: t.cropHeight > 0 ? { outer: planes, inner: t.outWidth, sizes: [h, t.cropHeight] } : null,
  };
}

/** y [N, OC, OH, OW] from the conv region (zeros in the cropped rows and columns). */
function extend(be: Backend, t: ConvTranspose2dGeometry, region: Float32Array, y: Float32Array): void {
  const { rows, columns } = cropSteps(t);
  let at = region;
  if (columns) {
    const wide = rows ? new Float32Array(columns.outer * t.outWidth) : y;
    be.concat(columns, [at, new Float32Array(columns.outer * t.cropWidth)], wide);
    at = wide;
  }
  if (rows) be.concat(rows, [at, new Float32Array(rows.outer * t.cropHeight * t.outWidth)], y);
}

/** The conv region of dy [N, OC, OH, OW] (the adjoint of extend). */
function cropRegion(be: Backend, t: ConvTranspose2dGeometry, dy: Float32Array): Float32Array {
  const { rows, columns } = cropSteps(t);
  let at = dy;
  if (rows) {
    const kept = new Float32Array(rows.outer * t.conv.inHeight * t.outWidth);
    be.split(rows, at, [kept, new Float32Array(rows.outer * t.cropHeight * t.outWidth)]);
    at = kept;
  }
  if (columns) {
    const kept = new Float32Array(columns.outer * t.conv.inWidth);
    be.split(columns, at, [kept, new Float32Array(columns.outer * t.cropWidth)]);
    at = kept;
  }
  return at;
}

/** Transposed convolution of x [N, C, H, W] with w [C, OC/groups, kH, kW] (+ bias [OC]) → [N, OC, OH, OW]. */
export function convTranspose2d(x: Tensor, w: Tensor, bias?: Tensor | null, options?: ConvTranspose2dOptions, backend?: Backend): Tensor {
  const op = 'convTranspose2d';
  checkTensor(op, 'input', x);
  checkTensor(op, 'weight', w);
  const opts = checkOptions(op, options, CONV_TRANSPOSE_KEYS);
  const be = resolveBackend(op, backend);
  const t = convTranspose2dGeometry(op, x.shape, w.shape, opts);
  const g = t.conv;
  const outChannels = g.inChannels;
  if (bias !== undefined && bias !== null) {
    checkTensor(op, 'bias', bias);
    if (bias.rank !== 1 || bias.shape[0] !== outChannels) {
      throw new Error(`${op}: bias must have shape [${outChannels}] for weight ${formatShape(w.shape)} and groups ${g.groups}, got ${formatShape(bias.shape)}`);
    }
  }
  const b = bias ?? null;
  const y = zerosOn(be, [g.batch, outChannels, t.outHeight, t.outWidth]);
  const cropped = t.cropHeight > 0 || t.cropWidth > 0;
  const region = cropped ? new Float32Array(g.batch * outChannels * g.inHeight * g.inWidth) : y.data;
  be.conv2dBackwardInput(g, x.data, w.data, region);
  if (cropped) extend(be, t, region, y.data);
  if (b) be.addBias(y.data, b.data, g.batch, outChannels, t.outHeight * t.outWidth, y.data);
  return record(op, y, [x, w, b], be, (dy, [needX, needW, needB]) => {
    // A cropped dy is copied into a plain array; an uncropped one is read fresh per call
    // (an allocation below may grow wasm memory and detach an older view).
    const croppedDy = cropped && (needX || needW) ? cropRegion(be, t, dy.data) : null;
    const dyRegion = (): Float32Array => croppedDy ?? dy.data;
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (needX) {
      dx = zerosOn(be, x.shape);
      be.conv2d(g, dyRegion(), w.data, null, dx.data);
    }
    if (needW) {
      dw = zerosOn(be, w.shape);
      be.conv2dBackwardFilter(g, x.data, dyRegion(), dw.data, null);
    }
    if (needB) {
      db = zerosOn(be, [outChannels]);
      be.sumBias(dy.data, g.batch, outChannels, t.outHeight * t.outWidth, db.data);
    }
    return [dx, dw, db];
  }, t);
}
