// Every layer's gradients through the tape against central finite differences, on the
// naive backend (float64 sums). L = Σ y·r for a fixed random r, written with ops, so
// L.backward() must put dL/dx into x.grad and dL/dparam into each parameter's grad.
//
// Tolerances (error relative to max(1, max|gradient|)):
// - PIECEWISE_TOL = 1e-3, h = 0.02 for layers linear or piecewise linear in what is
//   perturbed (Conv2d, Linear, pooling, Flatten, ReLU, LeakyReLU, Dropout): the
//   difference quotient is then exact but for float32 rounding of y (≈6e-8 relative per
//   element; Σ|y·r| ≲ 100 here → ≲ 6e-6 / 2h = 1.5e-4). Inputs of max/ReLU are spread
//   ≥ 0.1 apart and away from 0, so a step of 0.02 never crosses a kink.
// - SMOOTH_TOL = 2e-3, h = 1e-2 for Sigmoid, Tanh, BatchNorm2d: adds truncation error
//   h²/6·|f'''| ≲ 1e-4 and the same rounding divided by a smaller step.
// A wrong gradient (missing 1/N, wrong tap, transposed weight) is off by O(1).
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../src/backend/registry.js';
import {
  AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, GlobalAvgPool2d, LeakyReLU, Linear, MaxPool2d, ReLU, Sigmoid, Tanh,
} from '../src/nn/index.js';
import type { Module } from '../src/nn/module.js';
import { noGrad } from '../src/autograd/graph.js';
import { mul, sum } from '../src/ops/index.js';
import { Tensor } from '../src/tensor.js';
import { gradientError, numericGradient, project } from './support/gradcheck.js';
import { randomTensor, spreadTensor } from './support/random.js';

const PIECEWISE = { h: 0.02, tol: 1e-3 };
const SMOOTH = { h: 1e-2, tol: 2e-3 };

beforeAll(() => {
  setBackend('naive');
});

/** Checks dx and every parameter gradient of `layer` at x. `forwardFresh` evaluates L with
 * a new but identical layer (for Dropout, whose mask must repeat). */
function checkGradients(layer: Module, x: Tensor, tol: { h: number; tol: number }, forwardFresh?: () => Module): void {
  const input = x.detach();
  input.requiresGrad = true;
  const y = layer.forward(input);
  const r = randomTensor([...y.shape], 99);
  layer.zeroGrad();
  sum(mul(y, r)).backward();
  const dx = input.grad as Tensor;
  const analytic = layer.parameters().map((p) => Float64Array.from((p.grad as Tensor).data));
  const loss = (): number => noGrad(() => project((forwardFresh ? forwardFresh() : layer).forward(x), r));
  const ex = gradientError(numericGradient(x, loss, tol.h), dx.data);
  expect(ex, `${layer.type} dx error ${ex}`).toBeLessThan(tol.tol);
  layer.namedParameters().forEach(([name, p], k) => {
    const e = gradientError(numericGradient(p, loss, tol.h), analytic[k]);
    expect(e, `${layer.type} ${name} error ${e}`).toBeLessThan(tol.tol);
  });
}

