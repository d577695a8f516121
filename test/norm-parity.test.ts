// Batch- and group-normalization kernels of js and every wasm variant against naive, on a
// sweep of geometries: batch 1, inner sizes through every edge of the 4- and 8-wide SIMD
// bodies (0 to 9 leftovers), inner 1 (layer norm's layout) with channel counts around the
// vector width, one group, one channel per group, and inputs whose mean is 1000 times
// their spread. naive and js share the TypeScript kernels; wasm runs assembly/norm.ts.
//
// Tolerances (wasm; js must match naive exactly):
// - stats (float64 out): |Δmean| ≤ 1e-12·(|mean| + std), |Δvar| ≤ 1e-12·var + 1e-15·mean²:
//   both sides sum float64 terms, only the order differs (≈ m·2⁻⁵³ relative, m ≤ 3000).
// - y: |Δ| ≤ 1e-6·(|γ·x̂| + |β|): wasm's f32x4 pass on the split mean errs by ≲ 4 float32
//   roundings of the terms (4·2⁻²⁴ ≈ 2.4e-7), not of x·k or mean·k (assembly/norm.ts).
// - dx: |Δ| ≤ 1e-6·invStd·(|γ·dy| + mean|γ·dy| + |x̂|·mean|γ·dy·x̂|), the three terms of
//   dx = k·dy − a − b·(x − mean) bounded row by row (≲ 6 roundings: 3.6e-7 relative).
// - dgamma, dbeta: |Δ| ≤ 1e-6·|expected| + 1e-9·Σ|terms|: float64 sums rounded once to f32.
// Observed: simd and relaxed reach 0.19 of the y bound and 0.11 of the dx bound (≈ 3 ulps);
// scalar wasm (float64 elementwise passes) equals naive there; stats ≤ 0.007 of theirs;
// dgamma and dbeta come out identical. The test asks for < 0.5 of every bound.
import { describe, expect, it } from 'vitest';
import type { Backend, BatchNormGeometry, GroupNormGeometry } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js.js';
import { naiveBackend as naive } from '../src/backend/naive.js';
import { loadWasmBackend, supportsVariant, type WasmVariant } from '../src/backend/wasm.js';
import { forcedSplitBackend } from './support/threaded.js';
import { Random } from '../src/random.js';
import { guardedFloats, guardedInput } from './support/compare.js';
import { randomArray } from './support/random.js';

interface Worst {
  ratio: number;
  where: string;
}

/** Asserts |a − e| ≤ bound[i] for every i (bound 0: exact) and returns the worst ratio. */
function within(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, bound: (i: number) => number): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (diff === 0) continue;
    const b = bound(i);
    const ratio = b > 0 ? diff / b : Infinity;
    if (!(ratio <= 1)) expect.fail(`${label}: index ${i} is ${actual[i]}, expected ${expected[i]} (|diff| ${diff.toExponential(3)} > bound ${b.toExponential(3)})`);
    worst = Math.max(worst, ratio);
  }
  return worst;
}

/** The channel (per-element γ) and statistics row of each element, for either family. */
interface Layout {
  size: number;
  channels: number;
  rows: number;
  channelOf(i: number): number;
  rowOf(i: number): number;
}

function batchLayout(g: BatchNormGeometry): Layout {
  const { batch, channels, inner } = g;
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  return { size: batch * channels * inner, channels, rows: channels, channelOf, rowOf: channelOf };
}

function groupLayout(g: GroupNormGeometry): Layout {
  const { batch, channels, inner, groups } = g;
  const m = (channels / groups) * inner;
  return { size: batch * channels * inner, channels, rows: batch * groups, channelOf: (i) => Math.floor(i / inner) % channels, rowOf: (i) => Math.floor(i / m) };
}

/** Input with a per-channel offset (`offset` times the spread) and exact zeros. */
function input(rng: Random, l: Layout, offset: number): Float32Array {
  const shift = Array.from({ length: l.channels }, () => offset * rng.uniform(0.5, 1.5));
  const x = randomArray(l.size, rng, { low: -1, high: 1 });
  for (let i = 0; i < l.size; i++) x[i] = i % 13 === 5 ? shift[l.channelOf(i)] : x[i] + shift[l.channelOf(i)];
  return x;
}

interface Stats {
  mean: Float64Array;
  invStd: Float64Array;
}

interface Reference {
  x: Float32Array;
  dy: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  stats: Stats;
  variance: Float64Array;
  y: Float32Array;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
}

