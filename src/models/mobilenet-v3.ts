// MobileNetV3 small and large as torchvision builds them (Howard et al. 2019): inverted
// residuals with hardswish and squeeze-excite, torchvision's module names
// (`features.4.block.2.fc1.weight`), BatchNorm eps 0.001 and momentum 0.01.
import { Conv2d } from '../nn/conv2d.js';
import { Dropout } from '../nn/dropout.js';
import { Hardswish, ReLU } from '../nn/activations.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { adaptiveAvgPool2d, add, flatten, hardSigmoid, mul, relu } from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { convNormActivation } from './conv-norm-act.js';
import { checkClassifierOptions, makeDivisible, type ClassifierOptions } from './options.js';

/** x · hardsigmoid(fc2(relu(fc1(mean over H, W of x)))): a per-channel gate. */
export class SqueezeExcitation extends Module {
  static readonly typeName = 'SqueezeExcitation';
  readonly fc1: Conv2d;
  readonly fc2: Conv2d;

  constructor(readonly options: { channels: number; squeezeChannels: number }) {
    super();
    this.fc1 = new Conv2d({ inChannels: options.channels, outChannels: options.squeezeChannels, kernelSize: 1 });
    this.fc2 = new Conv2d({ inChannels: options.squeezeChannels, outChannels: options.channels, kernelSize: 1 });
  }

  override config(): Record<string, unknown> {
    return { ...this.options };
  }

  forward(x: Tensor): Tensor {
    const scale = hardSigmoid(this.fc2.forward(relu(this.fc1.forward(adaptiveAvgPool2d(x, [1, 1])))), { alpha: 1 / 6, beta: 0.5 });
    return mul(scale, x);
  }
}

export interface MobileNetV3BlockOptions {
  inChannels: number;
  kernelSize: number;
  expandedChannels: number;
  outChannels: number;
  squeezeExcite: boolean;
  activation: 'relu' | 'hardswish';
  stride: number;
}

const BN = { eps: 0.001, momentum: 0.01 };

/** MobileNetV3's inverted residual: expand 1×1 (when widened), depthwise k×k, optional
 * squeeze-excite, linear 1×1 projection; x added back when stride 1 keeps the width. */
export class MobileNetV3Block extends Module {
  static readonly typeName = 'MobileNetV3Block';
  readonly block: Sequential;
  private readonly useResidual: boolean;

  constructor(readonly options: MobileNetV3BlockOptions) {
    super();
    const o = options;
    if (o.stride !== 1 && o.stride !== 2) throw new Error(`MobileNetV3Block: stride must be 1 or 2, got ${String(o.stride)}`);
    if (o.activation !== 'relu' && o.activation !== 'hardswish') throw new Error(`MobileNetV3Block: activation must be 'relu' or 'hardswish', got ${String(o.activation)}`);
    const act = () => (o.activation === 'hardswish' ? new Hardswish() : new ReLU());
    this.useResidual = o.stride === 1 && o.inChannels === o.outChannels;
    const layers: Module[] = [];
    if (o.expandedChannels !== o.inChannels) layers.push(convNormActivation({ inChannels: o.inChannels, outChannels: o.expandedChannels, kernelSize: 1, ...BN, activation: act() }));
    layers.push(convNormActivation({ inChannels: o.expandedChannels, outChannels: o.expandedChannels, kernelSize: o.kernelSize, stride: o.stride, groups: o.expandedChannels, ...BN, activation: act() }));
    if (o.squeezeExcite) layers.push(new SqueezeExcitation({ channels: o.expandedChannels, squeezeChannels: makeDivisible(Math.floor(o.expandedChannels / 4)) }));
    layers.push(convNormActivation({ inChannels: o.expandedChannels, outChannels: o.outChannels, kernelSize: 1, ...BN, activation: null }));
    this.block = new Sequential(layers);
  }

  override config(): Record<string, unknown> {
    return { ...this.options };
  }

  forward(x: Tensor): Tensor {
    const y = this.block.forward(x);
    return this.useResidual ? add(x, y) : y;
  }
}

