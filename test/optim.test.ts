import { describe, expect, it } from 'vitest';
import { Adam, SGD } from '../src/optim.js';
import { createParameter, type Parameter } from '../src/nn/parameter.js';
import { tensor } from '../src/tensor.js';

function param(name: string, values: number[], grads: number[]): Parameter {
  const p = createParameter(name, tensor(values));
  p.grad.data.set(grads);
  return p;
}

describe('SGD', () => {
  it('plain step is w -= lr·g', () => {
    const p = param('w', [1, 2], [0.5, -1]);
    new SGD([p], { lr: 0.1 }).step();
    expect(Array.from(p.value.data)).toEqual([Math.fround(1 - 0.05), Math.fround(2 + 0.1)]);
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
      expect(p.value.data[0]).toBeCloseTo(w, 6);
    }
    expect(opt.iterations).toBe(4);
  });

  it('nesterov and weight decay change the update as documented', () => {
    const p = param('w', [2], [1]);
    new SGD([p], { lr: 0.1, momentum: 0.5, nesterov: true, weightDecay: 0.1 }).step();
    const g = 1 + 0.1 * 2;
    const v = 0.1 * g;
    expect(p.value.data[0]).toBeCloseTo(2 - (0.5 * v + 0.1 * g), 6);
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
    expect(p.value.data[0]).toBeCloseTo(0.99, 5);
    expect(p.value.data[1]).toBeCloseTo(1.01, 5);
  });

  it('minimizes a quadratic', () => {
    const p = param('w', [5, -3], [0, 0]);
    const opt = new Adam([p], { lr: 0.1 });
    for (let i = 0; i < 500; i++) {
      opt.zeroGrad();
      for (let k = 0; k < 2; k++) p.grad.data[k] = 2 * (p.value.data[k] - 1);
      opt.step();
    }
    expect(p.value.data[0]).toBeCloseTo(1, 2);
    expect(p.value.data[1]).toBeCloseTo(1, 2);
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
      const before = [a.value.clone(), b.value.clone()];
      b.grad.data[1] = NaN;
      expect(() => opt.step()).toThrow(/gradient of 'b'.*non-finite.*index 1/);
      expect(Array.from(a.value.data)).toEqual(Array.from(before[0].data));
      expect(Array.from(b.value.data)).toEqual(Array.from(before[1].data));
      expect(opt.iterations).toBe(1);
      // State unchanged: the same finite step from here equals a fresh twin's second step.
      const a2 = param('a', [1, 2, 3], [0.1, 0.2, 0.3]);
      const b2 = param('b', [4, 5], [0.4, 0.5]);
      const twin = make([a2, b2]);
      twin.step();
      b.grad.data[1] = 0.5;
      a.grad.data[0] = Infinity;
      expect(() => opt.step()).toThrow(/gradient of 'a'/);
      a.grad.data[0] = 0.1;
      opt.step();
      twin.step();
      expect(Array.from(a.value.data)).toEqual(Array.from(a2.value.data));
      expect(Array.from(b.value.data)).toEqual(Array.from(b2.value.data));
    });
  }
});

it('zeroGrad clears every gradient', () => {
  const p = param('w', [1, 2], [3, 4]);
  new SGD([p]).zeroGrad();
  expect(Array.from(p.grad.data)).toEqual([0, 0]);
});