/** Per-element bounds from the reference statistics (see the header). */
function bounds(l: Layout, r: Reference): { y: (i: number) => number; dx: (i: number) => number; dgamma: (c: number) => number; dbeta: (c: number) => number } {
  const xhat = (i: number) => (r.x[i] - r.stats.mean[l.rowOf(i)]) * r.stats.invStd[l.rowOf(i)];
  const count = new Float64Array(l.rows);
  const sumG = new Float64Array(l.rows);
  const sumGX = new Float64Array(l.rows);
  const absDy = new Float64Array(l.channels);
  const absDyX = new Float64Array(l.channels);
  for (let i = 0; i < l.size; i++) {
    const row = l.rowOf(i);
    const c = l.channelOf(i);
    const g = Math.abs(r.gamma[c] * r.dy[i]);
    count[row]++;
    sumG[row] += g;
    sumGX[row] += g * Math.abs(xhat(i));
    absDy[c] += Math.abs(r.dy[i]);
    absDyX[c] += Math.abs(r.dy[i] * xhat(i));
  }
  return {
    y: (i) => 1e-6 * (Math.abs(r.gamma[l.channelOf(i)] * xhat(i)) + Math.abs(r.beta[l.channelOf(i)])),
    dx: (i) => {
      const row = l.rowOf(i);
      const g = Math.abs(r.gamma[l.channelOf(i)] * r.dy[i]);
      return 1e-6 * r.stats.invStd[row] * (g + sumG[row] / count[row] + (Math.abs(xhat(i)) * sumGX[row]) / count[row]);
    },
    dgamma: (c) => 1e-6 * Math.abs(r.dgamma[c]) + 1e-9 * absDyX[c],
    dbeta: (c) => 1e-6 * Math.abs(r.dbeta[c]) + 1e-9 * absDy[c],
  };
}

function statBounds(r: Reference): { mean: (k: number) => number; variance: (k: number) => number } {
  return {
    mean: (k) => 1e-12 * (Math.abs(r.stats.mean[k]) + Math.sqrt(r.variance[k])),
    variance: (k) => 1e-12 * r.variance[k] + 1e-15 * r.stats.mean[k] ** 2,
  };
}

const batchCases: BatchNormGeometry[] = [
  { batch: 1, channels: 1, inner: 1 },
  { batch: 2, channels: 3, inner: 1 },
  ...Array.from({ length: 10 }, (_, k) => ({ batch: 1 + (k % 3), channels: 2 + (k % 2), inner: 8 + k })),
  { batch: 1, channels: 5, inner: 37 },
  { batch: 4, channels: 3, inner: 7 * 9 },
  { batch: 2, channels: 2, inner: 1500 },
];

const groupCases: GroupNormGeometry[] = [
  { batch: 1, channels: 1, inner: 1, groups: 1 },
  // inner 1: layer norm over `channels` values, around the 4-wide and 2-wide bodies.
  ...Array.from({ length: 10 }, (_, k) => ({ batch: 1 + (k % 3), channels: 1 + k, inner: 1, groups: 1 })),
  { batch: 3, channels: 64, inner: 1, groups: 1 },
  { batch: 2, channels: 6, inner: 1, groups: 3 },
  // one group, groups of several channels, one channel per group; inner around the bodies.
  ...Array.from({ length: 10 }, (_, k) => ({ batch: 1 + (k % 2), channels: 4, inner: 2 + k, groups: [1, 2, 4][k % 3] })),
  { batch: 2, channels: 6, inner: 5 * 7, groups: 3 },
  { batch: 1, channels: 8, inner: 300, groups: 8 },
];

function runBatch(be: Backend, g: BatchNormGeometry, r: Reference, batchStats: boolean) {
  const l = batchLayout(g);
  const gx = guardedInput(r.x, 'x');
  const mean = new Float64Array(g.channels).fill(NaN);
  const variance = new Float64Array(g.channels).fill(NaN);
  be.batchNormStats(g, gx.view, mean, variance);
  const y = guardedFloats(l.size, NaN, 'y');
  be.batchNormApply(g, gx.view, r.stats.mean, r.stats.invStd, r.gamma, r.beta, y.view);
  const gdy = guardedInput(r.dy, 'dy');
  const dx = guardedFloats(l.size, NaN, 'dx');
  const dgamma = guardedFloats(g.channels, NaN, 'dgamma');
  const dbeta = guardedFloats(g.channels, NaN, 'dbeta');
  be.batchNormBackward(g, gdy.view, gx.view, r.stats.mean, r.stats.invStd, r.gamma, batchStats, dx.view, dgamma.view, dbeta.view);
  for (const guard of [gx, y, gdy, dx, dgamma, dbeta]) guard.check(`${be.name} batchNorm ${JSON.stringify(g)}`);
  return { mean, variance, y: y.view, dx: dx.view, dgamma: dgamma.view, dbeta: dbeta.view };
}

