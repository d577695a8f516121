// Every op's gradient THROUGH THE TAPE against central finite differences, on the naive
// backend (float64 sums, float32 storage): the op is called with leaves that require a
// gradient, y.backward(r) runs the recorded rule, and each leaf's .grad must match the
// difference quotient of L = Σ y·r (see test/support/gradcheck.ts). Every input that can
// require a gradient is checked (weights and biases, the losses' tensor targets; a
// broadcast operand of shape [3, 1], [] or [1] gets the sum over the dimensions it was
// broadcast along).
//
// Tolerances (error relative to max(1, max|gradient|), test/support/gradcheck.ts):
// - LINEAR: h = 0.05, tol 1e-4, for ops linear, bilinear or piecewise linear in each
//   perturbed element (conv2d, linear, the poolings, relu, leakyRelu, add/sub/mul, neg,
//   concat, reshape/flatten/clone, sum/mean, dropout, and mseLoss, which is quadratic:
//   central differences are exact up to degree 2). What is left is float32 rounding of y:
//   ≤ 2⁻²⁴·Σ|y·r| ≲ 6e-8·30 here, over 2h = 0.1 → ≲ 2e-5. Inputs of max/relu are spread
//   0.25 apart on odd multiples of 0.125, so a step of 0.05 never crosses a kink or a tie.
// - SMOOTH: h = 1e-2, tol 1e-3, for sigmoid, tanh, softmax, logSoftmax, div, batchNorm2d,
//   crossEntropy: truncation h²/6·|f'''| ≲ 1e-4 (divisors kept in ±[1, 2], so |∂³(a/b)| =
//   6|a|/|b|⁴ ≤ 6) plus the same rounding over 2h = 0.02 (≲ 1e-4).
// Observed: ≤ 3e-6 (LINEAR), ≤ 1e-4 (SMOOTH, largest for div's divisor). A wrong rule
// (flipped sign, missing 1/N, gradient not summed back to a broadcast shape, wrong concat
// offset) is off by O(1): far above both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../src/backend/registry.js';
import type { Backend } from '../src/backend/backend.js';
import {
  add, avgPool2d, batchNorm2d, col2im, concat, conv2d, crossEntropy, div, dropout, flatten, gemm, globalAvgPool2d, im2col, leakyRelu, linear,
  logSoftmax, maxPool2d, mean, mseLoss, mul, neg, relu, reshape, sigmoid, softmax, sub, sum, tanh, type Operand,
} from '../src/ops/index.js';
import type { Conv2dOptions, Pool2dOptions } from '../src/ops/geometry.js';
import { Random } from '../src/random.js';
import { Tensor, full, zeros } from '../src/tensor.js';
import { expectTapeGradients } from './support/gradcheck.js';
import { randomTensor, spreadTensor } from './support/random.js';

const LINEAR = { h: 0.05, tol: 1e-4 };
const SMOOTH = { h: 1e-2, tol: 1e-3 };

let before: Backend;
beforeAll(() => {
  before = setBackend('naive');
});
afterAll(() => {
  setBackend(before);
});

/** Values in ±[1, 2): safe divisors. */
function divisor(shape: number[], seed: number): Tensor {
  const t = randomTensor(shape, seed);
  for (let i = 0; i < t.size; i++) t.data[i] = Math.sign(t.data[i] || 1) * (1 + Math.abs(t.data[i]));
  return t;
}

