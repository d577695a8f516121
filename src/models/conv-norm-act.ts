// torchvision's Conv2dNormActivation: convolution (no bias) → BatchNorm2d → activation,
// as a Sequential so parameter names are torchvision's ('0.weight', '1.running_mean').
import { BatchNorm2d } from '../nn/batchnorm.js';
import { Conv2d } from '../nn/conv2d.js';
import type { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';

export interface ConvNormActivationOptions {
  inChannels: number;
  outChannels: number;
  kernelSize?: number;
  stride?: number;
  groups?: number;
  /** BatchNorm2d's eps and momentum (torchvision's MobileNetV3 uses 0.001 and 0.01). */
  eps?: number;
  momentum?: number;
  /** The activation module, or null for none. */
  activation: Module | null;
}

export function convNormActivation(o: ConvNormActivationOptions): Sequential {
  const kernelSize = o.kernelSize ?? 3;
  const layers: Module[] = [
    new Conv2d({ inChannels: o.inChannels, outChannels: o.outChannels, kernelSize, stride: o.stride ?? 1, padding: (kernelSize - 1) >> 1, groups: o.groups ?? 1, bias: false }),
    new BatchNorm2d({ numFeatures: o.outChannels, eps: o.eps ?? 1e-5, momentum: o.momentum ?? 0.1 }),
  ];
  if (o.activation) layers.push(o.activation);
  return new Sequential(layers);
}
