// Gradient checks on the naive backend: every backward op against central finite
// differences of the scalar loss L = Σ y·r (r a fixed random projection, so dL/dy = r).
//
// Tolerances (relative to the gradient's scale, see test/support/gradcheck.ts):
// - LINEAR_TOL = 1e-4 for ops that are linear or piecewise linear in the checked input
//   (conv2d, linear, the poolings, relu, leakyRelu). Central differences are then exact
//   but for rounding: y is stored as float32 (relative error 2^-24 ≈ 6e-8 per element),
//   so L carries an error of at most ~6e-8·Σ|y·r| ≈ 1e-5 here, divided by 2h = 0.2.
//   Inputs of the piecewise ops are kept ≥ 0.25 apart (and from 0), farther than h = 0.1,
//   so no step crosses a kink.
// - SMOOTH_TOL = 1e-3 for sigmoid, tanh, softmax, logSoftmax with h = 1e-2: truncation
//   error h²/6·|f'''| ≲ 2e-5 plus float32 rounding of y (≲ 6e-8·Σ|y·r| / 2h ≲ 2e-4).
// A wrong gradient (transposed kernel, missing tap, wrong group) is off by O(1): far above both.
import { describe, expect, it } from 'vitest';
import { naiveBackend as naive } from '../src/backend/naive.js';
import { Random } from '../src/random.js';
import { Tensor } from '../src/tensor.js';
import type { Conv2dOptions, Pool2dOptions } from '../src/ops/geometry.js';
import {
  avgPool2d, avgPool2dBackward, conv2d, conv2dBackward, globalAvgPool2d, globalAvgPool2dBackward, leakyRelu, leakyReluBackward,
  linear, linearBackward, logSoftmax, maxPool2dWithIndices, maxPool2dBackward, relu, reluBackward, sigmoid, sigmoidBackward, softmax, tanh, tanhBackward,
} from '../src/ops/index.js';
import { expectGradient, gradientError, numericGradient, project } from './support/gradcheck.js';
import { randomTensor, spreadTensor } from './support/random.js';

const LINEAR_TOL = 1e-4;
const LINEAR_H = 0.1;
const SMOOTH_TOL = 1e-3;
const SMOOTH_H = 1e-2;

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  options: Conv2dOptions;
}

const convCases: ConvCase[] = [
  { name: 'plain 3×2 kernel', x: [2, 3, 6, 5], w: [4, 3, 3, 2], options: {} },
  { name: 'stride [2, 1], asymmetric padding [1, 0, 2, 1]', x: [2, 2, 7, 6], w: [3, 2, 3, 3], options: { stride: [2, 1], padding: [1, 0, 2, 1] } },
  { name: "dilation 2, 'same' padding, even kernel", x: [1, 2, 7, 6], w: [2, 2, 2, 3], options: { dilation: 2, padding: 'same' } },
  { name: 'groups 2', x: [2, 4, 5, 5], w: [6, 2, 3, 3], options: { groups: 2, padding: 1 } },
  { name: 'depthwise, stride 2, padding 1', x: [2, 3, 6, 5], w: [3, 1, 3, 3], options: { groups: 3, stride: 2, padding: 1 } },
];

