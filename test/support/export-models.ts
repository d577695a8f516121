// Models built with simdnet's API for the ONNX export tests: each a factory (seeded
// weights) and its input shape. BatchNorm layers are calibrated by a few train-mode
// passes, so their running statistics are not the initial 0 and 1.
import {
  AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, ChannelShuffle, ConstantPad2d, Conv2d, ConvTranspose2d, ELU, Flatten, GELU, GlobalAvgPool2d, GlobalMaxPool2d,
  GroupNorm, Hardsigmoid, Hardswish, InstanceNorm2d, LayerNorm, LeakyReLU, Linear, MaxPool2d, Module, PReLU, Random, ReLU, ReLU6, ReflectionPad2d,
  ReplicationPad2d, Sequential, SiLU, Sigmoid, Softplus, Tanh, Tensor, Upsample, UpsamplingBilinear2d, UpsamplingNearest2d, ZeroPad2d, add, chunk,
  clip, concat, div, flatten, gemm, globalAvgPool2d, layerNormWithStats, logSoftmax, matmul, max, maximum, mean, meanOf, min, minOf, minimum, mul,
  mobilenetV2, mobilenetV3Small, narrow, neg, noGrad, permute, randn, relu, resize, resnet18, slice, softmax, split, squeeze, sub, sum, sumOf,
  transpose, unsqueeze,
} from '../../src/index.js';

export interface ExportCase {
  name: string;
  build: () => Module;
  inputShape: number[] | number[][];
}

function rng(seed: number): { random: Random } {
  return { random: new Random(seed) };
}

/** Random BatchNorm affine parameters and a few train-mode passes to calibrate the running statistics. */
export function calibrate<M extends Module>(model: M, shapes: number[][], passes = 3): M {
  const r = new Random(99);
  for (const [, m] of model.namedModules()) {
    if (m instanceof BatchNorm2d) {
      for (let i = 0; i < m.numFeatures; i++) {
        m.weight.data[i] = 0.5 + r.next();
        m.bias.data[i] = r.normal() * 0.3;
      }
    }
  }
  model.train();
  noGrad(() => {
    for (let k = 0; k < passes; k++) {
      const xs = shapes.map((s, i) => randn(s, { seed: 1000 + 10 * k + i, mean: 0.5, std: 2 }));
      model.forward(...xs);
    }
  });
  return model;
}

function conv(inChannels: number, outChannels: number, kernelSize: number, seed: number, extra: Record<string, unknown> = {}): Conv2d {
  return new Conv2d({ inChannels, outChannels, kernelSize, ...extra, ...rng(seed) });
}

function biased<T extends Module & { bias: Tensor | null }>(m: T, seed: number): T {
  if (m.bias) m.bias.data.set(randn(m.bias.shape, { seed }).data);
  return m;
}

function lenet(): Module {
  return new Sequential([
    biased(conv(1, 6, 5, 1, { padding: 2 }), 11), new ReLU(), new MaxPool2d({ kernelSize: 2 }),
    biased(conv(6, 16, 5, 2), 12), new ReLU(), new MaxPool2d({ kernelSize: 2 }),
    new Flatten(), biased(new Linear({ inFeatures: 400, outFeatures: 120, ...rng(3) }), 13), new ReLU(),
    biased(new Linear({ inFeatures: 120, outFeatures: 10, ...rng(4) }), 14),
  ]);
}

/** conv-bn-relu, conv-bn, plus a strided 1×1 conv-bn shortcut, then relu (ResNet's BasicBlock). */
class Residual extends Module {
  readonly conv1 = conv(4, 8, 3, 21, { stride: 2, padding: 1, bias: false });
  readonly bn1 = new BatchNorm2d({ numFeatures: 8 });
  readonly conv2 = conv(8, 8, 3, 22, { padding: 1, bias: false });
  readonly bn2 = new BatchNorm2d({ numFeatures: 8 });
  readonly shortcut = new Sequential([conv(4, 8, 1, 23, { stride: 2, bias: false }), new BatchNorm2d({ numFeatures: 8 })]);
  readonly head = new Sequential([new GlobalAvgPool2d(), new Flatten(), new Linear({ inFeatures: 8, outFeatures: 5, ...rng(24) })]);

