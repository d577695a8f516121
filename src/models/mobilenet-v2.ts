// MobileNetV2 as torchvision builds it (Sandler et al. 2018): inverted residual blocks
// (1×1 expand, 3×3 depthwise, ReLU6, linear 1×1 projection), with torchvision's module
// names (`features.3.conv.1.0.weight`) so state-dict keys and shapes are PyTorch's.
import { BatchNorm2d } from '../nn/batchnorm.js';
import { Conv2d } from '../nn/conv2d.js';
import { Dropout } from '../nn/dropout.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { ReLU6 } from '../nn/activations.js';
import { Sequential } from '../nn/sequential.js';
import { adaptiveAvgPool2d, add, flatten } from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { convNormActivation } from './conv-norm-act.js';
import { checkClassifierOptions, makeDivisible, type ClassifierOptions } from './options.js';

export interface InvertedResidualOptions {
  inChannels: number;
  outChannels: number;
  stride: number;
  expandRatio: number;
}

/** x + project(depthwise(expand(x))) when stride is 1 and the width is kept, else without x. */
export class InvertedResidual extends Module {
  static readonly typeName = 'InvertedResidual';
  readonly conv: Sequential;
  private readonly useResidual: boolean;

  constructor(readonly options: InvertedResidualOptions) {
    super();
    const { inChannels, outChannels, stride, expandRatio } = options;
    if (stride !== 1 && stride !== 2) throw new Error(`InvertedResidual: stride must be 1 or 2, got ${String(stride)}`);
    const hidden = Math.round(inChannels * expandRatio);
    this.useResidual = stride === 1 && inChannels === outChannels;
    const layers: Module[] = [];
    if (expandRatio !== 1) layers.push(convNormActivation({ inChannels, outChannels: hidden, kernelSize: 1, activation: new ReLU6() }));
    layers.push(
      convNormActivation({ inChannels: hidden, outChannels: hidden, stride, groups: hidden, activation: new ReLU6() }),
      new Conv2d({ inChannels: hidden, outChannels, kernelSize: 1, bias: false }),
      new BatchNorm2d({ numFeatures: outChannels }),
    );
    this.conv = new Sequential(layers);
  }

  override config(): Record<string, unknown> {
    return { ...this.options };
  }

  forward(x: Tensor): Tensor {
    const y = this.conv.forward(x);
    return this.useResidual ? add(x, y) : y;
  }
}

// torchvision's table: expansion t, width c, repeats n, first stride s.
const SETTINGS: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

/** MobileNetV2 at width 1.0: 3.5 M parameters, 0.3 G multiply-adds per 224×224 image. */
export class MobileNetV2 extends Module {
  static readonly typeName = 'MobileNetV2';
  readonly features: Sequential;
  readonly classifier: Sequential;
  private readonly numClasses: number;

  constructor(options?: ClassifierOptions) {
    super();
    const { numClasses } = checkClassifierOptions('MobileNetV2', options);
    this.numClasses = numClasses;
    let input = makeDivisible(32);
    const last = makeDivisible(1280);
    const features: Module[] = [convNormActivation({ inChannels: 3, outChannels: input, stride: 2, activation: new ReLU6() })];
    for (const [t, c, n, s] of SETTINGS) {
      const out = makeDivisible(c);
      for (let i = 0; i < n; i++) {
        features.push(new InvertedResidual({ inChannels: input, outChannels: out, stride: i === 0 ? s : 1, expandRatio: t }));
        input = out;
      }
    }
    features.push(convNormActivation({ inChannels: input, outChannels: last, kernelSize: 1, activation: new ReLU6() }));
    this.features = new Sequential(features);
    this.classifier = new Sequential([new Dropout({ p: 0.2 }), new Linear({ inFeatures: last, outFeatures: numClasses })]);
  }

  override config(): Record<string, unknown> {
    return { numClasses: this.numClasses };
  }

  forward(x: Tensor): Tensor {
    return this.classifier.forward(flatten(adaptiveAvgPool2d(this.features.forward(x), [1, 1]), 1));
  }
}

export function mobilenetV2(options?: ClassifierOptions): MobileNetV2 {
  return new MobileNetV2(options);
}
