// Classifies an image with an ONNX model: prints the 5 most likely classes.
//   npx tsx examples/onnx/classify.ts model.onnx image.png [--labels labels.txt] [--size 224]
// model.onnx comes from examples/onnx/export.py (any torchvision classifier); it also
// writes <model>.labels.txt when the weights carry class names, which is read by default.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { init, loadOnnx, noGrad, softmax } from '../../src/index.js';
import { loadImage } from './image.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { labels: { type: 'string' }, size: { type: 'string' } } });
const [modelPath, imagePath] = positionals;
if (!modelPath || !imagePath) {
  console.error('usage: npx tsx examples/onnx/classify.ts model.onnx image.(png|jpg) [--labels labels.txt] [--size 224]');
  process.exit(2);
}
const labelsPath = values.labels ?? modelPath.replace(/\.onnx$/, '.labels.txt');
const labels = existsSync(labelsPath) ? readFileSync(labelsPath, 'utf8').split('\n').filter((l) => l.length > 0) : null;

await init({ backend: 'wasm' });
const started = performance.now();
const model = loadOnnx(readFileSync(modelPath));
const loaded = performance.now();
model.eval();
const x = loadImage(imagePath, Number(values.size ?? 224));
const logits = noGrad(() => model.forward(x));
const done = performance.now();
const probs = softmax(logits).data;
const top = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]).slice(0, 5);
console.log(`${modelPath}: ${model.inputs[0].name} ${JSON.stringify(model.inputs[0].shape)} → ${model.outputs[0].name}; loaded in ${(loaded - started).toFixed(0)} ms, ran in ${(done - loaded).toFixed(0)} ms`);
for (const i of top) console.log(`${(100 * probs[i]).toFixed(2).padStart(6)}%  ${i}${labels ? `  ${labels[i] ?? '?'}` : ''}`);
