// The parity sweep: every kernel of a backend against the naive backend (float64 sums,
// the ground truth) on seeded random configurations. Reused by every fast backend:
//
//   import { describeBackendParity } from './support/sweep.js';
//   describeBackendParity('js', () => jsBackend);
//   describeBackendParity('wasm simd', () => loadWasmBackend({ variant: 'simd' }), { gemmBlocking: { mr: 4, nr: 8, mc: 120, nc: 2048, kc: 256 } });
//
// describeBackendParity(label, load, options?) registers one vitest `describe` holding one
// `it` per kernel family. Each `it` runs every configuration, collects the failures and
// reports how many failed plus the first few with their configuration, so one bug does
// not hide the rest. Every call runs on guarded views (sentinels around every input and
// output; outputs pre-filled with NaN so a kernel that must overwrite cannot read them),
// and every input is checked unchanged afterwards. GEMM goes through the GEMM tester
// (support/gemm.ts) on the backend's blocking, against its float64 triple loop: naive's gemm
// is that same loop and is held to it in naive.test.ts.
//
// Options (all optional):
//   tolerance             { rtol, atol } for sums (see compare.ts); default 1e-4 / 1e-5
//   elementwiseTolerance  { rtol, atol } for activations/softmax;   default 1e-5 / 1e-6
//   gemmTolerance         { rtol, atol } for GEMM; default `tolerance`
//   gemmBlocking          { mr, nr, mc, nc, kc } of the backend's GEMM, whose every tile and
//                         cache-block edge the GEMM cases go through; default 8×8, 64/256/256
//   seed                  of the configuration generator (default 2026)
import { beforeAll, describe, expect, it } from 'vitest';
import type { AdaptivePool2dGeometry, Backend, Conv2dGeometry, Pool2dGeometry } from '../../src/backend/backend.js';
import { naiveBackend } from '../../src/backend/naive.js';
import {
  adaptivePool2dGeometry, conv2dGeometry, im2colGeometry, pool2dGeometry,
  type AvgPool2dOptions, type Conv2dOptions, type MaxPool2dOptions, type Padding, type Size2,
} from '../../src/ops/geometry.js';
import { Random } from '../../src/random.js';
import type { Shape } from '../../src/tensor.js';
import { DEFAULT_TOLERANCE, expectClose, expectEqual, guardedFloats, guardedInput, guardedInts, type Tolerance } from './compare.js';
import { expectGemm, gemmCases, type GemmBlocking } from './gemm.js';
import { randomArray } from './random.js';

export interface ParityOptions {
  tolerance?: Tolerance;
  elementwiseTolerance?: Tolerance;
  gemmTolerance?: Tolerance;
  gemmBlocking?: GemmBlocking;
  seed?: number;
}

export const MIN_CONV_CASES = 300;
export const MIN_POOL_CASES = 300;
export const MIN_ADAPTIVE_CASES = 100;

// ---------------------------------------------------------------- configurations

export interface ConvCase {
  xShape: Shape;
  wShape: Shape;
  options: Conv2dOptions;
  geometry: Conv2dGeometry;
  /** Geometry of the matching im2col (no groups). */
  im2col: Conv2dGeometry;
  bias: boolean;
  label: string;
}

export type PoolKind = 'max' | 'avg';

export interface PoolCase {
  kind: PoolKind;
  xShape: Shape;
  /** Max pooling's options may hold dilation, average pooling's countIncludePad; both ceilMode. */
  options: MaxPool2dOptions & AvgPool2dOptions;
  geometry: Pool2dGeometry;
  /** How x is drawn: uniform, small integers (ties), or all negative (padding must not win). */
  data: 'uniform' | 'ties' | 'negative';
  label: string;
}

export interface AdaptiveCase {
  xShape: Shape;
  outputSize: Size2;
  geometry: AdaptivePool2dGeometry;
  label: string;
}

function show(value: unknown): string {
  return JSON.stringify(value);
}

function size2(rng: Random, max: number, bias1 = false): Size2 {
  const one = () => (bias1 && rng.next() < 0.5 ? 1 : 1 + rng.int(max));
  return rng.next() < 0.7 ? one() : [one(), one()];
}

function padding(rng: Random): Padding | undefined {
  switch (rng.int(7)) {
    case 0: return undefined;
    case 1: return 'valid';
    case 2:
    case 3: return 'same';
    case 4: return rng.int(3);
    case 5: return [rng.int(3), rng.int(3)];
    default: return [rng.int(4), rng.int(4), rng.int(4), rng.int(4)];
  }
}

