// The activation layers of issue 10 (PyTorch's names): gradients through the tape against
// finite differences on the naive backend, PyTorch's constants, strict options, and the
// model file round trip.
//
// Tolerances (error relative to max(1, max|gradient|)), as in nn-layers.test.ts:
// - PIECEWISE h = 0.02, tol 1e-3 for ReLU6, Hardsigmoid, Hardswish (quadratic between its
//   kinks: central differences are exact) and PReLU (x and weight): only the float32
//   rounding of y remains (≲ 6e-8·Σ|y·r| / 2h ≲ 1e-4). Inputs sit ≥ 0.05 from every kink.
// - SMOOTH h = 1e-2, tol 2e-3 for SiLU, GELU, ELU (away from 0), Softplus: adds the
//   truncation error h²/6·|f'''| ≲ 1e-4.
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../src/backend/registry.js';
import { noGrad } from '../src/autograd/graph.js';
import {
  Conv2d, ELU, GELU, Hardsigmoid, Hardswish, PReLU, ReLU6, SiLU, Sequential, Softplus, builtinModuleTypes, type Module,
} from '../src/nn/index.js';
import { gelu, hardSigmoid, mul, sum } from '../src/ops/index.js';
import { Random } from '../src/random.js';
import { loadModel } from '../src/serialize/index.js';
import { Tensor } from '../src/tensor.js';
import { gradientError, numericGradient, project } from './support/gradcheck.js';
import { randomTensor } from './support/random.js';

const PIECEWISE = { h: 0.02, tol: 1e-3 };
const SMOOTH = { h: 1e-2, tol: 2e-3 };

beforeAll(() => {
  setBackend('naive');
});

/** scale·U[-1, 1) values at least `gap` from each kink. */
function input(shape: number[], seed: number, scale: number, kinks: number[] = [], gap = 0.05): Tensor {
  const t = randomTensor(shape, new Random(seed), scale);
  for (let i = 0; i < t.size; i++) {
    for (const k of kinks) if (Math.abs(t.data[i] - k) < gap) t.data[i] = k + (t.data[i] < k ? -gap : gap);
  }
  return t;
}

function checkGradients(layer: Module, x: Tensor, tol: { h: number; tol: number }): void {
  const leaf = x.detach();
  leaf.requiresGrad = true;
  const y = layer.forward(leaf);
  const r = randomTensor([...y.shape], new Random(99));
  layer.zeroGrad();
  sum(mul(y, r)).backward();
  const loss = (): number => noGrad(() => project(layer.forward(x), r));
  const ex = gradientError(numericGradient(x, loss, tol.h), (leaf.grad as Tensor).data);
  expect(ex, `${layer.type} dx error ${ex}`).toBeLessThan(tol.tol);
  for (const [name, p] of layer.namedParameters()) {
    const analytic = Float64Array.from((p.grad as Tensor).data);
    const e = gradientError(numericGradient(p, loss, tol.h), analytic);
    expect(e, `${layer.type} ${name} error ${e}`).toBeLessThan(tol.tol);
  }
}

describe('activation layer gradients by finite differences (naive backend)', () => {
  it('ReLU6, Hardsigmoid, Hardswish', () => {
    checkGradients(new ReLU6(), input([2, 3, 4], 1, 8, [0, 6]), PIECEWISE);
    checkGradients(new Hardsigmoid(), input([2, 3, 4], 2, 5, [-3, 3]), PIECEWISE);
    checkGradients(new Hardswish(), input([2, 3, 2, 2], 3, 5, [-3, 3]), PIECEWISE);
  });

  it('SiLU, GELU (exact and tanh), ELU, Softplus', () => {
    checkGradients(new SiLU(), input([3, 6], 4, 5), SMOOTH);
    checkGradients(new GELU(), input([3, 6], 5, 4), SMOOTH);
    checkGradients(new GELU({ approximate: 'tanh' }), input([3, 6], 6, 4), SMOOTH);
    checkGradients(new ELU({ alpha: 0.7 }), input([3, 6], 7, 3, [0]), SMOOTH);
    checkGradients(new Softplus({ beta: 2, threshold: 4 }), input([3, 6], 8, 4, [2]), SMOOTH);
  });

  it('PReLU: dx and the weight, one per channel and one shared', () => {
    const perChannel = new PReLU({ numParameters: 3 });
    perChannel.weight.data.set([0.25, -0.5, 1.5]);
    checkGradients(perChannel, input([2, 3, 3, 3], 9, 2, [0]), PIECEWISE);
    checkGradients(new PReLU({ init: 0.1 }), input([4, 5], 10, 2, [0]), PIECEWISE);
  });
});

