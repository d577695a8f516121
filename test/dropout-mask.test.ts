// dropoutWithMask: the mask ONNX's Dropout returns as its second output (1 kept, 0
// dropped), drawn from the same stream as dropout, on every backend; all ones when
// nothing is dropped; gradients through the tape follow the mask.
import { describe, expect, it } from 'vitest';
import { Random, Tensor, dropout, dropoutWithMask, getBackend, loadBackend, sum, type Backend } from '../src/index.js';
import { randomTensor } from './support/random.js';

const backends: [string, () => Promise<Backend>][] = [
  ['naive', async () => getBackend('naive')],
  ['js', async () => getBackend('js')],
  ['wasm', () => loadBackend('wasm')],
];

describe.each(backends)('dropoutWithMask on %s', (_, load) => {
  it('returns the mask of the elements it kept, and the same y as dropout for the same seed', async () => {
    const be = await load();
    const x = randomTensor([3, 4, 5], 1);
    const p = 0.4;
    const { y, mask } = dropoutWithMask(x, { p, random: new Random(9) }, be);
    const plain = dropout(x, { p, random: new Random(9) }, be);
    expect(Array.from(y.data)).toEqual(Array.from(plain.data));
    expect(mask).toBeInstanceOf(Uint8Array);
    expect(mask).toHaveLength(x.size);
    const kept = mask.reduce((a, m) => a + m, 0);
    // 60 draws at p = 0.4: some of each (the probability of none is ~1e-13).
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(x.size);
    for (let i = 0; i < x.size; i++) {
      expect(mask[i] === 0 || mask[i] === 1).toBe(true);
      // A dropped element is x·0: ±0.
      if (mask[i] === 1) expect(y.data[i]).toBe(Math.fround(x.data[i] * Math.fround(1 / (1 - p))));
      else expect(y.data[i] === 0).toBe(true);
    }
  });

  it('eval mode and p = 0: y is x itself and the mask is all ones', async () => {
    const be = await load();
    const x = randomTensor([2, 7], 2);
    for (const options of [{ training: false }, { p: 0 }, { p: 0.5, training: false }, { p: 0, training: true }]) {
      const { y, mask } = dropoutWithMask(x, options, be);
      expect(y).toBe(x);
      expect(Array.from(mask)).toEqual(new Array(14).fill(1));
    }
  });

  it('the gradient through the tape is the mask times 1/(1 − p)', async () => {
    const be = await load();
    const x = randomTensor([4, 6], 3);
    x.requiresGrad = true;
    const { y, mask } = dropoutWithMask(x, { p: 0.25, random: new Random(4) }, be);
    sum(y, undefined, be).backward();
    expect(Array.from(x.grad?.data ?? [], (g) => g + 0)).toEqual(Array.from(mask, (m) => (m ? Math.fround(1 / 0.75) : 0)));
  });
});

it('dropoutWithMask validates as dropout does, naming itself', () => {
  const x = new Tensor(new Float32Array(4), [2, 2]);
  expect(() => dropoutWithMask(x, { p: 1 })).toThrow(/^dropoutWithMask: p must be a number in \[0, 1\), got 1$/);
  expect(() => dropoutWithMask(x, { ratio: 0.5 } as never)).toThrow(/dropoutWithMask: unknown option 'ratio'/);
  expect(() => dropoutWithMask(x, { random: 3 } as never)).toThrow(/dropoutWithMask: random must be a Random/);
  expect(() => dropoutWithMask([1, 2] as never)).toThrow(/dropoutWithMask/);
});
