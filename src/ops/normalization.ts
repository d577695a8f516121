// Layer, group and instance normalization, as PyTorch's F.layer_norm, F.group_norm and
// F.instance_norm and ONNX's LayerNormalization and InstanceNormalization: each normalizes
// x by the mean and biased variance of its own values, never of the batch (except an
// instanceNorm told to use running statistics). All three run
// on the backend's groupNorm kernels (see GroupNormGeometry): layerNorm is one group of the
// normalized values (each a "channel" with its own weight), instanceNorm one channel per group.
import type { BatchNormGeometry, Backend, GroupNormGeometry } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { traceOp, tracing } from '../autograd/trace.js';
import { Tensor, formatShape, shapeSize, zerosOn, type Shape } from '../tensor.js';
import { checkBoolean, checkOptions, checkTensor, describeValue, resolveBackend, sameShape } from './validate.js';

export interface NormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/** layerNormWithStats' outputs: y, and the statistics ONNX's LayerNormalization returns
 * (shape of x with the normalized dimensions kept as 1; not on the tape). */
export interface LayerNormResult {
  y: Tensor;
  mean: Tensor;
  invStdDev: Tensor;
}

function checkEps(op: string, options: NormOptions | undefined): number {
  const opts = checkOptions(op, options, ['eps']);
  const eps = opts.eps ?? 1e-5;
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) throw new Error(`${op}: eps must be a finite number > 0, got ${describeValue(eps)}`);
  return eps;
}

function checkAffine(op: string, name: string, t: Tensor | null | undefined, shape: Shape, x: Tensor): Tensor | null {
  if (t === null || t === undefined) return null;
  checkTensor(op, name, t);
  if (!sameShape(t.shape, shape)) {
    throw new Error(`${op}: ${name} must have shape ${formatShape(shape)} for input ${formatShape(x.shape)}, got ${formatShape(t.shape)}`);
  }
  return t;
}

interface Normalized {
  y: Tensor;
  /** Per row (b·groups + group), float64. */
  mean: Float64Array;
  variance: Float64Array;
  invStd: Float64Array;
}

/** Forward on the groupNorm kernels and the backward rule for x, weight and bias. `attrs`
 * (built only while tracing) go to the op trace. */
function normalize(
  op: string, x: Tensor, g: GroupNormGeometry, weight: Tensor | null, bias: Tensor | null, eps: number, be: Backend, attrs: object | undefined,
): Normalized {
  const rows = g.batch * g.groups;
  const mean = new Float64Array(rows);
  const variance = new Float64Array(rows);
  be.groupNormStats(g, x.data, mean, variance);
  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const y = zerosOn(be, x.shape);
  // Views are taken at each call: an allocation may grow wasm memory and detach older ones.
  const gamma = (): Float32Array | null => (weight ? weight.data : null);
  be.groupNormApply(g, x.data, mean, invStd, gamma(), bias ? bias.data : null, y.data);
  record(op, y, [x, weight, bias], be, (dy, [needX, needW, needB]) => {
    const dx = needX ? zerosOn(be, x.shape) : null;
    const dw = needW && weight ? zerosOn(be, weight.shape) : null;
    const db = needB && bias ? zerosOn(be, bias.shape) : null;
    be.groupNormBackward(g, dy.data, x.data, mean, invStd, gamma(), dx ? dx.data : null, dw ? dw.data : null, db ? db.data : null);
    return [dx, dw, db];
  }, attrs);
  return { y, mean, variance, invStd };
}

function checkInput(op: string, x: unknown, minRank: number, layout: string): asserts x is Tensor {
  checkTensor(op, 'input', x);
  if (x.rank < minRank) throw new Error(`${op}: input must be ${layout}, got ${formatShape(x.shape)}`);
  if (x.size === 0) throw new Error(`${op}: input ${formatShape(x.shape)} is empty`);
}

