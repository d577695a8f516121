import { describe, expect, it } from 'vitest';
import {
  computeFans, glorotNormal, glorotUniform, globalRandom, heNormal, heUniform, initialize, initializers,
  kaimingNormal, kaimingUniform, setSeed, xavierNormal, xavierUniform,
} from '../src/init.js';
import { Random } from '../src/random.js';
import type { Tensor } from '../src/tensor.js';

function stats(t: Tensor): { mean: number; std: number; max: number } {
  let s = 0;
  let s2 = 0;
  let max = 0;
  for (const v of t.data) {
    s += v;
    s2 += v * v;
    max = Math.max(max, Math.abs(v));
  }
  const mean = s / t.size;
  return { mean, std: Math.sqrt(s2 / t.size - mean * mean), max };
}

describe('initializers', () => {
  it('fans follow PyTorch for linear and conv weights', () => {
    expect(computeFans([120, 400])).toEqual({ fanIn: 400, fanOut: 120 });
    expect(computeFans([16, 6, 5, 5])).toEqual({ fanIn: 150, fanOut: 400 });
    expect(() => computeFans([3])).toThrow(/computeFans/);
  });

  it('uniform variants stay within their limit and have the uniform std limit/√3', () => {
    const shape = [64, 32, 3, 3];
    const { fanIn, fanOut } = computeFans(shape);
    for (const [fn, limit] of [
      [glorotUniform, Math.sqrt(6 / (fanIn + fanOut))],
      [heUniform, Math.sqrt(6 / fanIn)],
    ] as const) {
      const s = stats(fn(shape, { seed: 1 }));
      expect(s.max).toBeLessThanOrEqual(limit);
      expect(s.max).toBeGreaterThan(0.99 * limit);
      expect(Math.abs(s.std / (limit / Math.sqrt(3)) - 1)).toBeLessThan(0.03);
      expect(Math.abs(s.mean)).toBeLessThan(0.02 * limit);
    }
  });

  it('normal variants have their std', () => {
    const shape = [256, 300];
    const { fanIn, fanOut } = computeFans(shape);
    expect(Math.abs(stats(glorotNormal(shape, { seed: 2 })).std / Math.sqrt(2 / (fanIn + fanOut)) - 1)).toBeLessThan(0.02);
    expect(Math.abs(stats(heNormal(shape, { seed: 2 })).std / Math.sqrt(2 / fanIn) - 1)).toBeLessThan(0.02);
  });

  it('aliases are the same functions and every name is in the table', () => {
    expect(xavierUniform).toBe(glorotUniform);
    expect(xavierNormal).toBe(glorotNormal);
    expect(kaimingUniform).toBe(heUniform);
    expect(kaimingNormal).toBe(heNormal);
    expect(Array.from(initialize('zeros', [2, 3]).data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Object.keys(initializers).sort()).toEqual(
      ['glorotNormal', 'glorotUniform', 'heNormal', 'heUniform', 'kaimingNormal', 'kaimingUniform', 'xavierNormal', 'xavierUniform', 'zeros'],
    );
  });

  it('a seed reproduces values bit for bit; setSeed resets the global stream', () => {
    expect(Array.from(heNormal([8, 8], { seed: 7 }).data)).toEqual(Array.from(heNormal([8, 8], { seed: 7 }).data));
    setSeed(42);
    const a = heUniform([4, 4]);
    setSeed(42);
    const b = heUniform([4, 4]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(heUniform([4, 4]).data)).not.toEqual(Array.from(a.data));
    expect(globalRandom()).toBeInstanceOf(Random);
  });

  it('errors name the initializer and the problem', () => {
    expect(() => initialize('nope' as never, [2, 2])).toThrow(/unknown initializer 'nope'/);
    expect(() => initialize(() => initialize('zeros', [3]), [2, 2])).toThrow(/expected a tensor of shape \[2, 2\]/);
    expect(() => heUniform([0, 3])).toThrow(/heUniform/);
    expect(() => setSeed(NaN)).toThrow(/setSeed/);
  });
});
