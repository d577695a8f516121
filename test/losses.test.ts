import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, MSELoss, resolveLoss } from '../src/losses.js';
import { mean, mul, sub } from '../src/ops/index.js';
import { Random } from '../src/random.js';
import { Tensor, tensor } from '../src/tensor.js';
import type { Loss, LossTarget } from '../src/losses.js';

/** The loss value and dLoss/dx through the tape. */
function lossAndGrad(loss: Loss, x: Tensor, target: LossTarget): { loss: number; grad: Tensor } {
  const leaf = x.detach();
  leaf.requiresGrad = true;
  const l = loss.forward(leaf, target);
  expect(l.shape).toEqual([]);
  l.backward();
  return { loss: l.item(), grad: leaf.grad as Tensor };
}

function numericGrad(x: Tensor, f: () => number, h: number): Float64Array {
  const g = new Float64Array(x.size);
  for (let i = 0; i < x.size; i++) {
    const v = x.data[i];
    x.data[i] = v + h;
    const up = f();
    const hi = x.data[i];
    x.data[i] = v - h;
    const down = f();
    const lo = x.data[i];
    x.data[i] = v;
    g[i] = (up - down) / (hi - lo);
  }
  return g;
}

function randomLogits(rows: number, cols: number, seed: number, scale = 3): Tensor {
  const r = new Random(seed);
  return new Tensor(Float32Array.from({ length: rows * cols }, () => r.uniform(-scale, scale)), [rows, cols]);
}

describe('CrossEntropyLoss', () => {
  const ce = new CrossEntropyLoss();

  it('matches -mean log softmax[label] computed directly', () => {
    const x = tensor([[1, 2, 3], [0, 0, 0]]);
    const loss = ce.forward(x, [2, 1]).item();
    const l0 = -(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)));
    const l1 = Math.log(3);
    expect(loss).toBeCloseTo((l0 + l1) / 2, 6);
  });

  it('is stable for huge logits', () => {
    const { loss, grad } = lossAndGrad(ce, tensor([[1000, 0], [-1000, 1000]]), new Int32Array([0, 0]));
    expect(loss).toBeCloseTo(1000, 3);
    expect(Array.from(grad.data).every(Number.isFinite)).toBe(true);
  });

  it('gradient matches finite differences (labels, one-hot and soft targets)', () => {
    const x = randomLogits(4, 5, 3);
    const labels = [0, 4, 2, 2];
    const oneHot = new Tensor(new Float32Array(20), [4, 5]);
    labels.forEach((c, r) => (oneHot.data[r * 5 + c] = 1));
    const soft = new Tensor(Float32Array.from({ length: 20 }, (_, i) => ((i % 5) + 1) / 15), [4, 5]);
    for (const target of [labels, new Int32Array(labels), tensor(labels), oneHot, soft]) {
      const { grad } = lossAndGrad(ce, x, target);
      const num = numericGrad(x, () => ce.forward(x, target).item(), 1e-2);
      for (let i = 0; i < x.size; i++) expect(Math.abs(num[i] - grad.data[i])).toBeLessThan(2e-4);
    }
    expect(ce.forward(x, labels).item()).toBeCloseTo(ce.forward(x, oneHot).item(), 6);
  });

  it('bad labels and shapes are clear errors', () => {
    const x = randomLogits(3, 4, 1);
    expect(() => ce.forward(x, [0, 1])).toThrow(/crossEntropy: got 2 labels for a batch of 3/);
    expect(() => ce.forward(x, [0, 4, 1])).toThrow(/label 4 at index 1 is not an integer class in \[0, 4\)/);
    expect(() => ce.forward(x, [0, -1, 1])).toThrow(/label -1/);
    expect(() => ce.forward(x, [0, 1.5, 1])).toThrow(/label 1.5/);
    expect(() => ce.forward(x, new Tensor(new Float32Array(6), [3, 2]))).toThrow(/one-hot target \[3, 2\] does not match logits \[3, 4\]/);
    expect(() => ce.forward(tensor([1, 2, 3]), [0])).toThrow(/logits \[N, C\]/);
    expect(() => ce.forward(tensor([[NaN, 1]]), [0])).toThrow(/non-finite/);
  });
});

describe('MSELoss', () => {
  const mse = new MSELoss();

  it('is the mean of squared differences with gradient 2(x - t)/n', () => {
    const { loss, grad } = lossAndGrad(mse, tensor([[1, 2], [3, 4]]), tensor([[1, 0], [0, 0]]));
    expect(loss).toBeCloseTo((0 + 4 + 9 + 16) / 4, 6);
    expect(Array.from(grad.data)).toEqual([0, 1, 1.5, 2]);
  });

  it('gradient matches finite differences', () => {
    const x = randomLogits(3, 4, 9);
    const t = randomLogits(3, 4, 10);
    const { grad } = lossAndGrad(mse, x, t);
    const num = numericGrad(x, () => mse.forward(x, t).item(), 1e-2);
    for (let i = 0; i < x.size; i++) expect(Math.abs(num[i] - grad.data[i])).toBeLessThan(1e-4);
  });

  it('mismatched targets are clear errors', () => {
    expect(() => mse.forward(tensor([1, 2]), tensor([[1, 2]]))).toThrow(/mseLoss: target \[1, 2\] does not match input \[2\]/);
    expect(() => mse.forward(tensor([1, 2]), [1])).toThrow(/mseLoss: target has 1 values/);
  });
});

it('a custom loss written with ops gets its gradient from the tape', () => {
  // mean |x − t|² written with sub, mul, mean equals MSELoss, value and gradient.
  const custom: Loss = { type: 'MyMSE', forward: (x, t) => mean(mul(sub(x, t as Tensor), sub(x, t as Tensor))) };
  const x = randomLogits(3, 4, 11);
  const t = randomLogits(3, 4, 12);
  const a = lossAndGrad(custom, x, t);
  const b = lossAndGrad(new MSELoss(), x, t);
  expect(a.loss).toBeCloseTo(b.loss, 6);
  for (let i = 0; i < x.size; i++) expect(a.grad.data[i]).toBeCloseTo(b.grad.data[i], 6);
});

it('resolveLoss takes names and instances', () => {
  expect(resolveLoss('mse')).toBeInstanceOf(MSELoss);
  expect(resolveLoss(undefined)).toBeInstanceOf(CrossEntropyLoss);
  const own = new MSELoss();
  expect(resolveLoss(own)).toBe(own);
  expect(() => resolveLoss('hinge' as never)).toThrow(/loss: expected/);
});