describe('conv2d and linear through the tape (naive)', () => {
  const cases: { name: string; x: number[]; w: number[]; options: Conv2dOptions }[] = [
    { name: 'padding 1', x: [2, 2, 5, 4], w: [3, 2, 3, 3], options: { padding: 1 } },
    { name: 'stride [2, 1], asymmetric padding, dilation', x: [1, 3, 6, 7], w: [2, 3, 2, 3], options: { stride: [2, 1], padding: [1, 0, 2, 1], dilation: [1, 2] } },
    { name: 'groups 2', x: [2, 4, 4, 4], w: [4, 2, 3, 3], options: { groups: 2, padding: 'same' } },
  ];
  for (const c of cases) {
    it(`conv2d ${c.name}: input, weight, bias`, () => {
      const x = randomTensor(c.x, 1);
      const w = randomTensor(c.w, 2);
      const b = randomTensor([c.w[0]], 3);
      expectTapeGradients(`conv2d ${c.name}`, () => conv2d(x, w, b, c.options), [x, w, b], LINEAR);
    });
  }

  it('conv2d without bias; only the weight requiring a gradient', () => {
    const x = randomTensor([1, 2, 4, 4], 4);
    const w = randomTensor([2, 2, 3, 3], 5);
    expectTapeGradients('conv2d no bias', () => conv2d(x, w, null, { padding: 1 }), [x, w], LINEAR);
    const frozenInput = randomTensor([1, 2, 4, 4], 6);
    expectTapeGradients('conv2d weight only', () => conv2d(frozenInput, w, null), [w], LINEAR);
    expect(frozenInput.grad).toBeNull();
  });

  it('linear with and without bias', () => {
    const x = randomTensor([3, 5], 7);
    const w = randomTensor([4, 5], 8);
    const b = randomTensor([4], 9);
    expectTapeGradients('linear', () => linear(x, w, b), [x, w, b], LINEAR);
    expectTapeGradients('linear no bias', () => linear(x, w), [x, w], LINEAR);
  });
});

describe('pooling and activations through the tape (naive)', () => {
  const pools: { name: string; x: number[]; options: Pool2dOptions }[] = [
    { name: '2×2', x: [2, 2, 4, 6], options: { kernelSize: 2 } },
    { name: '3×3 stride 2 padding 1', x: [1, 2, 5, 5], options: { kernelSize: 3, stride: 2, padding: 1 } },
    { name: '2×2 stride 1 padding [0, 1, 0, 1]', x: [1, 3, 4, 5], options: { kernelSize: 2, stride: 1, padding: [0, 1, 0, 1] } },
  ];
  for (const p of pools) {
    it(`maxPool2d and avgPool2d ${p.name}`, () => {
      const x = spreadTensor(p.x, 10, 0.25);
      expectTapeGradients(`maxPool2d ${p.name}`, () => maxPool2d(x, p.options), [x], LINEAR);
      const z = randomTensor(p.x, 11);
      expectTapeGradients(`avgPool2d ${p.name}`, () => avgPool2d(z, p.options), [z], LINEAR);
    });
  }

  it('globalAvgPool2d', () => {
    const x = randomTensor([2, 3, 3, 4], 12);
    expectTapeGradients('globalAvgPool2d', () => globalAvgPool2d(x), [x], LINEAR);
  });

  it('relu and leakyRelu (inputs away from the kink)', () => {
    const x = spreadTensor([2, 3, 5], 13, 0.25);
    expectTapeGradients('relu', () => relu(x), [x], LINEAR);
    expectTapeGradients('leakyRelu', () => leakyRelu(x, 0.2), [x], LINEAR);
  });

  it('sigmoid and tanh', () => {
    const x = randomTensor([3, 7], 14, 3);
    expectTapeGradients('sigmoid', () => sigmoid(x), [x], SMOOTH);
    expectTapeGradients('tanh', () => tanh(x), [x], SMOOTH);
  });

  it('softmax and logSoftmax over the last dimension (rank 2 and rank 3)', () => {
    for (const shape of [[4, 6], [2, 3, 5]]) {
      const x = randomTensor(shape, 15, 3);
      expectTapeGradients(`softmax ${shape}`, () => softmax(x), [x], SMOOTH);
      expectTapeGradients(`logSoftmax ${shape}`, () => logSoftmax(x), [x], SMOOTH);
    }
  });
});

