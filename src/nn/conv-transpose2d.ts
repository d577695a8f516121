// ConvTranspose2d over the convTranspose2d op (weight [inChannels, outChannels / groups,
// kH, kW] and bias [outChannels], PyTorch's state_dict names weight and bias).
import { convTranspose2d, convTranspose2dGeometry, type ConvTranspose2dOptions } from '../ops/conv-transpose.js';
import { parseSize2, type Padding, type Size2 } from '../ops/geometry.js';
import { initialize } from '../init.js';
import { Parameter, formatShape, zeros, type Tensor } from '../tensor.js';
import { Module } from './module.js';
import { bool, checkLayerOptions, positiveInt, randomOf, type WeightInitOptions } from './options.js';

export interface ConvTranspose2dLayerOptions extends WeightInitOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: Size2;
  stride?: Size2;
  /** A number, [h, w] or [top, bottom, left, right] (no 'same' or 'valid', as PyTorch). */
  padding?: Exclude<Padding, 'same' | 'valid'>;
  /** Extra rows/columns at the bottom/right, smaller than stride or dilation (default 0). */
  outputPadding?: number | readonly [number, number];
  dilation?: Size2;
  groups?: number;
  /** Learn a bias per output channel (default true). */
  bias?: boolean;
}

const KEYS = ['inChannels', 'outChannels', 'kernelSize', 'stride', 'padding', 'outputPadding', 'dilation', 'groups', 'bias', 'init', 'random'] as const;

export class ConvTranspose2d extends Module {
  static readonly typeName = 'ConvTranspose2d';
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  private readonly options: ConvTranspose2dOptions;
  private readonly settings: Omit<ConvTranspose2dLayerOptions, 'init' | 'random'>;

  constructor(options: ConvTranspose2dLayerOptions) {
    super();
    const type = 'ConvTranspose2d';
    const o = checkLayerOptions(type, options, true, KEYS);
    const inChannels = positiveInt(type, 'inChannels', o.inChannels);
    const outChannels = positiveInt(type, 'outChannels', o.outChannels);
    const groups = positiveInt(type, 'groups', o.groups, 1);
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(`${type}: groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
    }
    const [kh, kw] = parseSize2(type, 'kernelSize', o.kernelSize, [NaN, NaN]);
    if (Number.isNaN(kh)) throw new Error(`${type}: kernelSize is required`);
    const hasBias = bool(type, 'bias', o.bias, true);
    this.options = { stride: o.stride, padding: o.padding, outputPadding: o.outputPadding, dilation: o.dilation, groups };
    // Validate stride, padding, outputPadding and dilation now rather than at the first
    // forward, on an input large enough that no valid padding empties the output.
    const pads: unknown[] = typeof o.padding === 'number' ? [o.padding] : Array.isArray(o.padding) ? o.padding : [];
    const size = 1 + 2 * pads.reduce((a: number, p) => Math.max(a, Number.isInteger(p) ? (p as number) : 0), 0);
    convTranspose2dGeometry(type, [1, inChannels, size, size], [inChannels, outChannels / groups, kh, kw], this.options);
    this.settings = {
      inChannels, outChannels, kernelSize: [kh, kw], stride: o.stride, padding: o.padding, outputPadding: o.outputPadding, dilation: o.dilation, groups, bias: hasBias,
    };
    this.weight = new Parameter(initialize(o.init ?? 'heUniform', [inChannels, outChannels / groups, kh, kw], randomOf(o)));
    this.bias = hasBias ? new Parameter(zeros([outChannels])) : null;
  }

  override config(): Record<string, unknown> {
    return JSON.parse(JSON.stringify(this.settings)) as Record<string, unknown>;
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.settings.inChannels) {
      throw new Error(`ConvTranspose2d: expected input [N, ${this.settings.inChannels}, H, W], got ${formatShape(x.shape)}`);
    }
    return convTranspose2d(x, this.weight, this.bias, this.options);
  }
}
