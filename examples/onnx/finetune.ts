// Fine-tunes an imported ONNX classifier on MNIST: the backbone frozen, its last Linear
// replaced by a fresh 10-class head, only the head trained (or everything, with --all).
//   npx tsx examples/onnx/finetune.ts model.onnx [--epochs 2] [--train 6000] [--all] [--lr 0.01] [--out tuned.onnx]
// Any image classifier whose last layer is a Gemm works: MNIST digits are repeated over
// the model's input channels and resized to its input size. Without an argument it uses
// the small residual net of test/fixtures/onnx-models/resnet.onnx (random weights).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Adam, Linear, Tensor, concat, init, loadMnist, loadOnnx, noGrad, resize, toOnnx } from '../../src/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { epochs: { type: 'string' }, train: { type: 'string' }, all: { type: 'boolean' }, lr: { type: 'string' }, out: { type: 'string' } },
});
const modelPath = positionals[0] ?? new URL('../../test/fixtures/onnx-models/resnet.onnx', import.meta.url).pathname;
await init({ backend: 'wasm' });
const model = loadOnnx(readFileSync(modelPath));
const [, channels, height, width] = model.inputs[0].shape.map(Number);
if (![channels, height, width].every(Number.isInteger)) throw new Error(`${modelPath}: needs a static [N, C, H, W] input, has ${JSON.stringify(model.inputs[0].shape)}`);

// The head: the last Linear in the module tree (an imported Gemm becomes a Linear).
const linears = model.namedModules().filter(([, m]) => m instanceof Linear) as [string, Linear][];
if (linears.length === 0) throw new Error(`${modelPath}: no Linear (Gemm) layer to replace`);
const [headName, oldHead] = linears[linears.length - 1];
if (!values.all) model.requiresGrad = false;
model.setSubmodule(headName, new Linear({ inFeatures: oldHead.inFeatures, outFeatures: 10 }));
console.log(`${modelPath}: replaced '${headName}' (${oldHead.inFeatures} → ${oldHead.outFeatures}) by a 10-class head; training ${values.all ? 'every parameter' : 'the head only'}`);

/** MNIST [N, 1, 28, 28] → [N, channels, height, width]. */
const toModelInput = (x: Tensor): Tensor =>
  noGrad(() => {
    const sized = height === 28 && width === 28 ? x : resize(x, { size: [height, width], mode: 'bilinear' });
    return channels === 1 ? sized : concat(Array.from({ length: channels }, () => sized), 1);
  });
const mnist = await loadMnist({ train: Number(values.train ?? 6000), test: 2000, normalize: true });
const trainX = toModelInput(mnist.trainImages);
const testX = toModelInput(mnist.testImages);

const trainable = model.parameters().filter((p) => p.requiresGrad);
const history = await model.fit(trainX, mnist.trainLabels, {
  epochs: Number(values.epochs ?? 2), batchSize: 64, optimizer: new Adam(trainable, { lr: Number(values.lr ?? (values.all ? 1e-3 : 1e-2)) }), seed: 1,
  onEpochEnd: (e) => console.log(`epoch ${e.epoch + 1}: loss ${e.loss.toFixed(4)}, accuracy ${(100 * e.accuracy).toFixed(2)}% (${e.epochTime.toFixed(1)} s)`),
});
const { accuracy } = model.evaluate(testX, mnist.testLabels);
console.log(`test accuracy ${(100 * accuracy).toFixed(2)}% on ${testX.shape[0]} digits after ${history.loss.length} epochs`);
if (values.out) {
  writeFileSync(values.out, toOnnx(model, { inputShape: [1, channels, height, width] }));
  console.log(`wrote ${values.out}`);
}
