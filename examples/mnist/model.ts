// LeNet-5 as the task and seed 004 describe it, with ReLU and max pooling:
// conv 1→6 5×5 pad 2, ReLU, maxpool 2 → conv 6→16 5×5, ReLU, maxpool 2 → flatten 400
// → linear 120, ReLU → linear 84, ReLU → linear 10 (logits). 61,706 parameters.
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../../src/nn/index.js';

export function lenet(): Sequential {
  return new Sequential([
    new Conv2d({ inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2 }),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Conv2d({ inChannels: 6, outChannels: 16, kernelSize: 5 }),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Flatten(),
    new Linear({ inFeatures: 400, outFeatures: 120 }),
    new ReLU(),
    new Linear({ inFeatures: 120, outFeatures: 84 }),
    new ReLU(),
    new Linear({ inFeatures: 84, outFeatures: 10 }),
  ]);
}
