// Everything the page and the worker ask of simdnet, in one place: start a backend, build
// LeNet, load a saved model, predict, read the served MNIST subset.
import * as simdnet from '../../dist/simdnet.browser.js';

/** Models see standardized pixels, (p − mean) / std with MNIST's training statistics, as
 * `npm start` trains them (loadMnist({ normalize: true })): one convention for every
 * model file the page loads or trains. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/**
 * Starts the engine: wasm (the best variant, or a forced one) unless { backend: 'js' },
 * on `threads` threads (default: simdnet's, the available cores). Returns { backend,
 * variant, threads, threadsFallback, fallback } as actually in use: threadsFallback says
 * why wasm runs on fewer threads (e.g. a page that is not cross-origin isolated), fallback
 * why it is not wasm at all. A page without WebAssembly (or with it blocked) falls back
 * to the js backend and says why; a forced variant the browser lacks is an error rather
 * than a silent switch.
 */
export async function startEngine({ backend = 'wasm', variant, threads } = {}) {
  const js = (fallback) => ({ backend: 'js', variant: null, threads: 1, threadsFallback: null, fallback });
  if (backend === 'wasm') {
    if (typeof WebAssembly === 'object' || variant) {
      try {
        const loaded = await simdnet.init({ backend: 'wasm', variant, threads });
        return { backend: loaded.name, variant: loaded.variant ?? null, threads: loaded.threads, threadsFallback: loaded.threadsFallback, fallback: null };
      } catch (error) {
        if (variant || threads !== undefined) throw error;
        await simdnet.init({ backend: 'js' });
        return js(error.message);
      }
    }
    await simdnet.init({ backend: 'js' });
    return js('this browser has no WebAssembly');
  }
  if (backend !== 'js' && backend !== 'naive') throw new Error(`unknown backend '${backend}' (expected wasm, js or naive)`);
  const loaded = await simdnet.init({ backend });
  return { backend: loaded.name, variant: null, threads: 1, threadsFallback: null, fallback: null };
}

/** What runs, for a status line: "wasm relaxed ×2", "wasm scalar ×1 (threads: why)", "js". */
export function describeEngine({ backend, variant, threads, threadsFallback }) {
  if (backend !== 'wasm') return backend;
  return `wasm ${variant} ×${threads}${threadsFallback ? ` (threads: ${threadsFallback})` : ''}`;
}

/** LeNet-5 for 1×28×28 digits, returning logits (`npm start -- --model lenet`; its
 * default, lenet-wide, adds BatchNorm2d and 8 first-layer channels). */
export function lenet(seed = 1) {
  const random = new simdnet.Random(seed);
  return new simdnet.Sequential([
    new simdnet.Conv2d({ inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2, random }),
    new simdnet.ReLU(),
    new simdnet.MaxPool2d({ kernelSize: 2 }),
    new simdnet.Conv2d({ inChannels: 6, outChannels: 16, kernelSize: 5, random }),
    new simdnet.ReLU(),
    new simdnet.MaxPool2d({ kernelSize: 2 }),
    new simdnet.Flatten(),
    new simdnet.Linear({ inFeatures: 16 * 5 * 5, outFeatures: 120, random }),
    new simdnet.ReLU(),
    new simdnet.Linear({ inFeatures: 120, outFeatures: 84, random }),
    new simdnet.ReLU(),
    new simdnet.Linear({ inFeatures: 84, outFeatures: 10, random }),
  ]);
}

/** A model from the bytes of a saved model file. */
export function loadModel(bytes) {
  return simdnet.Sequential.load(bytes);
}

/** The model as the bytes of an ONNX file for 1×28×28 digits (toOnnx traces one forward
 * of a [1, 1, 28, 28] input), with a symbolic batch so any batch size runs. */
export function exportOnnx(model) {
  return simdnet.toOnnx(model, { inputShape: [1, 1, 28, 28], dynamicBatch: true });
}

/** Class probabilities (Float32Array(10)) for one 28×28 image given as 784 values in [0, 1]. */
export function predict(model, pixels) {
  const x = new simdnet.Tensor(Float32Array.from(pixels, (p) => (p - MNIST_MEAN) / MNIST_STD), [1, 1, 28, 28]);
  return simdnet.tidy(() => simdnet.softmax(model.predict(x)).data.slice()); // a copy outlives the scope
}

/**
 * Trains `model` on data.trainImages/trainLabels with Adam, reporting every batch through
 * onProgress({ epoch, batch, batches, loss, seen, done, total }). An abort through `signal`
 * ends training early and keeps the weights of the last finished step.
 * Resolves to { seen, stopped, testAccuracy, testCount }.
 */
export async function train(model, data, { epochs = 1, batchSize = 32, learningRate = 0.001, seed = 1, signal, onProgress } = {}) {
  const n = data.trainImages.shape[0];
  const total = epochs * Math.ceil(n / batchSize);
  let done = 0;
  let seen = 0;
  let stopped = false;
  try {
    await model.fit(data.trainImages, data.trainLabels, {
      epochs,
      batchSize,
      seed,
      optimizer: new simdnet.Adam(model.parameters(), { lr: learningRate }),
      signal,
      onBatchEnd: (info) => {
        done++;
        seen = info.epoch * n + info.samples;
        onProgress?.({ epoch: info.epoch, batch: info.batch, batches: info.batches, loss: info.loss, seen, done, total });
      },
    });
  } catch (error) {
    if (error?.name !== 'AbortError') throw error;
    stopped = true;
  }
  const testCount = data.testImages.shape[0];
  const testAccuracy = testCount > 0 ? model.evaluate(data.testImages, data.testLabels).accuracy : null;
  return { seen, stopped, testAccuracy, testCount };
}

/** The served MNIST subset as standardized tensors, with the counts capped by what the
 * server cut; `served` says how many it has and `requested` what was asked for, so the
 * page can say when it trains on fewer images than asked. */
export async function fetchMnist(base, { train, test } = {}) {
  const part = async (name) => {
    const res = await fetch(new URL(`${name}.idx`, base));
    if (!res.ok) throw new Error(`MNIST ${name}: HTTP ${res.status} (start the page with \`npm run demo\`)`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    ['train-images', 'train-labels', 'test-images', 'test-labels'].map(part),
  );
  const served = { train: (trainLabels.length - 8), test: (testLabels.length - 8) };
  const data = simdnet.parseMnist(
    { trainImages, trainLabels, testImages, testLabels },
    { train: Math.min(train ?? served.train, served.train), test: Math.min(test ?? served.test, served.test), normalize: true },
  );
  return { ...data, served, requested: { train: train ?? served.train, test: test ?? served.test } };
}

export { simdnet };