  forward(x: Tensor): Tensor {
    const y = this.bn2.forward(this.conv2.forward(relu(this.bn1.forward(this.conv1.forward(x)))));
    return this.head.forward(relu(add(y, this.shortcut.forward(x))));
  }
}

/** Inception-style branches joined by concat. */
class Branches extends Module {
  readonly a = biased(conv(3, 4, 1, 31), 35);
  readonly b = new Sequential([biased(conv(3, 4, 3, 32, { padding: 'same' }), 36), new ReLU()]);
  readonly c = new Sequential([new AvgPool2d({ kernelSize: 3, stride: 1, padding: 1 }), biased(conv(3, 2, 1, 33), 37)]);
  readonly d = new Sequential([new MaxPool2d({ kernelSize: 3, stride: 1, padding: [1, 1, 0, 2] }), biased(conv(3, 2, 1, 34), 38)]);

  forward(x: Tensor): Tensor {
    return concat([this.a.forward(x), this.b.forward(x), this.c.forward(x), this.d.forward(x)], 1);
  }
}

/** MobileNetV2's inverted residual: 1×1 expand, 3×3 depthwise (groups = C), ReLU6, 1×1 project. */
class InvertedResidual extends Module {
  readonly block = new Sequential([
    conv(8, 32, 1, 41, { bias: false }), new BatchNorm2d({ numFeatures: 32 }), new ReLU6(),
    conv(32, 32, 3, 42, { padding: 1, groups: 32, bias: false }), new BatchNorm2d({ numFeatures: 32 }), new ReLU6(),
    conv(32, 8, 1, 43, { bias: false }), new BatchNorm2d({ numFeatures: 8 }),
  ]);

  forward(x: Tensor): Tensor {
    return add(x, this.block.forward(x));
  }
}

/** MobileNetV3's squeeze-excite with hardswish and hardsigmoid. */
class SqueezeExcite extends Module {
  readonly stem = new Sequential([conv(4, 16, 3, 51, { padding: 1, bias: false }), new BatchNorm2d({ numFeatures: 16 }), new Hardswish()]);
  readonly fc1 = biased(conv(16, 4, 1, 52), 54);
  readonly fc2 = biased(conv(4, 16, 1, 53), 55);
  readonly gate = new Hardsigmoid();

  forward(x: Tensor): Tensor {
    const y = this.stem.forward(x);
    const s = this.gate.forward(this.fc2.forward(relu(this.fc1.forward(globalAvgPool2d(y)))));
    return mul(y, s);
  }
}

/** ShuffleNetV2's unit: half the channels pass, half go through a branch, then concat and channel shuffle. */
class ShuffleUnit extends Module {
  readonly branch = new Sequential([
    conv(4, 4, 1, 61, { bias: false }), new BatchNorm2d({ numFeatures: 4 }), new ReLU(),
    conv(4, 4, 3, 62, { padding: 1, groups: 4, bias: false }), new BatchNorm2d({ numFeatures: 4 }),
    conv(4, 4, 1, 63, { bias: false }), new BatchNorm2d({ numFeatures: 4 }), new ReLU(),
  ]);
  readonly shuffle = new ChannelShuffle({ groups: 2 });

  forward(x: Tensor): Tensor {
    const [a, b] = chunk(x, 2, 1);
    return this.shuffle.forward(concat([a, this.branch.forward(b)], 1));
  }
}

/** A small U-Net: down by max pooling, up by ConvTranspose2d, a concatenated skip, and a bilinear Upsample. */
class UNet extends Module {
  readonly enc = new Sequential([biased(conv(3, 8, 3, 71, { padding: 1 }), 75), new ReLU()]);
  readonly down = new Sequential([new MaxPool2d({ kernelSize: 2 }), biased(conv(8, 16, 3, 72, { padding: 1 }), 76), new ReLU()]);
  readonly up = biased(new ConvTranspose2d({ inChannels: 16, outChannels: 8, kernelSize: 2, stride: 2, ...rng(73) }), 77);
  readonly dec = new Sequential([biased(conv(16, 4, 3, 74, { padding: 1 }), 78), new ReLU()]);
  readonly upsample = new Upsample({ scaleFactor: 2, mode: 'bilinear' });

