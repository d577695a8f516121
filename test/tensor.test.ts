import { describe, expect, it } from 'vitest';
import { Tensor, formatShape, full, ones, rand, randn, shapeSize, tensor, zeros } from '../src/tensor.js';
import { Random } from '../src/random.js';

describe('Tensor', () => {
  it('keeps data and a frozen copy of the shape', () => {
    const data = new Float32Array(6);
    const shape = [2, 3];
    const t = new Tensor(data, shape);
    expect(t.data).toBe(data);
    expect(t.shape).toEqual([2, 3]);
    shape[0] = 7;
    expect(t.shape).toEqual([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(t.size).toBe(6);
    expect(t.rank).toBe(2);
    expect(t.toString()).toBe('Tensor([2, 3])');
  });

  it('rejects data that does not fit the shape', () => {
    expect(() => new Tensor(new Float32Array(5), [2, 3])).toThrow(/Tensor: data has 5 elements but shape \[2, 3\] needs 6/);
  });

  it('rejects a non-Float32Array', () => {
    expect(() => new Tensor(new Float64Array(2) as unknown as Float32Array, [2])).toThrow(/Float32Array/);
  });

  it('rejects negative or fractional sizes', () => {
    expect(() => new Tensor(new Float32Array(0), [2, -1])).toThrow(/\[2, -1\]/);
    expect(() => new Tensor(new Float32Array(3), [1.5, 2])).toThrow(/1\.5/);
  });

  it('get/set index in row-major order and check bounds', () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(t.get(1, 0)).toBe(4);
    t.set(9, 0, 2);
    expect(t.data[2]).toBe(9);
    expect(() => t.get(2, 0)).toThrow(/out of bounds for shape \[2, 3\]/);
    expect(() => t.get(0)).toThrow(/does not match shape \[2, 3\]/);
  });

  it('toArray copies into a plain array', () => {
    const t = tensor([1, 2, 3]);
    const a = t.toArray();
    a[0] = 7;
    expect(t.data[0]).toBe(1);
    expect(Array.isArray(a)).toBe(true);
  });
});

describe('tensor()', () => {
  it('infers the shape of nested arrays', () => {
    const t = tensor([[[1, 2]], [[3, 4]], [[5, 6]]]);
    expect(t.shape).toEqual([3, 1, 2]);
    expect(t.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('takes a flat array with a shape', () => {
    const t = tensor([1, 2, 3, 4], [2, 2]);
    expect(t.shape).toEqual([2, 2]);
    expect(t.get(1, 1)).toBe(4);
  });

  it('uses a Float32Array without copying, other typed arrays by copying', () => {
    const f = new Float32Array([1, 2]);
    expect(tensor(f).data).toBe(f);
    const i = new Int32Array([3, 4]);
    const t = tensor(i, [2, 1]);
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.toArray()).toEqual([3, 4]);
  });

  it('makes a scalar from a number', () => {
    const t = tensor(5);
    expect(t.shape).toEqual([]);
    expect(t.size).toBe(1);
    expect(t.data[0]).toBe(5);
  });

  it('rejects ragged nested arrays', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => tensor([[1], 2])).toThrow(/ragged/);
  });

  it('rejects an array where a number belongs (the rank is fixed by the first number)', () => {
    expect(() => tensor([1, [2]])).toThrow(/ragged/);
    expect(() => tensor([[1, 2], [3, [4]]])).toThrow(/ragged/);
  });

  it('rejects values that do not fit the shape', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/3 values do not fit shape \[2, 2\]/);
  });
});

describe('zeros / ones / full', () => {
  it('fill with the value', () => {
    expect(zeros([2, 2]).toArray()).toEqual([0, 0, 0, 0]);
    expect(ones([3]).toArray()).toEqual([1, 1, 1]);
    expect(full([1, 2], -2.5).toArray()).toEqual([-2.5, -2.5]);
    expect(full([2, 3], 1).shape).toEqual([2, 3]);
  });

  it('reject bad shapes naming the function', () => {
    expect(() => zeros([2, -3])).toThrow(/zeros: shape \[2, -3\]/);
    expect(() => full([NaN], 1)).toThrow(/full/);
  });
});

