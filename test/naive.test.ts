// The naive backend is the ground truth the parity sweeps trust, so its semantics are
// pinned here independently: gemm against hand-computed products and, through the GEMM
// tester, against a float64 triple loop on every shape the fast GEMMs are tested on
// (DEFAULT_TOLERANCE: naive accumulates in float64 too, so only its float32 result rounds),
// im2col/col2im as an adjoint pair, conv as im2col + GEMM, groups as separate convolutions,
// and the NaN/overflow edge rules of the elementwise kernels. Last, that no op (on any backend)
// writes into its inputs.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend/backend.js';
import { naiveBackend as naive } from '../src/backend/naive.js';
import { jsBackend } from '../src/backend/js.js';
import { loadWasmBackend } from '../src/backend/wasm.js';
import { Random } from '../src/random.js';
import { Tensor, tensor, zeros } from '../src/tensor.js';
import {
  avgPool2d, avgPool2dBackward, col2im, conv2d, conv2dBackward, gemm, im2col, leakyRelu, linear, linearBackward, logSoftmax, maxPool2dWithIndices, maxPool2dBackward,
  relu, sigmoid, softmax, tanh,
} from '../src/ops/index.js';
import { DEFAULT_TOLERANCE } from './support/compare.js';
import { expectGemm, gemmCases } from './support/gemm.js';
import { randomTensor } from './support/random.js';

const A = [[1, 2, 3], [4, 5, 6]]; // 2×3
const B = [[1, -1], [0, 2], [3, 1]]; // 3×2
const AB = [[10, 6], [22, 12]];
const transpose = (m: number[][]) => m[0].map((_, j) => m.map((row) => row[j]));

describe('naive gemm', () => {
  it('plain product', () => {
    expect(gemm(tensor(A), tensor(B), {}, naive).toArray()).toEqual(AB.flat());
  });
  it('transA reads a stored [k, m]', () => {
    expect(gemm(tensor(transpose(A)), tensor(B), { transA: true }, naive).toArray()).toEqual(AB.flat());
  });
  it('transB reads b stored [n, k]', () => {
    expect(gemm(tensor(A), tensor(transpose(B)), { transB: true }, naive).toArray()).toEqual(AB.flat());
  });
  it('both transposed', () => {
    expect(gemm(tensor(transpose(A)), tensor(transpose(B)), { transA: true, transB: true }, naive).toArray()).toEqual(AB.flat());
  });
  it('alpha scales, beta 1 (the default with c) accumulates into c', () => {
    const c = tensor([[1, 1], [1, 1]]);
    const out = gemm(tensor(A), tensor(B), { alpha: 0.5, c }, naive);
    expect(out).toBe(c);
    expect(c.toArray()).toEqual(AB.flat().map((v) => 0.5 * v + 1));
  });
  it('beta 2 scales the old c', () => {
    const c = tensor([[1, 2], [3, 4]]);
    gemm(tensor(A), tensor(B), { beta: 2, c }, naive);
    expect(c.toArray()).toEqual([12, 10, 28, 20]);
  });
  it('beta 0 ignores c, even NaN and Infinity', () => {
    const c = tensor([[NaN, Infinity], [-Infinity, NaN]]);
    gemm(tensor(A), tensor(B), { beta: 0, c }, naive);
    expect(c.toArray()).toEqual(AB.flat());
  });
  it('the GEMM tester: every partial tile of an 8×8 blocking, k = 0, block edges, large products', () => {
    expectGemm(naive, gemmCases({ mr: 8, nr: 8, mc: 64, nc: 256, kc: 256 }), DEFAULT_TOLERANCE);
  });
});