describe('add, sub, mul, div with broadcasting through the tape (naive)', () => {
  const ops = { add, sub, mul, div } as const;
  const pairs: [number[], number[]][] = [
    [[2, 3], [2, 3]],
    [[2, 3, 4], [3, 1]],
    [[3, 1], [2, 3, 4]],
    [[2, 3], []],
    [[], [2, 3]],
    [[1], [2, 1]],
    [[2, 1, 4], [3, 1]],
    [[4], [2, 3, 4]],
  ];
  for (const [name, op] of Object.entries(ops)) {
    for (const [sa, sb] of pairs) {
      it(`${name} [${sa}] ∘ [${sb}]: both operands`, () => {
        const a = randomTensor(sa, 20);
        const b = name === 'div' ? divisor(sb, 21) : randomTensor(sb, 21);
        const grads = expectTapeGradients(`${name} [${sa}] ∘ [${sb}]`, () => op(a, b), [a, b], name === 'div' ? SMOOTH : LINEAR);
        expect(grads).toHaveLength(2);
        expect((a.grad as Tensor).shape).toEqual(sa);
        expect((b.grad as Tensor).shape).toEqual(sb);
      });
    }
    it(`${name} with a number operand on either side`, () => {
      const x = name === 'div' ? divisor([2, 3], 22) : randomTensor([2, 3], 22);
      const step = name === 'div' ? SMOOTH : LINEAR;
      expectTapeGradients(`${name}(x, 1.5)`, () => op(x, 1.5 as Operand), [x], step);
      expectTapeGradients(`${name}(-0.75, x)`, () => op(-0.75 as Operand, x), [x], step);
    });
  }

  it('an operand used on both sides (x ∘ x) gets both contributions', () => {
    const x = divisor([2, 3], 23);
    expectTapeGradients('add(x, x)', () => add(x, x), [x], LINEAR);
    expectTapeGradients('sub(x, x)', () => sub(x, x), [x], LINEAR);
    expectTapeGradients('mul(x, x)', () => mul(x, x), [x], LINEAR);
    expectTapeGradients('div(x, x)', () => div(x, x), [x], SMOOTH);
    expect((x.grad as Tensor).data.every((g) => g === 0)).toBe(true); // x/x = 1
  });

  it('neg', () => {
    const x = randomTensor([3, 4], 24);
    expectTapeGradients('neg', () => neg(x), [x], LINEAR);
  });
});

describe('shape ops and reductions through the tape (naive)', () => {
  it('concat on axes 0, 1 and −1, three parts of different sizes', () => {
    const cases: [number[][], number][] = [
      [[[1, 3, 2], [2, 3, 2], [3, 3, 2]], 0],
      [[[2, 1, 3], [2, 4, 3], [2, 2, 3]], 1],
      [[[2, 3, 1], [2, 3, 3], [2, 3, 2]], -1],
    ];
    for (const [shapes, axis] of cases) {
      const parts = shapes.map((s, i) => randomTensor(s, 30 + i));
      expectTapeGradients(`concat axis ${axis}`, () => concat(parts, axis), parts, LINEAR);
    }
  });

  it('concat with a part that needs no gradient, and the same tensor twice', () => {
    const a = randomTensor([2, 3], 33);
    const frozen = randomTensor([2, 2], 34);
    expectTapeGradients('concat [a, frozen]', () => concat([a, frozen], -1), [a], LINEAR);
    expect(frozen.grad).toBeNull();
    expectTapeGradients('concat [a, a]', () => concat([a, a], 0), [a], LINEAR);
  });

  it('reshape (op, method, with −1), flatten, clone', () => {
    const x = randomTensor([2, 3, 4], 35);
    expectTapeGradients('reshape', () => reshape(x, [4, 6]), [x], LINEAR);
    expectTapeGradients('Tensor.reshape −1', () => x.reshape([-1, 2]), [x], LINEAR);
    expectTapeGradients('flatten', () => flatten(x), [x], LINEAR);
    expectTapeGradients('flatten from 0', () => flatten(x, 0), [x], LINEAR);
    expectTapeGradients('clone', () => x.clone(), [x], LINEAR);
    // A view's gradient lands on the tensor it views, through a chain of views.
    expectTapeGradients('reshape ∘ flatten ∘ reshape', () => mul(flatten(reshape(x, [6, 2, 2])).reshape([3, 8]), x.reshape([3, 8])), [x], LINEAR);
  });

  const reductions: { axis?: number | number[]; keepDims?: boolean }[] = [
    {},
    { keepDims: true },
    { axis: 1 },
    { axis: 1, keepDims: true },
    { axis: -1 },
    { axis: [0, 2] },
    { axis: [0, 2], keepDims: true },
    { axis: [2, 0, 1] },
  ];
  for (const options of reductions) {
    it(`sum and mean ${JSON.stringify(options)}`, () => {
      const x = randomTensor([2, 3, 4], 36);
      for (const [name, op] of [['sum', sum], ['mean', mean]] as const) {
        expectTapeGradients(`${name} ${JSON.stringify(options)}`, () => op(x, options), [x], LINEAR);
      }
    });
  }
});