  forward(x: Tensor): Tensor {
    const skip = this.enc.forward(x);
    const y = this.up.forward(this.down.forward(skip));
    return this.upsample.forward(this.dec.forward(concat([y, skip], 1)));
  }
}

/** A segmentation head: features at 1/4, a bilinear resize back to the input size (align corners off and on). */
class SegmentationHead extends Module {
  readonly features = new Sequential([biased(conv(3, 6, 3, 81, { stride: 2, padding: [1, 0, 2, 1] }), 83), new ReLU(), biased(conv(6, 4, 3, 82, { stride: 2, padding: 1 }), 84)]);
  readonly upA = new UpsamplingBilinear2d({ size: [15, 13] });

  forward(x: Tensor): Tensor {
    const f = this.features.forward(x);
    const a = resize(f, { size: [15, 13], mode: 'bilinear', coordinateMode: 'pytorch_half_pixel' });
    return add(a, this.upA.forward(f));
  }
}

/** ConvTranspose2d with asymmetric padding, outputPadding, dilation and groups. */
function transposed(): Module {
  return new Sequential([
    biased(new ConvTranspose2d({ inChannels: 4, outChannels: 6, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, ...rng(91) }), 93),
    new ConvTranspose2d({ inChannels: 6, outChannels: 4, kernelSize: [3, 2], stride: [1, 2], padding: [1, 0, 2, 0], dilation: [2, 1], groups: 2, ...rng(92) }),
  ]);
}

class Norms extends Module {
  readonly layer = new LayerNorm({ normalizedShape: [6, 5] });
  readonly group = new GroupNorm({ numGroups: 2, numChannels: 4 });
  readonly instance = new InstanceNorm2d({ numFeatures: 4, affine: true });
  readonly tracked = new InstanceNorm2d({ numFeatures: 4, trackRunningStats: true });
  readonly plainLayer = new LayerNorm({ normalizedShape: 5, elementwiseAffine: false, eps: 1e-3 });
  readonly plainGroup = new GroupNorm({ numGroups: 4, numChannels: 4, affine: false });

  constructor() {
    super();
    const r = new Random(101);
    for (const p of this.parameters()) for (let i = 0; i < p.size; i++) p.data[i] = p.name.endsWith('weight') ? 0.5 + r.next() : r.normal();
  }

  forward(x: Tensor): Tensor {
    const a = this.layer.forward(x);
    const b = this.group.forward(a);
    const c = this.instance.forward(b);
    const d = this.tracked.forward(add(c, x));
    return add(this.plainGroup.forward(d), this.plainLayer.forward(x));
  }
}

function pads(): Module {
  return new Sequential([
    new ZeroPad2d({ padding: [1, 0, 2, 1] }), new ConstantPad2d({ padding: 1, value: -0.5 }),
    new ReflectionPad2d({ padding: [2, 1, 0, 3] }), new ReplicationPad2d({ padding: [1, 2] }),
  ]);
}

function pools(): Module {
  return new Sequential([
    new MaxPool2d({ kernelSize: 3, stride: 2, padding: 1, ceilMode: true }),
    new AvgPool2d({ kernelSize: [3, 2], stride: 2, padding: [1, 1], countIncludePad: false, ceilMode: true }),
    new MaxPool2d({ kernelSize: 2, stride: 1, dilation: 2 }),
    new AvgPool2d({ kernelSize: 2, stride: 1, padding: 1 }),
    new AdaptiveAvgPool2d({ outputSize: [2, 3] }),
  ]);
}

class GlobalPools extends Module {
  readonly max = new GlobalMaxPool2d();
  readonly adaptive = new AdaptiveAvgPool2d({ outputSize: 1 });
  readonly tiles = new AdaptiveAvgPool2d({ outputSize: [5, 1] });

  forward(x: Tensor): Tensor {
    return add(sub(this.max.forward(x), this.adaptive.forward(x)), this.tiles.forward(x));
  }
}

