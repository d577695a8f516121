// ResNet-18 and ResNet-34 as torchvision builds them (He et al. 2015, basic blocks), with
// torchvision's module names, so state-dict keys and shapes are the same as PyTorch's
// (`layer2.0.downsample.1.running_var`).
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pool.js';
import { BatchNorm2d } from '../nn/batchnorm.js';
import { Conv2d } from '../nn/conv2d.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { add, flatten, relu } from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { checkClassifierOptions, type ClassifierOptions } from './options.js';

/** relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)); the shortcut is a strided 1×1
 * convolution + BatchNorm when the block changes resolution or width. */
export class BasicBlock extends Module {
  static readonly typeName = 'BasicBlock';
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;

  constructor(readonly options: { inChannels: number; outChannels: number; stride?: number }) {
    super();
    const { inChannels, outChannels, stride = 1 } = options;
    this.conv1 = new Conv2d({ inChannels, outChannels, kernelSize: 3, stride, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d({ numFeatures: outChannels });
    this.conv2 = new Conv2d({ inChannels: outChannels, outChannels, kernelSize: 3, padding: 1, bias: false });
    this.bn2 = new BatchNorm2d({ numFeatures: outChannels });
    this.downsample = stride !== 1 || inChannels !== outChannels
      ? new Sequential([new Conv2d({ inChannels, outChannels, kernelSize: 1, stride, bias: false }), new BatchNorm2d({ numFeatures: outChannels })])
      : null;
  }

  override config(): Record<string, unknown> {
    return { ...this.options };
  }

  forward(x: Tensor): Tensor {
    const y = this.bn2.forward(this.conv2.forward(relu(this.bn1.forward(this.conv1.forward(x)))));
    return relu(add(y, this.downsample ? this.downsample.forward(x) : x));
  }
}

export interface ResNetOptions extends ClassifierOptions {
  /** Basic blocks in each of the four stages: [2, 2, 2, 2] is ResNet-18, [3, 4, 6, 3] ResNet-34. */
  layers: readonly number[];
}

/** 7×7/2 stem → 3×3/2 max pool → four stages (64, 128, 256, 512 channels) → global
 * average pool → linear. Input [N, 3, H, W] with H, W ≥ 32; ImageNet uses 224. */
export class ResNet extends Module {
  static readonly typeName = 'ResNet';
  readonly conv1 = new Conv2d({ inChannels: 3, outChannels: 64, kernelSize: 7, stride: 2, padding: 3, bias: false });
  readonly bn1 = new BatchNorm2d({ numFeatures: 64 });
  readonly maxpool = new MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 });
  readonly layer1: Sequential;
  readonly layer2: Sequential;
  readonly layer3: Sequential;
  readonly layer4: Sequential;
  readonly avgpool = new AdaptiveAvgPool2d({ outputSize: 1 });
  readonly fc: Linear;
  private readonly settings: { layers: number[]; numClasses: number };

  constructor(options: ResNetOptions) {
    super();
    const o = checkClassifierOptions('ResNet', options, ['layers']);
    const layers = o.layers;
    if (!Array.isArray(layers) || layers.length !== 4 || !layers.every((n) => Number.isInteger(n) && n >= 1)) {
      throw new Error(`ResNet: layers must give four positive block counts, got ${JSON.stringify(layers)}`);
    }
    this.settings = { layers: [...layers], numClasses: o.numClasses };
    const stage = (inChannels: number, outChannels: number, blocks: number, stride: number) =>
      new Sequential(Array.from({ length: blocks }, (_, i) => new BasicBlock({ inChannels: i === 0 ? inChannels : outChannels, outChannels, stride: i === 0 ? stride : 1 })));
    this.layer1 = stage(64, 64, layers[0], 1);
    this.layer2 = stage(64, 128, layers[1], 2);
    this.layer3 = stage(128, 256, layers[2], 2);
    this.layer4 = stage(256, 512, layers[3], 2);
    this.fc = new Linear({ inFeatures: 512, outFeatures: o.numClasses });
  }

  override config(): Record<string, unknown> {
    return { layers: [...this.settings.layers], numClasses: this.settings.numClasses };
  }

  forward(x: Tensor): Tensor {
    let y = this.maxpool.forward(relu(this.bn1.forward(this.conv1.forward(x))));
    y = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(y))));
    return this.fc.forward(flatten(this.avgpool.forward(y), 1));
  }
}

/** ResNet-18 (11.7 M parameters, 1.8 G multiply-adds per 224×224 image). */
export function resnet18(options?: ClassifierOptions): ResNet {
  return new ResNet({ ...checkClassifierOptions('resnet18', options), layers: [2, 2, 2, 2] });
}

/** ResNet-34 (21.8 M parameters). */
export function resnet34(options?: ClassifierOptions): ResNet {
  return new ResNet({ ...checkClassifierOptions('resnet34', options), layers: [3, 4, 6, 3] });
}
