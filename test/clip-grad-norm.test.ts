// clipGradNorm by hand: the global L2 norm over every gradient, in-place scaling, and
// non-finite norms that leave everything for the optimizer to refuse.
import { describe, expect, it } from 'vitest';
import { Parameter, SGD, Tensor, clipGradNorm, tensor } from '../src/index.js';

function param(name: string, values: number[], grads: number[] | null): Parameter {
  const p = new Parameter(tensor(values));
  p.name = name;
  p.grad = grads === null ? null : tensor(grads);
  return p;
}

const grads = (ps: Parameter[]): number[][] => ps.map((p) => (p.grad ? Array.from(p.grad.data) : []));

describe('clipGradNorm', () => {
  it('returns the norm over all gradients together and scales them to maxNorm when above it', () => {
    const ps = [param('a', [1, 1], [3, 0]), param('b', [1, 1], [0, 4]), param('c', [1], null)];
    expect(clipGradNorm(ps, 10)).toBe(5);
    expect(grads(ps)).toEqual([[3, 0], [0, 4], []]); // below maxNorm: unchanged
    expect(clipGradNorm(ps, 1)).toBe(5);
    const coef = 1 / (5 + 1e-6); // PyTorch's maxNorm / (total + 1e-6)
    expect(grads(ps)).toEqual([[Math.fround(3 * coef), 0], [0, Math.fround(4 * coef)], []]);
    expect(clipGradNorm(ps, 1)).toBeCloseTo(1, 6);
    expect(Array.from(ps[0].data)).toEqual([1, 1]); // weights untouched
  });

  it('counts a gradient tensor shared by two parameters once, and scales it once', () => {
    const g = tensor([3, 4]);
    const a = param('a', [0, 0], null);
    const b = param('b', [0, 0], null);
    a.grad = g;
    b.grad = g;
    expect(clipGradNorm([a, b], 2.5)).toBe(5);
    expect(g.data[0]).toBeCloseTo(1.5, 5);
  });

  it('a non-finite norm changes no gradient, so the optimizer refuses the step with every weight intact', () => {
    for (const bad of [NaN, Infinity]) {
      const ps = [param('a', [1, 2], [3, 0]), param('b', [5], [bad])];
      const total = clipGradNorm(ps, 1);
      expect(Number.isFinite(total)).toBe(false);
      expect(grads(ps)).toEqual([[3, 0], [bad]]);
      expect(() => new SGD(ps, { lr: 0.1 }).step()).toThrow(/SGD.step: gradient of 'b' has a non-finite value/);
      expect(Array.from(ps[0].data)).toEqual([1, 2]);
      expect(() => clipGradNorm(ps, 1, { errorIfNonfinite: true })).toThrow(/clipGradNorm: the total gradient norm is (NaN|Infinity); no gradient was changed/);
    }
  });

  it('refuses bad arguments, naming the function and the value, before changing anything', () => {
    const ps = [param('a', [1, 2], [30, 40])];
    expect(() => clipGradNorm(ps, 0)).toThrow(/^clipGradNorm: maxNorm must be a finite number > 0, got 0/);
    expect(() => clipGradNorm(ps, NaN)).toThrow(/clipGradNorm: maxNorm must be a finite number > 0, got NaN/);
    expect(() => clipGradNorm('w' as never, 1)).toThrow(/clipGradNorm: parameters must be an array/);
    expect(() => clipGradNorm([...ps, 3 as never], 1)).toThrow(/clipGradNorm: parameter 1 is not a Tensor \(got 3\)/);
    expect(() => clipGradNorm(ps, 1, { errorIfNonFinite: true } as never)).toThrow(/clipGradNorm: unknown option 'errorIfNonFinite'/);
    const wrong = param('w', [1, 2, 3], null);
    wrong.grad = new Tensor(new Float32Array(2), [2]);
    expect(() => clipGradNorm([...ps, wrong], 1)).toThrow(/clipGradNorm: the gradient of parameter 1 \('w'\) does not match its shape \[3\]/);
    expect(grads(ps)).toEqual([[30, 40]]);
  });
});
