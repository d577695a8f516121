// The activation ops of issue 10 through the tape: L = Σ y·r for a fixed random r, so
// L.backward() must put dL/dx into x.grad (and dL/dslope into slope.grad for prelu),
// checked against central finite differences on the naive backend; then their bad-input
// errors, each naming the op.
//
// Tolerances (error relative to max(1, max|gradient|), test/support/gradcheck.ts):
// - PIECEWISE: h = 0.1, tol 1e-4 for clip, relu6, hardSigmoid, prelu (linear between
//   kinks) and hardSwish (quadratic between kinks, where a central difference is exact
//   too). Only float32 rounding of y remains: ≤ 6e-8·Σ|y·r| ≲ 1e-5 over 2h = 0.2. Inputs
//   are kept ≥ 0.25 from every kink, so no step crosses one.
// - SMOOTH: h = 1e-2, tol 1e-3 for silu, gelu (both forms), elu (away from 0, where its
//   second derivative jumps), softplus: truncation h²/6·|f'''| ≲ 2e-5 plus the rounding
//   of y over 2h = 0.02 (≲ 5e-4).
// A wrong rule (a missing factor, the wrong side of a kink, alpha dropped) is off by O(0.1).
import { describe, expect, it } from 'vitest';
import { naiveBackend as naive } from '../src/backend/naive.js';
import { clip, elu, gelu, hardSigmoid, hardSwish, prelu, relu6, silu, softplus, swish } from '../src/ops/index.js';
import { Tensor, formatShape, zeros } from '../src/tensor.js';
import { expectTapeGradients, type StepTolerance } from './support/gradcheck.js';
import { randomTensor } from './support/random.js';

const PIECEWISE = { h: 0.1, tol: 1e-4 };
const SMOOTH = { h: 1e-2, tol: 1e-3 };

/** scale·U[-1, 1) values moved at least `gap` away from every kink. */
function awayFrom(shape: number[], seed: number, scale: number, kinks: number[], gap = 0.25): Tensor {
  const t = randomTensor(shape, seed, scale);
  for (let i = 0; i < t.size; i++) {
    for (const k of kinks) {
      const d = t.data[i] - k;
      if (Math.abs(d) < gap) t.data[i] = k + (d < 0 ? -gap : gap);
    }
  }
  return t;
}

/** x.grad from the tape against finite differences of L(x) = Σ f(x)·r. */
function checkOp(name: string, f: (x: Tensor) => Tensor, x: Tensor, tol: StepTolerance): void {
  expectTapeGradients(name, () => f(x), [x], tol);
}

describe('activation op gradients through the tape (naive backend)', () => {
  it('clip (finite, one-sided and crossed bounds) and relu6', () => {
    checkOp('clip', (x) => clip(x, { min: -1.5, max: 2 }, naive), awayFrom([2, 3, 4], 1, 4, [-1.5, 2]), PIECEWISE);
    checkOp('clip min only', (x) => clip(x, { min: 0.5 }, naive), awayFrom([3, 5], 2, 3, [0.5]), PIECEWISE);
    checkOp('clip max only', (x) => clip(x, { max: -0.5 }, naive), awayFrom([3, 5], 3, 3, [-0.5]), PIECEWISE);
    checkOp('clip min > max', (x) => clip(x, { min: 1, max: -1 }, naive), awayFrom([7], 4, 3, [1, -1]), PIECEWISE);
    checkOp('relu6', (x) => relu6(x, naive), awayFrom([2, 2, 3, 3], 5, 8, [0, 6]), PIECEWISE);
  });

  it('hardSigmoid (ONNX defaults, PyTorch constants, a negative alpha) and hardSwish', () => {
    checkOp('hardSigmoid', (x) => hardSigmoid(x, undefined, naive), awayFrom([4, 6], 6, 4, [-2.5, 2.5]), PIECEWISE);
    checkOp('hardSigmoid 1/6', (x) => hardSigmoid(x, { alpha: 1 / 6, beta: 0.5 }, naive), awayFrom([4, 6], 7, 5, [-3, 3]), PIECEWISE);
    checkOp('hardSigmoid alpha -0.5', (x) => hardSigmoid(x, { alpha: -0.5, beta: 0.25 }, naive), awayFrom([20], 8, 3, [0.5, -1.5]), PIECEWISE);
    checkOp('hardSwish', (x) => hardSwish(x, naive), awayFrom([2, 3, 2, 4], 9, 5, [-3, 3]), PIECEWISE);
  });

  it('silu (= swish), gelu exact and tanh, elu, softplus across its threshold', () => {
    checkOp('silu', (x) => silu(x, naive), randomTensor([3, 7], 10, 5), SMOOTH);
    expect(swish).toBe(silu);
    checkOp('gelu', (x) => gelu(x, undefined, naive), randomTensor([3, 7], 11, 4), SMOOTH);
    checkOp('gelu tanh', (x) => gelu(x, { approximate: 'tanh' }, naive), randomTensor([3, 7], 12, 4), SMOOTH);
    checkOp('elu', (x) => elu(x, undefined, naive), awayFrom([3, 7], 13, 3, [0], 0.05), SMOOTH);
    checkOp('elu alpha 0.3', (x) => elu(x, { alpha: 0.3 }, naive), awayFrom([3, 7], 14, 3, [0], 0.05), SMOOTH);
    checkOp('softplus', (x) => softplus(x, undefined, naive), randomTensor([3, 7], 15, 6), SMOOTH);
    // beta 2, threshold 3: the switch to x at x = 1.5 is continuous to within e^-3/2.
    checkOp('softplus beta 2', (x) => softplus(x, { beta: 2, threshold: 3 }, naive), awayFrom([3, 7], 16, 3, [1.5]), SMOOTH);
  });

  it('prelu: dx and dslope, per channel over NCHW, per channel of [N, C], and one shared slope', () => {
    const cases: [number[], number[]][] = [[[2, 3, 2, 3], [3]], [[4, 5], [5]], [[2, 3, 4], [1]], [[6], [1]]];
    cases.forEach(([xShape, sShape], k) => {
      const x = awayFrom(xShape, 20 + k, 2, [0]);
      const slope = randomTensor(sShape, 30 + k);
      expectTapeGradients(`prelu ${formatShape(xShape)}`, () => prelu(x, slope, naive), [x, slope], PIECEWISE);
    });
  });

  it('prelu: a slope that needs no gradient gets none; x alone still gets its own', () => {
    const x = awayFrom([2, 2, 3], 50, 2, [0]);
    x.requiresGrad = true;
    const slope = new Tensor(Float32Array.of(0.1, -0.2), [2]);
    prelu(x, slope, naive).backward(randomTensor([2, 2, 3], 51));
    expect(slope.grad).toBeNull();
    expect(x.grad).not.toBeNull();
  });
});

