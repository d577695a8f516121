// The threaded splits (src/backend/wasm/split.ts and its callers) change no arithmetic:
// every op on a backend with threads 2 or 3 gives the same bytes as threads 1. Without a
// worker pool, WasmContext.parallel runs the tasks here, last first; the threads-3 backend
// gets a runner that runs them first to last and records every split, so both orders run
// and each test also checks its op really was split. Then the same on real threads: the
// threads build over shared memory with a worker pool of 1 and of 2 workers (recorded too)
// against the plain build on one thread. Shapes are above the default
// thresholds where that is cheap; a second set of backends forces the thresholds to 0 so
// odd shapes (tails, strides, groups, pointwise, batch 1) take the split paths too.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend, Conv2dGeometry } from '../src/backend/backend.js';
import { TASK_KERNELS, WasmContext, type Task, type TaskRunner } from '../src/backend/wasm/context.js';
import { createWasmBackend, type WasmBackend } from '../src/backend/wasm/create.js';
import { setSplitThresholds } from '../src/backend/wasm/split.js';
import { WorkerPool } from '../src/backend/wasm/threads/pool.js';
import { kernelExports } from '../src/backend/wasm/kernels.js';
import { adaptivePool2dGeometry, conv2dGeometry, pool2dGeometry, type Conv2dOptions } from '../src/ops/geometry.js';
import { resizeGeometry } from '../src/ops/resize.js';
import { Random } from '../src/random.js';
import type { Shape } from '../src/tensor.js';
import { randomArray } from './support/random.js';

type Variant = 'simd' | 'relaxed';

/** Records the ops that were split and runs their tasks through `pool`, or here first to last. */
class RecordingRunner implements TaskRunner {
  readonly split = new Map<string, number>();
  constructor(private readonly pool?: WorkerPool) {}
  get failure(): string | null {
    return this.pool?.failure ?? null;
  }
  run(op: string, tasks: readonly Task[], runOwn: (task: Task) => void): void {
    this.split.set(op, Math.max(this.split.get(op) ?? 0, tasks.length));
    if (this.pool) this.pool.run(op, tasks, runOwn);
    else for (const task of tasks) runOwn(task);
  }
  dispose(): Promise<void> {
    return this.pool?.dispose() ?? Promise.resolve();
  }
}

function instance(variant: Variant) {
  const bytes = readFileSync(new URL(`../build/simdnet.${variant}.wasm`, import.meta.url));
  return kernelExports(new WebAssembly.Instance(new WebAssembly.Module(bytes), {}), `simdnet.${variant}.wasm`);
}

/** threads 1 (`one`), and `others` whose splits `runner` records (the last one's). */
interface Trio {
  one: Backend;
  others: Backend[];
  runner: RecordingRunner;
}

const FORCED = { flops: 0, elements: 0 };

function trio(variant: Variant, forced: boolean): Trio {
  const splitThresholds = forced ? FORCED : undefined;
  const runner = new RecordingRunner();
  return {
    one: createWasmBackend(instance(variant), variant, { threads: 1 }),
    others: [
      createWasmBackend(instance(variant), variant, { threads: 2, splitThresholds, gemmSplitFlops: forced ? 0 : undefined }),
      createWasmBackend(instance(variant), variant, { threads: 3, runner, splitThresholds, gemmSplitFlops: forced ? 0 : undefined }),
    ],
    runner,
  };
}

const pooled: WasmBackend[] = [];
afterAll(async () => {
  await Promise.all(pooled.map((b) => b.dispose()));
});

/** The threads build over shared memory with `threads − 1` workers (as loadThreaded makes it). */
async function pooledBackend(variant: Variant, threads: number, forced: boolean): Promise<{ backend: WasmBackend; runner: RecordingRunner }> {
  const module = new WebAssembly.Module(readFileSync(new URL(`../build/simdnet.${variant}-threads.wasm`, import.meta.url)));
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 16384, shared: true } as WebAssembly.MemoryDescriptor);
  const kernels = kernelExports(new WebAssembly.Instance(module, { env: { memory } }), `simdnet.${variant}-threads.wasm`);
  const ctx = new WasmContext(kernels, { threads, gemmSplitFlops: forced ? 0 : undefined });
  const runner = new RecordingRunner(await WorkerPool.start({ module, memory, arena: ctx.arena, workers: threads - 1, kernels: TASK_KERNELS }));
  ctx.useRunner(runner);
  if (forced) setSplitThresholds(ctx, FORCED);
  const backend = createWasmBackend(kernels, variant, ctx);
  pooled.push(backend);
  return { backend, runner };
}

