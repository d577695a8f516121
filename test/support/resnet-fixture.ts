// The small residual network of scripts/fixtures/resnet_trajectory.py written with
// Module, and the fixture it is checked against (PyTorch, float64).
import { readFileSync } from 'node:fs';
import { BatchNorm2d, Conv2d, Linear, Module, Sequential, add, mean, relu, Tensor } from '../../src/index.js';

export interface FixtureTensor {
  shape: number[];
  data: number[];
}

export interface ResnetFixture {
  config: { lr: number; momentum: number; weightDecay: number; steps: number; batchSize: number };
  inputs: FixtureTensor;
  labels: number[];
  batches: number[][];
  initial: Record<string, FixtureTensor | number>;
  losses: number[];
  firstStepGrads: Record<string, FixtureTensor>;
  final: Record<string, FixtureTensor | number>;
  evalLogits: FixtureTensor;
  graphs: Record<string, Record<string, FixtureTensor | number | string>>;
}

export function readResnetFixture(): ResnetFixture {
  return JSON.parse(readFileSync(new URL('../fixtures/resnet-trajectory.json', import.meta.url), 'utf8')) as ResnetFixture;
}

export function toTensor(t: FixtureTensor | number): Tensor {
  if (typeof t === 'number') return new Tensor(Float32Array.of(t), []);
  return new Tensor(Float32Array.from(t.data), t.shape);
}

export class Block extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly shortcut: Sequential | null;

  constructor(cin: number, cout: number, stride: number) {
    super();
    this.conv1 = new Conv2d({ inChannels: cin, outChannels: cout, kernelSize: 3, stride, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d({ numFeatures: cout });
    this.conv2 = new Conv2d({ inChannels: cout, outChannels: cout, kernelSize: 3, padding: 1, bias: false });
    this.bn2 = new BatchNorm2d({ numFeatures: cout });
    this.shortcut = stride !== 1 || cin !== cout
      ? new Sequential([new Conv2d({ inChannels: cin, outChannels: cout, kernelSize: 1, stride, bias: false }), new BatchNorm2d({ numFeatures: cout })])
      : null;
  }

  forward(x: Tensor): Tensor {
    const y = this.bn2.forward(this.conv2.forward(relu(this.bn1.forward(this.conv1.forward(x)))));
    return relu(add(y, this.shortcut ? this.shortcut.forward(x) : x));
  }
}

export class Net extends Module {
  readonly conv1 = new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 });
  readonly bn1 = new BatchNorm2d({ numFeatures: 4 });
  readonly layer1 = new Block(4, 4, 1);
  readonly layer2 = new Block(4, 8, 2);
  readonly fc = new Linear({ inFeatures: 8, outFeatures: 3 });

  forward(x: Tensor): Tensor {
    const h = this.layer2.forward(this.layer1.forward(relu(this.bn1.forward(this.conv1.forward(x)))));
    return this.fc.forward(mean(h, { axis: [2, 3] }));
  }
}
