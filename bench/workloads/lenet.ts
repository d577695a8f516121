// LeNet-5 end to end, through the model API exactly as a user runs it: a training step
// (batch 64: forward on the tape, cross-entropy, loss.backward(), SGD step) and inference (predict, batch 256).
// TF.js gets the same network written with tfjs-core ops (tf.layers is not in tfjs-core):
// fused conv/matMul with bias + ReLU as tf.layers would run them, tf.variableGrads and
// tf.train.sgd, starting from the same weights. onnxruntime runs the inference rows on the
// same weights exported with toOnnx; inference has an eager and a compiled row.
import type { Tensor as TfTensor, Variable } from '@tensorflow/tfjs-core';
import { setBackend } from '../../src/backend/registry.js';
import { CrossEntropyLoss } from '../../src/losses.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../../src/nn/index.js';
import { SGD } from '../../src/train/optim/index.js';
import { Random } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';
import { tidy } from '../../src/tensor-scope.js';
import { MODEL_TOLERANCE } from '../agreement.js';
import type { TfjsEngine } from '../engines.js';
import { ortTask, useBuilderBackend } from '../ort.js';
import { modeSuffix, simdnetModelTask, type ModelMode } from './models.js';
import { hwioToOihw, nchwToNhwc, oihwToHwio, transpose2d } from '../tfjs.js';
import { useTfBackend } from '../tfjs.js';
import { uniformTensor } from './common.js';
import type { Task, Workload } from './common.js';

const WEIGHT_SEED = 41;
const LR = 0.01;

/** Classic LeNet-5, as the MNIST example's 'lenet' model (ReLU, max pooling, no BatchNorm),
 * with weights from a fixed seed. */
export function buildLenet(): Sequential {
  const random = new Random(WEIGHT_SEED);
  return new Sequential([
    new Conv2d({ inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2, random }),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Conv2d({ inChannels: 6, outChannels: 16, kernelSize: 5, random }),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Flatten(),
    new Linear({ inFeatures: 400, outFeatures: 120, random }),
    new ReLU(),
    new Linear({ inFeatures: 120, outFeatures: 84, random }),
    new ReLU(),
    new Linear({ inFeatures: 84, outFeatures: 10, random }),
  ]);
}

/** fc1 rows are indexed by the NCHW flatten (c·25 + y·5 + x); TF.js flattens NHWC
 * ((y·5 + x)·16 + c). This maps a TF.js flat index to ours. */
function nchwIndexOfNhwcFlat(j: number): number {
  const c = j % 16;
  const yx = (j - c) / 16;
  return c * 25 + yx;
}

/** simdnet parameter values (in model.parameters() order) → TF.js variable layouts. */
function toTfLayouts(values: Float32Array[]): { data: Float32Array; shape: number[] }[] {
  const [c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b, f3w, f3b] = values;
  const f1 = new Float32Array(400 * 120);
  for (let j = 0; j < 400; j++) for (let o = 0; o < 120; o++) f1[j * 120 + o] = f1w[o * 400 + nchwIndexOfNhwcFlat(j)];
  return [
    { data: oihwToHwio(c1w, 6, 1, 5, 5), shape: [5, 5, 1, 6] },
    { data: c1b, shape: [6] },
    { data: oihwToHwio(c2w, 16, 6, 5, 5), shape: [5, 5, 6, 16] },
    { data: c2b, shape: [16] },
    { data: f1, shape: [400, 120] },
    { data: f1b, shape: [120] },
    { data: transpose2d(f2w, 84, 120), shape: [120, 84] },
    { data: f2b, shape: [84] },
    { data: transpose2d(f3w, 10, 84), shape: [84, 10] },
    { data: f3b, shape: [10] },
  ];
}

/** TF.js gradients (variable layouts) → simdnet parameter layouts, for the agreement check. */
function fromTfLayouts(grads: Float32Array[]): Float32Array[] {
  const [c1w, c1b, c2w, c2b, f1, f1b, f2w, f2b, f3w, f3b] = grads;
  const f1w = new Float32Array(120 * 400);
  for (let j = 0; j < 400; j++) for (let o = 0; o < 120; o++) f1w[o * 400 + nchwIndexOfNhwcFlat(j)] = f1[j * 120 + o];
  return [hwioToOihw(c1w, 6, 1, 5, 5), c1b, hwioToOihw(c2w, 16, 6, 5, 5), c2b, f1w, f1b, transpose2d(f2w, 120, 84), f2b, transpose2d(f3w, 84, 10), f3b];
}

function tfLenet(engine: TfjsEngine, vars: Variable[], x: TfTensor): TfTensor {
  const tf = engine.tf;
  const [c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b, f3w, f3b] = vars;
  const batch = x.shape[0];
  let h = tf.fused.conv2d({ x: x as never, filter: c1w as never, strides: 1, pad: 'same', bias: c1b, activation: 'relu' });
  h = tf.maxPool(h, 2, 2, 'valid');
  h = tf.fused.conv2d({ x: h, filter: c2w as never, strides: 1, pad: 'valid', bias: c2b, activation: 'relu' });
  h = tf.maxPool(h, 2, 2, 'valid');
  let f = tf.reshape(h, [batch, 400]) as TfTensor;
  f = tf.fused.matMul({ a: f as never, b: f1w as never, bias: f1b, activation: 'relu' });
  f = tf.fused.matMul({ a: f as never, b: f2w as never, bias: f2b, activation: 'relu' });
  return tf.fused.matMul({ a: f as never, b: f3w as never, bias: f3b });
}

