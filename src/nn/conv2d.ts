// Conv2d over the conv2d op (weight [OC, IC/groups, kH, kW], as PyTorch).
import { conv2d } from '../ops/conv.js';
import { parsePadding, parseSize2, type Padding, type Size2 } from '../ops/geometry.js';
import { initialize } from '../init.js';
import { Parameter, formatShape, zeros, type Tensor } from '../tensor.js';
import { Module } from './module.js';
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

const KEYS = ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'dilation', 'groups', 'bias', 'init', 'random'] as const;

export class Conv2d extends Module {
  static readonly typeName = 'Conv2d';
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  private readonly options: { stride?: Size2; padding?: Padding; dilation?: Size2; groups: number };
  private readonly settings: Omit<Conv2dLayerOptions, 'init' | 'random'>;

  constructor(options: Conv2dLayerOptions) {
    super();
    const o = checkLayerOptions('Conv2d', options, true, KEYS);
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
    this.weight = new Parameter(initialize(o.init ?? 'heUniform', [outChannels, inChannels / groups, kh, kw], randomOf(o)));
    this.bias = hasBias ? new Parameter(zeros([outChannels])) : null;
  }

  override config(): Record<string, unknown> {
    return JSON.parse(JSON.stringify(this.settings)) as Record<string, unknown>;
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.settings.inChannels) {
      throw new Error(`Conv2d: expected input [N, ${this.settings.inChannels}, H, W], got ${formatShape(x.shape)}`);
    }
    return conv2d(x, this.weight, this.bias, this.options);
  }
}