async function pooledTrio(variant: Variant, forced: boolean): Promise<Trio> {
  const two = await pooledBackend(variant, 2, forced);
  const three = await pooledBackend(variant, 3, forced);
  return { one: createWasmBackend(instance(variant), variant, { threads: 1 }), others: [two.backend, three.backend], runner: three.runner };
}

const rng = new Random(13);
const data = (n: number): Float32Array => randomArray(n, rng);

type Floats = Float32Array | Float64Array | Int32Array;

/** The first byte where a and b differ (-1: none; a length mismatch counts at the end). */
function firstDifference(a: Floats, b: Floats): number {
  const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const y = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (x.equals(y)) return -1;
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return i;
  return Math.min(x.length, y.length);
}

/** Runs `op` on every backend of the trio (fresh outputs each time) and expects the same
 * bytes in every output, and that the threads-3 backend split `split` (an op name). */
function same<T extends Floats>(t: Trio, split: string, outputs: () => T[], op: (b: Backend, out: T[]) => void): void {
  t.runner.split.delete(split);
  const results = [t.one, ...t.others].map((b) => {
    const out = outputs();
    op(b, out);
    return out;
  });
  for (const r of results.slice(1)) r.forEach((a, i) => expect(firstDifference(a, results[0][i]), `${split} output ${i}`).toBe(-1));
  expect(t.runner.split.get(split) ?? 0, `${split} was split`).toBeGreaterThan(1);
}

const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);

function convCases(t: Trio, xs: Shape, ws: Shape, options: Conv2dOptions, bias: boolean): void {
  const g: Conv2dGeometry = conv2dGeometry('conv2d', xs, ws, options);
  const x = data(size(xs));
  const w = data(size(ws));
  const b = bias ? data(g.outChannels) : null;
  const ny = g.batch * g.outChannels * g.outHeight * g.outWidth;
  const dy = data(ny);
  same(t, 'conv2d', () => [new Float32Array(ny)], (be, [y]) => be.conv2d(g, x, w, b, y));
  same(t, 'conv2dBackwardInput', () => [new Float32Array(x.length)], (be, [dx]) => be.conv2dBackwardInput(g, dy, w, dx));
  same(t, 'conv2dBackwardFilter', () => [new Float32Array(w.length), new Float32Array(g.outChannels)], (be, [dw, db]) =>
    be.conv2dBackwardFilter(g, dy, x, dw, db));
}