describe('naive im2col / col2im', () => {
  const shapes: { x: number[]; options: Parameters<typeof im2col>[1] }[] = [
    { x: [2, 3, 5, 4], options: { kernelSize: [3, 2] } },
    { x: [1, 2, 7, 6], options: { kernelSize: 3, stride: [2, 3], padding: [1, 0, 2, 1], dilation: [1, 2] } },
    { x: [1, 1, 4, 4], options: { kernelSize: 2, padding: 'same' } },
  ];

  for (const s of shapes) {
    it(`col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)> for ${JSON.stringify(s)}`, () => {
      const rng = new Random(3);
      const x = randomTensor(s.x, rng);
      const cols = im2col(x, s.options, naive);
      const c = randomTensor([...cols.shape], rng);
      const back = col2im(c, s.x, s.options, naive);
      let left = 0;
      let right = 0;
      for (let i = 0; i < cols.size; i++) left += cols.data[i] * c.data[i];
      for (let i = 0; i < x.size; i++) right += x.data[i] * back.data[i];
      // Both sides sum float32 products in float64; they differ only by col2im's float32 store.
      expect(Math.abs(left - right)).toBeLessThan(1e-5 * Math.max(1, Math.abs(left)));
    });
  }

  it('padding taps are zero and each column is one window', () => {
    const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const cols = im2col(x, { kernelSize: 2, padding: [1, 0, 1, 0] }, naive); // 4 taps × 4 windows
    expect(cols.shape).toEqual([1, 4, 4]);
    // rows: tap (0,0), (0,1), (1,0), (1,1); columns: windows at (-1,-1), (-1,0), (0,-1), (0,0)
    expect(cols.toArray()).toEqual([0, 0, 0, 1, 0, 0, 1, 2, 0, 1, 0, 3, 1, 2, 3, 4]);
  });
});

describe('naive conv2d', () => {
  it('equals w · im2col(x) + b (the seeds\' GEMM formulation)', () => {
    const rng = new Random(4);
    const options = { stride: 2, padding: [1, 2, 0, 1] as const, dilation: [2, 1] as [number, number] };
    const x = randomTensor([2, 3, 7, 6], rng);
    const w = randomTensor([4, 3, 3, 2], rng);
    const b = randomTensor([4], rng);
    const y = conv2d(x, w, b, options, naive);
    const cols = im2col(x, { kernelSize: [3, 2], ...options }, naive);
    const [, rows, positions] = cols.shape;
    const wm = w.reshape([4, rows]);
    for (let n = 0; n < 2; n++) {
      const colsN = new Tensor(cols.data.subarray(n * rows * positions, (n + 1) * rows * positions), [rows, positions]);
      const z = gemm(wm, colsN, {}, naive).toArray().map((v, i) => v + b.data[Math.floor(i / positions)]);
      const yn = Array.from(y.data.subarray(n * 4 * positions, (n + 1) * 4 * positions));
      for (let i = 0; i < z.length; i++) expect(yn[i]).toBeCloseTo(z[i], 5);
    }
  });

  it('groups are independent convolutions over channel slices, concatenated', () => {
    const rng = new Random(5);
    const x = randomTensor([2, 4, 5, 5], rng);
    const w = randomTensor([6, 2, 3, 3], rng);
    const y = conv2d(x, w, null, { groups: 2, padding: 1 }, naive);
    /** Channels [from, to) of an NCHW-like tensor. */
    const slice = (t: Tensor, from: number, to: number) => {
      const [n0, c0, ...rest] = t.shape;
      const inner = rest.reduce((a, b) => a * b, 1);
      const out = zeros([n0, to - from, ...rest]);
      for (let n = 0; n < n0; n++) {
        out.data.set(t.data.subarray((n * c0 + from) * inner, (n * c0 + to) * inner), n * (to - from) * inner);
      }
      return out;
    };
    const w0 = new Tensor(w.data.slice(0, 3 * 18), [3, 2, 3, 3]);
    const w1 = new Tensor(w.data.slice(3 * 18), [3, 2, 3, 3]);
    const y0 = conv2d(slice(x, 0, 2), w0, null, { padding: 1 }, naive);
    const y1 = conv2d(slice(x, 2, 4), w1, null, { padding: 1 }, naive);
    expect(slice(y, 0, 3).toArray()).toEqual(y0.toArray());
    expect(slice(y, 3, 6).toArray()).toEqual(y1.toArray());
  });
});

