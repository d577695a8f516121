// Graphs, not single ops: the tape must add the contributions of every path before it runs
// a node's rule (a residual add, two concatenated branches, a tensor feeding three ops, one
// Linear applied twice), and a frozen sub-module must cost no weight gradient while the
// rest stays correct. Checked on the naive backend by central differences of L = Σ y·r
// (test/support/gradcheck.ts), against PyTorch float64 for the concat and shared-weight
// graphs (test/fixtures/resnet-trajectory.json, "graphs"), and js/wasm against naive.
//
// Tolerances:
// - finite differences: SMOOTH h = 1e-2, tol 1e-3 for graphs of smooth ops (tanh/sigmoid
//   in place of ReLU, so no step crosses a kink), LINEAR h = 0.05, tol 1e-4 for the
//   conv + max-pool graph on inputs spread 0.25 apart (as in test/autograd-ops.test.ts,
//   whose header derives both). Observed ≤ 1e-4 (the frozen net's stem weight, through
//   BatchNorm) and ≤ 1.1e-5.
// - PyTorch float64: gradientError ≤ 1e-5. The inputs are the fixture's float64 values
//   rounded to float32 (relative 6e-8), every op stores float32 (the naive backend sums in
//   float64), so a result can differ by a few float32 ulps of the largest term: ~1e-6 at
//   these sizes. Observed ≤ 1.2e-7.
// - js and wasm against naive: expectClose with test/support/compare.ts's DEFAULT_TOLERANCE
//   (rtol 1e-4, atol 1e-5), the bound every kernel parity test uses, here for whole-network
//   gradients (float32 sums in another order, through BatchNorm's normalization); they pass
//   at a tenth of it too. conv1's bias, before a train-mode BatchNorm, has a gradient of 0
//   up to rounding: atol covers it.
// A lost path (a residual branch, one use of the shared weight, one consumer of a fan-out)
// changes a gradient by O(1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend/backend.js';
import { naiveBackend } from '../src/backend/naive.js';
import { currentBackend, getBackend, loadBackend, setBackend } from '../src/backend/registry.js';
import { BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, Sequential, Tanh } from '../src/nn/index.js';
import { add, concat, conv2d, crossEntropy, flatten, linear, maxPool2d, mean, mul, relu, sigmoid, sum, tanh } from '../src/ops/index.js';
import { Random } from '../src/random.js';
import { Parameter, Tensor } from '../src/tensor.js';
import { DEFAULT_TOLERANCE, expectClose } from './support/compare.js';
import { expectTapeGradients, gradientError } from './support/gradcheck.js';
import { randomTensor, spreadTensor } from './support/random.js';
import { readResnetFixture, toTensor, type FixtureTensor } from './support/resnet-fixture.js';

const SMOOTH = { h: 1e-2, tol: 1e-3 };
const LINEAR = { h: 0.05, tol: 1e-4 };
const TORCH_TOL = 1e-5;

let before: Backend;
beforeAll(() => {
  before = setBackend('naive');
});
afterAll(() => {
  setBackend(before);
});

function grad(t: Tensor): Float32Array {
  expect(t.grad, `no gradient for ${t}`).not.toBeNull();
  return (t.grad as Tensor).data;
}

/** A residual block with tanh: tanh(conv2(tanh(conv1(x))) + x). */
class Residual extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;

  constructor(channels: number, random: Random) {
    super();
    this.conv1 = new Conv2d({ inChannels: channels, outChannels: channels, kernelSize: 3, padding: 1, random });
    this.conv2 = new Conv2d({ inChannels: channels, outChannels: channels, kernelSize: 3, padding: 1, random });
    this.conv1.bias?.data.set(randomTensor([channels], random, 0.2).data);
  }

  forward(x: Tensor): Tensor {
    return tanh(add(this.conv2.forward(tanh(this.conv1.forward(x))), x));
  }
}

/** One Linear applied twice: lin(act(lin(x))). */
class Twice extends Module {
  readonly lin: Linear;

  constructor(features: number, random: Random, readonly act: (t: Tensor) => Tensor = relu) {
    super();
    this.lin = new Linear({ inFeatures: features, outFeatures: features, random });
  }

