// Whole networks at ImageNet size, built with simdnet's model builders (torchvision's
// architectures): ResNet-18 at batch 1 and 8, MobileNetV2 and MobileNetV3-small at
// batch 1, inference in eval mode through model.predict exactly as a user runs it.
// Weights are seeded random with BatchNorm statistics calibrated by one training-mode
// pass, so activations keep a realistic scale through the depth.
import { setBackend } from '../../src/backend/registry.js';
import { Random } from '../../src/random.js';
import { withGlobalRandom } from '../../src/init.js';
import { mobilenetV2, mobilenetV3Small, resnet18 } from '../../src/models/index.js';
import type { Module } from '../../src/nn/module.js';
import { noGrad } from '../../src/autograd/graph.js';
import { MODEL_TOLERANCE } from '../agreement.js';
import { uniformTensor, type Task, type Workload } from './common.js';

export interface ModelCase {
  label: string;
  build: () => Module;
  batch: number;
  /** Multiply-adds per image at 224×224, for the FLOP count (2 FLOPs each). */
  macs: number;
}

export const MODEL_CASES: readonly ModelCase[] = [
  { label: 'resnet18', build: () => resnet18(), batch: 1, macs: 1.814e9 },
  { label: 'resnet18', build: () => resnet18(), batch: 8, macs: 1.814e9 },
  { label: 'mobilenetv2', build: () => mobilenetV2(), batch: 1, macs: 0.3007e9 },
  { label: 'mobilenetv3-small', build: () => mobilenetV3Small(), batch: 1, macs: 0.0566e9 },
];

/** The model with seeded weights and BatchNorm statistics from one training pass, in eval mode. */
export function buildCalibrated(c: ModelCase): Module {
  const model = withGlobalRandom(new Random(61), c.build);
  noGrad(() => model.forward(uniformTensor([2, 3, 224, 224], 62)));
  return model.eval();
}

export function modelWorkload(c: ModelCase): Workload {
  return {
    name: `e2e/${c.label} inference b${c.batch}`,
    shape: `batch ${c.batch}, 3×224×224`,
    description: `${c.label} (torchvision's architecture, simdnet's builder) forward in eval mode on ${c.batch} 224×224 image${c.batch > 1 ? 's' : ''} → logits [${c.batch}, 1000]`,
    kind: `${c.label} inference`,
    unit: 'img/s',
    work: c.batch,
    tolerance: MODEL_TOLERANCE,
    heavy: true,
    onlySimdnet: 'the network is not written for TF.js here',
    create() {
      const x = uniformTensor([c.batch, 3, 224, 224], 63);
      return {
        async prepare(engine): Promise<Task> {
          if (engine.kind !== 'simdnet') throw new Error(`${c.label}: no ${engine.id} counterpart`);
          const be = engine.backend;
          setBackend(be);
          const model = buildCalibrated(c);
          const predict = () => {
            setBackend(be);
            return model.predict(x, { batchSize: c.batch });
          };
          return { check: () => [predict().data], run: () => void predict(), dispose() {} };
        },
      };
    },
  };
}
