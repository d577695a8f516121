// LayerNorm, GroupNorm and InstanceNorm2d over the normalization ops, with PyTorch's
// constructor defaults and state_dict keys: weight (ones) and bias (zeros) when affine;
// InstanceNorm2d with trackRunningStats also keeps running_mean, running_var and
// num_batches_tracked (which PyTorch 1.13's InstanceNorm never advances: neither do we).
import { groupNorm, instanceNorm, layerNorm } from '../ops/normalization.js';
import { Parameter, formatShape, full, zeros, type Tensor } from '../tensor.js';
import { Module } from './module.js';
import { bool, checkLayerOptions, numberIn, positiveInt } from './options.js';

function positiveEps(type: string, value: unknown): number {
  const eps = numberIn(type, 'eps', value, 1e-5, 0, Infinity);
  if (eps <= 0) throw new Error(`${type}: eps must be > 0, got ${eps}`);
  return eps;
}

export interface LayerNormOptions {
  /** The trailing dimensions normalized over (a number is [number]). */
  normalizedShape: number | readonly number[];
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a weight and bias of shape normalizedShape (default true). */
  elementwiseAffine?: boolean;
}

export class LayerNorm extends Module {
  static readonly typeName = 'LayerNorm';
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(options: LayerNormOptions) {
    super();
    const o = checkLayerOptions('LayerNorm', options, true, ['normalizedShape', 'eps', 'elementwiseAffine']);
    const raw = o.normalizedShape;
    const list = typeof raw === 'number' ? [raw] : Array.isArray(raw) ? [...(raw as readonly unknown[])] : null;
    if (!list || list.length === 0) throw new Error(`LayerNorm: normalizedShape must be a positive integer or a non-empty array of them, got ${JSON.stringify(raw)}`);
    this.normalizedShape = Object.freeze(list.map((d) => positiveInt('LayerNorm', 'normalizedShape', d)));
    this.eps = positiveEps('LayerNorm', o.eps);
    const affine = bool('LayerNorm', 'elementwiseAffine', o.elementwiseAffine, true);
    this.weight = affine ? new Parameter(full(this.normalizedShape, 1)) : null;
    this.bias = affine ? new Parameter(zeros(this.normalizedShape)) : null;
  }

  override config(): Record<string, unknown> {
    return { normalizedShape: [...this.normalizedShape], eps: this.eps, elementwiseAffine: this.weight !== null };
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, { eps: this.eps });
  }
}

export interface GroupNormOptions {
  numGroups: number;
  /** Must be a multiple of numGroups. */
  numChannels: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a weight and bias per channel (default true). */
  affine?: boolean;
}

export class GroupNorm extends Module {
  static readonly typeName = 'GroupNorm';
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(options: GroupNormOptions) {
    super();
    const o = checkLayerOptions('GroupNorm', options, true, ['numGroups', 'numChannels', 'eps', 'affine']);
    this.numGroups = positiveInt('GroupNorm', 'numGroups', o.numGroups);
    this.numChannels = positiveInt('GroupNorm', 'numChannels', o.numChannels);
    if (this.numChannels % this.numGroups !== 0) {
      throw new Error(`GroupNorm: numChannels ${this.numChannels} must be divisible by numGroups ${this.numGroups}`);
    }
    this.eps = positiveEps('GroupNorm', o.eps);
    const affine = bool('GroupNorm', 'affine', o.affine, true);
    this.weight = affine ? new Parameter(full([this.numChannels], 1)) : null;
    this.bias = affine ? new Parameter(zeros([this.numChannels])) : null;
  }

  override config(): Record<string, unknown> {
    return { numGroups: this.numGroups, numChannels: this.numChannels, eps: this.eps, affine: this.weight !== null };
  }

  forward(x: Tensor): Tensor {
    if (x.rank < 2 || x.shape[1] !== this.numChannels) {
      throw new Error(`GroupNorm: expected input [N, ${this.numChannels}, *], got ${formatShape(x.shape)}`);
    }
    return groupNorm(x, this.numGroups, this.weight, this.bias, { eps: this.eps });
  }
}

export interface InstanceNorm2dOptions {
  numFeatures: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running statistics (default 0.1). */
  momentum?: number;
  /** Learn a weight and bias per channel (default false, as PyTorch). */
  affine?: boolean;
  /** Keep running statistics, updated in train mode and used in eval mode (default false). */
  trackRunningStats?: boolean;
}

export class InstanceNorm2d extends Module {
  static readonly typeName = 'InstanceNorm2d';
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  /** Kept for the state dict; stays 0, as in PyTorch (momentum is always set). */
  readonly numBatchesTracked: Tensor | null;

  constructor(options: InstanceNorm2dOptions) {
    super();
    const type = 'InstanceNorm2d';
    const o = checkLayerOptions(type, options, true, ['numFeatures', 'eps', 'momentum', 'affine', 'trackRunningStats']);
    this.numFeatures = positiveInt(type, 'numFeatures', o.numFeatures);
    this.eps = positiveEps(type, o.eps);
    this.momentum = numberIn(type, 'momentum', o.momentum, 0.1, 0, 1);
    const affine = bool(type, 'affine', o.affine, false);
    const track = bool(type, 'trackRunningStats', o.trackRunningStats, false);
    const c = this.numFeatures;
    this.weight = affine ? new Parameter(full([c], 1)) : null;
    this.bias = affine ? new Parameter(zeros([c])) : null;
    this.runningMean = track ? this.registerBuffer('running_mean', zeros([c])) : null;
    this.runningVar = track ? this.registerBuffer('running_var', full([c], 1)) : null;
    this.numBatchesTracked = track ? this.registerBuffer('num_batches_tracked', zeros([])) : null;
  }

  override config(): Record<string, unknown> {
    return { numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine: this.weight !== null, trackRunningStats: this.runningMean !== null };
  }

  /** x [N, C, H, W], or [C, H, W] as one sample (as PyTorch). */
  forward(x: Tensor): Tensor {
    if ((x.rank !== 4 && x.rank !== 3) || x.shape[x.rank - 3] !== this.numFeatures) {
      throw new Error(`InstanceNorm2d: expected input [N, ${this.numFeatures}, H, W] or [${this.numFeatures}, H, W], got ${formatShape(x.shape)}`);
    }
    const x4 = x.rank === 3 ? x.reshape([1, ...x.shape]) : x;
    const tracked = this.runningMean !== null && this.runningVar !== null;
    const y = instanceNorm(x4, this.weight, this.bias, {
      eps: this.eps,
      ...(tracked ? { runningMean: this.runningMean as Tensor, runningVar: this.runningVar as Tensor, momentum: this.momentum, useInputStats: this.training } : {}),
    });
    return x.rank === 3 ? y.reshape(x.shape) : y;
  }
}