  forward(x: Tensor): Tensor {
    return this.lin.forward(this.act(this.lin.forward(x)));
  }
}

describe('composite graphs by finite differences (naive)', () => {
  it('a residual add: the input gets the skip path and the conv path', () => {
    const block = new Residual(2, new Random(1));
    const x = randomTensor([2, 2, 4, 4], 2);
    expectTapeGradients('residual', () => block.forward(x), [x, ...block.parameters()], SMOOTH);
    // Split by path: with z = conv2(tanh(conv1(x))) + x and g = dL/dz = r·(1 − y²), the
    // input's gradient is g (the skip) plus the conv path's backward of g.
    const total = grad(x).slice();
    const r = randomTensor(block.forward(x).shape, 99);
    const y = block.forward(x).data;
    const g = new Tensor(Float32Array.from(r.data, (v, i) => v * (1 - y[i] * y[i])), r.shape);
    x.grad = null;
    block.conv2.forward(tanh(block.conv1.forward(x))).backward(g);
    expectClose(total, Array.from(grad(x), (v, i) => v + g.data[i]), DEFAULT_TOLERANCE, 'skip + conv path');
    expect(gradientError(total, grad(x))).toBeGreaterThan(0.1);
  });

  it('two concatenated branches (conv and a same-padded max-pool of one input)', () => {
    const x = spreadTensor([2, 3, 5, 5], 3, 0.25);
    const w = randomTensor([2, 3, 3, 3], 4, 0.3);
    const b = randomTensor([2], 5, 0.1);
    const f = (): Tensor => concat([conv2d(x, w, b, { padding: 1 }), maxPool2d(x, { kernelSize: 2, stride: 1, padding: [0, 1, 0, 1] })], 1);
    expectTapeGradients('concat of two branches', f, [x, w, b], LINEAR);
  });

  it('one tensor feeding three ops (a non-leaf and a leaf)', () => {
    const x = randomTensor([3, 4], 6);
    const w = randomTensor([5, 4], 7, 0.5);
    const fanOut = (): Tensor => {
      const t = tanh(linear(x, w));
      return add(mul(t, sigmoid(t)), mean(t, { axis: 1, keepDims: true }));
    };
    expectTapeGradients('non-leaf into mul, sigmoid and mean', fanOut, [x, w], SMOOTH);
    expectTapeGradients('leaf into tanh, mul and sigmoid', () => concat([tanh(x), mul(x, 3), sigmoid(x)], 0), [x], SMOOTH);
  });

  it('a weight shared by two calls receives the sum of both gradients', () => {
    const shared = new Twice(4, new Random(8), tanh);
    shared.lin.bias?.data.set([0.1, -0.2, 0.3, 0.05]);
    const x = randomTensor([3, 4], 9);
    expectTapeGradients('shared Linear', () => shared.forward(x), [x, ...shared.parameters()], SMOOTH);
    // The same computation with two separate copies of the layer: each copy's gradient is
    // one use's, and the shared layer's must be their sum.
    const first = new Linear({ inFeatures: 4, outFeatures: 4 });
    const second = new Linear({ inFeatures: 4, outFeatures: 4 });
    for (const copy of [first, second]) copy.loadStateDict(shared.lin.stateDict());
    const y = second.forward(tanh(first.forward(x)));
    y.backward(randomTensor(y.shape, 99));
    const sum2 = (a: Float32Array, c: Float32Array): number[] => Array.from(a, (v, i) => v + c[i]);
    expectClose(grad(shared.lin.weight), sum2(grad(first.weight), grad(second.weight)), DEFAULT_TOLERANCE, 'weight');
    expectClose(grad(shared.lin.bias as Tensor), sum2(grad(first.bias as Tensor), grad(second.bias as Tensor)), DEFAULT_TOLERANCE, 'bias');
    expect(gradientError(grad(shared.lin.weight), grad(second.weight))).toBeGreaterThan(0.05);
  });
});