describe('activation layers: semantics and options', () => {
  it("Hardsigmoid uses PyTorch's relu6(x + 3)/6; the hardSigmoid op keeps ONNX's alpha 0.2", () => {
    const x = new Tensor(Float32Array.of(-3, -1.5, 0, 1.5, 2.5, 3, 4), [7]);
    expect(Array.from(new Hardsigmoid().forward(x).data)).toEqual([0, 0.25, 0.5, 0.75, Math.fround(5.5 / 6), 1, 1]);
    expect(Array.from(hardSigmoid(x).data)).toEqual([0, 0.2, 0.5, 0.8, 1, 1, 1].map(Math.fround));
    expect(Array.from(new GELU({ approximate: 'tanh' }).forward(x).data)).toEqual(Array.from(gelu(x, { approximate: 'tanh' }).data));
  });

  it('PReLU: weight named as in PyTorch, [numParameters] filled with init (default 0.25)', () => {
    const p = new PReLU({ numParameters: 4 });
    expect(p.namedParameters().map(([n, t]) => [n, t.shape])).toEqual([['weight', [4]]]);
    expect(Array.from(new PReLU().weight.data)).toEqual([0.25]);
    expect(p.config()).toEqual({ numParameters: 4, init: 0.25 });
    expect(() => p.forward(randomTensor([2, 3, 2, 2], new Random(1)))).toThrow(/PReLU: expected input \[N, 4, \.\.\.\] for 4 parameters, got \[2, 3, 2, 2\]/);
    expect(new PReLU().forward(randomTensor([5], new Random(2))).shape).toEqual([5]);
  });

  it('strict options: unknown keys (PyTorch snake_case and inplace included) are refused', () => {
    expect(() => new ReLU6({ inplace: true } as never)).toThrow(/ReLU6: unknown option 'inplace'/);
    expect(() => new Hardswish({ inplace: true } as never)).toThrow(/Hardswish: unknown option 'inplace'/);
    expect(() => new Hardsigmoid({ alpha: 0.2 } as never)).toThrow(/Hardsigmoid: unknown option 'alpha'/);
    expect(() => new SiLU({ beta: 1 } as never)).toThrow(/SiLU: unknown option 'beta'/);
    expect(() => new GELU({ approx: 'tanh' } as never)).toThrow(/GELU: unknown option 'approx' \(known: approximate\)/);
    expect(() => new ELU({ inplace: false } as never)).toThrow(/ELU: unknown option 'inplace'/);
    expect(() => new Softplus({ beta: 1, limit: 20 } as never)).toThrow(/Softplus: unknown option 'limit'/);
    expect(() => new PReLU({ num_parameters: 3 } as never)).toThrow(/PReLU: unknown option 'num_parameters' \(known: numParameters, init\)/);
  });

  it('bad option values name the layer', () => {
    expect(() => new GELU({ approximate: 'erf' as never })).toThrow(/GELU: approximate must be 'none' or 'tanh', got 'erf'/);
    expect(() => new ELU({ alpha: NaN })).toThrow(/ELU: alpha must be a finite number, got NaN/);
    expect(() => new Softplus({ beta: -1 })).toThrow(/Softplus: beta must be > 0, got -1/);
    expect(() => new Softplus({ threshold: Infinity })).toThrow(/Softplus: threshold must be a finite number, got Infinity/);
    expect(() => new PReLU({ numParameters: 0 })).toThrow(/PReLU: numParameters must be a positive integer, got 0/);
    expect(() => new PReLU({ init: 'a' as never })).toThrow(/PReLU: init must be a finite number, got 'a'/);
  });
});

describe('activation layers in the model file', () => {
  it('every one is a built-in type, and a model of them saves and loads bit-exactly', () => {
    const types = ['ReLU6', 'Hardswish', 'Hardsigmoid', 'SiLU', 'GELU', 'ELU', 'Softplus', 'PReLU'];
    expect(builtinModuleTypes()).toEqual(expect.arrayContaining(types));
    const m = new Sequential([
      new Conv2d({ inChannels: 2, outChannels: 4, kernelSize: 3, padding: 1, random: new Random(3) }),
      new PReLU({ numParameters: 4, init: 0.1 }),
      new ReLU6(), new Hardswish(), new Hardsigmoid(), new SiLU(), new GELU({ approximate: 'tanh' }), new GELU(),
      new ELU({ alpha: 0.5 }), new Softplus({ beta: 2, threshold: 10 }), new PReLU(),
    ]);
    (m.layers[1] as PReLU).weight.data.set([0.1, -0.2, 0.3, 0.4]);
    (m.layers[10] as PReLU).weight.data.set([-0.75]);
    expect(Object.keys(m.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '10.weight']);
    const loaded = loadModel(m.save()) as Sequential;
    expect(loaded.layers.map((l) => l.type)).toEqual(['Conv2d', 'PReLU', ...types.slice(0, 5), 'GELU', 'ELU', 'Softplus', 'PReLU']);
    expect(loaded.config()).toEqual(m.config());
    expect(Array.from(loaded.stateDict()['1.weight'].data)).toEqual(Array.from(Float32Array.of(0.1, -0.2, 0.3, 0.4)));
    expect(Array.from(loaded.stateDict()['10.weight'].data)).toEqual([-0.75]);
    const x = randomTensor([2, 2, 5, 5], new Random(4), 3);
    expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(m.predict(x).data));
  });
});