function makeData(batch: number): { x: Tensor; labels: Int32Array } {
  const x = uniformTensor([batch, 1, 28, 28], 51);
  x.data.forEach((v, i) => (x.data[i] = (v + 1) / 2)); // pixel-like values in [0, 1)
  const rng = new Random(52);
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = rng.int(10);
  return { x, labels };
}

async function tfSetup(engine: TfjsEngine, x: Tensor) {
  const tf = engine.tf;
  await useTfBackend(tf, engine.backendName);
  const initial = toTfLayouts(buildLenet().parameters().map((p) => p.data));
  const vars = initial.map((v, i) => tf.variable(tf.tensor(v.data, v.shape), true, `lenet_bench_${engine.id}_${i}_${Math.random()}`));
  const [n] = x.shape;
  const xs = tf.tensor4d(nchwToNhwc(x.data, n, 1, 28, 28), [n, 28, 28, 1]);
  return { tf, vars, xs };
}

export function lenetTrainWorkload(batch = 64): Workload {
  return {
    name: `e2e/lenet train-step b${batch}`,
    shape: `batch ${batch}, 28×28 images`,
    description: `LeNet-5 (conv 6@5×5 pad 2, pool, conv 16@5×5, pool, fc 120, 84, 10; ReLU) training step on ${batch} 28×28 images: forward, cross-entropy, backward, SGD (lr ${LR})`,
    kind: 'lenet train',
    unit: 'img/s',
    work: batch,
    tolerance: MODEL_TOLERANCE,
    heavy: false,
    ort: 'onnxruntime runs inference only here (no training step)',
    create() {
      const { x, labels } = makeData(batch);
      return {
        async prepare(engine): Promise<Task> {
          if (engine.kind === 'simdnet') {
            const be = engine.backend;
            const model = buildLenet();
            const lossFn = new CrossEntropyLoss();
            const opt = new SGD(model.parameters(), { lr: LR });
            let loss = NaN;
            // One step in a tidy scope, as fit runs it: its activations are freed at its end.
            const step = (): void => tidy(() => {
              setBackend(be);
              model.zeroGrad();
              const out = lossFn.forward(model.forward(x), labels);
              out.backward();
              opt.step();
              loss = out.item();
            });
            return {
              check: () => {
                step();
                // Output 0 is the loss, outputs 1–10 the gradients in model.parameters() order.
                return [Float32Array.of(loss), ...model.parameters().map((p) => (p.grad as Tensor).data.slice())];
              },
              run: step,
              dispose() {},
            };
          }
          if (engine.kind !== 'tfjs') throw new Error(`${engine.id}: no training step here`);
          const { tf, vars, xs } = await tfSetup(engine, x);
          const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
          const opt = tf.train.sgd(LR);
          const lossOf = (): TfTensor => tf.losses.softmaxCrossEntropy(onehot, tfLenet(engine, vars, xs)) as TfTensor;
          return {
            activate: () => useTfBackend(tf, engine.backendName),
            check: () => {
              let outputs: Float32Array[] = [];
              tf.tidy(() => {
                const { value, grads } = tf.variableGrads(lossOf as never, vars);
                const read = vars.map((v) => grads[v.name].dataSync() as Float32Array);
                outputs = [Float32Array.of(value.dataSync()[0]), ...fromTfLayouts(read)];
                opt.applyGradients(grads);
              });
              return outputs;
            },
            run: () =>
              tf.tidy(() => {
                const { grads } = tf.variableGrads(lossOf as never, vars);
                opt.applyGradients(grads);
              }),
            dispose() {
              for (const t of [...vars, xs, onehot]) t.dispose();
              opt.dispose();
            },
          };
        },
      };
    },
  };
}

export function lenetInferenceWorkload(batch = 256, mode: ModelMode = 'eager'): Workload {
  const how = mode === 'compiled' ? 'model.compile({ inputShape }) once, then plan.run' : 'model.predict';
  return {
    name: `e2e/lenet inference b${batch}${modeSuffix(mode)}`,
    shape: `batch ${batch}, 28×28 images${mode === 'compiled' ? ', compiled' : ''}`,
    description: `LeNet-5 forward (eval mode) on ${batch} 28×28 images → logits [${batch}, 10]; simdnet: ${how}; TF.js and onnxruntime: the same weights`,
    kind: `lenet inference${modeSuffix(mode)}`,
    unit: 'img/s',
    work: batch,
    tolerance: MODEL_TOLERANCE,
    heavy: false,
    ort: true,
    create() {
      const { x } = makeData(batch);
      return {
        async prepare(engine): Promise<Task> {
          if (engine.kind === 'simdnet') {
            setBackend(engine.backend);
            return simdnetModelTask(engine, buildLenet().eval(), x, mode);
          }
          if (engine.kind === 'ort') {
            await useBuilderBackend();
            return ortTask(engine, buildLenet().eval(), x);
          }
          const { tf, vars, xs } = await tfSetup(engine, x);
          return {
            activate: () => useTfBackend(tf, engine.backendName),
            check: () => {
              let logits: Float32Array = new Float32Array(0);
              tf.tidy(() => { logits = tfLenet(engine, vars, xs).dataSync() as Float32Array; });
              return [logits];
            },
            run: () => tf.tidy(() => void tfLenet(engine, vars, xs)),
            dispose() {
              for (const t of [...vars, xs]) t.dispose();
            },
          };
        },
      };
    },
  };
}
