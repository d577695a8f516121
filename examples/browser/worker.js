// The training worker: all the heavy work happens here, so the page keeps drawing.
// Messages in:  { type: 'train', engine, images, epochs, batchSize, learningRate, seed }
//               { type: 'stop' }  (aborts fit through its AbortSignal; the partial model is kept)
// Messages out: { type: 'progress', epoch, batch, batches, loss, done, total, imagesPerSecond }
//               { type: 'done', model: ArrayBuffer, seen, seconds, testAccuracy, testCount, stopped, backend, variant,
//                 threads, threadsFallback, requested, available }  (training images asked for and served: fewer served → fewer used)
//               { type: 'error', message }
import { startEngine, lenet, fetchMnist, train } from './engine.js';

let engine = null;
let controller = null;

async function run(message) {
  engine ??= await startEngine(message.engine ?? {});
  const data = await fetchMnist(new URL('/data/mnist/', self.location.href), { train: message.images, test: 500 });
  const images = { requested: data.requested.train, available: data.served.train };
  controller = new AbortController();
  const model = lenet(message.seed);
  const started = performance.now();
  const result = await train(model, data, {
    epochs: message.epochs,
    batchSize: message.batchSize,
    learningRate: message.learningRate,
    signal: controller.signal,
    onProgress: (p) => self.postMessage({ type: 'progress', ...p, imagesPerSecond: p.seen / ((performance.now() - started) / 1000) }),
  });
  const bytes = model.save();
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  self.postMessage(
    { type: 'done', model: buffer, seconds: (performance.now() - started) / 1000, ...result, ...images, backend: engine.backend, variant: engine.variant, threads: engine.threads, threadsFallback: engine.threadsFallback },
    [buffer],
  );
}

self.onmessage = ({ data }) => {
  if (data.type === 'stop') controller?.abort();
  else if (data.type === 'train') {
    run(data).catch((error) => self.postMessage({ type: 'error', message: error?.message ?? String(error) }));
  }
};
