// The shape ops of issue 10 (transpose / permute, slice / narrow, pad, squeeze / unsqueeze,
// split / chunk): their semantics on small worked examples, gradients through the tape by
// central finite differences on the naive backend, ShuffleNet's channel shuffle built
// from reshape → transpose → reshape against a direct index computation (forward and
// gradient, every backend), and the errors for bad input.
//
// Gradient tolerance: 1e-6 relative to max(1, max|gradient|), h = 0.25. Every op
// here only moves (pad reflect/edge: also adds) values, so L = Σ y·r is linear in x; the
// difference quotient divides by the perturbation actually stored in float32, so it is
// exact but for float64 rounding of L (~1e-16·Σ|y·r|), and the analytic gradient is exact
// but for its float32 storage (2⁻²⁴ ≈ 6e-8 relative). A wrong rule (a swapped axis, an
// off-by-one window, a border copy not added back) is off by O(1).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend/backend.js';
import { naiveBackend as naive } from '../src/backend/naive.js';
import { jsBackend } from '../src/backend/js.js';
import { loadWasmBackend } from '../src/backend/wasm.js';
import { add, chunk, concat, mul, narrow, pad, permute, reshape, slice, split, squeeze, transpose, unsqueeze } from '../src/ops/index.js';
import { Tensor, tensor, zeros } from '../src/tensor.js';
import { expectTapeGradients } from './support/gradcheck.js';
import { randomTensor } from './support/random.js';

const STEP = { h: 0.25, tol: 1e-6 };

/** expectTapeGradients of f(x) with respect to x (a fresh leaf copy of x). */
function checkTape(label: string, x: Tensor, f: (x: Tensor) => Tensor, seed: number): void {
  const leaf = x.detach();
  expectTapeGradients(label, () => f(leaf), [leaf], STEP, seed);
}

const x234 = (): Tensor => randomTensor([2, 3, 4], 1);

describe('transpose and permute', () => {
  it('default reverses the axes (ONNX); perm and dims pick output axes', () => {
    const x = tensor([0, 1, 2, 3, 4, 5], [2, 3]);
    expect(transpose(x).shape).toEqual([3, 2]);
    expect(transpose(x).toArray()).toEqual([0, 3, 1, 4, 2, 5]);
    const y = randomTensor([2, 3, 4, 5], 2);
    const p = permute(y, [0, 2, 3, 1]); // NCHW → NHWC
    expect(p.shape).toEqual([2, 4, 5, 3]);
    expect(p.get(1, 2, 3, 0)).toBe(y.get(1, 0, 2, 3));
    expect(transpose(y, [-4, -2, -1, -3]).toArray()).toEqual(p.toArray());
    expect(transpose(y, [0, 1, 2, 3]).toArray()).toEqual(y.toArray());
  });

  it('moving only size-1 axes is a view on the same data', () => {
    const y = randomTensor([3, 1, 4], 3);
    const t = transpose(y, [1, 0, 2]);
    expect(t.shape).toEqual([1, 3, 4]);
    expect(t.data).toBe(y.data);
  });

  it('gradients: the inverse permutation', () => {
    checkTape('transpose default', x234(), (x) => transpose(x, undefined, naive), 10);
    checkTape('transpose [1, 2, 0]', x234(), (x) => transpose(x, [1, 2, 0], naive), 11);
    checkTape('permute 4-D', randomTensor([2, 3, 1, 4], 4), (x) => permute(x, [3, 0, 2, 1], naive), 12);
  });
});

