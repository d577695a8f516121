// LayerNorm, GroupNorm and InstanceNorm2d against PyTorch 1.13 in float64 (fixture from
// scripts/fixtures/norm_layers.py), forward and backward, on every backend: the layer is
// built from the case's options, its state dict must have PyTorch's keys, the fixture's
// state is loaded, and y, dL/dx and dL/dparameter for L = Σ y·r must match.
//
// Tolerance: max |actual − expected| / max(1, max |expected|) ≤ 2e-6. The inputs are
// exact float32 values, so what is left is simdnet's float32 storage of each output
// (2⁻²⁴ ≈ 6e-8 relative) and, on wasm, the float32 elementwise passes (a few ulps of the
// terms summed, assembly/norm.ts). Observed ≤ 1.2e-7 on every backend. A wrong formula (a
// missing 1/m, the unbiased variance, the wrong group) is off by 1e-2 or more.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  GroupNorm, InstanceNorm2d, LayerNorm, Tensor, getBackend, loadBackend, setBackend, type Backend, type BackendName, type Module,
} from '../src/index.js';

interface FixtureTensor {
  shape: number[];
  data: number[];
}

interface Case {
  name: string;
  layer: 'LayerNorm' | 'GroupNorm' | 'InstanceNorm2d';
  options: Record<string, unknown>;
  state: Record<string, FixtureTensor | number>;
  x: FixtureTensor;
  r: FixtureTensor;
  y: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  after?: Record<string, FixtureTensor | number>;
  evalY?: FixtureTensor;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/norm-layers.json', import.meta.url), 'utf8')) as { cases: Case[] };
const TOL = 2e-6;

function toTensor(t: FixtureTensor | number): Tensor {
  if (typeof t === 'number') return new Tensor(Float32Array.of(t), []);
  return new Tensor(Float32Array.from(t.data), t.shape);
}

function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return worst / scale;
}

function build(c: Case): Module {
  switch (c.layer) {
    case 'LayerNorm': return new LayerNorm(c.options as never);
    case 'GroupNorm': return new GroupNorm(c.options as never);
    default: return new InstanceNorm2d(c.options as never);
  }
}

function expectState(m: Module, expected: Record<string, FixtureTensor | number>, what: string): void {
  const state = m.stateDict();
  expect(Object.keys(state), `${what}: state dict keys`).toEqual(Object.keys(expected));
  for (const [key, v] of Object.entries(expected)) {
    expect(relError(state[key].data, typeof v === 'number' ? [v] : v.data), `${what}: ${key}`).toBeLessThan(TOL);
  }
}

describe.each(['naive', 'js', 'wasm'] as BackendName[])('normalization layers vs PyTorch float64 on %s', (name) => {
  for (const c of fixture.cases) {
    it(c.name, async () => {
      const backend: Backend = name === 'wasm' ? await loadBackend('wasm') : getBackend(name);
      const before = setBackend(backend);
      try {
        const layer = build(c);
        expect(Object.keys(layer.stateDict()), 'state dict keys').toEqual(Object.keys(c.state));
        layer.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, toTensor(v)])));
        const x = toTensor(c.x);
        x.requiresGrad = true;
        const y = layer.forward(x);
        expect(y.shape).toEqual(c.y.shape);
        expect(relError(y.data, c.y.data), 'y').toBeLessThan(TOL);
        y.backward(toTensor(c.r));
        expect(relError((x.grad as Tensor).data, c.grads.x.data), 'dL/dx').toBeLessThan(TOL);
        const params = Object.fromEntries(layer.namedParameters());
        expect(Object.keys(params).sort()).toEqual(Object.keys(c.grads).filter((k) => k !== 'x').sort());
        for (const [key, p] of Object.entries(params)) {
          expect(relError((p.grad as Tensor).data, c.grads[key].data), `dL/d${key}`).toBeLessThan(TOL);
        }
        if (c.after && c.evalY) {
          expectState(layer, c.after, 'after the train-mode pass');
          layer.eval();
          expect(relError(layer.forward(x).data, c.evalY.data), 'eval-mode y (running statistics)').toBeLessThan(TOL);
        }
      } finally {
        setBackend(before);
      }
    });
  }
});