describe('conv2d gradients (naive)', () => {
  for (const c of convCases) {
    it(`${c.name}: dx, dw, db`, () => {
      const rng = new Random(101);
      const x = randomTensor(c.x, rng);
      const w = randomTensor(c.w, rng);
      const b = randomTensor([c.w[0]], rng);
      const y = conv2d(x, w, b, c.options, naive);
      const r = randomTensor([...y.shape], rng);
      const { dx, dw, db } = conv2dBackward(r, x, w, c.options, naive);
      const loss = () => project(conv2d(x, w, b, c.options, naive), r);
      expectGradient('dx', x, loss, dx!.data, LINEAR_H, LINEAR_TOL);
      expectGradient('dw', w, loss, dw.data, LINEAR_H, LINEAR_TOL);
      expectGradient('db', b, loss, db.data, LINEAR_H, LINEAR_TOL);
    });
  }

  it('inputGrad: false skips dx but gives the same dw and db', () => {
    const rng = new Random(5);
    const x = randomTensor([1, 2, 5, 5], rng);
    const w = randomTensor([3, 2, 3, 3], rng);
    const r = randomTensor([1, 3, 3, 3], rng);
    const full = conv2dBackward(r, x, w, {}, naive);
    const partial = conv2dBackward(r, x, w, { inputGrad: false }, naive);
    expect(partial.dx).toBeNull();
    expect(partial.dw.toArray()).toEqual(full.dw.toArray());
    expect(partial.db.toArray()).toEqual(full.db.toArray());
  });

  it('the check itself catches a 1% error in one gradient entry', () => {
    const rng = new Random(9);
    const x = randomTensor([1, 2, 5, 5], rng);
    const w = randomTensor([2, 2, 3, 3], rng);
    const r = randomTensor([1, 2, 3, 3], rng);
    const { dw } = conv2dBackward(r, x, w, {}, naive);
    const loss = () => project(conv2d(x, w, null, {}, naive), r);
    const numeric = numericGradient(w, loss, LINEAR_H);
    expect(gradientError(numeric, dw.data)).toBeLessThan(LINEAR_TOL);
    let big = 0;
    for (let i = 1; i < dw.size; i++) if (Math.abs(dw.data[i]) > Math.abs(dw.data[big])) big = i;
    const wrong = Float64Array.from(dw.data);
    wrong[big] *= 1.01;
    expect(gradientError(numeric, wrong)).toBeGreaterThan(LINEAR_TOL);
  });
});

describe('pooling gradients (naive)', () => {
  const poolCases: { name: string; x: number[]; options: Pool2dOptions }[] = [
    { name: '2×2 stride 2', x: [2, 2, 4, 6], options: { kernelSize: 2 } },
    { name: '3×3 stride 2 padding 1 (overlapping windows)', x: [1, 3, 7, 6], options: { kernelSize: 3, stride: 2, padding: 1 } },
    { name: '[2, 3] stride [1, 2] asymmetric padding [1, 0, 0, 2]', x: [2, 1, 5, 7], options: { kernelSize: [2, 3], stride: [1, 2], padding: [1, 0, 0, 2] } },
  ];

  for (const c of poolCases) {
    it(`maxPool2d ${c.name}`, () => {
      const rng = new Random(202);
      const x = spreadTensor(c.x, rng, 0.25);
      const { y, argmax } = maxPool2dWithIndices(x, c.options, naive);
      const r = randomTensor([...y.shape], rng);
      const dx = maxPool2dBackward(r, argmax, c.x, c.options, naive);
      expectGradient('dx', x, () => project(maxPool2dWithIndices(x, c.options, naive).y, r), dx.data, LINEAR_H, LINEAR_TOL);
    });

    it(`avgPool2d ${c.name}`, () => {
      const rng = new Random(303);
      const x = randomTensor(c.x, rng);
      const y = avgPool2d(x, c.options, naive);
      const r = randomTensor([...y.shape], rng);
      const dx = avgPool2dBackward(r, c.x, c.options, naive);
      expectGradient('dx', x, () => project(avgPool2d(x, c.options, naive), r), dx.data, LINEAR_H, LINEAR_TOL);
    });
  }

  it('globalAvgPool2d', () => {
    const rng = new Random(404);
    const x = randomTensor([2, 3, 4, 5], rng);
    const y = globalAvgPool2d(x, naive);
    expect(y.shape).toEqual([2, 3, 1, 1]);
    const r = randomTensor([2, 3, 1, 1], rng);
    const dx = globalAvgPool2dBackward(r, [2, 3, 4, 5], naive);
    expectGradient('dx', x, () => project(globalAvgPool2d(x, naive), r), dx.data, LINEAR_H, LINEAR_TOL);
  });
});