type Row = readonly [number, number, number, number, boolean, 'relu' | 'hardswish', number];
// torchvision's tables: in, kernel, expanded, out, squeeze-excite, activation, stride.
const SMALL: readonly Row[] = [
  [16, 3, 16, 16, true, 'relu', 2], [16, 3, 72, 24, false, 'relu', 2], [24, 3, 88, 24, false, 'relu', 1],
  [24, 5, 96, 40, true, 'hardswish', 2], [40, 5, 240, 40, true, 'hardswish', 1], [40, 5, 240, 40, true, 'hardswish', 1],
  [40, 5, 120, 48, true, 'hardswish', 1], [48, 5, 144, 48, true, 'hardswish', 1], [48, 5, 288, 96, true, 'hardswish', 2],
  [96, 5, 576, 96, true, 'hardswish', 1], [96, 5, 576, 96, true, 'hardswish', 1],
];
const LARGE: readonly Row[] = [
  [16, 3, 16, 16, false, 'relu', 1], [16, 3, 64, 24, false, 'relu', 2], [24, 3, 72, 24, false, 'relu', 1],
  [24, 5, 72, 40, true, 'relu', 2], [40, 5, 120, 40, true, 'relu', 1], [40, 5, 120, 40, true, 'relu', 1],
  [40, 3, 240, 80, false, 'hardswish', 2], [80, 3, 200, 80, false, 'hardswish', 1], [80, 3, 184, 80, false, 'hardswish', 1],
  [80, 3, 184, 80, false, 'hardswish', 1], [80, 3, 480, 112, true, 'hardswish', 1], [112, 3, 672, 112, true, 'hardswish', 1],
  [112, 5, 672, 160, true, 'hardswish', 2], [160, 5, 960, 160, true, 'hardswish', 1], [160, 5, 960, 160, true, 'hardswish', 1],
];

export interface MobileNetV3Options extends ClassifierOptions {
  /** 'small' (2.5 M parameters, 0.06 G multiply-adds at 224×224) or 'large' (5.5 M, 0.22 G). */
  arch: 'small' | 'large';
}

export class MobileNetV3 extends Module {
  static readonly typeName = 'MobileNetV3';
  readonly features: Sequential;
  readonly classifier: Sequential;
  private readonly settings: { arch: 'small' | 'large'; numClasses: number };

  constructor(options: MobileNetV3Options) {
    super();
    const o = checkClassifierOptions('MobileNetV3', options, ['arch']);
    if (o.arch !== 'small' && o.arch !== 'large') throw new Error(`MobileNetV3: arch must be 'small' or 'large', got ${String(o.arch)}`);
    const arch = o.arch;
    this.settings = { arch, numClasses: o.numClasses };
    const rows = arch === 'small' ? SMALL : LARGE;
    const features: Module[] = [convNormActivation({ inChannels: 3, outChannels: 16, stride: 2, ...BN, activation: new Hardswish() })];
    for (const [inChannels, kernelSize, expandedChannels, outChannels, squeezeExcite, activation, stride] of rows) {
      features.push(new MobileNetV3Block({ inChannels, kernelSize, expandedChannels, outChannels, squeezeExcite, activation, stride }));
    }
    const lastIn = rows[rows.length - 1][3];
    const lastConv = 6 * lastIn;
    const hidden = arch === 'small' ? 1024 : 1280;
    features.push(convNormActivation({ inChannels: lastIn, outChannels: lastConv, kernelSize: 1, ...BN, activation: new Hardswish() }));
    this.features = new Sequential(features);
    this.classifier = new Sequential([
      new Linear({ inFeatures: lastConv, outFeatures: hidden }), new Hardswish(), new Dropout({ p: 0.2 }), new Linear({ inFeatures: hidden, outFeatures: o.numClasses }),
    ]);
  }

  override config(): Record<string, unknown> {
    return { ...this.settings };
  }

  forward(x: Tensor): Tensor {
    return this.classifier.forward(flatten(adaptiveAvgPool2d(this.features.forward(x), [1, 1]), 1));
  }
}

export function mobilenetV3Small(options?: ClassifierOptions): MobileNetV3 {
  return new MobileNetV3({ ...checkClassifierOptions('mobilenetV3Small', options), arch: 'small' });
}

export function mobilenetV3Large(options?: ClassifierOptions): MobileNetV3 {
  return new MobileNetV3({ ...checkClassifierOptions('mobilenetV3Large', options), arch: 'large' });
}
