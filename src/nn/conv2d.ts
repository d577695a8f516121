// Conv2d layer over the conv2d op (weight [OC, IC/groups, kH, kW], as PyTorch).
import { conv2d, conv2dBackward } from '../ops/conv.js';
import { conv2dGeometry, parsePadding, parseSize2, type Padding, type Size2 } from '../ops/geometry.js';
import { initialize } from '../init.js';
import { formatShape, zeros, type Shape, type Tensor } from '../tensor.js';
import { Layer, checkInputRank } from './layer.js';
import { accumulate, createParameter, type Parameter } from './parameter.js';
import { bool, checkLayerOptions, positiveInt, randomOf, type WeightInitOptions } from './options.js';

export interface Conv2dLayerOptions extends WeightInitOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: Size2;
  stride?: Size2;
  padding?: Padding;
  dilation?: Size2;
  groups?: number;
  /** Learn a bias per output channel (default true). */
  bias?: boolean;
}

export class Conv2d extends Layer {
  readonly type = 'Conv2d';
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  private readonly options: { stride?: Size2; padding?: Padding; dilation?: Size2; groups: number };
  private readonly settings: Omit<Conv2dLayerOptions, 'init' | 'random'>;
  private input: Tensor | null = null;
  private outShape: Shape = [];

  constructor(options: Conv2dLayerOptions) {
    super();
    const o = checkLayerOptions('Conv2d', options, true);
    const inChannels = positiveInt('Conv2d', 'inChannels', o.inChannels);
    const outChannels = positiveInt('Conv2d', 'outChannels', o.outChannels);
    const groups = positiveInt('Conv2d', 'groups', o.groups, 1);
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(`Conv2d: groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
    }
    const [kh, kw] = parseSize2('Conv2d', 'kernelSize', o.kernelSize, [NaN, NaN]);
    if (Number.isNaN(kh)) throw new Error('Conv2d: kernelSize is required');
    const hasBias = bool('Conv2d', 'bias', o.bias, true);
    this.options = { stride: o.stride, padding: o.padding, dilation: o.dilation, groups };
    // Validate stride/padding/dilation now rather than at the first forward.
    const stride = parseSize2('Conv2d', 'stride', o.stride, [1, 1]);
    const dilation = parseSize2('Conv2d', 'dilation', o.dilation, [1, 1]);
    parsePadding('Conv2d', o.padding, [kh, kw], [kh, kw], stride, dilation);
    this.settings = { inChannels, outChannels, kernelSize: [kh, kw], stride: o.stride, padding: o.padding, dilation: o.dilation, groups, bias: hasBias };
    const wShape = [outChannels, inChannels / groups, kh, kw];
    this.weight = createParameter('weight', initialize(o.init ?? 'heUniform', wShape, randomOf(o)));
    this.bias = hasBias ? createParameter('bias', zeros([outChannels])) : null;
  }

  override parameters(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  config(): Record<string, unknown> {
    return JSON.parse(JSON.stringify(this.settings)) as Record<string, unknown>;
  }

  outputShape(input: Shape): Shape {
    checkInputRank('Conv2d', input, 4, `[N, ${this.settings.inChannels}, H, W]`);
    if (input[1] !== this.settings.inChannels) {
      throw new Error(`Conv2d: expected ${this.settings.inChannels} input channels, got input shape ${formatShape(input)}`);
    }
    const g = conv2dGeometry('Conv2d', input, this.weight.value.shape, this.options);
    return [g.batch, g.outChannels, g.outHeight, g.outWidth];
  }

  forward(x: Tensor): Tensor {
    this.outputShape(x.shape);
    const y = conv2d(x, this.weight.value, this.bias ? this.bias.value : null, this.options);
    this.input = x;
    this.outShape = y.shape;
    return y;
  }

  backward(dy: Tensor): Tensor {
    return this.run(dy, true) as Tensor;
  }

  override backwardParams(dy: Tensor): void {
    this.run(dy, false);
  }

  private run(dy: Tensor, inputGrad: boolean): Tensor | null {
    const x = this.cached(this.input);
    this.checkGrad(dy, this.outShape);
    const { dx, dw, db } = conv2dBackward(dy, x, this.weight.value, { ...this.options, inputGrad });
    accumulate(this.weight, dw);
    if (this.bias) accumulate(this.bias, db);
    return dx;
  }
}
