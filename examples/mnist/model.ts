// LeNet-5 as the task and docs/background.md describe it, with ReLU and max pooling:
// conv 1→6 5×5 pad 2, ReLU, maxpool 2 → conv 6→16 5×5, ReLU, maxpool 2 → flatten 400
// → linear 120, ReLU → linear 84, ReLU → linear 10 (logits). 61,706 parameters.
// `batchNorm: true` adds BatchNorm2d after each convolution (+44 parameters).
import { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../../src/nn/index.js';
import type { Module } from '../../src/nn/module.js';

export interface LenetOptions {
  batchNorm?: boolean;
  /** Output channels of the two convolutions (default [6, 16]). */
  channels?: readonly [number, number];
}

export function lenet(options: LenetOptions = {}): Sequential {
  const [c1, c2] = options.channels ?? [6, 16];
  const bn = (channels: number): Module[] => (options.batchNorm ? [new BatchNorm2d({ numFeatures: channels })] : []);
  return new Sequential([
    new Conv2d({ inChannels: 1, outChannels: c1, kernelSize: 5, padding: 2 }),
    ...bn(c1),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Conv2d({ inChannels: c1, outChannels: c2, kernelSize: 5 }),
    ...bn(c2),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Flatten(),
    new Linear({ inFeatures: c2 * 25, outFeatures: 120 }),
    new ReLU(),
    new Linear({ inFeatures: 120, outFeatures: 84 }),
    new ReLU(),
    new Linear({ inFeatures: 84, outFeatures: 10 }),
  ]);
}
