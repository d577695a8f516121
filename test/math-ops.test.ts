// exp, log, sqrt, abs, reciprocal, erf and pow (scalar exponent): forward values against
// float64 references rounded to float32 on every backend (one shared kernel, so they must
// agree exactly), the special values ONNX and PyTorch give, gradients through the tape
// against central differences, and bad input.
//
// Gradient tolerance: h = 1e-2, tol 1e-3 (relative to max(1, max|gradient|), as SMOOTH in
// activation-ops.test.ts): truncation h²/6·|f'''| and float32 rounding of y over 2h stay
// below 5e-4 on the ranges used (log, sqrt and reciprocal on [0.5, 2.5], away from 0).
import { beforeAll, describe, expect, it } from 'vitest';
import { abs, erf, exp, getBackend, loadBackend, log, pow, reciprocal, sqrt, Tensor, tensor, type Backend, type BackendName } from '../src/index.js';
import { erf as erf64 } from '../src/backend/erf.js';
import { expectTapeGradients } from './support/gradcheck.js';
import { randomTensor } from './support/random.js';

const SMOOTH = { h: 1e-2, tol: 1e-3 };
const BACKENDS: BackendName[] = ['naive', 'js', 'wasm'];

type Unary = (x: Tensor, backend?: Backend) => Tensor;
const CASES: [string, Unary, (v: number) => number][] = [
  ['exp', exp, Math.exp],
  ['log', log, Math.log],
  ['sqrt', sqrt, Math.sqrt],
  ['abs', abs, Math.abs],
  ['reciprocal', reciprocal, (v) => 1 / v],
  ['erf', erf, erf64],
];

/** [0.5, 2.5): inside every op's domain and away from the poles of log, sqrt, 1/x. */
function positive(shape: number[], seed: number): Tensor {
  const t = randomTensor(shape, seed);
  for (let i = 0; i < t.size; i++) t.data[i] = 1.5 + t.data[i];
  return t;
}

describe.each(BACKENDS)('math ops on %s', (name) => {
  let be: Backend;
  beforeAll(async () => {
    be = name === 'wasm' ? await loadBackend('wasm') : getBackend(name);
  });

  it.each(CASES)('%s matches the float64 reference rounded to float32', (_, op, ref) => {
    const x = positive([3, 17], 1);
    const y = op(x, be);
    expect(y.shape).toEqual([3, 17]);
    expect(Array.from(y.data)).toEqual(Array.from(x.data, (v) => Math.fround(ref(v))));
  });

  it('pow by 2, 0.5, −1, 3 and 0', () => {
    const x = positive([2, 9], 2);
    for (const p of [2, 0.5, -1, 3, 0]) expect(Array.from(pow(x, p, be).data), `p = ${p}`).toEqual(Array.from(x.data, (v) => Math.fround(v ** p)));
  });
});

describe('math ops: special values (as ONNX and numpy)', () => {
  const naive = getBackend('naive');
  it('log, sqrt, reciprocal and pow at 0, below 0 and at infinity', () => {
    const x = tensor([0, -1, Infinity, -0, Number.NaN]);
    expect(log(x, naive).toArray()).toEqual([-Infinity, Number.NaN, Infinity, -Infinity, Number.NaN]);
    expect(sqrt(x, naive).toArray()).toEqual([0, Number.NaN, Infinity, -0, Number.NaN]);
    expect(reciprocal(x, naive).toArray()).toEqual([Infinity, -1, 0, -Infinity, Number.NaN]);
    expect(pow(x, 0.5, naive).toArray()).toEqual([0, Number.NaN, Infinity, 0, Number.NaN]);
    expect(pow(x, 0, naive).toArray()).toEqual([1, 1, 1, 1, 1]);
    expect(exp(tensor([-Infinity, 100, 0]), naive).toArray()).toEqual([0, Infinity, 1]);
    expect(abs(tensor([-0, -3, 2]), naive).toArray()).toEqual([0, 3, 2]);
    expect(erf(tensor([0, 6, -6, Infinity]), naive).toArray()).toEqual([0, 1, -1, 1]);
  });
});

describe('math op gradients through the tape (naive backend)', () => {
  const naive = getBackend('naive');
  it.each(CASES)('%s', (label, op) => {
    const x = label === 'abs' || label === 'exp' || label === 'erf' ? randomTensor([3, 5], 3, 2) : positive([3, 5], 4);
    // abs: keep away from its kink at 0.
    if (label === 'abs') for (let i = 0; i < x.size; i++) if (Math.abs(x.data[i]) < 0.1) x.data[i] = 0.5;
    expectTapeGradients(label, () => op(x, naive), [x], SMOOTH);
  });

  it('pow by 2, 3, 0.5 and −1.5, and 0 (gradient 0)', () => {
    for (const p of [2, 3, 0.5, -1.5]) {
      const x = positive([4, 3], 5);
      expectTapeGradients(`pow ${p}`, () => pow(x, p, naive), [x], SMOOTH);
    }
    const x = positive([4], 6);
    x.requiresGrad = true;
    pow(x, 0, naive).backward(tensor([1, 2, 3, 4]));
    expect(x.grad?.toArray()).toEqual([0, 0, 0, 0]);
  });

  it('abs at exactly 0 passes no gradient, as PyTorch', () => {
    const x = tensor([0, -2, 3]);
    x.requiresGrad = true;
    abs(x, naive).backward(tensor([1, 1, 1]));
    expect(x.grad?.toArray()).toEqual([0, -1, 1]);
  });
});

describe('math op errors name the op', () => {
  it('inputs that are not tensors, and a bad exponent', () => {
    expect(() => exp([1, 2] as never)).toThrow(/exp: input must be a Tensor, got \[1, 2\]/);
    expect(() => sqrt(null as never)).toThrow(/sqrt: input must be a Tensor, got null/);
    expect(() => pow(tensor([1]), Number.NaN)).toThrow(/pow: exponent must be a finite number, got NaN/);
    expect(() => pow(tensor([1]), tensor([2]) as never)).toThrow(/pow: exponent must be a finite number, got Tensor \[1\]/);
    expect(() => log(tensor([1]), {} as never)).toThrow(/log: backend must be a Backend/);
  });
});
