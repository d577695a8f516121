import { describe, expect, it } from 'vitest';
import { Adam, AdamW, SGD } from '../src/train/optim/index.js';
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
    ['AdamW', (ps: Parameter[]) => new AdamW(ps, { lr: 0.1 })],
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

describe('AdamW', () => {
  it('decays the weights apart from the gradient: two steps against values worked by hand', () => {
    // Step t: w *= 1 - lr·wd, then Adam: m = β1·m + (1-β1)·g, v = β2·v + (1-β2)·g²,
    // w -= lr·(m/(1-β1ᵗ)) / (√(v/(1-β2ᵗ)) + eps). lr 0.1, wd 0.1, β (0.9, 0.999), eps 1e-8.
    // Step 1: w = [0.99, -1.98]; m̂ = g, v̂ = g², so w -= 0.1·g/(|g| + 1e-8) → [0.890000002, -2.07999999].
    // Step 2 (g = [-0.25, 0.3]): first weight 0.89·0.99 = 0.8811, m = 0.02, v = 0.00031225,
    // m̂ = 0.02/0.19, v̂ = 0.00031225/0.001999 → 0.8811 - 0.1·0.105263/0.395225 = 0.854466.
    const p = param('w', [1, -2], [0.5, 0.1]);
    const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.1 });
    opt.step();
    expect(p.data[0]).toBeCloseTo(0.890000002, 6);
    expect(p.data[1]).toBeCloseTo(-2.07999999, 6);
    p.grad = tensor([-0.25, 0.3]);
    opt.step();
    expect(p.data[0]).toBeCloseTo(0.8544662986878463, 6);
    expect(p.data[1]).toBeCloseTo(-2.15097809789441, 6);
    expect(opt.iterations).toBe(2);
  });

  it('differs from Adam with the same weightDecay (an L2 term in the moments) and defaults to wd 0.01', () => {
    const a = param('w', [1, -2], [0.5, 0.1]);
    const b = param('w', [1, -2], [0.5, 0.1]);
    new Adam([a], { lr: 0.1, weightDecay: 0.1 }).step();
    new AdamW([b], { lr: 0.1, weightDecay: 0.1 }).step();
    // Adam: g' = g + 0.1·w = [0.6, -0.1]; first step moves by lr·sign(g') → [0.9, -1.9].
    expect(a.data[0]).toBeCloseTo(0.9, 6);
    expect(a.data[1]).toBeCloseTo(-1.9, 6);
    expect(b.data[1]).toBeCloseTo(-2.08, 6);
    const w = new AdamW([param('w', [1], [0])]);
    expect(w.weightDecay).toBe(0.01);
    expect(w.lr).toBe(0.001);
    expect(w.stateDict().type).toBe('AdamW');
    expect(() => new Adam([param('w', [1], [0])]).loadStateDict(w.stateDict())).toThrow(/state is of a AdamW, not a Adam/);
  });
});

describe('every optimizer', () => {
  const make = {
    SGD: (ps: Parameter[], o?: object) => new SGD(ps, o),
    Adam: (ps: Parameter[], o?: object) => new Adam(ps, o),
    AdamW: (ps: Parameter[], o?: object) => new AdamW(ps, o),
  };
  for (const [name, build] of Object.entries(make)) {
    it(`${name} refuses unknown option keys, naming them, and non-object options`, () => {
      const p = param('w', [1], [0]);
      expect(() => build([p], { learningRate: 0.1 })).toThrow(new RegExp(`^${name}: unknown option 'learningRate' \\(known: lr, decay`));
      expect(() => build([p], { lr: 0.1, beta: 0.9, moment: 1 })).toThrow(new RegExp(`${name}: unknown options 'beta', 'moment'`));
      expect(() => build([p], null as never)).toThrow(new RegExp(`${name}: options must be an object`));
      expect(() => build([p], { lr: -0.1 })).toThrow(new RegExp(`${name}: lr must be a finite number in \\[0, ∞\\), got -0.1`));
    });

    it(`${name}.lr is settable and validated; the next step uses it, with decay on top`, () => {
      const p = param('w', [1], [1]);
      const opt = build([p], { lr: 0.1, decay: 1 });
      expect(opt.lr).toBe(0.1);
      opt.lr = 0.4;
      expect(opt.currentLr).toBe(0.4);
      opt.step();
      expect(opt.currentLr).toBe(0.4 / 2); // lr / (1 + t·decay), t = 1
      for (const bad of [-1, NaN, Infinity, '0.1']) {
        expect(() => { opt.lr = bad as number; }).toThrow(new RegExp(`${name}.lr: the learning rate must be a finite number in \\[0, ∞\\), got ${String(bad)}`));
      }
      expect(opt.lr).toBe(0.4);
      opt.lr = 0; // a schedule may reach 0: the step then changes nothing (momentum aside)
      const before = p.data[0];
      if (name === 'SGD') {
        opt.step();
        expect(p.data[0]).toBe(before);
      }
    });

    it(`${name}.loadStateDict restores lr and the step count`, () => {
      const a = build([param('w', [1, 2], [0.1, 0.2])], { lr: 0.1 });
      a.step();
      a.lr = 0.025;
      const b = build([param('w', [1, 2], [0.1, 0.2])], { lr: 0.1 });
      b.loadStateDict(a.stateDict());
      expect(b.lr).toBe(0.025);
      expect(b.iterations).toBe(1);
      const bad = a.stateDict();
      bad.settings.lr = -1;
      expect(() => b.loadStateDict(bad)).toThrow(new RegExp(`${name}.loadStateDict: the saved lr must be a finite number`));
    });
  }

  it('SGD keeps its decay: the first step at lr, then lr/(1+t·decay) whatever lr was set to', () => {
    const p = param('w', [0], [1]);
    const opt = new SGD([p], { lr: 0.5, decay: 0.5 });
    opt.step(); // 0.5
    opt.lr = 0.3;
    opt.step(); // 0.3/1.5 = 0.2
    expect(p.data[0]).toBeCloseTo(-0.7, 6);
  });
});
