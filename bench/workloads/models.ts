// Whole networks at ImageNet size, built with simdnet's model builders (torchvision's
// architectures): ResNet-18 at batch 1 and 8, MobileNetV2 and MobileNetV3-small at
// batch 1, inference in eval mode. Each network has two rows: eager (model.predict exactly
// as a user runs it) and compiled (model.compile({ inputShape }) once in prepare, then
// plan.run timed). onnxruntime runs the same weights (toOnnx) on both rows.
// Weights are seeded random with BatchNorm statistics calibrated by one training-mode
// pass, so activations keep a realistic scale through the depth.
import { setBackend } from '../../src/backend/registry.js';
import { Random } from '../../src/random.js';
import { withGlobalRandom } from '../../src/init.js';
import { mobilenetV2, mobilenetV3Small, resnet18 } from '../../src/models/index.js';
import type { Module } from '../../src/nn/module.js';
import { noGrad } from '../../src/autograd/graph.js';
import type { Tensor } from '../../src/tensor.js';
import { MODEL_TOLERANCE } from '../agreement.js';
import type { SimdnetEngine } from '../engines.js';
import { ortTask, useBuilderBackend } from '../ort.js';
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

/** How simdnet runs a network: model.predict, or a plan from model.compile. */
export type ModelMode = 'eager' | 'compiled';

/** The model with seeded weights and BatchNorm statistics from one training pass, in eval mode. */
export function buildCalibrated(c: ModelCase): Module {
  const model = withGlobalRandom(new Random(61), c.build);
  noGrad(() => model.forward(uniformTensor([2, 3, 224, 224], 62)));
  return model.eval();
}

/** simdnet's task for a model on one backend: predict, or a plan compiled here (untimed). */
export function simdnetModelTask(engine: SimdnetEngine, model: Module, x: Tensor, mode: ModelMode): Task {
  const be = engine.backend;
  if (mode === 'compiled') {
    setBackend(be);
    const plan = model.compile({ inputShape: [...x.shape], backend: be });
    return { check: () => [plan.run(x).data], run: () => void plan.run(x), dispose: () => plan.dispose() };
  }
  const predict = (): Tensor => {
    setBackend(be);
    return model.predict(x, { batchSize: x.shape[0] });
  };
  // The logits are copied out (a wasm tensor's view is valid only until the next op) and
  // the output freed at once, as a user's loop would.
  const once = (): Float32Array => {
    const y = predict();
    const out = y.data.slice();
    y.dispose();
    return out;
  };
  return { check: () => [once()], run: () => void predict().dispose(), dispose() {} };
}

/** The row name's suffix for a mode: compiled rows end in " compiled". */
export function modeSuffix(mode: ModelMode): string {
  return mode === 'compiled' ? ' compiled' : '';
}

export function modelWorkload(c: ModelCase, mode: ModelMode = 'eager'): Workload {
  const how = mode === 'compiled' ? 'model.compile({ inputShape }) once, then plan.run' : 'model.predict';
  return {
    name: `e2e/${c.label} inference b${c.batch}${modeSuffix(mode)}`,
    shape: `batch ${c.batch}, 3×224×224${mode === 'compiled' ? ', compiled' : ''}`,
    description: `${c.label} (torchvision's architecture, simdnet's builder) forward in eval mode on ${c.batch} 224×224 image${c.batch > 1 ? 's' : ''} → logits [${c.batch}, 1000]; simdnet: ${how}; onnxruntime: the same weights via toOnnx`,
    kind: `${c.label} inference${modeSuffix(mode)}`,
    unit: 'img/s',
    work: c.batch,
    tolerance: MODEL_TOLERANCE,
    heavy: true,
    onlySimdnet: 'the network is not written for TF.js here',
    ort: true,
    create() {
      const x = uniformTensor([c.batch, 3, 224, 224], 63);
      return {
        async prepare(engine): Promise<Task> {
          if (engine.kind === 'ort') {
            await useBuilderBackend();
            return ortTask(engine, buildCalibrated(c), x);
          }
          if (engine.kind !== 'simdnet') throw new Error(`${c.label}: no ${engine.id} counterpart`);
          setBackend(engine.backend);
          return simdnetModelTask(engine, buildCalibrated(c), x, mode);
        },
      };
    },
  };
}