/** softmax and logSoftmax along an axis, returned as two outputs. */
class Axes extends Module {
  readonly conv = biased(conv(3, 4, 3, 111), 112);

  forward(x: Tensor): Tensor {
    const y = this.conv.forward(x);
    return [softmax(y, 1), logSoftmax(y, -1), softmax(y, 2)] as unknown as Tensor;
  }
}

function activations(): Module {
  const prelu = new PReLU({ numParameters: 3 });
  prelu.weight.data.set([0.1, -0.3, 0.6]);
  return new Sequential([
    prelu, new GELU(), new LeakyReLU({ slope: 0.2 }), new ELU({ alpha: 0.7 }), new GELU({ approximate: 'tanh' }), new SiLU(),
    new Softplus({ beta: 2, threshold: 1.5 }), new Tanh(), new Softplus(), new Sigmoid(), new PReLU(),
  ]);
}

/** Broadcasting arithmetic with scalars on either side, matmul, transposes, slices and reductions. */
class Arithmetic extends Module {
  readonly linear = biased(new Linear({ inFeatures: 6, outFeatures: 5, ...rng(121) }), 122);

  forward(x: Tensor): Tensor {
    const rows = mean(x, { axis: [2], keepDims: true });
    const a = div(sub(2, mul(x, rows)), add(max(x, { axis: 3, keepDims: true }), 3));
    const b = clip(neg(a), { min: -1 });
    const c = matmul(transpose(b, [0, 1, 3, 2]), b);
    const d = maximum(c, minimum(c, 0.25));
    const e = slice(d, { starts: [-1, 0], ends: [-Infinity, 5], axes: [-1, 2], steps: [-2, 2] });
    const f = narrow(permute(e, [0, 2, 3, 1]), 3, 1, 2);
    const g = sumOf([f, meanOf([f, 1]), minOf([f, 0.5])]);
    const h = sum(g, { axis: [1, 2] });
    const i = add(h, min(g, { axis: [1, 2, 3], keepDims: true }).reshape([2, 1]));
    return this.linear.forward(concat([i, i, i], 1).reshape([3, 4]).reshape([2, 6]));
  }
}

/** Nearest and bilinear resizes in every coordinate mode the Upsample layers and resize use.
 * The crop box is in binary fractions: nearest rounding of a coordinate that lands on a
 * tie (x.5) then agrees between onnxruntime's float32 and simdnet's float64 arithmetic
 * (with 0.1 and 0.9 one row rounds the other way). */
class Resizes extends Module {
  readonly nearest = new Upsample({ scaleFactor: 2 });
  readonly exact = new Upsample({ size: [7, 9], mode: 'nearest-exact' });
  readonly sized = new UpsamplingNearest2d({ size: [5, 8] });

  forward(x: Tensor): Tensor {
    const a = this.exact.forward(this.nearest.forward(x));
    const b = resize(x, { size: [7, 9], mode: 'bilinear', coordinateMode: 'align_corners' });
    const c = resize(x, { size: [7, 9], mode: 'bilinear', coordinateMode: 'asymmetric' });
    const d = resize(x, { size: [7, 9], mode: 'nearest', coordinateMode: 'tf_crop_and_resize', roi: [0.125, 0.25, 0.875, 1.125], extrapolationValue: -3 });
    const e = resize(this.sized.forward(x), { size: [7, 9], mode: 'nearest', coordinateMode: 'half_pixel', nearestMode: 'ceil' });
    return sumOf([a, b, c, d, e]);
  }
}

/** gemm, a linear without bias, split by sizes, views (squeeze, unsqueeze, flatten), clone and detach, layerNorm's statistics. */
class Matrices extends Module {
  readonly w = new Linear({ inFeatures: 8, outFeatures: 6, bias: false, ...rng(131) });
  readonly norm = new BatchNorm2d({ numFeatures: 3 });

