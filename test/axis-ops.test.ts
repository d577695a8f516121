// softmax / logSoftmax over any axis, maximum / minimum, the n-ary sumOf / meanOf / maxOf
// / minOf, and max / min over axes: values, gradients through the tape by central
// differences on naive, ties as PyTorch (torch 1.13, recorded below), js and wasm against
// naive, and errors naming the op and the shapes.
//
// Tolerances (error relative to max(1, max|gradient|), test/support/gradcheck.ts):
// - LINEAR: h 0.05, tol 1e-4 for maximum/minimum/max/min/sumOf/meanOf (piecewise linear;
//   inputs are spread 0.25 apart on odd multiples of 0.125, so a step never crosses a tie);
// - SMOOTH: h 1e-2, tol 1e-3 for softmax/logSoftmax (truncation h²/6·|f'''| ≲ 1e-4).
// Parity: the kernels are shared TypeScript, so js and wasm must match naive to 1e-6.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend/backend.js';
import { naiveBackend } from '../src/backend/naive.js';
import { jsBackend } from '../src/backend/js.js';
import { loadWasmBackend } from '../src/backend/wasm.js';
import { setBackend } from '../src/backend/registry.js';
import { logSoftmax, max, maxOf, maximum, meanOf, min, minOf, minimum, softmax, sumOf } from '../src/ops/index.js';
import { Tensor, tensor, zeros, type Shape } from '../src/tensor.js';
import { expectClose } from './support/compare.js';
import { expectTapeGradients } from './support/gradcheck.js';
import { randomTensor, spreadTensor } from './support/random.js';

const LINEAR = { h: 0.05, tol: 1e-4 };
const SMOOTH = { h: 1e-2, tol: 1e-3 };
const EXACT = { rtol: 1e-6, atol: 1e-6 };

let wasm: Backend;
let before: Backend;
beforeAll(async () => {
  wasm = await loadWasmBackend();
  before = setBackend('naive');
});
afterAll(() => {
  setBackend(before);
});

/** y.backward(dy) and the gradient of each of xs (leaves made to require one). */
function grads(f: () => Tensor, xs: Tensor[], dy: number[]): number[][] {
  for (const x of xs) {
    x.requiresGrad = true;
    x.grad = null;
  }
  const y = f();
  y.backward(new Tensor(Float32Array.from(dy), y.shape));
  return xs.map((x) => Array.from((x.grad as Tensor).data));
}

/** Softmax along `axis` by the definition, in float64. */
function softmaxReference(x: Tensor, axis: number, log: boolean): Float64Array {
  const shape = x.shape;
  const ax = axis < 0 ? axis + shape.length : axis;
  const inner = shape.slice(ax + 1).reduce((a, b) => a * b, 1);
  const size = shape[ax];
  const out = new Float64Array(x.size);
  for (let i = 0; i < x.size; i++) {
    const base = i - (Math.floor(i / inner) % size) * inner;
    let m = -Infinity;
    for (let j = 0; j < size; j++) m = Math.max(m, x.data[base + j * inner]);
    let s = 0;
    for (let j = 0; j < size; j++) s += Math.exp(x.data[base + j * inner] - m);
    out[i] = log ? x.data[i] - m - Math.log(s) : Math.exp(x.data[i] - m) / s;
  }
  return out;
}