describe('a frozen sub-module', () => {
  class Net extends Module {
    readonly stem: Conv2d;
    readonly middle: Sequential;
    readonly head: Linear;

    constructor(random: Random) {
      super();
      this.stem = new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, padding: 1, random });
      this.middle = new Sequential([new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 3, random }), new BatchNorm2d({ numFeatures: 2 }), new Tanh()]);
      this.head = new Linear({ inFeatures: 8, outFeatures: 3, random });
    }

    forward(x: Tensor): Tensor {
      return this.head.forward(flatten(this.middle.forward(tanh(this.stem.forward(x)))));
    }
  }

  it('gets no gradient and costs no weight-gradient pass; the gradient still reaches the layers before it', () => {
    const calls = { conv2dBackwardFilter: 0, conv2dBackwardInput: 0, sumBias: 0 };
    const counting: Backend = {
      ...naiveBackend,
      conv2dBackwardFilter: (...args) => (calls.conv2dBackwardFilter++, naiveBackend.conv2dBackwardFilter(...args)),
      conv2dBackwardInput: (...args) => (calls.conv2dBackwardInput++, naiveBackend.conv2dBackwardInput(...args)),
      sumBias: (...args) => (calls.sumBias++, naiveBackend.sumBias(...args)),
    };
    const x = randomTensor([2, 1, 4, 4], 10);
    const r = randomTensor([2, 3], 11);
    const reference = new Net(new Random(12));
    const frozen = new Net(new Random(12));
    frozen.middle.requiresGrad = false;
    expect(frozen.middle.parameters().every((p) => !p.requiresGrad)).toBe(true);
    const previous = setBackend(counting);
    try {
      reference.forward(x).backward(r);
      // Stem: dw and db (the input needs none); middle conv: dx, dw, db; head: db by sumBias.
      expect(calls).toEqual({ conv2dBackwardFilter: 2, conv2dBackwardInput: 1, sumBias: 1 });
      calls.conv2dBackwardFilter = calls.conv2dBackwardInput = calls.sumBias = 0;
      frozen.forward(x).backward(r);
      // The frozen conv computes only dx (for the stem): no weight or bias gradient.
      expect(calls).toEqual({ conv2dBackwardFilter: 1, conv2dBackwardInput: 1, sumBias: 1 });
    } finally {
      setBackend(previous);
    }
    for (const p of frozen.middle.parameters()) expect(p.grad, p.name).toBeNull();
    // The trained parameters get exactly the gradients they get when nothing is frozen...
    const trained = (m: Net): Parameter[] => [...m.stem.parameters(), ...m.head.parameters()];
    trained(frozen).forEach((p, k) => expect(Array.from(grad(p)), p.name).toEqual(Array.from(grad(trained(reference)[k]))));
    // ...and those match finite differences.
    expectTapeGradients('frozen middle', () => frozen.forward(x), trained(frozen), SMOOTH, 11);
    for (const p of frozen.middle.parameters()) expect(p.grad, p.name).toBeNull();
  });
});

