// Resident buffers (Backend.allocate): wasm kernels read and write views of their own
// linear memory in place, with the same results as on JavaScript arrays, also when a
// call grows memory between binding its arrays and writing its output.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Conv2dGeometry, Pool2dGeometry } from '../src/backend/backend.js';
import { loadWasmBackend } from '../src/backend/wasm.js';
import { jsBackend } from '../src/backend/js.js';
import { naiveBackend } from '../src/backend/naive.js';
import { conv2dGeometry } from '../src/ops/geometry.js';
import { Random } from '../src/random.js';

let wasm: Backend;
beforeAll(async () => {
  wasm = await loadWasmBackend({ variant: 'simd' });
});

function random(n: number, seed: number): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: n }, () => r.uniform(-1, 1));
}

/** Copies arrays into one resident buffer; returns a function giving fresh views of them. */
function residentCopies(be: Backend, arrays: Float32Array[]): { views: () => Float32Array[]; release: () => void } {
  const total = arrays.reduce((s, a) => s + a.length, 0);
  const buffer = be.allocate(total);
  const offsets: number[] = [];
  let at = 0;
  for (const a of arrays) {
    offsets.push(at);
    buffer.view(at, a.length).set(a);
    at += a.length;
  }
  return { views: () => arrays.map((a, i) => buffer.view(offsets[i], a.length)), release: () => buffer.release() };
}

describe('resident buffers', () => {
  it('naive and js buffers are zeroed arrays; views are checked', () => {
    for (const be of [naiveBackend, jsBackend]) {
      const b = be.allocate(8);
      expect(Array.from(b.view(0, 8))).toEqual(new Array(8).fill(0));
      expect(() => b.view(4, 5)).toThrow(/BackendBuffer.view: \[4, 4 \+ 5\) is outside the buffer of 8 floats/);
      b.release();
      expect(() => b.view(0, 1)).toThrow(/released/);
    }
    expect(() => jsBackend.allocate(-1)).toThrow(/allocate: floats must be an integer/);
  });

  it('conv2d (GEMM, batched, depthwise), relu, addBias, pools and gemm agree with the copying path', () => {
    const cases: [string, Conv2dGeometry][] = [
      ['gemm path', conv2dGeometry('t', [1, 8, 12, 12], [16, 8, 3, 3], { padding: 1 })],
      ['batched', conv2dGeometry('t', [4, 3, 9, 9], [6, 3, 3, 3], {})],
      ['depthwise', conv2dGeometry('t', [2, 8, 10, 10], [8, 1, 3, 3], { padding: 1, groups: 8 })],
      ['pointwise', conv2dGeometry('t', [1, 8, 7, 7], [5, 8, 1, 1], {})],
    ];
    for (const [label, g] of cases) {
      const x = random(g.batch * g.inChannels * g.inHeight * g.inWidth, 1);
      const w = random(g.outChannels * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth, 2);
      const b = random(g.outChannels, 3);
      const ySize = g.batch * g.outChannels * g.outHeight * g.outWidth;
      const want = new Float32Array(ySize);
      wasm.conv2d(g, x, w, b, want);
      const r = residentCopies(wasm, [x, w, b, new Float32Array(ySize)]);
      const [rx, rw, rb, ry] = r.views();
      wasm.conv2d(g, rx, rw, rb, ry);
      expect(Array.from(r.views()[3]), label).toEqual(Array.from(want));
      expect(Array.from(r.views()[0]), `${label}: x unchanged`).toEqual(Array.from(x));
      r.release();
    }
    const x = random(300, 4);
    const r = residentCopies(wasm, [x, new Float32Array(300), random(3, 5)]);
    const [rx, ry] = r.views();
    wasm.relu(rx, ry);
    const relu = new Float32Array(300);
    wasm.relu(x, relu);
    expect(Array.from(r.views()[1])).toEqual(Array.from(relu));
    expect(Array.from(r.views()[0])).toEqual(Array.from(x));
    const [, ry2, rb2] = r.views();
    wasm.addBias(ry2, rb2, 4, 3, 25, ry2);
    const biased = new Float32Array(300);
    wasm.addBias(relu, random(3, 5), 4, 3, 25, biased);
    expect(Array.from(r.views()[1])).toEqual(Array.from(biased));
    r.release();
    const pg: Pool2dGeometry = {
      batch: 2, channels: 3, inHeight: 6, inWidth: 6, outHeight: 3, outWidth: 3, kernelHeight: 2, kernelWidth: 2,
      strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, dilationHeight: 1, dilationWidth: 1, ceilMode: false, countIncludePad: true,
    } as Pool2dGeometry;
    const px = random(216, 6);
    const maxWant = new Float32Array(54);
    const argWant = new Int32Array(54);
    wasm.maxPool2d(pg, px, maxWant, argWant);
    const avgWant = new Float32Array(54);
    wasm.avgPool2d(pg, px, avgWant);
    const p = residentCopies(wasm, [px, new Float32Array(54), new Float32Array(54)]);
    const arg = new Int32Array(54);
    wasm.maxPool2d(pg, p.views()[0], p.views()[1], arg);
    wasm.avgPool2d(pg, p.views()[0], p.views()[2]);
    expect(Array.from(p.views()[1])).toEqual(Array.from(maxWant));
    expect(Array.from(arg)).toEqual(Array.from(argWant));
    expect(Array.from(p.views()[2])).toEqual(Array.from(avgWant));
    p.release();
  });

  it('a call that grows memory after binding still writes its resident output', () => {
    // A small resident output, then a convolution whose column scratch exceeds the memory
    // there is: the grow detaches the views the caller passed, the result must still land.
    const g = conv2dGeometry('t', [1, 64, 96, 96], [8, 64, 3, 3], { padding: 1 });
    const x = random(64 * 96 * 96, 7);
    const w = random(8 * 64 * 9, 8);
    const want = new Float32Array(8 * 96 * 96);
    wasm.conv2d(g, x, w, null, want);
    const r = residentCopies(wasm, [x, w, new Float32Array(8 * 96 * 96)]);
    // A block as large as the memory: the top is then close to the end (memory grows by a
    // quarter at most past a request), and the 21 MB column scratch must grow it again.
    const filler = wasm.allocate(Math.floor((wasm as unknown as { memoryBytes: number }).memoryBytes / 4));
    const before = (wasm as unknown as { memoryBytes: number }).memoryBytes;
    const [rx, rw, ry] = r.views();
    wasm.conv2d(g, rx, rw, null, ry);
    expect((wasm as unknown as { memoryBytes: number }).memoryBytes, "the call grew memory").toBeGreaterThan(before);
    expect(Array.from(r.views()[2])).toEqual(Array.from(want));
    filler.release();
    r.release();
  });
});
