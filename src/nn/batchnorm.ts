// BatchNorm2d: per-channel normalization with learned scale (weight) and shift (bias).
// Train mode normalizes with the batch statistics and updates the running ones
// (running = (1 - momentum)·running + momentum·batch, unbiased variance, as PyTorch);
// eval mode uses the running statistics.
import { batchNorm2dBackward, batchNorm2dInference, batchNorm2dTrain } from '../ops/batchnorm.js';
import { formatShape, full, zeros, type Shape, type Tensor } from '../tensor.js';
import { Layer, checkInputRank } from './layer.js';
import { accumulate, createParameter, type LayerBuffer, type Parameter } from './parameter.js';
import { checkLayerOptions, numberIn, positiveInt } from './options.js';

export interface BatchNorm2dOptions {
  numFeatures: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running statistics (default 0.1). */
  momentum?: number;
}

export class BatchNorm2d extends Layer {
  readonly type = 'BatchNorm2d';
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weight: Parameter;
  readonly bias: Parameter;
  readonly runningMean: LayerBuffer;
  readonly runningVar: LayerBuffer;
  private cache: { x: Tensor; mean: Float64Array; invStd: Float64Array; batchStats: boolean } | null = null;

  constructor(options: BatchNorm2dOptions) {
    super();
    const o = checkLayerOptions('BatchNorm2d', options, true);
    this.numFeatures = positiveInt('BatchNorm2d', 'numFeatures', o.numFeatures);
    this.eps = numberIn('BatchNorm2d', 'eps', o.eps, 1e-5, 0, Infinity);
    if (this.eps <= 0) throw new Error(`BatchNorm2d: eps must be > 0, got ${this.eps}`);
    this.momentum = numberIn('BatchNorm2d', 'momentum', o.momentum, 0.1, 0, 1);
    const c = this.numFeatures;
    this.weight = createParameter('weight', full([c], 1));
    this.bias = createParameter('bias', zeros([c]));
    this.runningMean = { name: 'runningMean', value: zeros([c]) };
    this.runningVar = { name: 'runningVar', value: full([c], 1) };
  }

  override parameters(): Parameter[] {
    return [this.weight, this.bias];
  }

  override buffers(): LayerBuffer[] {
    return [this.runningMean, this.runningVar];
  }

  config(): Record<string, unknown> {
    return { numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum };
  }

  outputShape(input: Shape): Shape {
    checkInputRank('BatchNorm2d', input, 4, `[N, ${this.numFeatures}, H, W]`);
    if (input[1] !== this.numFeatures) throw new Error(`BatchNorm2d: expected ${this.numFeatures} channels, got input shape ${formatShape(input)}`);
    if (this.training && input[0] * input[2] * input[3] < 2) {
      throw new Error(`BatchNorm2d: train mode needs more than one value per channel, got input shape ${formatShape(input)}`);
    }
    return input;
  }

  forward(x: Tensor): Tensor {
    this.outputShape(x.shape);
    if (!this.training) {
      const r = batchNorm2dInference(x, this.weight.value, this.bias.value, this.runningMean.value.data, this.runningVar.value.data, this.eps);
      this.cache = { x, mean: r.mean, invStd: r.invStd, batchStats: false };
      return r.y;
    }
    const r = batchNorm2dTrain(x, this.weight.value, this.bias.value, this.eps);
    const count = x.shape[0] * x.shape[2] * x.shape[3];
    const m = this.momentum;
    const rm = this.runningMean.value.data;
    const rv = this.runningVar.value.data;
    for (let c = 0; c < this.numFeatures; c++) {
      rm[c] = (1 - m) * rm[c] + m * r.mean[c];
      rv[c] = (1 - m) * rv[c] + (m * r.variance[c] * count) / (count - 1);
    }
    this.cache = { x, mean: r.mean, invStd: r.invStd, batchStats: true };
    return r.y;
  }

  backward(dy: Tensor): Tensor {
    const cache = this.cached(this.cache);
    this.checkGrad(dy, cache.x.shape);
    const { dx, dgamma, dbeta } = batchNorm2dBackward(dy, cache.x, this.weight.value, cache.mean, cache.invStd, cache.batchStats);
    accumulate(this.weight, dgamma);
    accumulate(this.bias, dbeta);
    return dx;
  }
}
