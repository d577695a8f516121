// The small CNN that `simdnet parity` checks with compareBackends: conv, batch norm,
// activations, both poolings, a grouped conv, a residual-free head; seeded weights and
// non-trivial running statistics, so every layer's numbers are exercised.
import { BatchNorm2d, Conv2d, Flatten, Hardswish, Linear, MaxPool2d, AvgPool2d, ReLU, Sequential } from '../nn/index.js';
import { Random } from '../random.js';
import { randn, type Tensor } from '../tensor.js';

/** The model and an input [2, 3, 16, 16]. */
export function parityModel(seed = 1): { model: Sequential; input: Tensor } {
  const random = new Random(seed);
  const model = new Sequential([
    new Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1, random }),
    new BatchNorm2d({ numFeatures: 8 }),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Conv2d({ inChannels: 8, outChannels: 8, kernelSize: 3, padding: 'same', groups: 4, random }),
    new Hardswish(),
    new AvgPool2d({ kernelSize: 2 }),
    new Conv2d({ inChannels: 8, outChannels: 16, kernelSize: 3, stride: 2, random }),
    new Flatten(),
    new Linear({ inFeatures: 16, outFeatures: 10, random }),
  ]);
  for (const [name, t] of model.namedBuffers()) {
    if (name.endsWith('running_mean')) t.data.forEach((_, i) => (t.data[i] = random.normal() * 0.1));
    if (name.endsWith('running_var')) t.data.forEach((_, i) => (t.data[i] = 0.5 + random.uniform()));
  }
  return { model, input: randn([2, 3, 16, 16], { random }) };
}