  forward(x: Tensor): Tensor {
    const flat = flatten(x);
    const g = gemm(flat, this.w.forward(flat), { transA: true, alpha: 0.5 });
    const [p, q, r] = split(g, [2, 3, 1], 1);
    const stats = layerNormWithStats(unsqueeze(p, 1), [1, 2], null, null, { eps: 1e-2 });
    const u = add(stats.y, mul(stats.mean, stats.invStdDev));
    const joined = concat([u, unsqueeze(q, 1).reshape([8, 1, 3]).reshape([8, 3, 1]).reshape([8, 1, 3]), unsqueeze(r.clone().detach(), 1)], 2);
    const v = this.norm.forward(joined.reshape([2, 3, 4, 2]));
    return squeeze(unsqueeze(v, 0), 0);
  }
}

export const EXPORT_CASES: readonly ExportCase[] = [
  { name: 'LeNet (Sequential)', build: lenet, inputShape: [2, 1, 28, 28] },
  { name: 'residual net (strided 1x1 shortcut, add)', build: () => calibrate(new Residual(), [[4, 4, 9, 9]]), inputShape: [2, 4, 9, 9] },
  { name: 'concatenating branches', build: () => new Branches(), inputShape: [2, 3, 7, 6] },
  { name: 'MobileNetV2 inverted residual (depthwise, relu6)', build: () => calibrate(new InvertedResidual(), [[4, 8, 6, 6]]), inputShape: [2, 8, 6, 6] },
  { name: 'hardswish + squeeze-excite', build: () => calibrate(new SqueezeExcite(), [[4, 4, 5, 5]]), inputShape: [2, 4, 5, 5] },
  { name: 'ShuffleNet unit (chunk, concat, channel shuffle)', build: () => calibrate(new ShuffleUnit(), [[4, 8, 5, 5]]), inputShape: [2, 8, 5, 5] },
  { name: 'U-Net (ConvTranspose2d, concat skip, bilinear Upsample)', build: () => new UNet(), inputShape: [2, 3, 8, 6] },
  { name: 'segmentation head (bilinear resize)', build: () => new SegmentationHead(), inputShape: [2, 3, 13, 11] },
  { name: 'ConvTranspose2d options', build: transposed, inputShape: [2, 4, 5, 4] },
  { name: 'LayerNorm, GroupNorm, InstanceNorm2d', build: () => calibrate(new Norms(), [[3, 4, 6, 5]]).eval(), inputShape: [2, 4, 6, 5] },
  { name: 'pads (zero, constant, reflect, edge)', build: pads, inputShape: [2, 3, 5, 4] },
  { name: 'pools (ceil mode, padding, dilation, count_include_pad, adaptive)', build: pools, inputShape: [2, 3, 11, 10] },
  { name: 'global max, adaptive average pooling (1x1, tiling)', build: () => new GlobalPools(), inputShape: [2, 3, 5, 7] },
  { name: 'softmax / logSoftmax on axes (3 outputs)', build: () => new Axes(), inputShape: [2, 3, 6, 5] },
  { name: 'activations (prelu, gelu, elu, silu, softplus, ...)', build: activations, inputShape: [2, 3, 4, 5] },
  { name: 'arithmetic, matmul, transpose, slice, reductions', build: () => new Arithmetic(), inputShape: [2, 3, 4, 5] },
  { name: 'resize modes (nearest, bilinear, align corners, crop)', build: () => new Resizes(), inputShape: [2, 2, 4, 5] },
  { name: 'gemm, split, views, layerNorm statistics, BatchNorm', build: () => calibrate(new Matrices(), [[2, 2, 2, 2]]), inputShape: [2, 2, 2, 2] },
  // torchvision's architectures as src/models builds them (random weights, 64×64 inputs to keep the test short).
  { name: 'ResNet-18 (src/models)', build: () => calibrate(resnet18({ numClasses: 10 }), [[2, 3, 64, 64]], 1), inputShape: [1, 3, 64, 64] },
  { name: 'MobileNetV2 (src/models)', build: () => calibrate(mobilenetV2({ numClasses: 10 }), [[2, 3, 64, 64]], 1), inputShape: [1, 3, 64, 64] },
  { name: 'MobileNetV3-small (src/models)', build: () => calibrate(mobilenetV3Small({ numClasses: 10 }), [[2, 3, 64, 64]], 1), inputShape: [1, 3, 64, 64] },
];
