// BatchNorm2d over the batchNorm2d op: learned scale (weight) and shift (bias) per
// channel; train mode uses and updates the batch statistics, eval mode the running ones.
// Buffers as PyTorch names them: running_mean, running_var, num_batches_tracked.
import { batchNorm2d } from '../ops/batchnorm.js';
import { Parameter, formatShape, full, zeros, type Tensor } from '../tensor.js';
import { Module } from './module.js';
import { checkLayerOptions, numberIn, positiveInt } from './options.js';

export interface BatchNorm2dOptions {
  numFeatures: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running statistics (default 0.1). */
  momentum?: number;
}

const KEYS = ['numFeatures', 'eps', 'momentum'] as const;

export class BatchNorm2d extends Module {
  static readonly typeName = 'BatchNorm2d';
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weight: Parameter;
  readonly bias: Parameter;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  /** Train-mode forward passes so far (a float32 count, as PyTorch's int64 buffer). */
  readonly numBatchesTracked: Tensor;

  constructor(options: BatchNorm2dOptions) {
    super();
    const o = checkLayerOptions('BatchNorm2d', options, true, KEYS);
    this.numFeatures = positiveInt('BatchNorm2d', 'numFeatures', o.numFeatures);
    this.eps = numberIn('BatchNorm2d', 'eps', o.eps, 1e-5, 0, Infinity);
    if (this.eps <= 0) throw new Error(`BatchNorm2d: eps must be > 0, got ${this.eps}`);
    this.momentum = numberIn('BatchNorm2d', 'momentum', o.momentum, 0.1, 0, 1);
    const c = this.numFeatures;
    this.weight = new Parameter(full([c], 1));
    this.bias = new Parameter(zeros([c]));
    this.runningMean = this.registerBuffer('running_mean', zeros([c]));
    this.runningVar = this.registerBuffer('running_var', full([c], 1));
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', zeros([]));
  }

  override config(): Record<string, unknown> {
    return { numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum };
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.numFeatures) {
      throw new Error(`BatchNorm2d: expected input [N, ${this.numFeatures}, H, W], got ${formatShape(x.shape)}`);
    }
    const y = batchNorm2d(x, this.runningMean, this.runningVar, this.weight, this.bias, { training: this.training, momentum: this.momentum, eps: this.eps });
    if (this.training) this.numBatchesTracked.data[0]++;
    return y;
  }
}