describe('activation op errors name the op', () => {
  const x = zeros([2, 3]);
  it('inputs that are not tensors', () => {
    expect(() => clip(new Float32Array(3) as never, {}, naive)).toThrow(/clip: input must be a Tensor, got Float32Array/);
    expect(() => relu6(null as never, naive)).toThrow(/relu6: input must be a Tensor, got null/);
    expect(() => hardSwish([1, 2] as never, naive)).toThrow(/hardSwish: input must be a Tensor, got \[1, 2\]/);
    expect(() => gelu(3 as never, {}, naive)).toThrow(/gelu: input must be a Tensor, got 3/);
    expect(() => prelu(x, [0.25] as never, naive)).toThrow(/prelu: slope must be a Tensor, got \[0\.25\]/);
  });

  it('bad or unknown options', () => {
    expect(() => clip(x, { min: NaN }, naive)).toThrow(/clip: min must be a number \(±Infinity allowed\), got NaN/);
    expect(() => clip(x, { max: '6' as never }, naive)).toThrow(/clip: max must be a number \(±Infinity allowed\), got '6'/);
    expect(() => clip(x, { low: 0 } as never, naive)).toThrow(/clip: unknown option 'low' \(known: min, max\)/);
    expect(() => hardSigmoid(x, { alpha: Infinity }, naive)).toThrow(/hardSigmoid: alpha must be a finite number, got Infinity/);
    expect(() => hardSigmoid(x, { gamma: 1 } as never, naive)).toThrow(/hardSigmoid: unknown option 'gamma'/);
    expect(() => gelu(x, { approximate: 'erf' as never }, naive)).toThrow(/gelu: approximate must be 'none' or 'tanh', got 'erf'/);
    expect(() => elu(x, { alpha: NaN }, naive)).toThrow(/elu: alpha must be a finite number, got NaN/);
    expect(() => softplus(x, { beta: 0 }, naive)).toThrow(/softplus: beta must be > 0, got 0/);
    expect(() => softplus(x, { threshold: NaN }, naive)).toThrow(/softplus: threshold must be a finite number, got NaN/);
    expect(() => softplus(x, 2 as never, naive)).toThrow(/softplus: options must be an object, got 2/);
  });

  it('prelu: slope shapes that are neither [1] nor [C]', () => {
    expect(() => prelu(zeros([2, 3, 4, 4]), zeros([4]), naive)).toThrow(/prelu: slope must have shape \[1\] or \[3\] \(the channels, dimension 1\) for input \[2, 3, 4, 4\], got \[4\]/);
    expect(() => prelu(zeros([2, 3, 4, 4]), zeros([3, 1, 1]), naive)).toThrow(/prelu: slope must have shape \[1\] or \[3\].*got \[3, 1, 1\]/);
    expect(() => prelu(zeros([5]), zeros([5]), naive)).toThrow(/prelu: slope must have shape \[1\] \(the input has no channel dimension\) for input \[5\], got \[5\]/);
    expect(() => prelu(zeros([2, 3]), zeros([]), naive)).toThrow(/prelu: slope must have shape \[1\] or \[3\].*got \[\]/);
  });
});
