// A small residual network for MNIST written with Module (the shape of torchvision's
// ResNet, scaled down to 28×28 digits and to a 2-core CPU): a 3×3 stem convolution to 16
// channels at 28×28, then stages of basic blocks (two 3×3 convolutions with BatchNorm,
// the input added back); the first block of each stage halves the resolution and
// projects its shortcut with a 1×1 convolution: 24 channels at 14×14, 48 at 7×7, 96 at
// 4×4 (a receptive field of 45 pixels, the whole digit). Global average pooling and a
// linear head. 172,458 parameters, ~5.5 M multiply-adds per image.
// Parameter names are torchvision's (`layer2.0.downsample.0.weight`).
import { BasicBlock } from '../../src/models/index.js';
import { BatchNorm2d, Conv2d, Linear, Module, Sequential, registerModule } from '../../src/nn/index.js';
import { flatten, globalAvgPool2d, relu } from '../../src/ops/index.js';
import type { Tensor } from '../../src/tensor.js';

export interface MnistResNetOptions {
  /** Output channels of the stem convolution (default 16). */
  stem?: number;
  /** Width of each stage (default [24, 48, 96]). */
  widths?: readonly number[];
  /** Stride of each stage's first block (default 2 for every stage). */
  strides?: readonly number[];
  /** Basic blocks per stage (default 1). */
  blocks?: number;
  /** Output classes (default 10). */
  classes?: number;
}

/** stem conv 3×3 → BN → ReLU → stages of BasicBlocks → global average pool → linear. */
export class MnistResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly layers: Sequential[];
  readonly fc: Linear;
  private readonly settings: Required<MnistResNetOptions>;

  constructor(options: MnistResNetOptions = {}) {
    super();
    const known = ['stem', 'widths', 'strides', 'blocks', 'classes'];
    const unknown = Object.keys(options).filter((k) => !known.includes(k));
    if (unknown.length > 0) throw new Error(`MnistResNet: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ')})`);
    const { stem = 16, widths = [24, 48, 96], blocks = 1, classes = 10 } = options;
    if (!Array.isArray(widths) || widths.length === 0) throw new Error('MnistResNet: widths must be a non-empty array of channel counts');
    const strides = options.strides ?? widths.map(() => 2);
    if (!Array.isArray(strides) || strides.length !== widths.length) throw new Error(`MnistResNet: strides must give one stride per stage (${widths.length}), got ${String(strides)}`);
    if (!Number.isInteger(blocks) || blocks < 1) throw new Error(`MnistResNet: blocks must be a positive integer, got ${String(blocks)}`);
    this.settings = { stem, widths: [...widths], strides: [...strides], blocks, classes };
    this.conv1 = new Conv2d({ inChannels: 1, outChannels: stem, kernelSize: 3, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d({ numFeatures: stem });
    let cin = stem;
    // Fields named layer1, layer2, ... as torchvision's ResNet (state_dict 'layer2.0.conv1.weight').
    this.layers = widths.map((cout, s) => {
      const stage = new Sequential(Array.from({ length: blocks }, (_, b) => {
        const block = new BasicBlock({ inChannels: b === 0 ? cin : cout, outChannels: cout, stride: b === 0 ? strides[s] : 1 });
        return block;
      }));
      cin = cout;
      return stage;
    });
    this.fc = new Linear({ inFeatures: cin, outFeatures: classes });
  }

  override namedChildren(): [string, Module][] {
    return [['conv1', this.conv1], ['bn1', this.bn1], ...this.layers.map((l, i): [string, Module] => [`layer${i + 1}`, l]), ['fc', this.fc]];
  }

  override config(): Record<string, unknown> {
    return { ...this.settings, widths: [...this.settings.widths], strides: [...this.settings.strides] };
  }

  forward(x: Tensor): Tensor {
    let h = relu(this.bn1.forward(this.conv1.forward(x)));
    for (const stage of this.layers) h = stage.forward(h);
    return this.fc.forward(flatten(globalAvgPool2d(h)));
  }
}

registerModule(MnistResNet);

/** The network of `npm start -- --model resnet`. */
export function resnet(options: MnistResNetOptions = {}): MnistResNet {
  return new MnistResNet(options);
}
