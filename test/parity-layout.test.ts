// The data-movement kernels (transpose, slice, pad and their adjoints) of js and of every
// wasm variant against naive's element-by-element reference, on a seeded sweep: ranks 0
// to 5, axes of size 1, every permutation kind, ONNX slices with negative steps, clamping
// and empty windows, constant pads with crops and ±Infinity / −0 fills, reflect and edge
// pads up to the axis size, and NCHW shapes large enough that wasm runs constant pads in
// several chunks (the last one short) and transposes copy several 32×32 tiles. Every call
// runs on guarded views (sentinels around every array; outputs pre-filled with NaN so a
// kernel must overwrite them) and inputs are checked unchanged.
//
// Tolerance: every forward kernel, slice's backward and the constant pad's backward only
// copy values and must match bit for bit. The reflect/edge pad backward adds the copies
// of a border element; naive sums in float64, the others in float32, so it is held to
// the sweep's default tolerance (rtol 1e-4, atol 1e-5 of Σ|terms|).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend, PadGeometry, SliceGeometry, TransposeGeometry } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js.js';
import { naiveBackend as naive } from '../src/backend/naive.js';
import { loadWasmBackend, supportsVariant, type WasmVariant } from '../src/backend/wasm.js';
import { padGeometry, sliceGeometry, type PadOptions, type Pads, type SliceOptions } from '../src/ops/index.js';
import { Random } from '../src/random.js';
import { shapeSize, type Shape } from '../src/tensor.js';
import { DEFAULT_TOLERANCE, expectClose, expectEqual, guardedFloats, guardedInput } from './support/compare.js';
import { randomArray } from './support/random.js';

const show = JSON.stringify;

function randomShape(rng: Random, rank: number, max: number): number[] {
  return Array.from({ length: rank }, () => (rng.next() < 0.25 ? 1 : 1 + rng.int(max)));
}

