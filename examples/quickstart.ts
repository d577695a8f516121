// The README's quick start: define, train, save, load, predict (run: npx tsx examples/quickstart.ts).
import { writeFile, readFile } from 'node:fs/promises';
import {
  init, setSeed, loadMnist, Sequential, Conv2d, ReLU, MaxPool2d, Flatten, Linear, SGD, CrossEntropyLoss,
} from '../src/index.js';

const backend = await init(); // 'wasm' (best SIMD variant the engine validates), else 'js'
setSeed(1); // initial weights, shuffling and dropout become reproducible
const { trainImages, trainLabels, testImages, testLabels } = await loadMnist({ train: 10000, test: 1000, normalize: true });

const model = new Sequential([
  new Conv2d({ inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2 }), new ReLU(), new MaxPool2d({ kernelSize: 2 }),
  new Conv2d({ inChannels: 6, outChannels: 16, kernelSize: 5 }), new ReLU(), new MaxPool2d({ kernelSize: 2 }),
  new Flatten(), new Linear({ inFeatures: 400, outFeatures: 120 }), new ReLU(),
  new Linear({ inFeatures: 120, outFeatures: 84 }), new ReLU(), new Linear({ inFeatures: 84, outFeatures: 10 }),
]);
await model.fit(trainImages, trainLabels, {
  epochs: 1, batchSize: 64, loss: new CrossEntropyLoss(),
  optimizer: new SGD(model.parameters(), { lr: 0.02, momentum: 0.9 }),
});
await writeFile('lenet.simdnet', model.save());

const loaded = Sequential.load(await readFile('lenet.simdnet'));
const { accuracy } = loaded.evaluate(testImages, testLabels);
const logits = loaded.predict(testImages); // [1000, 10] class scores
console.log(`backend ${backend.name}: test accuracy ${(accuracy * 100).toFixed(1)}%, first prediction ${argmax(logits.data.subarray(0, 10))} (label ${testLabels[0]})`);

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}