describe('layer gradients by finite differences (naive backend)', () => {
  it('Conv2d: plain, strided with asymmetric padding and dilation, grouped without bias', () => {
    checkGradients(new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1 }), randomTensor([2, 2, 5, 5], 1), PIECEWISE);
    checkGradients(
      new Conv2d({ inChannels: 3, outChannels: 2, kernelSize: [2, 3], stride: [2, 1], padding: [1, 0, 2, 1], dilation: [1, 2] }),
      randomTensor([1, 3, 6, 7], 2),
      PIECEWISE,
    );
    checkGradients(new Conv2d({ inChannels: 4, outChannels: 2, kernelSize: 3, groups: 2, bias: false, padding: 'same' }), randomTensor([2, 4, 4, 4], 3), PIECEWISE);
  });

  it('Linear with and without bias', () => {
    checkGradients(new Linear({ inFeatures: 7, outFeatures: 4 }), randomTensor([3, 7], 4), PIECEWISE);
    checkGradients(new Linear({ inFeatures: 5, outFeatures: 2, bias: false }), randomTensor([2, 5], 5), PIECEWISE);
  });

  it('MaxPool2d, AvgPool2d (padded, strided), GlobalAvgPool2d, Flatten', () => {
    checkGradients(new MaxPool2d({ kernelSize: 2 }), spreadTensor([2, 2, 4, 6], 6), PIECEWISE);
    checkGradients(new MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 }), spreadTensor([1, 2, 5, 5], 7), PIECEWISE);
    checkGradients(new AvgPool2d({ kernelSize: [2, 3], stride: 1, padding: [1, 1] }), randomTensor([2, 1, 4, 5], 8), PIECEWISE);
    checkGradients(new GlobalAvgPool2d(), randomTensor([2, 3, 3, 4], 9), PIECEWISE);
    checkGradients(new Flatten(), randomTensor([2, 3, 2, 2], 10), PIECEWISE);
  });

  it('ReLU, LeakyReLU, Sigmoid, Tanh', () => {
    checkGradients(new ReLU(), spreadTensor([2, 3, 4], 11), PIECEWISE);
    checkGradients(new LeakyReLU({ slope: 0.2 }), spreadTensor([3, 5], 12), PIECEWISE);
    checkGradients(new Sigmoid(), randomTensor([2, 6], 13, 3), SMOOTH);
    checkGradients(new Tanh(), randomTensor([2, 6], 14, 2), SMOOTH);
  });

  it('Dropout in train mode with a fixed (seeded) mask', () => {
    const make = (): Dropout => new Dropout({ p: 0.4, seed: 21 });
    const layer = make();
    const x = randomTensor([4, 10], 15);
    checkGradients(layer, x, PIECEWISE, make);
    expect(make().forward(x).data.some((v) => v === 0)).toBe(true);
  });

  it('BatchNorm2d in train mode (batch statistics) and eval mode (running statistics)', () => {
    const bn = new BatchNorm2d({ numFeatures: 3 });
    bn.weight.data.set([1.5, -0.7, 0.9]);
    bn.bias.data.set([0.1, 0.2, -0.3]);
    checkGradients(bn, randomTensor([3, 3, 2, 3], 16, 2), SMOOTH);
    // Far from zero mean: backward recomputes x̂ from x, which must not cancel badly.
    const shifted = randomTensor([2, 3, 3, 3], 18, 2);
    for (let i = 0; i < shifted.size; i++) shifted.data[i] += 50;
    checkGradients(new BatchNorm2d({ numFeatures: 3 }), shifted, SMOOTH);
    const frozen = new BatchNorm2d({ numFeatures: 2 });
    frozen.runningMean.data.set([0.3, -0.2]);
    frozen.runningVar.data.set([0.5, 2]);
    frozen.weight.data.set([1.2, 0.8]);
    frozen.eval();
    checkGradients(frozen, randomTensor([2, 2, 3, 3], 17), SMOOTH);
  });
});