function tryConv(xShape: Shape, wShape: Shape, options: Conv2dOptions, bias: boolean): ConvCase | null {
  try {
    const geometry = conv2dGeometry('sweep', xShape, wShape, options);
    const im2col = im2colGeometry('sweep', xShape, { kernelSize: [wShape[2], wShape[3]], stride: options.stride, padding: options.padding, dilation: options.dilation });
    const label = `x ${show(xShape)} w ${show(wShape)} ${show(options)}${bias ? ' +bias' : ''}`;
    return { xShape, wShape, options, geometry, im2col, bias, label };
  } catch {
    return null; // an invalid geometry (empty output, bad groups) is not a case
  }
}

/** At least `count` valid conv configurations: batch 1..4, channels 1..8, sizes 1..12,
 * kernel 1..5, stride 1..3, dilation 1..3, every padding form, groups incl. depthwise,
 * plus a few fixed shapes (pointwise, LeNet-like). */
export function convCases(seed = 2026, count = MIN_CONV_CASES): ConvCase[] {
  const rng = new Random(seed);
  const cases: ConvCase[] = [];
  const fixed: [Shape, Shape, Conv2dOptions][] = [
    [[2, 1, 12, 12], [6, 1, 5, 5], {}],
    [[1, 6, 8, 8], [16, 6, 5, 5], { padding: 2 }],
    [[3, 4, 5, 7], [6, 4, 1, 1], {}],
    [[2, 6, 3, 5], [4, 3, 1, 1], { groups: 2 }],
    [[1, 4, 6, 6], [4, 1, 3, 3], { groups: 4, padding: 'same' }],
    [[1, 1, 3, 3], [1, 1, 2, 2], {}],
    [[1, 3, 1, 1], [2, 3, 1, 1], {}],
    // The wasm direct convolution's shapes (few filters, strideWidth 1): LeNet's two layers,
    // output widths through its 8- and 4-column tiles (1, 3, 4, 5, 9, 12, 13), filter
    // counts that are no multiple of the micro-tile's 4 or 6 rows (7, 13, 17, 32),
    // asymmetric padding, dilation, a vertical stride only, a non-square kernel.
    [[3, 1, 28, 28], [6, 1, 5, 5], { padding: 2 }],
    [[2, 6, 14, 14], [16, 6, 5, 5], {}],
    [[1, 3, 5, 5], [7, 3, 5, 5], {}],
    [[2, 5, 7, 9], [13, 5, 3, 3], {}],
    [[1, 2, 6, 8], [17, 2, 3, 3], { padding: [0, 2, 1, 3] }],
    [[1, 3, 9, 11], [32, 3, 3, 3], { padding: 1, dilation: 2 }],
    [[2, 4, 11, 13], [5, 4, 3, 3], { stride: [2, 1], padding: 'same' }],
    [[1, 3, 10, 14], [6, 3, 2, 3], { padding: [1, 0, 0, 1] }],
    [[1, 1, 6, 4], [3, 1, 3, 3], { padding: 1 }],
  ];
  for (const [x, w, o] of fixed) {
    for (const bias of [true, false]) {
      const c = tryConv(x, w, o, bias);
      if (c) cases.push(c);
    }
  }
  for (let attempt = 0; cases.length < count && attempt < 50 * count; attempt++) {
    const batch = 1 + rng.int(4);
    const kind = rng.next();
    let groups = 1;
    let inChannels = 1 + rng.int(8);
    let outChannels = 1 + rng.int(8);
    if (kind < 0.2) {
      groups = inChannels; // depthwise, channel multiplier 1 or 2
      outChannels = inChannels * (1 + rng.int(2));
    } else if (kind < 0.4) {
      groups = 2 + rng.int(3);
      inChannels = groups * (1 + rng.int(Math.max(1, Math.floor(8 / groups))));
      outChannels = groups * (1 + rng.int(2));
    }
    const kernel = size2(rng, 5);
    const [kh, kw] = typeof kernel === 'number' ? [kernel, kernel] : kernel;
    const h = 1 + rng.int(12);
    const w = rng.next() < 0.3 ? h : 1 + rng.int(12);
    const options: Conv2dOptions = {};
    if (rng.next() < 0.6) options.stride = size2(rng, 3, true);
    if (rng.next() < 0.4) options.dilation = size2(rng, 3, true);
    const pad = padding(rng);
    if (pad !== undefined) options.padding = pad;
    if (groups > 1) options.groups = groups;
    const c = tryConv([batch, inChannels, h, w], [outChannels, inChannels / groups, kh, kw], options, rng.next() < 0.6);
    if (c) cases.push(c);
  }
  return cases;
}

