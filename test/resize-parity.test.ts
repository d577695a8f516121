// Parity of resize on js and every wasm variant against naive: a sweep of shapes (batch 1,
// odd sizes, widths around the SIMD bodies of 4 and 8), up- and downsampling by scales
// and sizes, every coordinate and nearest mode, forward and backward, through the kernels
// with guarded outputs and through the op on the tape; then more planes than one wasm
// chunk holds.
//
// Tolerance:
// - nearest, and every backward: exact. Nearest only copies floats (wasm's row copies and
//   2× shuffles included); js and wasm run the backward in the same shared float64 kernel
//   as naive.
// - bilinear on js, bicubic everywhere: exact (the shared kernel, as naive; wasm hands
//   bicubic to it, which this checks through wasm's geometry checks).
// - bilinear on wasm: the weights are rounded to float32 and the two passes (columns, then
//   rows) each round two products and a sum, where naive rounds the float64 result once:
//   |wasm − naive| ≤ 7·2⁻²⁴·m ≈ 4.2e-7·m with m = Σ w·|x| over the four neighbours (the
//   naive resize of |x|), held as atol 5e-7·m, rtol 0. Measured: ≤ 2.4e-7·m.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js.js';
import { naiveBackend as naive } from '../src/backend/naive.js';
import { loadWasmBackend, supportsVariant, type WasmVariant } from '../src/backend/wasm.js';
import { forcedSplitBackend } from './support/threaded.js';
import { resize, type ResizeOptions } from '../src/ops/index.js';
import { resizeGeometry } from '../src/ops/resize.js';
import { Random } from '../src/random.js';
import { Tensor, shapeSize } from '../src/tensor.js';
import { expectClose, expectEqual, guardedFloats, guardedInput, type Tolerance } from './support/compare.js';
import { randomArray } from './support/random.js';

const EXACT: Tolerance = { rtol: 0, atol: 0 };
const WASM_BILINEAR: Tolerance = { rtol: 0, atol: 5e-7 };

interface Case {
  shape: number[];
  options: ResizeOptions;
}

const SHAPES = [[1, 1, 1, 1], [1, 2, 3, 5], [2, 3, 4, 4], [1, 1, 7, 9], [2, 1, 5, 13], [1, 2, 16, 17]];
const SIZINGS: ResizeOptions[] = [
  { scale: 2 }, { scale: [3, 0.5] }, { scale: 1.5 }, { scale: [0.6, 2.5] }, { scale: 1 },
  { size: [2, 9] }, { size: [11, 3] }, { size: 1 }, { size: [8, 8] },
];
const COORDINATES = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const;
const NEAREST = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] as const;

function cases(): Case[] {
  const out: Case[] = [];
  SHAPES.forEach((shape, s) => {
    SIZINGS.forEach((sizing, z) => {
      const c = COORDINATES[(s + z) % COORDINATES.length];
      // Skip empty outputs (the op refuses them; tested in resize-ops.test.ts).
      if (sizing.scale !== undefined) {
        const sc = typeof sizing.scale === 'number' ? [sizing.scale, sizing.scale] : sizing.scale;
        if (Math.floor(shape[2] * sc[0]) < 1 || Math.floor(shape[3] * sc[1]) < 1) return;
      }
      out.push({ shape, options: { ...sizing, mode: 'bilinear', coordinateMode: c } });
      out.push({ shape, options: { ...sizing, mode: 'bicubic', coordinateMode: c, ...(z % 2 === 1 ? { cubicCoeffA: -0.5, excludeOutside: true } : {}) } });
      out.push({ shape, options: { ...sizing, mode: 'nearest', coordinateMode: c, nearestMode: NEAREST[(s + 2 * z) % NEAREST.length] } });
      if (z === 0) out.push({ shape, options: { ...sizing, mode: 'nearest', coordinateMode: 'asymmetric', nearestMode: 'floor' } });
    });
    out.push({ shape, options: { size: [3, 4], mode: 'bilinear', coordinateMode: 'tf_crop_and_resize', roi: [0.2, -0.1, 0.9, 1.3], extrapolationValue: 5 } });
    out.push({ shape, options: { size: [4, 3], mode: 'nearest', coordinateMode: 'tf_crop_and_resize', roi: [-0.5, 0.25, 0.5, 0.75] } });
    out.push({ shape, options: { size: [3, 5], mode: 'bicubic', coordinateMode: 'tf_crop_and_resize', roi: [0.1, -0.2, 1.1, 0.8], extrapolationValue: -1 } });
  });
  return out;
}