describe('linear gradients (naive)', () => {
  it('dx, dw, db', () => {
    const rng = new Random(505);
    const x = randomTensor([3, 7], rng);
    const w = randomTensor([4, 7], rng);
    const b = randomTensor([4], rng);
    const r = randomTensor([3, 4], rng);
    const { dx, dw, db } = linearBackward(r, x, w, naive);
    const loss = () => project(linear(x, w, b, naive), r);
    expectGradient('dx', x, loss, dx.data, LINEAR_H, LINEAR_TOL);
    expectGradient('dw', w, loss, dw.data, LINEAR_H, LINEAR_TOL);
    expectGradient('db', b, loss, db.data, LINEAR_H, LINEAR_TOL);
  });
});

describe('activation gradients (naive)', () => {
  const shape = [3, 8];

  it('relu', () => {
    const rng = new Random(606);
    const x = spreadTensor(shape, rng, 0.25); // no value within 0.1 of the kink at 0
    const r = randomTensor(shape, rng);
    const dx = reluBackward(x, r, naive);
    expectGradient('dx', x, () => project(relu(x, naive), r), dx.data, LINEAR_H, LINEAR_TOL);
  });

  it('leakyRelu (slope 0.1)', () => {
    const rng = new Random(607);
    const x = spreadTensor(shape, rng, 0.25);
    const r = randomTensor(shape, rng);
    const dx = leakyReluBackward(x, r, 0.1, naive);
    expectGradient('dx', x, () => project(leakyRelu(x, 0.1, naive), r), dx.data, LINEAR_H, LINEAR_TOL);
  });

  it('sigmoid (backward from the output)', () => {
    const rng = new Random(608);
    const x = randomTensor(shape, rng, 3);
    const r = randomTensor(shape, rng);
    const dx = sigmoidBackward(sigmoid(x, naive), r, naive);
    expectGradient('dx', x, () => project(sigmoid(x, naive), r), dx.data, SMOOTH_H, SMOOTH_TOL);
  });

  it('tanh (backward from the output)', () => {
    const rng = new Random(609);
    const x = randomTensor(shape, rng, 2);
    const r = randomTensor(shape, rng);
    const dx = tanhBackward(tanh(x, naive), r, naive);
    expectGradient('dx', x, () => project(tanh(x, naive), r), dx.data, SMOOTH_H, SMOOTH_TOL);
  });

  // softmax has no backward op (losses fuse it); check the forward against its known
  // Jacobian-vector products: softmax: y ⊙ (r − ⟨r, y⟩), logSoftmax: r − y·Σr, per row.
  function rowwiseGradient(x: Tensor, r: Tensor, log: boolean): Float64Array {
    const y = softmax(x, -1, naive);
    const cols = x.shape[x.rank - 1];
    const g = new Float64Array(x.size);
    for (let start = 0; start < x.size; start += cols) {
      let dot = 0;
      let sum = 0;
      for (let j = 0; j < cols; j++) {
        dot += r.data[start + j] * y.data[start + j];
        sum += r.data[start + j];
      }
      for (let j = 0; j < cols; j++) {
        const i = start + j;
        g[i] = log ? r.data[i] - y.data[i] * sum : y.data[i] * (r.data[i] - dot);
      }
    }
    return g;
  }

  it('softmax over the last dimension', () => {
    const rng = new Random(610);
    const x = randomTensor([2, 3, 5], rng, 3);
    const r = randomTensor([2, 3, 5], rng);
    expectGradient('dx', x, () => project(softmax(x, -1, naive), r), rowwiseGradient(x, r, false), SMOOTH_H, SMOOTH_TOL);
  });

  it('logSoftmax over the last dimension', () => {
    const rng = new Random(611);
    const x = randomTensor([4, 6], rng, 3);
    const r = randomTensor([4, 6], rng);
    expectGradient('dx', x, () => project(logSoftmax(x, -1, naive), r), rowwiseGradient(x, r, true), SMOOTH_H, SMOOTH_TOL);
  });
});
