// The Upsample layer against PyTorch's F.interpolate (float64, from float32-exact inputs;
// fixture written by scripts/fixtures/resize_pytorch.py): forward y and the input gradient
// of Σ y·r, on every backend, plus the aliases UpsamplingNearest2d/UpsamplingBilinear2d.
//
// Tolerance: nearest y is exact (a copy of one input element, so any wrong index is an
// O(1) error). Bilinear and bicubic y and every dx: |a − e| ≤ 1e-6·|e| + 3e-6. simdnet rounds the
// float64 result to float32 once (≤ 6e-8·|e|; bicubic runs the shared float64 kernel on
// every backend); wasm's float32 bilinear adds at most
// 5e-7·Σw|x| (test/resize-parity.test.ts), ≤ 2.5e-6 for these |x| < 5; dx sums at most
// a few float64 terms before one rounding.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  Tensor, Upsample, UpsamplingBilinear2d, UpsamplingNearest2d, currentBackend, getBackend, loadBackend, setBackend,
  type Backend, type BackendName, type Module, type UpsampleOptions,
} from '../src/index.js';
import { expectClose, expectEqual } from './support/compare.js';

interface Case {
  shape: number[];
  options: UpsampleOptions;
  x: number[];
  outShape: number[];
  r: number[];
  y: number[];
  dx: number[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/resize-pytorch.json', import.meta.url), 'utf8')) as { torch: string; cases: Case[] };
const TOLERANCE = { rtol: 1e-6, atol: 3e-6 };

function run(layer: Module, c: Case): { y: Tensor; dx: Tensor } {
  const x = new Tensor(Float32Array.from(c.x), c.shape);
  x.requiresGrad = true;
  const y = layer.forward(x);
  y.backward(new Tensor(Float32Array.from(c.r), c.outShape));
  return { y, dx: x.grad as Tensor };
}

function describeCase(c: Case): string {
  return `${c.shape.join('×')} ${JSON.stringify(c.options)}`;
}

describe.each(['naive', 'js', 'wasm'] as BackendName[])('Upsample against PyTorch %s', (name) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = name === 'wasm' ? await loadBackend('wasm') : getBackend(name);
  });

  it(`matches F.interpolate (torch ${fixture.torch}) on all ${fixture.cases.length} cases`, () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(15);
    const before = currentBackend();
    setBackend(backend);
    try {
      for (const c of fixture.cases) {
        const { y, dx } = run(new Upsample(c.options), c);
        const what = `${name} ${describeCase(c)}`;
        expect(y.shape, what).toEqual(c.outShape);
        if (c.options.mode === 'bilinear' || c.options.mode === 'bicubic') expectClose(y.data, c.y, TOLERANCE, `${what} y`);
        else expectEqual(y.data, c.y, `${what} y`);
        expectClose(dx.data, c.dx, TOLERANCE, `${what} dx`);
      }
    } finally {
      setBackend(before);
    }
  });

  it('UpsamplingNearest2d and UpsamplingBilinear2d are Upsample nearest and bilinear with alignCorners', () => {
    const before = currentBackend();
    setBackend(backend);
    try {
      const nearest = fixture.cases.filter((c) => c.options.mode === 'nearest');
      const aligned = fixture.cases.filter((c) => c.options.mode === 'bilinear' && c.options.alignCorners === true);
      expect(nearest.length).toBeGreaterThan(0);
      expect(aligned.length).toBeGreaterThan(0);
      const sizing = (c: Case) => (c.options.size !== undefined ? { size: c.options.size } : { scaleFactor: c.options.scaleFactor });
      for (const c of nearest) expectEqual(run(new UpsamplingNearest2d(sizing(c)), c).y.data, c.y, `${name} ${describeCase(c)}`);
      for (const c of aligned) {
        const { y, dx } = run(new UpsamplingBilinear2d(sizing(c)), c);
        expectClose(y.data, c.y, TOLERANCE, `${name} ${describeCase(c)} y`);
        expectClose(dx.data, c.dx, TOLERANCE, `${name} ${describeCase(c)} dx`);
      }
    } finally {
      setBackend(before);
    }
  });
});