const label = (c: Case) => `${c.shape.join('×')} ${JSON.stringify(c.options)}`;

function absolute(a: Float32Array): Float32Array {
  return a.map(Math.abs);
}

/** One case through the kernels of `be`, guarded, against naive. */
function checkKernels(name: string, be: Backend, c: Case, tolerance: Tolerance, rng: Random): void {
  const g = resizeGeometry('test', c.shape, c.options);
  const nx = shapeSize(c.shape);
  const ny = g.batch * g.channels * g.outHeight * g.outWidth;
  const x = randomArray(nx, rng, { low: -2, high: 2 });
  const dy = randomArray(ny, rng);
  const where = `${name} ${label(c)}`;

  const gx = guardedInput(x);
  const y = guardedFloats(ny);
  be.resize(g, gx.view, y.view);
  gx.check(where);
  y.check(where);
  const yRef = new Float32Array(ny);
  naive.resize(g, x, yRef);
  const magnitude = new Float32Array(ny);
  naive.resize(g, absolute(x), magnitude);
  expectClose(y.view, yRef, tolerance, `${where} forward`, magnitude);

  const gdy = guardedInput(dy, 'dy');
  const dx = guardedFloats(nx);
  be.resizeBackward(g, gdy.view, dx.view);
  gdy.check(where);
  dx.check(where);
  const dxRef = new Float32Array(nx);
  naive.resizeBackward(g, dy, dxRef);
  expectEqual(dx.view, dxRef, `${where} backward`);
}

const backends: [string, Backend, boolean][] = [['js', jsBackend, false]];
beforeAll(async () => {
  for (const v of ['scalar', 'simd', 'relaxed'] as WasmVariant[]) if (supportsVariant(v)) backends.push([`wasm ${v}`, await loadWasmBackend({ variant: v }), true]);
  backends.push(['wasm simd, 3 threads, every split forced', forcedSplitBackend('simd'), true]);
});

describe('resize kernels: js and wasm against naive', () => {
  const all = cases();
  it(`sweeps ${all.length} cases on every backend`, () => {
    expect(backends.length).toBeGreaterThanOrEqual(3);
    for (const [name, be, wasm] of backends) {
      const rng = new Random(5);
      for (const c of all) checkKernels(name, be, c, wasm && c.options.mode === 'bilinear' ? WASM_BILINEAR : EXACT, rng);
    }
  });

  it('more planes than one wasm chunk holds, and a last partial chunk', () => {
    // 64×64 in, 128×128 out: 80 KB a plane, so 3 planes a chunk and 2·7 planes take 5 chunks.
    const big: Case[] = [
      { shape: [2, 7, 64, 64], options: { scale: 2, mode: 'bilinear' } },
      { shape: [2, 7, 64, 64], options: { scale: 2, mode: 'nearest', coordinateMode: 'asymmetric', nearestMode: 'floor' } },
      { shape: [1, 9, 61, 67], options: { size: [97, 130], mode: 'bilinear', coordinateMode: 'align_corners' } },
    ];
    for (const [name, be, wasm] of backends) {
      const rng = new Random(6);
      for (const c of big) checkKernels(name, be, c, wasm && c.options.mode === 'bilinear' ? WASM_BILINEAR : EXACT, rng);
    }
  });
});

describe('resize through the tape: every backend against naive', () => {
  it('forward and x.grad', () => {
    const rng = new Random(7);
    for (const c of cases().filter((_, i) => i % 5 === 0)) {
      const data = randomArray(shapeSize(c.shape), rng);
      const run = (be: Backend) => {
        const x = new Tensor(data.slice(), c.shape);
        x.requiresGrad = true;
        const y = resize(x, c.options, be);
        const r = new Tensor(randomArray(y.size, 8), y.shape);
        y.backward(r);
        return { y: y.data, dx: (x.grad as Tensor).data };
      };
      const ref = run(naive);
      const magnitude = resize(new Tensor(absolute(data), c.shape), c.options, naive).data;
      for (const [name, be, wasm] of backends) {
        const got = run(be);
        expectClose(got.y, ref.y, wasm && c.options.mode === 'bilinear' ? WASM_BILINEAR : EXACT, `${name} ${label(c)} y`, magnitude);
        expectEqual(got.dx, ref.dx, `${name} ${label(c)} x.grad`);
      }
    }
  });
});