function runGroup(be: Backend, g: GroupNormGeometry, r: Reference, affine: boolean) {
  const l = groupLayout(g);
  const rows = l.rows;
  const gx = guardedInput(r.x, 'x');
  const mean = new Float64Array(rows).fill(NaN);
  const variance = new Float64Array(rows).fill(NaN);
  be.groupNormStats(g, gx.view, mean, variance);
  const y = guardedFloats(l.size, NaN, 'y');
  be.groupNormApply(g, gx.view, r.stats.mean, r.stats.invStd, affine ? r.gamma : null, affine ? r.beta : null, y.view);
  const gdy = guardedInput(r.dy, 'dy');
  const dx = guardedFloats(l.size, NaN, 'dx');
  const dgamma = guardedFloats(g.channels, NaN, 'dgamma');
  const dbeta = guardedFloats(g.channels, NaN, 'dbeta');
  be.groupNormBackward(g, gdy.view, gx.view, r.stats.mean, r.stats.invStd, affine ? r.gamma : null, dx.view, dgamma.view, dbeta.view);
  for (const guard of [gx, y, gdy, dx, dgamma, dbeta]) guard.check(`${be.name} groupNorm ${JSON.stringify(g)}`);
  // Only dgamma, or no dx at all: the outputs asked for are the same.
  const dgammaOnly = new Float32Array(g.channels);
  be.groupNormBackward(g, r.dy, r.x, r.stats.mean, r.stats.invStd, affine ? r.gamma : null, null, dgammaOnly, null);
  expect(Array.from(dgammaOnly)).toEqual(Array.from(dgamma.view));
  return { mean, variance, y: y.view, dx: dx.view, dgamma: dgamma.view, dbeta: dbeta.view };
}

function reference(l: Layout, rng: Random, offset: number, stats: (x: Float32Array, mean: Float64Array, variance: Float64Array) => void): Omit<Reference, 'y' | 'dx' | 'dgamma' | 'dbeta'> {
  const x = input(rng, l, offset);
  const dy = randomArray(l.size, rng, { low: -1, high: 1 });
  const gamma = randomArray(l.channels, rng, { low: 0.5, high: 2 });
  const beta = randomArray(l.channels, rng, { low: -1, high: 1 });
  const mean = new Float64Array(l.rows);
  const variance = new Float64Array(l.rows);
  stats(x, mean, variance);
  return { x, dy, gamma, beta, variance, stats: { mean, invStd: variance.map((v) => 1 / Math.sqrt(v + 1e-5)) } };
}