describe('layer behaviour', () => {
  it('gradients accumulate across backward calls until zeroGrad', () => {
    const lin = new Linear({ inFeatures: 3, outFeatures: 2 });
    const x = randomTensor([2, 3], 30);
    const r = randomTensor([2, 2], 31);
    lin.forward(x).backward(r);
    const once = Array.from((lin.weight.grad as Tensor).data);
    lin.forward(x).backward(r);
    (lin.weight.grad as Tensor).data.forEach((g, i) => expect(g).toBeCloseTo(2 * once[i], 5));
    lin.zeroGrad();
    expect(lin.weight.grad).toBeNull();
  });

  it('a frozen parameter or module gets no gradient, and the rest still do', () => {
    const c = new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 });
    c.weight.requiresGrad = false;
    c.forward(randomTensor([1, 1, 5, 5], 32)).backward(randomTensor([1, 2, 3, 3], 33));
    expect(c.weight.grad).toBeNull();
    expect(c.bias?.grad).not.toBeNull();
    const lin = new Linear({ inFeatures: 2, outFeatures: 2 });
    lin.requiresGrad = false;
    const x = randomTensor([1, 2], 34);
    x.requiresGrad = true;
    lin.forward(x).backward(randomTensor([1, 2], 35));
    expect(lin.weight.grad).toBeNull();
    expect(lin.bias?.grad).toBeNull();
    expect(x.grad).not.toBeNull();
    expect(lin.requiresGrad).toBe(false);
    // Nothing requires a gradient: no tape, so backward is refused.
    expect(() => lin.forward(randomTensor([1, 2], 36)).backward(randomTensor([1, 2], 37))).toThrow(/backward: tensor \[1, 2\] does not require a gradient/);
  });

  it('a gradient of the wrong shape is refused', () => {
    const c = new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 });
    const y = c.forward(randomTensor([1, 1, 5, 5], 32));
    expect(() => y.backward(randomTensor([1, 2, 2, 3], 33))).toThrow(/backward: gradient \[1, 2, 2, 3\] must have the output's shape \[1, 2, 3, 3\]/);
    expect(c.weight.grad).toBeNull();
  });

  it('strict options: unknown keys are refused by every layer', () => {
    expect(() => new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 3, pad: 1 } as never)).toThrow(/Conv2d: unknown option 'pad' \(known: inChannels/);
    expect(() => new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 3, strides: 2 } as never)).toThrow(/Conv2d: unknown option 'strides'/);
    expect(() => new Linear({ inFeatures: 1, outFeatures: 1, biased: true } as never)).toThrow(/Linear: unknown option 'biased'/);
    expect(() => new MaxPool2d({ kernelSize: 2, countIncludePad: false } as never)).toThrow(/MaxPool2d: unknown option 'countIncludePad'/);
    expect(() => new AvgPool2d({ kernelSize: 2, dilation: 2 } as never)).toThrow(/AvgPool2d: unknown option 'dilation'/);
    expect(() => new BatchNorm2d({ numFeatures: 2, affine: false } as never)).toThrow(/BatchNorm2d: unknown option 'affine'/);
    expect(() => new Dropout({ rate: 0.5 } as never)).toThrow(/Dropout: unknown option 'rate'/);
    expect(() => new ReLU({ inplace: true } as never)).toThrow(/ReLU: unknown option 'inplace' \(it takes none\)/);
    expect(() => new LeakyReLU({ negativeSlope: 0.1 } as never)).toThrow(/LeakyReLU: unknown option 'negativeSlope'/);
    expect(() => new Flatten({ start: 1 } as never)).toThrow(/Flatten: unknown option 'start'/);
    expect(() => new GlobalAvgPool2d({ keep: 1 } as never)).toThrow(/GlobalAvgPool2d: unknown option 'keep'/);
  });

  it('input shape mismatches name the layer and the shapes', () => {
    expect(() => new Conv2d({ inChannels: 3, outChannels: 2, kernelSize: 3 }).forward(randomTensor([1, 1, 5, 5], 1))).toThrow(
      /Conv2d: expected input \[N, 3, H, W\], got \[1, 1, 5, 5\]/,
    );
    expect(() => new Linear({ inFeatures: 4, outFeatures: 2 }).forward(randomTensor([2, 5], 1))).toThrow(/Linear: expected input \[N, 4\], got \[2, 5\]/);
    expect(() => new MaxPool2d({ kernelSize: 2 }).forward(randomTensor([2, 5], 1))).toThrow(/maxPool2d: input must have rank 4, got shape \[2, 5\]/);
  });

  it('constructor options are validated', () => {
    expect(() => new Conv2d({ inChannels: 3, outChannels: 2 } as never)).toThrow(/Conv2d: kernelSize/);
    expect(() => new Conv2d({ inChannels: 3, outChannels: 2, kernelSize: 3, groups: 2 })).toThrow(/Conv2d: groups 2 must divide/);
    expect(() => new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 3, stride: 0 })).toThrow(/Conv2d: stride/);
    expect(() => new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 3, padding: -1 })).toThrow(/Conv2d: padding/);
    expect(() => new Linear({ inFeatures: 0, outFeatures: 1 })).toThrow(/Linear: inFeatures must be a positive integer/);
    expect(() => new Dropout({ p: 1 })).toThrow(/Dropout: p must be a number in \[0, 1\)/);
    expect(() => new BatchNorm2d({ numFeatures: 2, momentum: 2 })).toThrow(/BatchNorm2d: momentum/);
    expect(() => new MaxPool2d({} as never)).toThrow(/MaxPool2d: kernelSize/);
    // Refused when built, as Conv2d refuses its options, not at the first forward.
    expect(() => new MaxPool2d({ kernelSize: 2, padding: 2 })).toThrow(/MaxPool2d: padding \[2, 2, 2, 2\] must be smaller than kernelSize \[2, 2\]/);
    expect(() => new AvgPool2d({ kernelSize: 3, padding: [0, 3, 0, 0] })).toThrow(/AvgPool2d: padding \[0, 3, 0, 0\] must be smaller/);
    expect(() => new LeakyReLU({ slope: -1 })).toThrow(/LeakyReLU: slope/);
  });

  it('Dropout: eval mode is the identity; train mode zeroes about p and scales by 1/(1-p)', () => {
    const d = new Dropout({ p: 0.25, seed: 3 });
    const x = randomTensor([50, 40], 40);
    const y = d.forward(x);
    let zeros = 0;
    y.data.forEach((v, i) => {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(x.data[i] / 0.75, 5);
    });
    expect(Math.abs(zeros / y.size - 0.25)).toBeLessThan(0.03);
    d.eval();
    expect(d.forward(x)).toBe(x);
    // The mask the forward drew is the one backward applies.
    d.train();
    const leaf = x.detach();
    leaf.requiresGrad = true;
    const z = d.forward(leaf);
    z.backward(z.onesLike());
    (leaf.grad as Tensor).data.forEach((g, i) => expect(g).toBeCloseTo(z.data[i] === 0 ? 0 : 1 / 0.75, 5));
  });

  it('BatchNorm2d: train output is standardized per channel and running statistics move by momentum', () => {
    const bn = new BatchNorm2d({ numFeatures: 2, momentum: 0.5 });
    const x = randomTensor([4, 2, 3, 3], 41, 3);
    const y = bn.forward(x);
    for (let c = 0; c < 2; c++) {
      const vals: number[] = [];
      const xs: number[] = [];
      for (let n = 0; n < 4; n++) for (let i = 0; i < 9; i++) {
        vals.push(y.data[(n * 2 + c) * 9 + i]);
        xs.push(x.data[(n * 2 + c) * 9 + i]);
      }
      const mean = vals.reduce((a, b) => a + b) / vals.length;
      const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
      expect(mean).toBeCloseTo(0, 5);
      expect(variance).toBeCloseTo(1, 3);
      const xm = xs.reduce((a, b) => a + b) / xs.length;
      const unbiased = xs.reduce((a, b) => a + (b - xm) ** 2, 0) / (xs.length - 1);
      expect(bn.runningMean.data[c]).toBeCloseTo(0.5 * xm, 5);
      expect(bn.runningVar.data[c]).toBeCloseTo(0.5 + 0.5 * unbiased, 4);
    }
    expect(bn.numBatchesTracked.item()).toBe(1);
    expect(() => bn.forward(randomTensor([1, 2, 1, 1], 1))).toThrow(/more than one value per channel/);
    // A mean far from zero next to the spread: the statistics must not cancel.
    const offset = randomTensor([4, 2, 3, 3], 42);
    for (let i = 0; i < offset.size; i++) offset.data[i] += 1000;
    const z = new BatchNorm2d({ numFeatures: 2 }).forward(offset);
    const zm = z.data.reduce((a, b) => a + b, 0) / z.size;
    const zv = z.data.reduce((a, b) => a + (b - zm) ** 2, 0) / z.size;
    expect(Math.abs(zm)).toBeLessThan(1e-3);
    expect(Math.abs(zv - 1)).toBeLessThan(2e-3);
  });
});
