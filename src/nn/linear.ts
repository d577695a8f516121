// Linear over the linear op: y = x·Wᵀ + b, W [outFeatures, inFeatures] (as PyTorch).
import { linear } from '../ops/linear.js';
import { initialize } from '../init.js';
import { Parameter, formatShape, zeros, type Tensor } from '../tensor.js';
import { Module } from './module.js';
import { bool, checkLayerOptions, positiveInt, randomOf, type WeightInitOptions } from './options.js';

export interface LinearLayerOptions extends WeightInitOptions {
  inFeatures: number;
  outFeatures: number;
  /** Learn a bias (default true). */
  bias?: boolean;
}

const KEYS = ['inFeatures', 'outFeatures', 'bias', 'init', 'random'] as const;

export class Linear extends Module {
  static readonly typeName = 'Linear';
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(options: LinearLayerOptions) {
    super();
    const o = checkLayerOptions('Linear', options, true, KEYS);
    this.inFeatures = positiveInt('Linear', 'inFeatures', o.inFeatures);
    this.outFeatures = positiveInt('Linear', 'outFeatures', o.outFeatures);
    const hasBias = bool('Linear', 'bias', o.bias, true);
    this.weight = new Parameter(initialize(o.init ?? 'heUniform', [this.outFeatures, this.inFeatures], randomOf(o)));
    this.bias = hasBias ? new Parameter(zeros([this.outFeatures])) : null;
  }

  override config(): Record<string, unknown> {
    return { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null };
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new Error(`Linear: expected input [N, ${this.inFeatures}], got ${formatShape(x.shape)}`);
    }
    return linear(x, this.weight, this.bias);
  }
}