function sweep(be: Backend, exact: boolean): Record<string, number> {
  const worst: Record<string, Worst> = {};
  const note = (name: string, ratio: number, where: string) => {
    if (!worst[name] || ratio > worst[name].ratio) worst[name] = { ratio, where };
  };
  const rng = new Random(2031);
  for (const offset of [0, 1000]) {
    for (const g of batchCases) {
      const l = batchLayout(g);
      for (const batchStats of [true, false]) {
        const base = reference(l, rng, offset, (x, m, v) => naive.batchNormStats(g, x, m, v));
        const r0 = { ...base, y: new Float32Array(0), dx: new Float32Array(0), dgamma: new Float32Array(0), dbeta: new Float32Array(0) };
        const want = runBatch(naive, g, r0, batchStats);
        const r: Reference = { ...base, ...want };
        const got = runBatch(be, g, r, batchStats);
        const label = `batchNorm ${JSON.stringify(g)} offset ${offset}${batchStats ? '' : ' fixed stats'}`;
        const b = exact ? null : bounds(l, r);
        const s = exact ? null : statBounds(r);
        const zero = () => 0;
        note('stats', within(`${label} mean`, got.mean, want.mean, s ? s.mean : zero), label);
        note('stats', within(`${label} variance`, got.variance, want.variance, s ? s.variance : zero), label);
        note('y', within(`${label} y`, got.y, want.y, b ? b.y : zero), label);
        // With fixed statistics dx = k·dy: the a and b terms are 0, the bound stays valid.
        note('dx', within(`${label} dx`, got.dx, want.dx, b ? b.dx : zero), label);
        note('dgamma', within(`${label} dgamma`, got.dgamma, want.dgamma, b ? b.dgamma : zero), label);
        note('dbeta', within(`${label} dbeta`, got.dbeta, want.dbeta, b ? b.dbeta : zero), label);
      }
    }
    for (const g of groupCases) {
      const l = groupLayout(g);
      for (const affine of [true, false]) {
        const base = reference(l, rng, offset, (x, m, v) => naive.groupNormStats(g, x, m, v));
        if (!affine) {
          base.gamma.fill(1);
          base.beta.fill(0);
        }
        const r0 = { ...base, y: new Float32Array(0), dx: new Float32Array(0), dgamma: new Float32Array(0), dbeta: new Float32Array(0) };
        const want = runGroup(naive, g, r0, affine);
        const r: Reference = { ...base, ...want };
        const got = runGroup(be, g, r, affine);
        const label = `groupNorm ${JSON.stringify(g)} offset ${offset}${affine ? '' : ' no affine'}`;
        const b = exact ? null : bounds(l, r);
        const s = exact ? null : statBounds(r);
        const zero = () => 0;
        note('stats', within(`${label} mean`, got.mean, want.mean, s ? s.mean : zero), label);
        note('stats', within(`${label} variance`, got.variance, want.variance, s ? s.variance : zero), label);
        note('y', within(`${label} y`, got.y, want.y, b ? b.y : zero), label);
        note('dx', within(`${label} dx`, got.dx, want.dx, b ? b.dx : zero), label);
        note('dgamma', within(`${label} dgamma`, got.dgamma, want.dgamma, b ? b.dgamma : zero), label);
        note('dbeta', within(`${label} dbeta`, got.dbeta, want.dbeta, b ? b.dbeta : zero), label);
      }
    }
  }
  return Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, v.ratio]));
}

describe('normalization kernels match naive', () => {
  it('js (the same TypeScript kernels): exactly', () => {
    sweep(jsBackend, true);
  });

  for (const variant of ['scalar', 'simd', 'relaxed'] as WasmVariant[]) {
    it.skipIf(!supportsVariant(variant))(`wasm ${variant}: within the stated bounds, with room to spare`, async () => {
      const worst = sweep(await loadWasmBackend({ variant }), false);
      for (const [name, ratio] of Object.entries(worst)) expect(ratio, `${name}: worst error / bound`).toBeLessThan(0.5);
    });
  }

  for (const variant of ['simd', 'relaxed'] as const) {
    it(`wasm ${variant} split over 3 threads (every split forced): within the same bounds`, () => {
      const worst = sweep(forcedSplitBackend(variant), false);
      for (const [name, ratio] of Object.entries(worst)) expect(ratio, `${name}: worst error / bound`).toBeLessThan(0.5);
    });
  }

  it('wasm refuses short arrays and groups that do not divide the channels', async () => {
    const be = await loadWasmBackend({ variant: 'simd' });
    const g = { batch: 2, channels: 3, inner: 4 };
    const f = (n: number) => new Float32Array(n);
    const d = (n: number) => new Float64Array(n);
    expect(() => be.batchNormStats(g, f(23), d(3), d(3))).toThrow(/batchNormStats: x has 23 elements but the geometry needs 24/);
    expect(() => be.batchNormApply(g, f(24), d(3), d(2), f(3), f(3), f(24))).toThrow(/batchNormApply: invStd has 2 elements/);
    expect(() => be.batchNormBackward(g, f(24), f(24), d(3), d(3), f(3), true, f(20), f(3), f(3))).toThrow(/batchNormBackward: dx has 20 elements/);
    expect(() => be.groupNormStats({ ...g, groups: 2 }, f(24), d(4), d(4))).toThrow(/groupNormStats: geometry .* groups that divide the channels/);
    expect(() => be.groupNormApply({ ...g, groups: 3 }, f(24), d(6), d(6), f(2), null, f(24))).toThrow(/groupNormApply: gamma has 2 elements/);
    expect(() => be.groupNormBackward({ ...g, groups: 1 }, f(24), f(24), d(1), d(2), null, null, null, null)).toThrow(/groupNormBackward: mean has 1 elements but the geometry needs 2/);
    expect(() => be.batchNormStats({ batch: 1.5, channels: 1, inner: 1 }, f(2), d(1), d(1))).toThrow(/batchNormStats: batch must be a non-negative integer/);
  });
});