describe('naive pooling edge rules', () => {
  it('a NaN in a max window wins and propagates (the first NaN)', () => {
    const x = tensor([1, NaN, 3, NaN], [1, 1, 2, 2]);
    const { y, argmax } = maxPool2dWithIndices(x, { kernelSize: 2 }, naive);
    expect(Number.isNaN(y.data[0])).toBe(true);
    expect(Array.from(argmax)).toEqual([1]);
  });
  it('average pooling divides by kH·kW even where the window hangs into the padding', () => {
    const x = tensor([4, 8, 12, 16], [1, 1, 2, 2]);
    expect(avgPool2d(x, { kernelSize: 2, stride: 1, padding: [1, 0, 1, 0] }, naive).toArray()).toEqual([1, 3, 4, 10]);
  });
});

describe('naive elementwise edge rules', () => {
  it('relu keeps NaN, zeroes negatives, keeps positives', () => {
    const y = relu(tensor([-2, 0, 3, NaN]), naive).toArray();
    expect(y.slice(0, 3)).toEqual([0, 0, 3]);
    expect(Number.isNaN(y[3])).toBe(true);
  });
  it('leakyRelu scales negatives by the slope', () => {
    expect(leakyRelu(tensor([-2, 4]), 0.25, naive).toArray()).toEqual([-0.5, 4]);
  });
  it('sigmoid and tanh saturate without overflow', () => {
    expect(sigmoid(tensor([-1000, 0, 1000]), naive).toArray()).toEqual([0, 0.5, 1]);
    expect(tanh(tensor([-1000, 0, 1000]), naive).toArray()).toEqual([-1, 0, 1]);
  });
  it('softmax of huge logits stays finite and sums to 1 per row', () => {
    const y = softmax(tensor([[1000, 1000], [-1000, 0]]), -1, naive).toArray();
    expect(y[0]).toBe(0.5);
    expect(y[1]).toBe(0.5);
    expect(y[2]).toBe(0);
    expect(y[3]).toBe(1);
  });
  it('logSoftmax of huge logits stays finite', () => {
    const y = logSoftmax(tensor([[1000, 1000, 1000, 1000]]), -1, naive).toArray();
    for (const v of y) expect(v).toBeCloseTo(-Math.log(4), 6);
  });
});

const everyBackend: [string, () => Promise<Backend>][] = [
  ['naive', async () => naive],
  ['js', async () => jsBackend],
  ['wasm', () => loadWasmBackend({ variant: 'scalar' })],
];

describe.each(everyBackend)('ops leave their inputs untouched on %s', (_name, load) => {
  it('forward and backward of conv, pooling, linear and activations', async () => {
    const be = await load();
    const rng = new Random(8);
    const x = randomTensor([2, 2, 5, 5], rng);
    const w = randomTensor([3, 2, 3, 3], rng);
    const b = randomTensor([3], rng);
    const dy = randomTensor([2, 3, 3, 3], rng);
    const lw = randomTensor([4, 50], rng);
    const lx = x.reshape([2, 50]);
    const ldy = randomTensor([2, 4], rng);
    const inputs = [x, w, b, dy, lw, ldy];
    const before = inputs.map((t) => t.toArray());
    conv2d(x, w, b, {}, be);
    conv2dBackward(dy, x, w, {}, be);
    const { y, argmax } = maxPool2dWithIndices(x, { kernelSize: 2 }, be);
    maxPool2dBackward(y, argmax, x.shape, { kernelSize: 2 }, be);
    avgPool2dBackward(avgPool2d(x, { kernelSize: 3, stride: 2 }, be), x.shape, { kernelSize: 3, stride: 2 }, be);
    linear(lx, lw, null, be);
    linearBackward(ldy, lx, lw, be);
    relu(x, be);
    softmax(x, -1, be);
    col2im(im2col(x, { kernelSize: 2 }, be), x.shape, { kernelSize: 2 }, be);
    expect(inputs.map((t) => t.toArray())).toEqual(before);
  });
});