describe('slice and narrow (ONNX Slice semantics)', () => {
  const r = tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const s = (starts: number[], ends: number[], steps?: number[]): number[] => slice(r, { starts, ends, steps }).toArray();

  it('steps, negative indices and clamping', () => {
    expect(s([2], [5])).toEqual([2, 3, 4]);
    expect(s([-3], [Infinity])).toEqual([7, 8, 9]);
    expect(s([1], [1000])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s([-1000], [2])).toEqual([0, 1]);
    expect(s([0], [10], [3])).toEqual([0, 3, 6, 9]);
    expect(s([8], [1], [-2])).toEqual([8, 6, 4, 2]);
    expect(s([-1], [-Infinity], [-1])).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(s([100], [-100], [-3])).toEqual([9, 6, 3, 0]); // start clamped to d − 1, end to −1
    const m = tensor([[1, 2, 3, 4], [5, 6, 7, 8]]); // ONNX's slice example
    expect(slice(m, { starts: [1, 0], ends: [2, 3], axes: [0, 1], steps: [1, 2] }).toArray()).toEqual([5, 7]);
    expect(slice(m, { starts: [0, 1], ends: [-1, 1000] }).toArray()).toEqual([2, 3, 4]);
    expect(slice(m, { starts: [-1], ends: [-3], axes: [-1], steps: [-1] }).toArray()).toEqual([4, 3, 8, 7]);
  });

  it('an empty window is an empty tensor, as in ONNX; its gradient is zero', () => {
    const e = slice(r, { starts: [5], ends: [2] });
    expect(e.shape).toEqual([0]);
    expect(slice(r, { starts: [3], ends: [3] }).shape).toEqual([0]);
    const leaf = randomTensor([2, 3], 5);
    leaf.requiresGrad = true;
    const y = slice(leaf, { starts: [2], ends: [1], axes: [1] });
    expect(y.shape).toEqual([2, 0]);
    y.backward(zeros([2, 0]));
    expect(leaf.grad?.toArray()).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('narrow: a start (negative from the end) and a length, never clamped', () => {
    const m = tensor([[1, 2, 3, 4], [5, 6, 7, 8]]);
    expect(narrow(m, 1, 1, 2).toArray()).toEqual([2, 3, 6, 7]);
    expect(narrow(m, -1, -1, 1).toArray()).toEqual([4, 8]);
    expect(narrow(m, 0, 2, 0).shape).toEqual([0, 4]);
    expect(() => narrow(m, 1, 3, 2)).toThrow(/narrow: length must be an integer in \[0, 1\] from start 3 on axis 1 of input \[2, 4\], got 2/);
  });

  it('gradients: dy in the window, 0 elsewhere', () => {
    const x = randomTensor([3, 5, 4], 6);
    checkTape('slice steps', x, (t) => slice(t, { starts: [0, 4, 1], ends: [3, 0, 4], steps: [2, -2, 1] }, naive), 13);
    checkTape('slice one axis', x, (t) => slice(t, { starts: [-2], ends: [Infinity], axes: [-1] }, naive), 14);
    checkTape('narrow', x, (t) => narrow(t, 1, 1, 3, naive), 15);
  });
});

describe('pad', () => {
  const m = tensor([[1, 2, 3], [4, 5, 6]]);

  it('constant with a value, reflect and edge (ONNX examples), in either pads form', () => {
    expect(pad(m, [0, 1, 0, 0], { value: 9 }).toArray()).toEqual([9, 1, 2, 3, 9, 4, 5, 6]);
    expect(pad(m, [[0, 0], [1, 0]], { value: 9 }).toArray()).toEqual([9, 1, 2, 3, 9, 4, 5, 6]);
    expect(pad(m, [[2, 1]], { axes: [-1], mode: 'reflect' }).toArray()).toEqual([3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5]);
    expect(pad(m, [1, 1, 0, 0], { mode: 'edge' }).toArray()).toEqual([1, 1, 2, 3, 1, 1, 2, 3, 4, 4, 5, 6]);
    expect(pad(m, [1, 0, 0, 0], { mode: 'reflect' }).toArray()).toEqual([4, 5, 6, 1, 2, 3, 4, 5, 6]);
    expect(pad(m, [1, 0, 1, 0], { mode: 'reflect' }).toArray()).toEqual([4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 3]);
    expect(pad(m, [[0, 0], [-1, 1]]).toArray()).toEqual([2, 3, 0, 5, 6, 0]); // a negative pad crops
    expect(pad(m, [[1, 0], [0, 0]], { value: -Infinity }).toArray()).toEqual([-Infinity, -Infinity, -Infinity, 1, 2, 3, 4, 5, 6]);
    expect(pad(m, [0, 0, 0, 0]).toArray()).toEqual(m.toArray());
  });

  it('gradients: crop for constant, border copies added back for reflect and edge', () => {
    const x = randomTensor([2, 3, 4, 5], 7);
    checkTape('constant', x, (t) => pad(t, [0, 0, 1, 2, 0, 1, 0, 3], { value: 0.5 }, naive), 16);
    checkTape('constant crop', x, (t) => pad(t, [[0, -1], [2, -1]], { axes: [2, 3] }, naive), 17);
    checkTape('reflect', x, (t) => pad(t, [[3, 2], [1, 4]], { axes: [2, 3], mode: 'reflect' }, naive), 18);
    checkTape('edge', x, (t) => pad(t, [[2, 0], [3, 5]], { axes: [1, -1], mode: 'edge' }, naive), 19);
    checkTape('edge on a size-1 axis', randomTensor([2, 1, 3], 8), (t) => pad(t, [[2, 3]], { axes: [1], mode: 'edge' }, naive), 20);
  });
});

describe('squeeze and unsqueeze', () => {
  it('ONNX axes; views on the same data', () => {
    const x = randomTensor([1, 3, 1, 2], 9);
    expect(squeeze(x).shape).toEqual([3, 2]);
    expect(squeeze(x, 0).shape).toEqual([3, 1, 2]);
    expect(squeeze(x, [-2, 0]).shape).toEqual([3, 2]);
    expect(squeeze(x).data).toBe(x.data);
    const v = randomTensor([3, 2], 10);
    expect(unsqueeze(v, 0).shape).toEqual([1, 3, 2]);
    expect(unsqueeze(v, [0, 3]).shape).toEqual([1, 3, 2, 1]);
    expect(unsqueeze(v, [-1, 1]).shape).toEqual([3, 1, 2, 1]);
    expect(unsqueeze(v, [0, 1]).shape).toEqual([1, 1, 3, 2]);
  });

  it('gradients pass through reshaped', () => {
    checkTape('squeeze', randomTensor([1, 3, 1, 2], 11), (t) => squeeze(t, [0, 2]), 21);
    checkTape('unsqueeze', randomTensor([3, 2], 12), (t) => unsqueeze(t, [1, -1]), 22);
  });
});

describe('split and chunk', () => {
  it('sizes or an equal count along an axis (default 1, as concat); chunk as PyTorch', () => {
    const x = randomTensor([2, 6, 3], 13);
    const parts = split(x, [1, 3, 2]);
    expect(parts.map((p) => p.shape)).toEqual([[2, 1, 3], [2, 3, 3], [2, 2, 3]]);
    expect(concat(parts).toArray()).toEqual(x.toArray());
    expect(split(x, 3).map((p) => p.shape[1])).toEqual([2, 2, 2]);
    expect(split(x, [1, 1], 0).map((p) => p.shape)).toEqual([[1, 6, 3], [1, 6, 3]]);
    expect(split(x, [3, 0, 3]).map((p) => p.shape[1])).toEqual([3, 0, 3]);
    expect(chunk(x, 4).map((p) => p.shape[1])).toEqual([2, 2, 2]); // ⌈6/4⌉ = 2: three chunks
    expect(chunk(x, 2, -1).map((p) => p.shape[2])).toEqual([2, 1]);
    expect(narrow(x, 1, 1, 3).toArray()).toEqual(parts[1].toArray());
  });

  it('gradients of several parts add up; a part that is not used contributes nothing', () => {
    const x = randomTensor([2, 5, 3], 14);
    // Several parts joined again (their gradients land in separate windows), some unused.
    checkTape('split, all parts used', x, (t) => concat(split(t, [2, 1, 2], 1, naive).reverse(), 1, naive), 23);
    checkTape('split, first and last used', x, (t) => {
      const [a, , c] = split(t, [2, 1, 2], 1, naive);
      return concat([c, a], 1, naive);
    }, 24);
    checkTape('chunk last axis, second part', x, (t) => chunk(t, 2, -1, naive)[1], 25);
    // Two parts feeding one product, one part used twice, one part unused.
    checkTape('parts recombined', x, (t) => {
      const [a, b] = split(t, [2, 2, 1], 1, naive);
      return add(mul(a, b, naive), a, naive);
    }, 26);
  });
});

describe('channel shuffle (ShuffleNet) as reshape → transpose → reshape', () => {
  const [N, C, Hh, W, g] = [2, 6, 3, 4, 3];
  const shuffle = (x: Tensor, be: Backend): Tensor =>
    reshape(transpose(reshape(x, [N, g, C / g, Hh, W]), [0, 2, 1, 3, 4], be), [N, C, Hh, W]);
  /** Output channel j·g + i is input channel i·(C/g) + j. */
  const source = (c: number): number => (c % g) * (C / g) + Math.floor(c / g);

  let backends: Backend[];
  beforeAll(async () => {
    backends = [naive, jsBackend, await loadWasmBackend({ variant: 'scalar' }), await loadWasmBackend({ variant: 'simd' })];
  });

  it('forward and gradient match the direct index computation on every backend', () => {
    const x = randomTensor([N, C, Hh, W], 15);
    const r = randomTensor([N, C, Hh, W], 16);
    for (const be of backends) {
      const leaf = x.detach();
      leaf.requiresGrad = true;
      const y = shuffle(leaf, be);
      for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < Hh; h++) for (let w = 0; w < W; w++) {
        expect(y.get(n, c, h, w), `${be.name} y`).toBe(x.get(n, source(c), h, w));
      }
      y.backward(r);
      const dx = leaf.grad as Tensor;
      for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < Hh; h++) for (let w = 0; w < W; w++) {
        expect(dx.get(n, source(c), h, w), `${be.name} dx`).toBe(r.get(n, c, h, w));
      }
    }
    checkTape('channel shuffle', x, (t) => shuffle(t, naive), 27);
  });
});