describe('softmax and logSoftmax over any axis', () => {
  const cases: [Shape, number][] = [[[3, 4, 5], 0], [[3, 4, 5], 1], [[3, 4, 5], -2], [[3, 4, 5], 2], [[2, 3, 2, 4], 1], [[2, 3, 2, 4], -4], [[5], 0]];
  for (const [shape, axis] of cases) {
    it(`[${shape}] axis ${axis}: values and tape gradients`, () => {
      const x = randomTensor(shape, 1, 3);
      expectClose(softmax(x, axis).data, softmaxReference(x, axis, false), EXACT, 'softmax');
      expectClose(logSoftmax(x, axis).data, softmaxReference(x, axis, true), EXACT, 'logSoftmax');
      expectTapeGradients(`softmax axis ${axis}`, () => softmax(x, axis), [x], SMOOTH);
      expectTapeGradients(`logSoftmax axis ${axis}`, () => logSoftmax(x, axis), [x], SMOOTH);
    });
  }

  it('the default axis is the last, and huge logits or a NaN stay in their own line', () => {
    const x = randomTensor([2, 3, 4], 2);
    expect(Array.from(softmax(x).data)).toEqual(Array.from(softmax(x, 2).data));
    const big = tensor([[1000, -1000], [1000, 0]]);
    expect(Array.from(softmax(big, 0).data)).toEqual([0.5, 0, 0.5, 1]);
    const withNaN = tensor([[NaN, 1], [2, 3]]);
    const y = Array.from(softmax(withNaN, 0).data);
    expect(Number.isNaN(y[0]) && Number.isNaN(y[2])).toBe(true);
    expect(y[1]).toBeCloseTo(1 / (1 + Math.E ** 2), 6);
  });

  it('js and wasm match naive, forward and backward, on every axis', () => {
    const x = randomTensor([3, 5, 4, 2], 3, 4);
    const dy = randomTensor([3, 5, 4, 2], 4);
    for (const op of [softmax, logSoftmax]) {
      for (const axis of [0, 1, 2, 3]) {
        const run = (be: Backend) => {
          const xl = x.detach();
          xl.requiresGrad = true;
          const y = op(xl, axis, be);
          y.backward(dy);
          return [y.data, (xl.grad as Tensor).data];
        };
        const want = run(naiveBackend);
        for (const be of [jsBackend, wasm]) run(be).forEach((got, k) => expectClose(got, want[k], EXACT, `${op.name} axis ${axis} on ${be.name}`));
      }
    }
  });

  it('errors name the op, the axis and the shape', () => {
    expect(() => softmax(zeros([2, 3]), 2)).toThrow(/softmax: axis must be an integer in \[-2, 1\], got 2/);
    expect(() => logSoftmax(zeros([2, 3]), 0.5)).toThrow(/logSoftmax: axis must be an integer in \[-2, 1\], got 0.5/);
    expect(() => softmax(zeros([2, 3]), naiveBackend as never)).toThrow(/softmax: axis must be an integer, got the naive backend \(the backend is the third argument: softmax\(x, axis, backend\)\)/);
    expect(() => softmax(zeros([2, 0]), 0)).toThrow(/softmax: input \[2, 0\] is empty/);
  });
});