function layerNormCore(
  x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null | undefined, bias: Tensor | null | undefined,
  options: NormOptions | undefined, backend: Backend | undefined,
): Normalized & { shape: number[]; eps: number } {
  const op = 'layerNorm';
  checkTensor(op, 'input', x);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? [...normalizedShape] : null;
  if (!shape || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${op}: normalizedShape must be a positive integer or a non-empty array of them, got ${describeValue(normalizedShape)}`);
  }
  const lead = x.rank - shape.length;
  if (lead < 0 || !sameShape(x.shape.slice(lead), shape)) {
    throw new Error(`${op}: input ${formatShape(x.shape)} does not end with normalizedShape ${formatShape(shape)}`);
  }
  if (x.size === 0) throw new Error(`${op}: input ${formatShape(x.shape)} is empty`);
  const w = checkAffine(op, 'weight', weight, shape, x);
  const b = checkAffine(op, 'bias', bias, shape, x);
  const eps = checkEps(op, options);
  const be = resolveBackend(op, backend);
  const g: GroupNormGeometry = { batch: shapeSize(x.shape.slice(0, lead)), channels: shapeSize(shape), inner: 1, groups: 1 };
  return { ...normalize(op, x, g, w, b, eps, be, tracing() ? { eps, normalizedShape: shape } : undefined), shape, eps };
}

/** y = (x − mean)/√(var + eps)·weight + bias with the mean and biased variance over the
 * last dimensions of x, the ones given by normalizedShape (a number is [number]); weight
 * and bias have shape normalizedShape or are null (1 and 0). As PyTorch's F.layer_norm. */
export function layerNorm(
  x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, options?: NormOptions, backend?: Backend,
): Tensor {
  return layerNormCore(x, normalizedShape, weight, bias, options, backend).y;
}

/** layerNorm that also returns the mean and 1/√(var + eps) of each normalized block (as
 * ONNX LayerNormalization's optional outputs), shaped as x with those dimensions set to 1. */
export function layerNormWithStats(
  x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, options?: NormOptions, backend?: Backend,
): LayerNormResult {
  const { y, mean, invStd, shape, eps } = layerNormCore(x, normalizedShape, weight, bias, options, backend);
  const statShape = x.shape.map((d, i) => (i < x.rank - shape.length ? d : 1));
  const meanT = new Tensor(Float32Array.from(mean), statShape);
  const invStdDev = new Tensor(Float32Array.from(invStd), statShape);
  // Off the tape, but in the trace: a model may use them, and they are computed from x.
  if (tracing()) {
    const attrs = { eps, normalizedShape: shape };
    traceOp('layerNormMean', meanT, [x], attrs);
    traceOp('layerNormInvStdDev', invStdDev, [x], attrs);
  }
  return { y, mean: meanT, invStdDev };
}

/** Group normalization of x [N, C, *]: the C channels are split into numGroups groups of
 * C/numGroups, each normalized over its channels and positions per sample; weight and
 * bias [C] (or null) scale and shift per channel. As PyTorch's F.group_norm. */
export function groupNorm(x: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, options?: NormOptions, backend?: Backend): Tensor {
  const op = 'groupNorm';
  checkInput(op, x, 2, '[N, C, *] (rank ≥ 2)');
  const channels = x.shape[1];
  if (!Number.isInteger(numGroups) || numGroups < 1 || channels % numGroups !== 0) {
    throw new Error(`${op}: numGroups must be a positive integer dividing the ${channels} channels of input ${formatShape(x.shape)}, got ${describeValue(numGroups)}`);
  }
  const w = checkAffine(op, 'weight', weight, [channels], x);
  const b = checkAffine(op, 'bias', bias, [channels], x);
  const eps = checkEps(op, options);
  const be = resolveBackend(op, backend);
  const g: GroupNormGeometry = { batch: x.shape[0], channels, inner: shapeSize(x.shape.slice(2)), groups: numGroups };
  return normalize(op, x, g, w, b, eps, be, tracing() ? { eps, numGroups } : undefined).y;
}

export interface InstanceNormOptions extends NormOptions {
  /** Running statistics [C] (both or neither): updated in place while useInputStats,
   * used for normalizing otherwise (PyTorch's track_running_stats). */
  runningMean?: Tensor;
  runningVar?: Tensor;
  /** Normalize with each instance's own statistics (default true); false needs the
   * running ones (an InstanceNorm2d with trackRunningStats in eval mode). */
  useInputStats?: boolean;
  /** Weight of the new batch in the running statistics (default 0.1). */
  momentum?: number;
}

const INSTANCE_KEYS = ['eps', 'runningMean', 'runningVar', 'useInputStats', 'momentum'] as const;

/** Instance normalization of x [N, C, D1, …]: each channel of each sample normalized over
 * its positions; weight and bias [C] (or null). As ONNX's InstanceNormalization and
 * PyTorch's F.instance_norm: with running statistics, a use-input-stats pass moves them
 * by momentum toward the batch mean of the instance means and unbiased variances, and a
 * pass without normalizes every instance with them instead. */
export function instanceNorm(x: Tensor, weight?: Tensor | null, bias?: Tensor | null, options?: InstanceNormOptions, backend?: Backend): Tensor {
  const op = 'instanceNorm';
  checkInput(op, x, 3, '[N, C, D1, …] (rank ≥ 3)');
  const opts = checkOptions(op, options, INSTANCE_KEYS);
  const channels = x.shape[1];
  const w = checkAffine(op, 'weight', weight, [channels], x);
  const b = checkAffine(op, 'bias', bias, [channels], x);
  const eps = checkEps(op, { eps: opts.eps });
  const useInputStats = checkBoolean(op, 'useInputStats', opts.useInputStats, true);
  const momentum = opts.momentum ?? 0.1;
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new Error(`${op}: momentum must be a number in [0, 1], got ${describeValue(momentum)}`);
  const rm = checkAffine(op, 'runningMean', opts.runningMean, [channels], x);
  const rv = checkAffine(op, 'runningVar', opts.runningVar, [channels], x);
  if ((rm === null) !== (rv === null)) throw new Error(`${op}: give both runningMean and runningVar, or neither`);
  if (!useInputStats && rm === null) throw new Error(`${op}: useInputStats false needs runningMean and runningVar`);
  const inner = shapeSize(x.shape.slice(2));
  if (useInputStats && rm && inner < 2) throw new Error(`${op}: updating running statistics needs more than one value per instance, got input ${formatShape(x.shape)}`);
  const be = resolveBackend(op, backend);
  if (!useInputStats && rm && rv) return withRunningStats(op, x, rm, rv, w, b, eps, be);
  const g: GroupNormGeometry = { batch: x.shape[0], channels, inner, groups: channels };
  const attrs = tracing() ? { eps, useInputStats: true, runningMean: rm, runningVar: rv, momentum } : undefined;
  const { y, mean, variance } = normalize(op, x, g, w, b, eps, be, attrs);
  if (rm && rv) {
    // The batch mean of the instances' means and unbiased variances, per channel.
    const n = x.shape[0];
    for (let c = 0; c < channels; c++) {
      let m = 0;
      let v = 0;
      for (let k = 0; k < n; k++) {
        const r = k * channels + c;
        m += mean[r];
        v += variance[r];
      }
      rm.data[c] = (1 - momentum) * rm.data[c] + (momentum * m) / n;
      rv.data[c] = (1 - momentum) * rv.data[c] + (momentum * (v / n) * inner) / (inner - 1);
    }
  }
  return y;
}

/** Every instance normalized with the running statistics: batch norm's eval-mode kernels. */
function withRunningStats(op: string, x: Tensor, rm: Tensor, rv: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number, be: Backend): Tensor {
  const channels = x.shape[1];
  const g: BatchNormGeometry = { batch: x.shape[0], channels, inner: shapeSize(x.shape.slice(2)) };
  const mean = Float64Array.from(rm.data);
  const invStd = Float64Array.from(rv.data, (v) => 1 / Math.sqrt(v + eps));
  const ones = weight ? null : new Float32Array(channels).fill(1);
  const gamma = (): Float32Array => (weight ? weight.data : (ones as Float32Array)); // fresh view per call
  const y = zerosOn(be, x.shape);
  be.batchNormApply(g, x.data, mean, invStd, gamma(), bias ? bias.data : new Float32Array(channels), y.data);
  return record(op, y, [x, weight, bias], be, (dy, [needX, needW, needB]) => {
    const dx = needX ? zerosOn(be, x.shape) : null;
    const dw = zerosOn(be, [channels]);
    const db = zerosOn(be, [channels]);
    be.batchNormBackward(g, dy.data, x.data, mean, invStd, gamma(), false, dx ? dx.data : null, dw.data, db.data);
    return [dx, needW ? dw : null, needB ? db : null];
  }, tracing() ? { eps, useInputStats: false, runningMean: rm, runningVar: rv } : undefined);
}