for (const [variant, pool] of [['simd', false], ['relaxed', false], ['simd', true], ['relaxed', true]] as const) {
  const big = pool ? await pooledTrio(variant, false) : trio(variant, false);
  const forced = pool ? await pooledTrio(variant, true) : trio(variant, true);
  describe(`wasm ${variant}${pool ? ' threads build on a worker pool' : ', tasks run here'}: threads 2 and 3 give threads 1's bytes`, () => {
    it('conv2d on shapes above the default thresholds: batch 1, batch > 1, small planes', () => {
      convCases(big, [1, 16, 24, 24], [32, 16, 3, 3], { padding: 1 }, true);
      convCases(big, [3, 16, 20, 20], [32, 16, 3, 3], { padding: 1 }, true);
      // The batched small-plane forward (L = 64 < 256): 100 images in chunks of 32.
      convCases(big, [100, 6, 12, 12], [16, 6, 5, 5], {}, true);
    });

    it("LeNet's convs at the default thresholds, and a filter-gradient block that starts inside a channel", () => {
      convCases(big, [64, 1, 28, 28], [6, 1, 5, 5], { padding: 2 }, true);
      convCases(big, [64, 6, 14, 14], [16, 6, 5, 5], {}, true);
      // Blocks whose columns start inside a channel (rows 4·9 = 36: cuts at 16 and 24 of 3 threads).
      convCases(forced, [5, 4, 11, 9], [8, 4, 3, 3], { padding: 1, dilation: [1, 2] }, true);
    });

    it('conv2d with every split forced: strides, padding, dilation, groups, pointwise, depthwise', () => {
      const cases: [Shape, Shape, Conv2dOptions][] = [
        [[1, 13, 31, 29], [24, 13, 3, 3], { stride: 2, padding: [1, 0, 2, 1] }],
        [[2, 5, 17, 19], [7, 5, 3, 2], { dilation: 2, padding: 'same' }],
        [[1, 8, 9, 11], [12, 4, 3, 3], { groups: 2, padding: 1 }],
        [[3, 8, 9, 11], [12, 4, 3, 3], { groups: 2, padding: 1 }],
        [[1, 32, 16, 16], [48, 32, 1, 1], {}],
        [[2, 32, 7, 9], [20, 32, 1, 1], {}],
        [[1, 3, 10, 10], [70, 3, 3, 3], { padding: 1 }], // m > n: the GEMMs cut along M
        [[20, 3, 17, 17], [4, 3, 3, 3], {}], // batched small planes: chunks of 9, 9 and 2 images
        [[1, 12, 15, 13], [12, 1, 3, 3], { groups: 12, padding: 1 }],
        [[3, 12, 15, 13], [24, 1, 3, 3], { groups: 12, stride: 2, padding: 1 }],
        [[2, 6, 11, 12], [6, 1, 5, 5], { groups: 6, padding: 2, dilation: 1 }],
      ];
      for (const [xs, ws, o] of cases) convCases(forced, xs, ws, o, true);
    });

    it('prepared conv2d (a compiled plan’s): im2col by channels, the GEMM by tiles, residual + relu in the store', () => {
      const cases: [Trio, Shape, Shape, Conv2dOptions][] = [
        [big, [1, 32, 20, 20], [64, 32, 3, 3], { padding: 1 }],
        [big, [2, 32, 32, 32], [48, 32, 3, 3], { stride: 2, padding: 1 }],
        [forced, [1, 7, 11, 9], [40, 7, 3, 3], { padding: [1, 0, 2, 1] }],
      ];
      for (const [t, xs, ws, options] of cases) {
        const g = conv2dGeometry('conv2d', xs, ws, options);
        const x = data(size(xs));
        const w = data(size(ws));
        const b = data(g.outChannels);
        const ny = g.batch * g.outChannels * g.outHeight * g.outWidth;
        const residual = data(ny);
        same(t, 'prepareConv2d', () => [new Float32Array(ny)], (be, [y]) => {
          const product = be.prepareConv2d?.(g, w, b, { activation: { kind: 'relu' }, residual: true });
          if (!product) throw new Error('prepareConv2d prepared nothing');
          product.run(x, y, residual);
          product.release();
        });
      }
    });

    it('depthwise conv on a MobileNet-sized layer (default thresholds)', () => {
      convCases(big, [2, 32, 112, 112], [32, 1, 3, 3], { groups: 32, padding: 1 }, true);
    });

    it('pooling forward and backward, max (argmax included), average, adaptive', () => {
      for (const [t, shape] of [[big, [4, 32, 64, 64]], [forced, [1, 5, 9, 7]]] as const) {
        const x = data(size(shape));
        const g = pool2dGeometry('maxPool2d', shape, { kernelSize: 2, stride: 2 });
        const gp = pool2dGeometry('avgPool2d', shape, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false });
        const ny = g.batch * g.channels * g.outHeight * g.outWidth;
        same(t, 'maxPool2d', () => [new Float32Array(ny), new Int32Array(ny)] as unknown as Float32Array[], (b, [y, arg]) =>
          b.maxPool2d(g, x, y, arg as unknown as Int32Array));
        const argmax = new Int32Array(ny);
        t.one.maxPool2d(g, x, new Float32Array(ny), argmax);
        const dy = data(ny);
        same(t, 'maxPool2dBackward', () => [new Float32Array(x.length)], (b, [dx]) => b.maxPool2dBackward(g, dy, argmax, dx));
        const nyp = gp.batch * gp.channels * gp.outHeight * gp.outWidth;
        const dyp = data(nyp);
        same(t, 'avgPool2d', () => [new Float32Array(nyp)], (b, [y]) => b.avgPool2d(gp, x, y));
        same(t, 'avgPool2dBackward', () => [new Float32Array(x.length)], (b, [dx]) => b.avgPool2dBackward(gp, dyp, dx));
        const ga = adaptivePool2dGeometry('adaptiveAvgPool2d', shape, [3, 2]);
        const nya = ga.batch * ga.channels * 6;
        const dya = data(nya);
        same(t, 'adaptiveAvgPool2d', () => [new Float32Array(nya)], (b, [y]) => b.adaptiveAvgPool2d(ga, x, y));
        same(t, 'adaptiveAvgPool2dBackward', () => [new Float32Array(x.length)], (b, [dx]) => b.adaptiveAvgPool2dBackward(ga, dya, dx));
      }
    });

    it('maxPool2dBackward with an index outside its plane range runs as one call (same result)', () => {
      const shape = [2, 4, 8, 8];
      const g = pool2dGeometry('maxPool2d', shape, { kernelSize: 2, stride: 2 });
      const ny = 2 * 4 * 16;
      const argmax = new Int32Array(ny);
      forced.one.maxPool2d(g, data(size(shape)), new Float32Array(ny), argmax);
      argmax[0] = 2 * 4 * 64 - 1; // valid in x, but in the last plane
      const dy = data(ny);
      const results = [forced.one, ...forced.others].map((b) => {
        const dx = new Float32Array(2 * 4 * 64);
        b.maxPool2dBackward(g, dy, argmax, dx);
        return dx;
      });
      for (const r of results) expect(firstDifference(r, results[0])).toBe(-1);
      argmax[1] = 2 * 4 * 64; // outside x: every thread count refuses with the same count
      for (const b of [forced.one, ...forced.others]) {
        expect(() => b.maxPool2dBackward(g, dy, argmax, new Float32Array(2 * 4 * 64))).toThrow(/argmax holds 1 indices outside \[0, 512\)/);
      }
    });

    it('elementwise passes, bias and its sum (lengths off the 16-float grid)', () => {
      for (const [t, n] of [[big, 600001], [forced, 53]] as const) {
        const x = data(n);
        const dy = data(n);
        same(t, 'relu', () => [new Float32Array(n)], (b, [y]) => b.relu(x, y));
        same(t, 'reluBackward', () => [new Float32Array(n)], (b, [dx]) => b.reluBackward(x, dy, dx));
        same(t, 'clip', () => [new Float32Array(n)], (b, [y]) => b.clip(x, -0.5, 0.25, y));
        same(t, 'clipBackward', () => [new Float32Array(n)], (b, [dx]) => b.clipBackward(x, -0.5, 0.25, dy, dx));
        same(t, 'hardSwish', () => [new Float32Array(n)], (b, [y]) => b.hardSwish(x.map((v) => 8 * v), y));
        same(t, 'hardSwishBackward', () => [new Float32Array(n)], (b, [dx]) => b.hardSwishBackward(x.map((v) => 8 * v), dy, dx));
      }
      for (const [t, [outer, channels, inner]] of [[big, [3, 17, 11000]], [forced, [2, 5, 7]], [forced, [1, 9, 3]]] as const) {
        const x = data(outer * channels * inner);
        const bias = data(channels);
        same(t, 'addBias', () => [new Float32Array(x.length)], (b, [y]) => b.addBias(x, bias, outer, channels, inner, y));
        same(t, 'sumBias', () => [new Float32Array(channels)], (b, [db]) => b.sumBias(x, outer, channels, inner, db));
      }
    });

    it('batch norm statistics, apply and backward (fixed and batch statistics, dx or not)', () => {
      for (const [t, [batch, channels, inner]] of [[big, [4, 16, 8200]], [forced, [2, 5, 7]], [forced, [1, 6, 9]]] as const) {
        const g = { batch, channels, inner };
        const x = data(batch * channels * inner);
        const dy = data(x.length);
        const gamma = data(channels);
        const beta = data(channels);
        same(t, 'batchNormStats', () => [new Float64Array(channels), new Float64Array(channels)], (b, [m, v]) => b.batchNormStats(g, x, m, v));
        const mean = new Float64Array(channels);
        const variance = new Float64Array(channels);
        t.one.batchNormStats(g, x, mean, variance);
        const invStd = variance.map((v) => 1 / Math.sqrt(v + 1e-5));
        same(t, 'batchNormApply', () => [new Float32Array(x.length)], (b, [y]) => b.batchNormApply(g, x, mean, invStd, gamma, beta, y));
        for (const batchStats of [true, false]) {
          same(t, 'batchNormBackward', () => [new Float32Array(x.length), new Float32Array(channels), new Float32Array(channels)], (b, [dx, dg, db]) =>
            b.batchNormBackward(g, dy, x, mean, invStd, gamma, batchStats, dx, dg, db));
        }
        same(t, 'batchNormBackward', () => [new Float32Array(channels), new Float32Array(channels)], (b, [dg, db]) =>
          b.batchNormBackward(g, dy, x, mean, invStd, gamma, true, null, dg, db));
      }
    });

    it('group norm statistics, apply and backward (layer-norm rows of inner 1 too)', () => {
      for (const [t, [batch, channels, inner, groups]] of [[big, [4, 32, 4100, 8]], [forced, [3, 6, 5, 3]], [forced, [1, 8, 3, 4]], [forced, [5, 12, 1, 4]]] as const) {
        const g = { batch, channels, inner, groups };
        const x = data(batch * channels * inner);
        const dy = data(x.length);
        const gamma = data(channels);
        const beta = data(channels);
        const rows = batch * groups;
        same(t, 'groupNormStats', () => [new Float64Array(rows), new Float64Array(rows)], (b, [m, v]) => b.groupNormStats(g, x, m, v));
        const mean = new Float64Array(rows);
        const variance = new Float64Array(rows);
        t.one.groupNormStats(g, x, mean, variance);
        const invStd = variance.map((v) => 1 / Math.sqrt(v + 1e-5));
        same(t, 'groupNormApply', () => [new Float32Array(x.length)], (b, [y]) => b.groupNormApply(g, x, mean, invStd, gamma, beta, y));
        same(t, 'groupNormApply', () => [new Float32Array(x.length)], (b, [y]) => b.groupNormApply(g, x, mean, invStd, null, null, y));
        same(t, 'groupNormBackward', () => [new Float32Array(x.length), new Float32Array(channels), new Float32Array(channels)], (b, [dx, dg, db]) =>
          b.groupNormBackward(g, dy, x, mean, invStd, gamma, dx, dg, db));
        same(t, 'groupNormBackward', () => [new Float32Array(x.length)], (b, [dx]) => b.groupNormBackward(g, dy, x, mean, invStd, null, dx, null, null));
      }
    });

    it('resize forward, nearest and bilinear', () => {
      for (const [t, shape] of [[big, [2, 8, 90, 90]], [forced, [1, 3, 5, 7]]] as const) {
        const x = data(size(shape));
        for (const mode of ['nearest', 'bilinear'] as const) {
          const g = resizeGeometry('resize', shape, { scale: 2, mode });
          const ny = g.batch * g.channels * g.outHeight * g.outWidth;
          same(t, 'resize', () => [new Float32Array(ny)], (b, [y]) => b.resize(g, x, y));
        }
      }
    });
  });
}