describe('batchNorm2d, dropout and the losses through the tape (naive)', () => {
  it('batchNorm2d in train mode: input, weight, bias', () => {
    const x = randomTensor([3, 2, 2, 3], 40, 2);
    const w = randomTensor([2], 41);
    const b = randomTensor([2], 42);
    const run = (): Tensor => batchNorm2d(x, zeros([2]), full([2], 1), w, b, { training: true });
    expectTapeGradients('batchNorm2d train', run, [x, w, b], SMOOTH);
    expectTapeGradients('batchNorm2d train, no affine', () => batchNorm2d(x, zeros([2]), full([2], 1), null, null, { training: true }), [x], SMOOTH);
  });

  it('batchNorm2d in eval mode (running statistics): input, weight, bias', () => {
    const x = randomTensor([2, 3, 2, 2], 43);
    const rm = randomTensor([3], 44, 0.5);
    const rv = full([3], 0.7);
    const w = randomTensor([3], 45);
    const b = randomTensor([3], 46);
    expectTapeGradients('batchNorm2d eval', () => batchNorm2d(x, rm, rv, w, b, { training: false }), [x, w, b], SMOOTH);
  });

  it('dropout with a fixed mask', () => {
    const x = randomTensor([4, 6], 47);
    const run = (): Tensor => dropout(x, { p: 0.3, random: new Random(5) });
    expect(run().data.some((v) => v === 0)).toBe(true);
    expectTapeGradients('dropout', run, [x], LINEAR);
  });

  it('crossEntropy with class indices and with probability rows (a soft target that requires a gradient gets one)', () => {
    const x = randomTensor([4, 5], 48, 2);
    expectTapeGradients('crossEntropy labels', () => crossEntropy(x, [0, 4, 2, 2]), [x], SMOOTH);
    const p = softmax(randomTensor([4, 5], 49)).detach();
    expectTapeGradients('crossEntropy soft', () => crossEntropy(x, p), [x, p], SMOOTH);
    const q = softmax(randomTensor([4, 5], 49)).detach();
    expectTapeGradients('crossEntropy soft, only the target', () => crossEntropy(randomTensor([4, 5], 52), q), [q], SMOOTH);
  });

  it('mseLoss: input, and a target that requires a gradient', () => {
    const x = randomTensor([3, 4], 50);
    const t = randomTensor([3, 4], 51);
    expectTapeGradients('mseLoss', () => mseLoss(x, t), [x, t], LINEAR);
    expectTapeGradients('mseLoss array target', () => mseLoss(x, Array.from(t.data)), [x], LINEAR);
    const u = randomTensor([3, 4], 53);
    expectTapeGradients('mseLoss, only the target', () => mseLoss(randomTensor([3, 4], 54), u), [u], LINEAR);
  });
});

describe('gemm, im2col, col2im through the tape (naive)', () => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`gemm transA ${transA} transB ${transB}, alpha 0.5: a and b`, () => {
        const [m, n, k] = [3, 4, 5];
        const a = randomTensor(transA ? [k, m] : [m, k], 80);
        const b = randomTensor(transB ? [n, k] : [k, n], 81);
        expectTapeGradients('gemm', () => gemm(a, b, { transA, transB, alpha: 0.5 }), [a, b], LINEAR);
      });
    }
  }

  it('gemm refuses to record an in-place c', () => {
    const a = randomTensor([2, 3], 82);
    a.requiresGrad = true;
    expect(() => gemm(a, randomTensor([3, 2], 83), { c: zeros([2, 2]) })).toThrow(/gemm: c is written in place, which cannot be recorded/);
  });

  it('im2col and col2im (each the other\'s adjoint)', () => {
    const options = { kernelSize: [2, 3] as [number, number], stride: [2, 1] as [number, number], padding: [1, 0, 1, 1] as [number, number, number, number] };
    const x = randomTensor([2, 2, 5, 4], 84);
    expectTapeGradients('im2col', () => im2col(x, options), [x], LINEAR);
    const cols = randomTensor([...im2col(x.detach(), options).shape], 85);
    expectTapeGradients('col2im', () => col2im(cols, [2, 2, 5, 4], options), [cols], LINEAR);
  });
});