/** At least `count` valid configurations of one kind of pooling: kernel 1..4, stride 1..3
 * or default, every padding form (pooling refuses padding ≥ kernel, those are skipped),
 * ceilMode in about a third; max pooling adds dilation 1..3 in about a third, average
 * pooling countIncludePad: false in about a third. */
export function poolCases(seed = 2027, count = MIN_POOL_CASES, kind: PoolKind = 'max'): PoolCase[] {
  const rng = new Random(seed);
  const cases: PoolCase[] = [];
  const kinds = ['uniform', 'ties', 'negative'] as const;
  for (let attempt = 0; cases.length < count && attempt < 50 * count; attempt++) {
    const xShape = [1 + rng.int(3), 1 + rng.int(4), 1 + rng.int(11), 1 + rng.int(11)];
    const options: MaxPool2dOptions & AvgPool2dOptions = { kernelSize: size2(rng, 4) };
    if (rng.next() < 0.6) options.stride = size2(rng, 3);
    const pad = padding(rng);
    if (pad !== undefined) options.padding = pad;
    if (rng.next() < 0.35) options.ceilMode = true;
    if (kind === 'max' && rng.next() < 0.35) options.dilation = size2(rng, 3, true);
    if (kind === 'avg' && rng.next() < 0.35) options.countIncludePad = false;
    try {
      const geometry = pool2dGeometry('sweep', xShape, options);
      const data = kinds[rng.int(3)];
      cases.push({ kind, xShape, options, geometry, data, label: `${kind} x ${show(xShape)} ${show(options)} ${data}` });
    } catch {
      // invalid geometry: not a case
    }
  }
  return cases;
}

/** At least `count` adaptive pooling configurations: inputs 1..12, outputs 1..12 per side
 * (smaller, equal, larger than the input; dividing it or not). */
export function adaptiveCases(seed = 2028, count = MIN_ADAPTIVE_CASES): AdaptiveCase[] {
  const rng = new Random(seed);
  const cases: AdaptiveCase[] = [];
  while (cases.length < count) {
    const xShape = [1 + rng.int(3), 1 + rng.int(4), 1 + rng.int(12), 1 + rng.int(12)];
    const outputSize: Size2 = rng.next() < 0.3 ? 1 + rng.int(12) : [1 + rng.int(12), 1 + rng.int(12)];
    const geometry = adaptivePool2dGeometry('sweep', xShape, outputSize);
    cases.push({ xShape, outputSize, geometry, label: `adaptive x ${show(xShape)} to ${show(outputSize)}` });
  }
  return cases;
}

/** Whether ceilMode added an output row or column (a window past the padded input). */
export function ceilAddsWindow(g: Pool2dGeometry): boolean {
  const floorOut = (size: number, before: number, after: number, k: number, s: number, d: number) => Math.floor((size + before + after - d * (k - 1) - 1) / s) + 1;
  return g.outHeight > floorOut(g.inHeight, g.padTop, g.padBottom, g.kernelHeight, g.strideHeight, g.dilationHeight) ||
    g.outWidth > floorOut(g.inWidth, g.padLeft, g.padRight, g.kernelWidth, g.strideWidth, g.dilationWidth);
}

// ---------------------------------------------------------------- data

function abs(a: Float32Array): Float32Array {
  return a.map(Math.abs);
}

function convSizes(g: Conv2dGeometry) {
  return {
    x: g.batch * g.inChannels * g.inHeight * g.inWidth,
    w: g.outChannels * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth,
    y: g.batch * g.outChannels * g.outHeight * g.outWidth,
    cols: g.batch * g.inChannels * g.kernelHeight * g.kernelWidth * g.outHeight * g.outWidth,
  };
}

function poolSizes(g: AdaptivePool2dGeometry) {
  return { x: g.batch * g.channels * g.inHeight * g.inWidth, y: g.batch * g.channels * g.outHeight * g.outWidth };
}