describe('maximum and minimum', () => {
  it('values with broadcasting, numbers, NaN propagating', () => {
    const a = tensor([[1, 5, -2], [4, 0, 7]]);
    const b = tensor([[3], [2]]);
    expect(maximum(a, b).toArray()).toEqual([3, 5, 3, 4, 2, 7]);
    expect(minimum(a, b).toArray()).toEqual([1, 3, -2, 2, 0, 2]);
    expect(maximum(a, 0).toArray()).toEqual([1, 5, 0, 4, 0, 7]);
    expect(minimum(2, a).shape).toEqual([2, 3]);
    const n = maximum(tensor([NaN, 1, 2]), tensor([1, NaN, 1])).toArray();
    expect(n.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(n[2]).toBe(2);
    expect(minimum(tensor([NaN]), tensor([1])).toArray().every(Number.isNaN)).toBe(true);
  });

  it('ties give each operand half of the gradient, as torch.maximum / torch.minimum', () => {
    // torch 1.13: a = [1, 2, 3], b = [1, 1, 4], grad [10, 20, 30]:
    //   maximum → a.grad [5, 20, 0], b.grad [5, 0, 30]; minimum → [5, 0, 30], [5, 20, 0].
    const a = tensor([1, 2, 3]);
    const b = tensor([1, 1, 4]);
    expect(grads(() => maximum(a, b), [a, b], [10, 20, 30])).toEqual([[5, 20, 0], [5, 0, 30]]);
    expect(grads(() => minimum(a, b), [a, b], [10, 20, 30])).toEqual([[5, 0, 30], [5, 20, 0]]);
    expect(grads(() => maximum(a, a), [a], [10, 20, 30])).toEqual([[10, 20, 30]]);
  });

  const pairs: [Shape, Shape][] = [[[2, 3], [2, 3]], [[2, 3, 4], [3, 1]], [[3, 1], [2, 3, 4]], [[2, 3], []], [[4], [2, 3, 4]]];
  for (const [sa, sb] of pairs) {
    it(`[${sa}] vs [${sb}]: tape gradients of both operands`, () => {
      const a = spreadTensor(sa, 5, 0.25);
      const b = spreadTensor(sb, 6, 0.25);
      // Offset b by 1/8 (a quarter of the gap), so no element of b equals one of a.
      for (let i = 0; i < b.size; i++) b.data[i] += 0.0625;
      expectTapeGradients(`maximum [${sa}] [${sb}]`, () => maximum(a, b), [a, b], LINEAR);
      expectTapeGradients(`minimum [${sa}] [${sb}]`, () => minimum(a, b), [a, b], LINEAR);
      expect((b.grad as Tensor).shape).toEqual(sb);
    });
  }
});

describe('sumOf, meanOf, maxOf, minOf (ONNX Sum, Mean, Max, Min)', () => {
  it('values over one, two and three operands with broadcasting', () => {
    const a = tensor([3, 2, 1]);
    const b = tensor([1, 4, 4]);
    const c = tensor([[2], [5]]);
    expect(sumOf([a]).toArray()).toEqual([3, 2, 1]);
    expect(sumOf([a, b, c]).toArray()).toEqual([6, 8, 7, 9, 11, 10]);
    expect(meanOf([a, b, 2]).toArray()).toEqual([2, 8 / 3, 7 / 3].map(Math.fround));
    expect(maxOf([a, b, c]).toArray()).toEqual([3, 4, 4, 5, 5, 5]);
    expect(minOf([a, b, c]).toArray()).toEqual([1, 2, 1, 1, 2, 1]);
    const single = maxOf([a]);
    expect(single.toArray()).toEqual([3, 2, 1]);
    expect(single.data).not.toBe(a.data);
  });

  it('a tie among k operands gives each 1/k of the gradient', () => {
    const a = tensor([1, 2]);
    const b = tensor([1, 0]);
    const c = tensor([1, 2]);
    expect(grads(() => maxOf([a, b, c]), [a, b, c], [6, 6])).toEqual([[2, 3], [2, 0], [2, 3]]);
    expect(grads(() => minOf([a, b, c]), [a, b, c], [6, 6])).toEqual([[2, 0], [2, 6], [2, 0]]);
  });

  it('tape gradients with broadcasting', () => {
    const a = spreadTensor([2, 3], 7, 0.25);
    const b = spreadTensor([3], 8, 0.25);
    const c = spreadTensor([2, 1], 9, 0.25);
    for (let i = 0; i < b.size; i++) b.data[i] += 0.0625;
    for (let i = 0; i < c.size; i++) c.data[i] -= 0.0625;
    for (const [name, op] of [['sumOf', sumOf], ['meanOf', meanOf], ['maxOf', maxOf], ['minOf', minOf]] as const) {
      expectTapeGradients(name, () => op([a, b, c]), [a, b, c], LINEAR);
    }
  });

  it('errors name the op and the shapes', () => {
    expect(() => sumOf([])).toThrow(/sumOf: expected a non-empty array of tensors or numbers, got \[\]/);
    expect(() => maxOf(tensor([1]) as never)).toThrow(/maxOf: expected a non-empty array of tensors or numbers, got Tensor \[1\]/);
    expect(() => meanOf([zeros([2]), zeros([3])])).toThrow(/meanOf: shapes \[2\] and \[3\] do not broadcast/);
    expect(() => maximum(zeros([2, 3]), zeros([4]))).toThrow(/maximum: shapes \[2, 3\] and \[4\] do not broadcast/);
    expect(() => minimum(zeros([2]), 'x' as never)).toThrow(/minimum: b must be a Tensor, got 'x'/);
  });
});

describe('max and min over axes', () => {
  it('values over all elements and over axes, keepDims, NaN propagating', () => {
    const x = tensor([[[1, 8], [3, -4]], [[5, 2], [-7, 6]]]);
    expect(max(x).toArray()).toEqual([8]);
    expect(max(x).shape).toEqual([]);
    expect(min(x).toArray()).toEqual([-7]);
    expect(max(x, { axis: 0 }).toArray()).toEqual([5, 8, 3, 6]);
    expect(max(x, { axis: [0, 2], keepDims: true }).shape).toEqual([1, 2, 1]);
    expect(max(x, { axis: [0, 2] }).toArray()).toEqual([8, 6]);
    expect(min(x, { axis: -1 }).toArray()).toEqual([1, -4, 2, -7]);
    expect(max(tensor([1, NaN, 2])).toArray().every(Number.isNaN)).toBe(true);
  });

  it('ties split the gradient evenly, as torch.amax', () => {
    // torch 1.13: x = [[1, 3, 3], [2, 0, 2]]; amax(x, 1) with grad [6, 4] → [[0, 3, 3], [2, 0, 2]];
    // amax(x) → 0.5 at each of the two 3s.
    const x = tensor([[1, 3, 3], [2, 0, 2]]);
    expect(grads(() => max(x, { axis: 1 }), [x], [6, 4])).toEqual([[0, 3, 3, 2, 0, 2]]);
    expect(grads(() => max(x), [x], [1])).toEqual([[0, 0.5, 0.5, 0, 0, 0]]);
    expect(grads(() => min(x, { axis: 0 }), [x], [1, 1, 1])).toEqual([[1, 0, 0, 0, 1, 1]]);
  });

  const options = [{}, { axis: 1 }, { axis: -1, keepDims: true }, { axis: [0, 2] }, { axis: [2, 0, 1], keepDims: true }];
  for (const o of options) {
    it(`tape gradients ${JSON.stringify(o)}`, () => {
      const x = spreadTensor([2, 3, 4], 10, 0.25);
      expectTapeGradients(`max ${JSON.stringify(o)}`, () => max(x, o), [x], LINEAR);
      expectTapeGradients(`min ${JSON.stringify(o)}`, () => min(x, o), [x], LINEAR);
    });
  }

  it('js and wasm match naive exactly (shared kernels), forward and backward', () => {
    const x = randomTensor([3, 4, 5], 11);
    x.data[7] = x.data[8]; // a tie
    for (const op of [max, min]) {
      for (const o of [{ axis: [0, 2] }, { axis: 1, keepDims: true }]) {
        const run = (be: Backend) => {
          const xl = x.detach();
          xl.requiresGrad = true;
          const y = op(xl, o, be);
          y.backward(randomTensor(y.shape, 12));
          return [Array.from(y.data), Array.from((xl.grad as Tensor).data)];
        };
        const want = run(naiveBackend);
        for (const be of [jsBackend, wasm]) expect(run(be)).toEqual(want);
      }
    }
  });

  it('errors name the op and the shape', () => {
    expect(() => max(zeros([2, 3]), { axis: 2 })).toThrow(/max: axis must be an integer in \[-2, 1\], got 2/);
    expect(() => min(zeros([2, 3]), { axis: [1, -1] })).toThrow(/min: axis \[1,-1\] repeats an axis of input \[2, 3\]/);
    expect(() => max(zeros([0, 3]))).toThrow(/max: input \[0, 3\] is empty/);
    expect(() => max(zeros([2]), { axes: 0 } as never)).toThrow(/max: unknown option 'axes' \(known: axis, keepDims\)/);
  });
});