function shuffled(rng: Random, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Values in [-1, 1) with a NaN, a −0 and an infinity mixed in (copies must keep them). */
function data(n: number, rng: Random): Float32Array {
  const a = randomArray(n, rng);
  if (n > 3) {
    a[1] = NaN;
    a[2] = -0;
    a[n - 1] = -Infinity;
  }
  return a;
}

function transposeCases(): { label: string; g: TransposeGeometry }[] {
  const rng = new Random(4101);
  const fixed: [Shape, number[]][] = [
    [[70, 45], [1, 0]], // several 32×32 tiles, ragged edges
    [[2, 3, 40, 37], [0, 2, 3, 1]], // NCHW → NHWC
    [[2, 33, 3, 35], [0, 3, 2, 1]],
    [[2, 3, 4, 5, 6], [0, 2, 1, 3, 4]], // channel shuffle
    [[3, 4, 5], [0, 1, 2]],
    [[1, 5, 1, 7], [3, 2, 0, 1]],
    [[], []],
    [[9], [0]],
  ];
  const cases = fixed.map(([shape, perm]) => ({ shape, perm }));
  for (let i = 0; i < 150; i++) {
    const rank = 1 + rng.int(5);
    cases.push({ shape: randomShape(rng, rank, 6), perm: shuffled(rng, rank) });
  }
  return cases.map((g) => ({ label: `transpose ${show(g.shape)} perm ${show(g.perm)}`, g }));
}

function sliceCases(): { label: string; g: SliceGeometry }[] {
  const rng = new Random(4102);
  const fixed: [Shape, SliceOptions][] = [
    [[4, 64, 9, 9], { starts: [16], ends: [48], axes: [1] }], // NCHW channel window: long rows
    [[3, 40, 41], { starts: [-1, 2], ends: [-Infinity, 40], axes: [1, 2], steps: [-3, 1] }],
    [[10], { starts: [5], ends: [2] }], // empty
    [[2, 3], { starts: [0, 3], ends: [2, 3] }], // empty on the last axis
    [[], { starts: [], ends: [] }],
  ];
  const cases = fixed.map(([shape, o]) => sliceGeometry('sweep', shape, o));
  for (let i = 0; i < 200; i++) {
    const shape = randomShape(rng, 1 + rng.int(4), 7);
    const k = 1 + rng.int(shape.length);
    const axes = shuffled(rng, shape.length).slice(0, k).map((a) => (rng.next() < 0.3 ? a - shape.length : a));
    const bound = (d: number): number => (rng.next() < 0.15 ? (rng.next() < 0.5 ? Infinity : -Infinity) : rng.int(2 * d + 5) - d - 2);
    const starts = axes.map((a) => bound(shape.at(a) as number));
    const ends = axes.map((a) => bound(shape.at(a) as number));
    const steps = axes.map(() => (rng.next() < 0.5 ? 1 : (1 + rng.int(3)) * (rng.next() < 0.5 ? -1 : 1)));
    cases.push(sliceGeometry('sweep', shape, { starts, ends, axes, steps }));
  }
  return cases.map((g) => ({ label: `slice ${show(g.inShape)} starts ${show(g.starts)} steps ${show(g.steps)} → ${show(g.outShape)}`, g }));
}

function padCases(): { label: string; g: PadGeometry }[] {
  const rng = new Random(4103);
  const fixed: [Shape, Pads, PadOptions][] = [
    [[4, 20, 40, 41], [[1, 2], [3, 0]], { axes: [2, 3] }], // wasm: several chunks, a short last one
    [[3, 70, 9, 9], [[-1, 2], [1, 1]], { axes: [1, 3], value: -Infinity }], // crop on a leading axis
    [[70000], [0, 0], {}], // no axis padded: one long copy per chunk
    [[2, 3, 5, 6], [[1, 1], [1, 1]], { axes: [2, 3], value: -0 }],
    [[2, 3, 5, 6], [[2, 1], [4, 5]], { axes: [2, 3], mode: 'reflect' }],
    [[2, 3, 5, 6], [[3, 0], [1, 7]], { axes: [2, 3], mode: 'edge' }],
    [[1, 1, 1], [[3, 3], [3, 3], [3, 3]], { mode: 'edge' }],
    [[2, 0, 3], [[1, 1], [1, 0]], { axes: [1, 2], value: 2 }], // empty input, non-empty output
    [[], [], { value: 3 }],
  ];
  const cases = fixed.map(([shape, pads, o]) => padGeometry('sweep', shape, pads, o));
  const modes = ['constant', 'reflect', 'edge'] as const;
  while (cases.length < fixed.length + 250) {
    const shape = randomShape(rng, 1 + rng.int(4), 6);
    const mode = modes[rng.int(3)];
    const pads: [number, number][] = shape.map((d) => {
      const one = (): number => {
        if (rng.next() < 0.35) return 0;
        if (mode === 'reflect') return rng.int(d);
        return mode === 'edge' ? rng.int(4) : rng.int(6) - 2;
      };
      return [one(), one()];
    });
    const options: PadOptions = mode === 'constant' ? { value: rng.uniform(-2, 2) } : { mode };
    try {
      cases.push(padGeometry('sweep', shape, pads, options));
    } catch {
      // a crop larger than the axis: not a case
    }
  }
  return cases.map((g) => ({ label: `pad ${g.mode} ${show(g.inShape)} before ${show(g.before)} → ${show(g.outShape)}`, g }));
}

/** Runs every case, collecting failures; fails once with a summary. */
function runAll<T extends { label: string }>(what: string, cases: T[], check: (c: T) => void): void {
  const failures: string[] = [];
  for (const c of cases) {
    try {
      check(c);
    } catch (e) {
      failures.push(`${c.label}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (failures.length > 0) expect.fail(`${what}: ${failures.length} of ${cases.length} cases failed; first:\n  ${failures.slice(0, 5).join('\n  ')}`);
}

/** kernel(be, src, dst) on guarded views against the same call on naive. */
function compare(be: Backend, label: string, src: Float32Array, dstLength: number, kernel: (b: Backend, s: Float32Array, d: Float32Array) => void, exact: boolean): void {
  const expected = new Float32Array(dstLength);
  kernel(naive, src, expected);
  const gs = guardedInput(src, 'src');
  const gd = guardedFloats(dstLength, NaN, 'dst');
  kernel(be, gs.view, gd.view);
  gs.check(label);
  gd.check(label);
  if (exact) expectEqual(gd.view, expected, label);
  else {
    const magnitude = new Float32Array(dstLength);
    kernel(naive, src.map(Math.abs), magnitude);
    expectClose(gd.view, expected, DEFAULT_TOLERANCE, label, magnitude);
  }
}

const transposes = transposeCases();
const slices = sliceCases();
const pads = padCases();

const targets: { label: string; load: () => Promise<Backend> | Backend }[] = [{ label: 'js', load: () => jsBackend }];
for (const variant of ['scalar', 'simd', 'relaxed'] as WasmVariant[]) {
  if (supportsVariant(variant)) targets.push({ label: `wasm ${variant}`, load: () => loadWasmBackend({ variant }) });
}

describe('layout sweep coverage', () => {
  it('covers empty windows, negative steps, crops, every pad mode and multi-chunk wasm pads', () => {
    expect(targets.map((t) => t.label)).toEqual(['js', 'wasm scalar', 'wasm simd', 'wasm relaxed']);
    expect(slices.some((c) => shapeSize(c.g.outShape) === 0)).toBe(true);
    expect(slices.some((c) => c.g.steps.some((s) => s < -1))).toBe(true);
    for (const mode of ['constant', 'reflect', 'edge']) expect(pads.filter((c) => c.g.mode === mode).length).toBeGreaterThan(50);
    expect(pads.some((c) => c.g.before.some((b, d) => b < 0 || c.g.outShape[d] < c.g.inShape[d] + b))).toBe(true);
    expect(pads.some((c) => c.g.mode === 'reflect' && c.g.before.some((b, d) => b === c.g.inShape[d] - 1 && b > 1))).toBe(true);
    expect(transposes.length).toBeGreaterThan(150);
  });
});

for (const target of targets) {
  describe(`${target.label} layout kernels match naive`, () => {
    let be: Backend;
    beforeAll(async () => {
      be = await target.load();
    });

    it('transpose (exact)', () => {
      const rng = new Random(11);
      runAll('transpose', transposes, ({ g, label }) => {
        const n = shapeSize(g.shape);
        compare(be, label, data(n, rng), n, (b, s, d) => b.transpose(g, s, d), true);
      });
    });

    it('slice and sliceBackward (exact)', () => {
      const rng = new Random(12);
      runAll('slice', slices, ({ g, label }) => {
        compare(be, label, data(shapeSize(g.inShape), rng), shapeSize(g.outShape), (b, s, d) => b.slice(g, s, d), true);
        compare(be, `${label} backward`, data(shapeSize(g.outShape), rng), shapeSize(g.inShape), (b, s, d) => b.sliceBackward(g, s, d), true);
      });
    });

    it('pad (exact) and padBackward (exact for constant, summed copies for reflect and edge)', () => {
      const rng = new Random(13);
      runAll('pad', pads, ({ g, label }) => {
        compare(be, label, data(shapeSize(g.inShape), rng), shapeSize(g.outShape), (b, s, d) => b.pad(g, s, d), true);
        const dy = randomArray(shapeSize(g.outShape), rng);
        compare(be, `${label} backward`, dy, shapeSize(g.inShape), (b, s, d) => b.padBackward(g, s, d), g.mode === 'constant');
      });
    });
  });
}