describe('packed splits on resident arrays', () => {
  it('read and write resident views again after the packing grew memory (batch norm, depthwise dw)', () => {
    const one = createWasmBackend(instance('simd'), 'simd', { threads: 1 });
    const split = createWasmBackend(instance('simd'), 'simd', { threads: 2, splitThresholds: FORCED });
    const g = { batch: 4, channels: 8, inner: 1 << 17 };
    const size = g.batch * g.channels * g.inner;
    const x = data(size);
    const dy = data(size);
    const [xs, dys, dxs] = [split.allocate(size), split.allocate(size), split.allocate(size)];
    xs.view(0, size).set(x);
    dys.view(0, size).set(dy);
    const before = split.memoryBytes;
    const [m1, v1, m2, v2] = [0, 0, 0, 0].map(() => new Float64Array(g.channels));
    one.batchNormStats(g, x, m1, v1);
    split.batchNormStats(g, xs.view(0, size), m2, v2);
    expect(split.memoryBytes, 'the packed copies grew memory').toBeGreaterThan(before);
    expect(firstDifference(m2, m1)).toBe(-1);
    expect(firstDifference(v2, v1)).toBe(-1);
    const invStd = v1.map((v) => 1 / Math.sqrt(v + 1e-5));
    const gamma = data(g.channels);
    const [dx1, dg1, db1, dg2, db2] = [new Float32Array(size), new Float32Array(8), new Float32Array(8), new Float32Array(8), new Float32Array(8)];
    one.batchNormBackward(g, dy, x, m1, invStd, gamma, true, dx1, dg1, db1);
    split.batchNormBackward(g, dys.view(0, size), xs.view(0, size), m1, invStd, gamma, true, dxs.view(0, size), dg2, db2);
    expect(firstDifference(dxs.view(0, size), dx1)).toBe(-1);
    expect(firstDifference(dg2, dg1)).toBe(-1);
    expect(firstDifference(db2, db1)).toBe(-1);
  });
});

describe('split thresholds', () => {
  it('refuses a negative or non-numeric threshold', () => {
    expect(() => createWasmBackend(instance('simd'), 'simd', { threads: 2, splitThresholds: { flops: -1 } })).toThrow(/splitThresholds\.flops must be a number ≥ 0/);
    const typo = { flop: 0 } as unknown as { flops: number };
    expect(() => createWasmBackend(instance('simd'), 'simd', { threads: 2, splitThresholds: typo })).toThrow(/unknown splitThresholds key 'flop'/);
  });
});