describe('randn / rand', () => {
  it('the same seed gives the same values, another seed different ones', () => {
    const a = randn([50], { seed: 7 });
    const b = randn([50], { seed: 7 });
    const c = randn([50], { seed: 8 });
    expect(a.toArray()).toEqual(b.toArray());
    expect(a.toArray()).not.toEqual(c.toArray());
    expect(rand([20], { seed: 3 }).toArray()).toEqual(rand([20], { seed: 3 }).toArray());
  });

  it('a shared generator continues its stream', () => {
    const rng = new Random(11);
    const first = rand([5], { random: rng });
    const second = rand([5], { random: rng });
    expect(first.toArray()).not.toEqual(second.toArray());
    const both = rand([10], { seed: 11 });
    expect([...first.toArray(), ...second.toArray()]).toEqual(both.toArray());
  });

  it('randn has roughly the requested mean and std', () => {
    const t = randn([20000], { seed: 1, mean: 3, std: 2 });
    let sum = 0;
    for (const v of t.data) sum += v;
    const mean = sum / t.size;
    let sq = 0;
    for (const v of t.data) sq += (v - mean) ** 2;
    const std = Math.sqrt(sq / t.size);
    // Standard error of the mean is 2/sqrt(20000) ≈ 0.014: 0.06 is > 4 standard errors.
    expect(Math.abs(mean - 3)).toBeLessThan(0.06);
    expect(Math.abs(std - 2)).toBeLessThan(0.06);
  });

  it('rand stays in [low, high)', () => {
    const t = rand([5000], { seed: 2, low: -1, high: 0.5 });
    for (const v of t.data) {
      expect(v).toBeGreaterThanOrEqual(-1);
      expect(v).toBeLessThan(0.5);
    }
    expect(() => rand([2], { low: 1, high: 1 })).toThrow(/rand: high \(1\) must be greater than low \(1\)/);
  });
});

describe('reshape', () => {
  it('is a view on the same data', () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const r = t.reshape([3, 2]);
    expect(r.shape).toEqual([3, 2]);
    expect(r.data).toBe(t.data);
    r.set(42, 2, 1);
    expect(t.get(1, 2)).toBe(42);
  });

  it('infers one -1 size', () => {
    const t = zeros([2, 3, 4]);
    expect(t.reshape([-1, 4]).shape).toEqual([6, 4]);
    expect(t.reshape([2, -1]).shape).toEqual([2, 12]);
  });

  it('rejects two -1 sizes', () => {
    expect(() => zeros([4]).reshape([-1, -1])).toThrow(/only one size may be -1/);
  });

  it('rejects a size mismatch naming both shapes', () => {
    expect(() => zeros([2, 3]).reshape([4, 2])).toThrow(/cannot reshape \[2, 3\] \(6 elements\) to \[4, 2\]/);
    expect(() => zeros([2, 3]).reshape([4, -1])).toThrow(/cannot reshape \[2, 3\]/);
  });
});

describe('clone', () => {
  it('copies data and shape', () => {
    const t = tensor([1, 2, 3, 4], [2, 2]);
    const c = t.clone();
    expect(c.shape).toEqual([2, 2]);
    expect(c.data).not.toBe(t.data);
    c.data[0] = 9;
    expect(t.data[0]).toBe(1);
    expect(c.toArray()).toEqual([9, 2, 3, 4]);
  });
});

describe('helpers', () => {
  it('shapeSize and formatShape', () => {
    expect(shapeSize([2, 3, 4])).toBe(24);
    expect(shapeSize([])).toBe(1);
    expect(formatShape([1, 3, 4, 4])).toBe('[1, 3, 4, 4]');
  });
});

describe('random tensor options', () => {
  it('randn refuses a NaN or negative std and a non-finite mean', () => {
    expect(() => randn([2], { std: NaN })).toThrow(/randn: .*std \(NaN\)/);
    expect(() => randn([2], { std: -1 })).toThrow(/randn/);
    expect(() => randn([2], { mean: Infinity })).toThrow(/randn: mean \(Infinity\)/);
  });
  it('rand refuses non-finite bounds', () => {
    expect(() => rand([2], { low: 0, high: Infinity })).toThrow(/rand: high \(Infinity\)/);
  });
});