function poolInput(rng: Random, c: PoolCase, length: number): Float32Array {
  if (c.data === 'ties') return randomArray(length, rng).map((v) => Math.round(v * 2));
  if (c.data === 'negative') return randomArray(length, rng, { low: -2, high: -0.5 });
  return randomArray(length, rng);
}

/** Runs check on every case, collecting failures; fails once with a summary. */
function runAll<T extends { label: string }>(what: string, cases: T[], check: (c: T, index: number) => void): void {
  const failures: string[] = [];
  cases.forEach((c, i) => {
    try {
      check(c, i);
    } catch (e) {
      failures.push(`${c.label}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  if (failures.length > 0) {
    expect.fail(`${what}: ${failures.length} of ${cases.length} cases failed; first:\n  ${failures.slice(0, 5).join('\n  ')}`);
  }
}

// ---------------------------------------------------------------- the suite

export function describeBackendParity(label: string, load: () => Promise<Backend> | Backend, options: ParityOptions = {}): void {
  const tol = options.tolerance ?? DEFAULT_TOLERANCE;
  const ewTol = options.elementwiseTolerance ?? { rtol: 1e-5, atol: 1e-6 };
  const seed = options.seed ?? 2026;
  const naive = naiveBackend;

  describe(`${label} backend matches naive`, () => {
    let be: Backend;
    const convs = convCases(seed);
    const pools = poolCases(seed + 1, MIN_POOL_CASES, 'max');
    const avgPools = poolCases(seed + 11, MIN_POOL_CASES, 'avg');
    const adaptive = adaptiveCases(seed + 12);
    const gemms = gemmCases(options.gemmBlocking ?? { mr: 8, nr: 8, mc: 64, nc: 256, kc: 256 });

    beforeAll(async () => {
      be = await load();
    });

    it(`sweeps at least ${MIN_CONV_CASES} valid conv, ${MIN_POOL_CASES} max and average pooling and ${MIN_ADAPTIVE_CASES} adaptive pooling configurations covering every option`, () => {
      expect(convs.length).toBeGreaterThanOrEqual(MIN_CONV_CASES);
      expect(pools.length).toBeGreaterThanOrEqual(MIN_POOL_CASES);
      expect(avgPools.length).toBeGreaterThanOrEqual(MIN_POOL_CASES);
      expect(adaptive.length).toBeGreaterThanOrEqual(MIN_ADAPTIVE_CASES);
      const g = convs.map((c) => c.geometry);
      expect(g.some((x) => x.groups > 1 && x.groups === x.inChannels && x.inChannels > 1), 'depthwise').toBe(true);
      expect(g.some((x) => x.groups > 1 && x.groups < x.inChannels), 'grouped').toBe(true);
      expect(g.some((x) => x.padTop !== x.padBottom || x.padLeft !== x.padRight), 'asymmetric padding').toBe(true);
      expect(convs.some((c) => c.options.padding === 'same'), "'same' padding").toBe(true);
      for (const s of [2, 3]) expect(g.some((x) => x.strideHeight === s || x.strideWidth === s), `stride ${s}`).toBe(true);
      for (const d of [2, 3]) expect(g.some((x) => x.dilationHeight === d || x.dilationWidth === d), `dilation ${d}`).toBe(true);
      for (const k of [1, 5]) expect(g.some((x) => x.kernelHeight === k || x.kernelWidth === k), `kernel ${k}`).toBe(true);
      for (const n of [1, 4]) expect(g.some((x) => x.batch === n), `batch ${n}`).toBe(true);
      expect(pools.some((p) => p.geometry.padTop + p.geometry.padLeft + p.geometry.padBottom + p.geometry.padRight > 0), 'padded pooling').toBe(true);
      expect(pools.some((p) => p.geometry.strideHeight !== p.geometry.kernelHeight), 'overlapping/strided pooling').toBe(true);
      for (const d of [2, 3]) expect(pools.some((p) => p.geometry.dilationHeight === d || p.geometry.dilationWidth === d), `max pooling dilation ${d}`).toBe(true);
      expect(pools.some((p) => p.geometry.dilationHeight > 1 && p.geometry.padTop > 0 && p.geometry.ceilMode), 'dilated, padded, ceil-mode max pooling').toBe(true);
      for (const list of [pools, avgPools]) {
        expect(list.some((p) => ceilAddsWindow(p.geometry)), `${list[0].kind}: ceilMode adding a window`).toBe(true);
        expect(list.some((p) => p.geometry.ceilMode && !ceilAddsWindow(p.geometry)), `${list[0].kind}: ceilMode changing nothing`).toBe(true);
        expect(list.some((p) => p.geometry.kernelHeight === 2 && p.geometry.strideHeight === 2 && p.geometry.kernelWidth === 2 && p.geometry.strideWidth === 2), `${list[0].kind}: 2×2 stride 2 (the SIMD path)`).toBe(true);
      }
      const padded = (g: Pool2dGeometry) => g.padTop + g.padBottom + g.padLeft + g.padRight > 0;
      expect(avgPools.some((p) => !p.geometry.countIncludePad && padded(p.geometry)), 'countIncludePad false with padding').toBe(true);
      expect(avgPools.some((p) => !p.geometry.countIncludePad && ceilAddsWindow(p.geometry)), 'countIncludePad false with a ceil-mode window').toBe(true);
      expect(avgPools.some((p) => p.geometry.countIncludePad && padded(p.geometry) && ceilAddsWindow(p.geometry)), 'padding counted, window past the padding').toBe(true);
      const a = adaptive.map((c) => c.geometry);
      expect(a.some((g) => g.inHeight % g.outHeight !== 0 && g.outHeight < g.inHeight), 'adaptive: uneven, overlapping windows').toBe(true);
      expect(a.some((g) => g.outHeight > g.inHeight || g.outWidth > g.inWidth), 'adaptive: output larger than the input').toBe(true);
      expect(a.some((g) => g.outHeight === 1 && g.outWidth === 1), 'adaptive: to 1×1').toBe(true);
    });

    it(`gemm: ${gemms.length} shapes through every tile and cache-block edge, all transposes, alpha/beta`, () => {
      expectGemm(be, gemms, options.gemmTolerance ?? tol, { seed: seed + 2 });
    });

    it('im2col (exact) and col2im', () => {
      const rng = new Random(seed + 3);
      runAll('im2col/col2im', convs, (c) => {
        const g = c.im2col;
        const s = convSizes(g);
        const x = randomArray(s.x, rng);
        const expected = new Float32Array(s.cols);
        naive.im2col(g, x, expected);
        const gx = guardedInput(x, 'x');
        const gcols = guardedFloats(s.cols, NaN, 'cols');
        be.im2col(g, gx.view, gcols.view);
        gx.check('im2col');
        gcols.check('im2col');
        expectEqual(gcols.view, expected, 'im2col cols');

        const cols = randomArray(s.cols, rng);
        const back = new Float32Array(s.x);
        naive.col2im(g, cols, back);
        const magnitude = new Float32Array(s.x);
        naive.col2im(g, abs(cols), magnitude);
        const gin = guardedInput(cols, 'cols');
        const gout = guardedFloats(s.x, NaN, 'x');
        be.col2im(g, gin.view, gout.view);
        gin.check('col2im');
        gout.check('col2im');
        expectClose(gout.view, back, tol, 'col2im x', magnitude);
      });
    });

    it('conv2d forward (with and without bias)', () => {
      const rng = new Random(seed + 4);
      runAll('conv2d', convs, (c) => {
        const g = c.geometry;
        const s = convSizes(g);
        const x = randomArray(s.x, rng);
        const w = randomArray(s.w, rng);
        const bias = c.bias ? randomArray(g.outChannels, rng) : null;
        const expected = new Float32Array(s.y);
        naive.conv2d(g, x, w, bias, expected);
        const magnitude = new Float32Array(s.y);
        naive.conv2d(g, abs(x), abs(w), bias ? abs(bias) : null, magnitude);
        const gx = guardedInput(x, 'x');
        const gw = guardedInput(w, 'w');
        const gbias = bias ? guardedInput(bias, 'bias') : null;
        const gy = guardedFloats(s.y, NaN, 'y');
        be.conv2d(g, gx.view, gw.view, gbias ? gbias.view : null, gy.view);
        for (const gd of [gx, gw, gbias, gy]) gd?.check('conv2d');
        expectClose(gy.view, expected, tol, 'conv2d y', magnitude);
      });
    });

    it('conv2dBackwardInput', () => {
      const rng = new Random(seed + 5);
      runAll('conv2dBackwardInput', convs, (c) => {
        const g = c.geometry;
        const s = convSizes(g);
        const dy = randomArray(s.y, rng);
        const w = randomArray(s.w, rng);
        const expected = new Float32Array(s.x);
        naive.conv2dBackwardInput(g, dy, w, expected);
        const magnitude = new Float32Array(s.x);
        naive.conv2dBackwardInput(g, abs(dy), abs(w), magnitude);
        const gdy = guardedInput(dy, 'dy');
        const gw = guardedInput(w, 'w');
        const gdx = guardedFloats(s.x, NaN, 'dx');
        be.conv2dBackwardInput(g, gdy.view, gw.view, gdx.view);
        for (const gd of [gdy, gw, gdx]) gd.check('conv2dBackwardInput');
        expectClose(gdx.view, expected, tol, 'dx', magnitude);
      });
    });

    it('conv2dBackwardFilter (dw, and db when asked)', () => {
      const rng = new Random(seed + 6);
      runAll('conv2dBackwardFilter', convs, (c) => {
        const g = c.geometry;
        const s = convSizes(g);
        const dy = randomArray(s.y, rng);
        const x = randomArray(s.x, rng);
        const expectedW = new Float32Array(s.w);
        const expectedB = new Float32Array(g.outChannels);
        naive.conv2dBackwardFilter(g, dy, x, expectedW, expectedB);
        const magW = new Float32Array(s.w);
        const magB = new Float32Array(g.outChannels);
        naive.conv2dBackwardFilter(g, abs(dy), abs(x), magW, magB);
        const gdy = guardedInput(dy, 'dy');
        const gx = guardedInput(x, 'x');
        const gdw = guardedFloats(s.w, NaN, 'dw');
        const gdb = c.bias ? guardedFloats(g.outChannels, NaN, 'db') : null;
        be.conv2dBackwardFilter(g, gdy.view, gx.view, gdw.view, gdb ? gdb.view : null);
        for (const gd of [gdy, gx, gdw, gdb]) gd?.check('conv2dBackwardFilter');
        expectClose(gdw.view, expectedW, tol, 'dw', magW);
        if (gdb) expectClose(gdb.view, expectedB, tol, 'db', magB);
      });
    });

    it('maxPool2d (y and argmax exact: first max wins, padding never wins; dilation, ceilMode) and its backward', () => {
      const rng = new Random(seed + 7);
      runAll('maxPool2d', pools, (c) => {
        const g = c.geometry;
        const s = poolSizes(g);
        const x = poolInput(rng, c, s.x);
        const y = new Float32Array(s.y);
        const argmax = new Int32Array(s.y);
        naive.maxPool2d(g, x, y, argmax);
        const gx = guardedInput(x, 'x');
        const gy = guardedFloats(s.y, NaN, 'y');
        const ga = guardedInts(s.y, -1, 'argmax');
        be.maxPool2d(g, gx.view, gy.view, ga.view);
        for (const gd of [gx, gy, ga]) gd.check('maxPool2d');
        expectEqual(gy.view, y, 'maxPool2d y');
        expectEqual(ga.view, argmax, 'maxPool2d argmax');

        const dy = randomArray(s.y, rng);
        const dx = new Float32Array(s.x);
        naive.maxPool2dBackward(g, dy, argmax, dx);
        const magnitude = new Float32Array(s.x);
        naive.maxPool2dBackward(g, abs(dy), argmax, magnitude);
        const gdy = guardedInput(dy, 'dy');
        const gdx = guardedFloats(s.x, NaN, 'dx');
        const argCopy = argmax.slice();
        be.maxPool2dBackward(g, gdy.view, argmax, gdx.view);
        gdy.check('maxPool2dBackward');
        gdx.check('maxPool2dBackward');
        expectEqual(argmax, argCopy, 'argmax after maxPool2dBackward');
        expectClose(gdx.view, dx, tol, 'maxPool2dBackward dx', magnitude);
      });
    });

    it('avgPool2d (padding counted or not, ceilMode) and its backward', () => {
      const rng = new Random(seed + 8);
      runAll('avgPool2d', avgPools, (c) => {
        const g = c.geometry;
        const s = poolSizes(g);
        const x = poolInput(rng, c, s.x);
        const y = new Float32Array(s.y);
        naive.avgPool2d(g, x, y);
        const magY = new Float32Array(s.y);
        naive.avgPool2d(g, abs(x), magY);
        const gx = guardedInput(x, 'x');
        const gy = guardedFloats(s.y, NaN, 'y');
        be.avgPool2d(g, gx.view, gy.view);
        gx.check('avgPool2d');
        gy.check('avgPool2d');
        expectClose(gy.view, y, tol, 'avgPool2d y', magY);

        const dy = randomArray(s.y, rng);
        const dx = new Float32Array(s.x);
        naive.avgPool2dBackward(g, dy, dx);
        const magX = new Float32Array(s.x);
        naive.avgPool2dBackward(g, abs(dy), magX);
        const gdy = guardedInput(dy, 'dy');
        const gdx = guardedFloats(s.x, NaN, 'dx');
        be.avgPool2dBackward(g, gdy.view, gdx.view);
        gdy.check('avgPool2dBackward');
        gdx.check('avgPool2dBackward');
        expectClose(gdx.view, dx, tol, 'avgPool2dBackward dx', magX);
      });
    });

    it('adaptiveAvgPool2d and its backward', () => {
      const rng = new Random(seed + 10);
      runAll('adaptiveAvgPool2d', adaptive, (c) => {
        const g = c.geometry;
        const s = poolSizes(g);
        const x = randomArray(s.x, rng);
        const y = new Float32Array(s.y);
        naive.adaptiveAvgPool2d(g, x, y);
        const magY = new Float32Array(s.y);
        naive.adaptiveAvgPool2d(g, abs(x), magY);
        const gx = guardedInput(x, 'x');
        const gy = guardedFloats(s.y, NaN, 'y');
        be.adaptiveAvgPool2d(g, gx.view, gy.view);
        gx.check('adaptiveAvgPool2d');
        gy.check('adaptiveAvgPool2d');
        expectClose(gy.view, y, tol, 'adaptiveAvgPool2d y', magY);

        const dy = randomArray(s.y, rng);
        const dx = new Float32Array(s.x);
        naive.adaptiveAvgPool2dBackward(g, dy, dx);
        const magX = new Float32Array(s.x);
        naive.adaptiveAvgPool2dBackward(g, abs(dy), magX);
        const gdy = guardedInput(dy, 'dy');
        const gdx = guardedFloats(s.x, NaN, 'dx');
        be.adaptiveAvgPool2dBackward(g, gdy.view, gdx.view);
        gdy.check('adaptiveAvgPool2dBackward');
        gdx.check('adaptiveAvgPool2dBackward');
        expectClose(gdx.view, dx, tol, 'adaptiveAvgPool2dBackward dx', magX);
      });
    });

    it('elementwise: bias, activations (clip, hard-swish, GELU, PReLU, ...) and their backwards, softmax, logSoftmax (NaN propagates alike)', () => {
      const rng = new Random(seed + 9);
      // inPlace: the Backend contract lets the output alias the first input (y may be x).
      type Case = { label: string; run: (b: Backend, ins: Float32Array[], out: Float32Array) => void; inputs: number; outLength?: number; inPlace?: boolean };
      const [outer, channels, inner] = [3, 5, 7];
      const length = outer * channels * inner;
      const cases: Case[] = [
        { label: 'addBias', inPlace: true, inputs: 2, run: (b, [x, bias], y) => b.addBias(x, bias.subarray(0, channels), outer, channels, inner, y) },
        { label: 'sumBias', inputs: 1, outLength: channels, run: (b, [dy], db) => b.sumBias(dy, outer, channels, inner, db) },
        { label: 'relu', inPlace: true, inputs: 1, run: (b, [x], y) => b.relu(x, y) },
        { label: 'reluBackward', inputs: 2, run: (b, [x, dy], dx) => b.reluBackward(x, dy, dx) },
        { label: 'leakyRelu', inPlace: true, inputs: 1, run: (b, [x], y) => b.leakyRelu(x, 0.1, y) },
        { label: 'leakyReluBackward', inputs: 2, run: (b, [x, dy], dx) => b.leakyReluBackward(x, 0.1, dy, dx) },
        { label: 'sigmoid', inPlace: true, inputs: 1, run: (b, [x], y) => b.sigmoid(x, y) },
        { label: 'sigmoidBackward', inputs: 2, run: (b, [y, dy], dx) => b.sigmoidBackward(y, dy, dx) },
        { label: 'tanh', inPlace: true, inputs: 1, run: (b, [x], y) => b.tanh(x, y) },
        { label: 'tanhBackward', inputs: 2, run: (b, [y, dy], dx) => b.tanhBackward(y, dy, dx) },
        { label: 'clip [-1.5, 4]', inPlace: true, inputs: 1, run: (b, [x], y) => b.clip(x, -1.5, 4, y) },
        { label: 'clipBackward [0, 6]', inputs: 2, run: (b, [x, dy], dx) => b.clipBackward(x, 0, 6, dy, dx) },
        { label: 'hardSigmoid', inPlace: true, inputs: 1, run: (b, [x], y) => b.hardSigmoid(x, 0.2, 0.5, y) },
        { label: 'hardSigmoidBackward', inputs: 2, run: (b, [x, dy], dx) => b.hardSigmoidBackward(x, 1 / 6, 0.5, dy, dx) },
        { label: 'hardSwish', inPlace: true, inputs: 1, run: (b, [x], y) => b.hardSwish(x, y) },
        { label: 'hardSwishBackward', inputs: 2, run: (b, [x, dy], dx) => b.hardSwishBackward(x, dy, dx) },
        { label: 'silu', inPlace: true, inputs: 1, run: (b, [x], y) => b.silu(x, y) },
        { label: 'siluBackward', inputs: 2, run: (b, [x, dy], dx) => b.siluBackward(x, dy, dx) },
        { label: 'gelu', inPlace: true, inputs: 1, run: (b, [x], y) => b.gelu(x, 'none', y) },
        { label: 'geluBackward tanh', inputs: 2, run: (b, [x, dy], dx) => b.geluBackward(x, 'tanh', dy, dx) },
        { label: 'elu', inPlace: true, inputs: 1, run: (b, [x], y) => b.elu(x, 0.7, y) },
        { label: 'eluBackward', inputs: 2, run: (b, [x, dy], dx) => b.eluBackward(x, 0.7, dy, dx) },
        { label: 'softplus', inPlace: true, inputs: 1, run: (b, [x], y) => b.softplus(x, 1.5, 5, y) },
        { label: 'softplusBackward', inputs: 2, run: (b, [x, dy], dx) => b.softplusBackward(x, 1.5, 5, dy, dx) },
        { label: 'prelu', inPlace: true, inputs: 2, run: (b, [x, slope], y) => b.prelu(x, slope.subarray(0, channels), outer, channels, inner, y) },
        {
          label: 'preluBackward dx', inputs: 3,
          run: (b, [x, dy, slope], dx) => b.preluBackward(x, slope.subarray(0, channels), dy, outer, channels, inner, dx, null),
        },
        {
          label: 'preluBackward dslope', inputs: 3, outLength: channels,
          run: (b, [x, dy, slope], ds) => b.preluBackward(x, slope.subarray(0, channels), dy, outer, channels, inner, null, ds),
        },
        { label: 'softmax', inPlace: true, inputs: 1, run: (b, [x], y) => b.softmax(x, outer * channels, inner, y) },
        { label: 'logSoftmax', inPlace: true, inputs: 1, run: (b, [x], y) => b.logSoftmax(x, outer * channels, inner, y) },
      ];
      runAll('elementwise', cases, (c) => {
        // Values over [-6, 6] with exact zeros and one NaN (in a row softmax sees).
        const ins = Array.from({ length: c.inputs }, () => {
          const a = randomArray(length, rng, { low: -6, high: 6 });
          for (let i = 0; i < length; i += 11) a[i] = 0;
          a[length - 3] = NaN;
          return a;
        });
        const outLength = c.outLength ?? length;
        const expected = new Float32Array(outLength);
        c.run(naive, ins, expected);
        const guardedIns = ins.map((a, i) => guardedInput(a, `input ${i}`));
        const out = guardedFloats(outLength, NaN, 'output');
        c.run(be, guardedIns.map((gd) => gd.view), out.view);
        for (const gd of [...guardedIns, out]) gd.check(c.label);
        expectClose(out.view, expected, ewTol, c.label);
        if (c.inPlace) {
          const aliased = guardedFloats(length, NaN, 'x (in place)');
          aliased.view.set(ins[0]);
          c.run(be, [aliased.view, ...ins.slice(1)], aliased.view);
          aliased.check(`${c.label} in place`);
          expectClose(aliased.view, expected, ewTol, `${c.label} in place`);
        }
      });
    });
  });
}