describe('against PyTorch float64 (test/fixtures/resnet-trajectory.json, "graphs")', () => {
  const graphs = readResnetFixture().graphs;
  const fx = (g: string, key: string): Tensor => toTensor(graphs[g][key] as FixtureTensor);
  const expectTorch = (label: string, actual: ArrayLike<number>, expected: FixtureTensor | number): void => {
    const e = typeof expected === 'number' ? [expected] : expected.data;
    const err = gradientError(e, actual);
    expect(err, `${label}: error ${err.toExponential(2)} against PyTorch`).toBeLessThan(TORCH_TOL);
  };

  it('concat: conv2d branch and max-pool branch (padding [0, 1, 0, 1]) joined on channels', () => {
    const g = graphs.concat;
    expect(g.about).toMatch(/padding \[top, bottom, left, right\] = \[0, 1, 0, 1\]/);
    const x = fx('concat', 'x');
    x.requiresGrad = true;
    const conv = new Conv2d({ inChannels: 3, outChannels: 2, kernelSize: 3, padding: 1 });
    conv.loadStateDict({ weight: fx('concat', 'weight'), bias: fx('concat', 'bias') });
    const pool = new MaxPool2d({ kernelSize: 2, stride: 1, padding: [0, 1, 0, 1] });
    const y = concat([conv.forward(x), pool.forward(x)], 1);
    const loss = sum(mul(y, fx('concat', 'r')));
    loss.backward();
    expectTorch('y', y.data, g.y as FixtureTensor);
    expectTorch('loss', loss.data, g.loss as number);
    expectTorch('gradX', grad(x), g.gradX as FixtureTensor);
    expectTorch('gradWeight', grad(conv.weight), g.gradWeight as FixtureTensor);
    expectTorch('gradBias', grad(conv.bias as Tensor), g.gradBias as FixtureTensor);
  });

  it('sharedWeight: one Linear used twice, y = lin(relu(lin(x)))', () => {
    const g = graphs.sharedWeight;
    expect(g.about).toMatch(/linear\(relu\(linear\(x, weight, bias\)\), weight, bias\)/);
    const x = fx('sharedWeight', 'x');
    x.requiresGrad = true;
    const twice = new Twice(4, new Random(1));
    twice.loadStateDict({ 'lin.weight': fx('sharedWeight', 'weight'), 'lin.bias': fx('sharedWeight', 'bias') });
    const y = twice.forward(x);
    const loss = sum(mul(y, fx('sharedWeight', 'r')));
    loss.backward();
    expectTorch('y', y.data, g.y as FixtureTensor);
    expectTorch('loss', loss.data, g.loss as number);
    expectTorch('gradX', grad(x), g.gradX as FixtureTensor);
    expectTorch('gradWeight', grad(twice.lin.weight), g.gradWeight as FixtureTensor);
    expectTorch('gradBias', grad(twice.lin.bias as Tensor), g.gradBias as FixtureTensor);
  });
});

/** A small CNN with BatchNorm, a residual add and a concat. */
class ParityNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly branch: Conv2d;
  readonly pool = new MaxPool2d({ kernelSize: 2 });
  readonly fc: Linear;

  constructor(random: Random) {
    super();
    this.conv1 = new Conv2d({ inChannels: 2, outChannels: 4, kernelSize: 3, padding: 1, random });
    this.bn1 = new BatchNorm2d({ numFeatures: 4 });
    this.conv2 = new Conv2d({ inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1, bias: false, random });
    this.bn2 = new BatchNorm2d({ numFeatures: 4 });
    this.branch = new Conv2d({ inChannels: 4, outChannels: 2, kernelSize: 1, random });
    this.fc = new Linear({ inFeatures: 6 * 3 * 3, outFeatures: 3, random });
  }

  forward(x: Tensor): Tensor {
    const h = relu(this.bn1.forward(this.conv1.forward(x)));
    const res = relu(add(this.bn2.forward(this.conv2.forward(h)), h));
    const joined = concat([res, this.branch.forward(res)], 1);
    return this.fc.forward(flatten(this.pool.forward(joined)));
  }
}

describe('the tape on every backend', () => {
  /** Gradients of the input and every parameter after one cross-entropy backward. */
  function gradients(backend: Backend): Map<string, Float32Array> {
    const previous = setBackend(backend);
    try {
      const net = new ParityNet(new Random(20));
      const x = randomTensor([3, 2, 6, 6], 21);
      x.requiresGrad = true;
      const loss = crossEntropy(net.forward(x), [0, 2, 1]);
      expect(currentBackend()).toBe(backend);
      loss.backward();
      const out = new Map<string, Float32Array>([['input', grad(x)]]);
      for (const [name, p] of net.namedParameters()) out.set(name, grad(p));
      return out;
    } finally {
      setBackend(previous);
    }
  }

  it.each(['js', 'wasm'] as const)('%s gives the gradients naive gives (BatchNorm, residual add, concat)', async (name) => {
    const backend = name === 'wasm' ? await loadBackend('wasm') : getBackend(name);
    const expected = gradients(naiveBackend);
    const actual = gradients(backend);
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    expect(expected.size).toBe(1 + 11);
    for (const [key, e] of expected) expectClose(actual.get(key) as Float32Array, e, DEFAULT_TOLERANCE, `${name} ${key}`);
  });
});