describe('bad input names the op and the shapes', () => {
  const x = randomTensor([2, 3, 4], 17);

  it('transpose / permute', () => {
    expect(() => transpose(x, [0, 1])).toThrow(/transpose: perm \[0, 1\] is not a permutation \(it needs 3 entries\) of the axes of input \[2, 3, 4\]/);
    expect(() => transpose(x, [0, 0, 1])).toThrow(/transpose: perm \[0, 0, 1\] repeats an axis: not a permutation of the axes of input \[2, 3, 4\]/);
    expect(() => permute(x, [0, 1, 3])).toThrow(/permute: dims \[0, 1, 3\] has an entry outside \[-3, 2\]/);
    expect(() => transpose('x' as never)).toThrow(/transpose: input must be a Tensor, got 'x'/);
  });

  it('slice / narrow', () => {
    expect(() => slice(x, { starts: [0], ends: [1], steps: [0] })).toThrow(/slice: steps \[0\] has a 0 \(axis 0 of input \[2, 3, 4\]\)/);
    expect(() => slice(x, { starts: [0], ends: [1, 2] })).toThrow(/slice: ends must be an array of 1 integers/);
    expect(() => slice(x, { starts: [0, 0], ends: [1, 1], axes: [1, -2] })).toThrow(/slice: axes \[1, -2\] repeat axis 1 of input \[2, 3, 4\]/);
    expect(() => slice(x, { starts: [0], ends: [1], axes: [3] })).toThrow(/slice: axis must be an integer in \[-3, 2\], got 3/);
    expect(() => slice(x, { starts: [0.5], ends: [1] })).toThrow(/slice: starts must be an array of integers/);
    expect(() => slice(x, { start: [0], ends: [1] } as never)).toThrow(/slice: unknown option 'start'/);
    expect(() => narrow(x, 0, 3, 1)).toThrow(/narrow: start must be an integer in \[-2, 2\] for axis 0 of input \[2, 3, 4\], got 3/);
  });

  it('pad', () => {
    expect(() => pad(x, [1, 1])).toThrow(/pad: pads \[1, 1\] must be 6 numbers \(all begins, then all ends\) or 3 \[before, after\] pairs for input \[2, 3, 4\]/);
    expect(() => pad(x, [[1, 1]], { axes: [0, 1] })).toThrow(/pad: pads \[\[1, 1\]\] must have one \[before, after\] pair for each of the 2 axes of input \[2, 3, 4\]/);
    expect(() => pad(x, [[4, 0]], { axes: [2], mode: 'reflect' })).toThrow(/pad: reflect pads \[4, 0\] on axis 2 of input \[2, 3, 4\] must be at most the axis size − 1 \(3\)/);
    expect(() => pad(x, [[-1, 0]], { axes: [2], mode: 'edge' })).toThrow(/pad: negative pads \[-1, 0\] on axis 2 of input \[2, 3, 4\] crop, which only mode 'constant' does/);
    expect(() => pad(x, [[-3, 0]], { axes: [0] })).toThrow(/pad: pads \[-3, 0\] on axis 0 of input \[2, 3, 4\] crop more than the axis holds/);
    expect(() => pad(x, [[1, 0]], { axes: [0], mode: 'wrap' as never })).toThrow(/pad: mode must be 'constant', 'reflect' or 'edge', got 'wrap'/);
    expect(() => pad(x, [[1, 0]], { axes: [0], mode: 'edge', value: 1 })).toThrow(/pad: value is the fill of mode 'constant'; mode 'edge' takes none/);
    expect(() => pad(x, [[1, 0]], { axes: [0], value: NaN })).toThrow(/pad: value must be a number \(not NaN\), got NaN/);
    expect(() => pad(x, [[1.5, 0]], { axes: [0] })).toThrow(/pad: pads must be integers, got \[\[1.5, 0\]\]/);
    expect(() => pad(zeros([2, 0]), [[1, 1]], { axes: [1], mode: 'edge' })).toThrow(/pad: edge pads \[1, 1\] on axis 1 of input \[2, 0\] have no edge to repeat/);
  });

  it('squeeze / unsqueeze / split / chunk', () => {
    expect(() => squeeze(x, 1)).toThrow(/squeeze: axis 1 of input \[2, 3, 4\] has size 3, not 1/);
    expect(() => squeeze(x, [0, 0])).toThrow(/squeeze: axes \[0, 0\] repeat an axis \(input \[2, 3, 4\]\)/);
    expect(() => unsqueeze(x, 4)).toThrow(/unsqueeze: axis must be an integer in \[-4, 3\], got 4/);
    expect(() => split(x, [1, 1])).toThrow(/split: sizes \[1, 1\] add up to 2, not to axis 1 \(size 3\) of input \[2, 3, 4\]/);
    expect(() => split(x, 2)).toThrow(/split: count must be a positive integer dividing axis 1 \(size 3\) of input \[2, 3, 4\], got 2/);
    expect(() => split(x, [2, -1, 2])).toThrow(/split: sizes must be a non-empty array of non-negative integers, got \[2, -1, 2\]/);
    expect(() => chunk(x, 0)).toThrow(/chunk: chunks must be a positive integer, got 0/);
    expect(() => chunk(x, 2, 5)).toThrow(/chunk: axis must be an integer in \[-3, 2\], got 5/);
  });
});
