// Linear layer over the linear op: y = x·Wᵀ + b, W [outFeatures, inFeatures] (as PyTorch).
import { linear, linearBackward } from '../ops/linear.js';
import { initialize } from '../init.js';
import { formatShape, zeros, type Shape, type Tensor } from '../tensor.js';
import { Layer, checkInputRank } from './layer.js';
import { accumulate, createParameter, type Parameter } from './parameter.js';
import { bool, checkLayerOptions, positiveInt, randomOf, type WeightInitOptions } from './options.js';

export interface LinearLayerOptions extends WeightInitOptions {
  inFeatures: number;
  outFeatures: number;
  /** Learn a bias (default true). */
  bias?: boolean;
}

export class Linear extends Layer {
  readonly type = 'Linear';
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly inFeatures: number;
  readonly outFeatures: number;
  private input: Tensor | null = null;

  constructor(options: LinearLayerOptions) {
    super();
    const o = checkLayerOptions('Linear', options, true);
    this.inFeatures = positiveInt('Linear', 'inFeatures', o.inFeatures);
    this.outFeatures = positiveInt('Linear', 'outFeatures', o.outFeatures);
    const hasBias = bool('Linear', 'bias', o.bias, true);
    this.weight = createParameter('weight', initialize(o.init ?? 'heUniform', [this.outFeatures, this.inFeatures], randomOf(o)));
    this.bias = hasBias ? createParameter('bias', zeros([this.outFeatures])) : null;
  }

  override parameters(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  config(): Record<string, unknown> {
    return { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null };
  }

  outputShape(input: Shape): Shape {
    checkInputRank('Linear', input, 2, `[N, ${this.inFeatures}]`);
    if (input[1] !== this.inFeatures) {
      throw new Error(`Linear: expected ${this.inFeatures} input features, got input shape ${formatShape(input)}`);
    }
    return [input[0], this.outFeatures];
  }

  forward(x: Tensor): Tensor {
    this.outputShape(x.shape);
    const y = linear(x, this.weight.value, this.bias ? this.bias.value : null);
    this.input = x;
    return y;
  }

  backward(dy: Tensor): Tensor {
    const x = this.cached(this.input);
    this.checkGrad(dy, [x.shape[0], this.outFeatures]);
    const { dx, dw, db } = linearBackward(dy, x, this.weight.value);
    accumulate(this.weight, dw);
    if (this.bias) accumulate(this.bias, db);
    return dx;
  }
}
