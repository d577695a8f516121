import { describe, expect, it } from 'vitest';
import { Adam, SGD } from '../src/train/optim/index.js';
import { Parameter, Tensor, tensor } from '../src/tensor.js';

function param(name: string, values: number[], grads: number[]): Parameter {
  const p = new Parameter(tensor(values));
  p.name = name;
  p.grad = tensor(grads);
  return p;
}

describe('SGD', () => {
  it('plain step is w -= lr·g', () => {
    const p = param('w', [1, 2], [0.5, -1]);
    new SGD([p], { lr: 0.1 }).step();
    expect(Array.from(p.data)).toEqual([Math.fround(1 - 0.05), Math.fround(2 + 0.1)]);
  });

  it('momentum and decay follow seed 004: lr_t = lr/(1+t·decay), v = m·v + lr_t·g, w -= v', () => {
    const p = param('w', [1], [1]);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9, decay: 0.5 });
    let w = 1;
    let v = 0;
    for (let t = 0; t < 4; t++) {
      const lr = 0.1 / (1 + t * 0.5);
      v = Math.fround(0.9 * v + lr * 1);
      w = Math.fround(w - v);
      opt.step();
      expect(p.data[0]).toBeCloseTo(w, 6);
    }
    expect(opt.iterations).toBe(4);
  });

  it('nesterov and weight decay change the update as documented', () => {
    const p = param('w', [2], [1]);
    new SGD([p], { lr: 0.1, momentum: 0.5, nesterov: true, weightDecay: 0.1 }).step();
    const g = 1 + 0.1 * 2;
    const v = 0.1 * g;
    expect(p.data[0]).toBeCloseTo(2 - (0.5 * v + 0.1 * g), 6);
  });

  it('rejects bad options', () => {
    const p = param('w', [1], [0]);
    expect(() => new SGD([p], { lr: -1 })).toThrow(/SGD: lr/);
    expect(() => new SGD([p], { lr: NaN })).toThrow(/SGD: lr/);
    expect(() => new SGD([p], { momentum: 1 })).toThrow(/SGD: momentum/);
    expect(() => new SGD([p], { nesterov: true })).toThrow(/nesterov/);
  });
});

describe('Adam', () => {
  it('first step moves each weight by lr·sign(g) (bias correction)', () => {
    const p = param('w', [1, 1], [0.3, -7]);
    new Adam([p], { lr: 0.01 }).step();
    expect(p.data[0]).toBeCloseTo(0.99, 5);
    expect(p.data[1]).toBeCloseTo(1.01, 5);
  });

  it('minimizes a quadratic', () => {
    const p = param('w', [5, -3], [0, 0]);
    const opt = new Adam([p], { lr: 0.1 });
    for (let i = 0; i < 500; i++) {
      opt.zeroGrad();
      p.grad = tensor([0, 1].map((k) => 2 * (p.data[k] - 1)));
      opt.step();
    }
    expect(p.data[0]).toBeCloseTo(1, 2);
    expect(p.data[1]).toBeCloseTo(1, 2);
  });
});

describe('a non-finite gradient', () => {
  for (const [name, make] of [
    ['SGD', (ps: Parameter[]) => new SGD(ps, { lr: 0.1, momentum: 0.9 })],
    ['Adam', (ps: Parameter[]) => new Adam(ps)],
  ] as const) {
    it(`${name}.step throws and changes no parameter and no state`, () => {
      const a = param('a', [1, 2, 3], [0.1, 0.2, 0.3]);
      const b = param('b', [4, 5], [0.4, 0.5]);
      const opt = make([a, b]);
      opt.step();
      const ga = a.grad as Tensor;
      const gb = b.grad as Tensor;
      const before = [a.copyDetached(), b.copyDetached()];
      gb.data[1] = NaN;
      expect(() => opt.step()).toThrow(/gradient of 'b'.*non-finite.*index 1/);
      expect(Array.from(a.data)).toEqual(Array.from(before[0].data));
      expect(Array.from(b.data)).toEqual(Array.from(before[1].data));
      expect(opt.iterations).toBe(1);
      // State unchanged: the same finite step from here equals a fresh twin's second step.
      const a2 = param('a', [1, 2, 3], [0.1, 0.2, 0.3]);
      const b2 = param('b', [4, 5], [0.4, 0.5]);
      const twin = make([a2, b2]);
      twin.step();
      gb.data[1] = 0.5;
      ga.data[0] = Infinity;
      expect(() => opt.step()).toThrow(/gradient of 'a'/);
      ga.data[0] = 0.1;
      opt.step();
      twin.step();
      expect(Array.from(a.data)).toEqual(Array.from(a2.data));
      expect(Array.from(b.data)).toEqual(Array.from(b2.data));
    });
  }
});

it('zeroGrad clears every gradient; a parameter without one is skipped by step', () => {
  const p = param('w', [1, 2], [3, 4]);
  const q = param('q', [5], [1]);
  const opt = new SGD([p, q], { lr: 0.5 });
  opt.zeroGrad();
  expect(p.grad).toBeNull();
  q.grad = tensor([1]);
  opt.step();
  expect(Array.from(p.data)).toEqual([1, 2]);
  expect(Array.from(q.data)).toEqual([4.5]);
});
