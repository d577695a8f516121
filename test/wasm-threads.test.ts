// The threads builds in Node: GEMM results bit-identical for 1, 2 and 3 threads (and for
// the serial runner that runs a split's tasks one after another), what the backend
// reports, fallbacks, option checks, and reliability: a trap in a worker, a worker that
// dies or stalls, dispose, and a process that exits by itself with or without dispose.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWasmBackend, type WasmVariant } from '../src/backend/wasm.js';
import { init, loadBackend } from '../src/backend/registry.js';
import { WasmContext } from '../src/backend/wasm/context.js';
import { kernelExports, type GemmCall } from '../src/backend/wasm/kernels.js';
import { compileBuild, instantiateVariant } from '../src/backend/wasm/source.js';
import { liveWorkers } from '../src/backend/wasm/threads/environment.js';
import { threadedContext } from '../src/backend/wasm/threads/load.js';
import type { PoolDeadlines, WorkerPool } from '../src/backend/wasm/threads/pool.js';
import { Random } from '../src/random.js';

/** Lets the exits of workers terminated by earlier tests arrive. */
const settled = (): Promise<void> => new Promise((r) => setTimeout(r, 100));

const root = new URL('..', import.meta.url).pathname;
const VARIANTS: Exclude<WasmVariant, 'scalar'>[] = ['simd', 'relaxed'];

async function poolContext(variant: Exclude<WasmVariant, 'scalar'>, threads: number, deadlines?: Partial<PoolDeadlines>, gemmSplitFlops = 0): Promise<WasmContext> {
  const module = await compileBuild(`${variant}-threads`, undefined);
  const ctx = await threadedContext({ module, file: `${variant}-threads`, variant, threads, threadsFallback: null, gemmSplitFlops, deadlines });
  if ('fallback' in ctx) throw new Error(ctx.fallback);
  return ctx;
}

async function plainContext(variant: WasmVariant, threads = 1): Promise<WasmContext> {
  return new WasmContext(kernelExports(await instantiateVariant(variant, undefined), variant), { threads, gemmSplitFlops: 0 });
}

interface GemmCase {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
  bias: boolean;
}

/** Shapes through tile edges (m, n not multiples of MR/NR), KC (k > 256) and NC (n > 2048)
 * boundaries, splits along N and along M, tiny ones that never split; every transpose. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [5, 7, 3], [64, 64, 64], [13, 70, 300], [70, 13, 300], [130, 70, 257], [48, 16, 20], [97, 65, 33],
  [100, 2100, 40], [2, 200, 513], [127, 129, 255], [200, 24, 100], [256, 256, 256], [50, 3000, 9],
];
const SCALARS: [number, number, boolean][] = [[1, 0, false], [-0.5, 1, true], [1.25, 0.75, false], [1, 1, true]];

function cases(): GemmCase[] {
  const out: GemmCase[] = [];
  SHAPES.forEach(([m, n, k], i) => {
    for (let t = 0; t < 4; t++) {
      const [alpha, beta, bias] = SCALARS[(i + t) % SCALARS.length];
      out.push({ m, n, k, transA: (t & 1) === 1, transB: (t & 2) === 2, alpha, beta, bias });
    }
  });
  return out;
}

/** Runs one case on a context from the same seeded data; returns C's bytes. */
function runCase(ctx: WasmContext, c: GemmCase, seed: number): Float32Array {
  const rng = new Random(seed);
  const fill = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
  const a = fill(c.m * c.k);
  const b = fill(c.k * c.n);
  const c0 = fill(c.m * c.n);
  const bias = fill(c.m);
  return ctx.scoped((arena) => {
    const pa = arena.put('t', a, a.length);
    const pb = arena.put('t', b, b.length);
    const pc = arena.put('t', c0, c0.length);
    const pbias = c.bias ? arena.put('t', bias, bias.length) : 0;
    const call: GemmCall = {
      m: c.m, n: c.n, k: c.k, transA: c.transA, transB: c.transB, lda: c.transA ? c.m : c.k, ldb: c.transB ? c.k : c.n, ldc: c.n,
      a: pa, b: pb, c: pc, alpha: c.alpha, beta: c.beta, bias: pbias,
    };
    ctx.gemm(call);
    return arena.f32(pc, c.m * c.n).slice();
  });
}

function sameBits(got: Float32Array, want: Float32Array): boolean {
  return Buffer.from(got.buffer).equals(Buffer.from(want.buffer));
}

const disposeLater: WasmContext[] = [];
afterAll(async () => {
  await Promise.all(disposeLater.map((c) => c.dispose()));
});

describe('threaded GEMM is bit-identical for every thread count', () => {
  for (const variant of VARIANTS) {
    it(`${variant}: threads 1, 2, 3 and the serial runner agree bit for bit on ${cases().length} cases`, async () => {
      const one = await plainContext(variant);
      const serial3 = await plainContext(variant, 3);
      const two = await poolContext(variant, 2);
      const three = await poolContext(variant, 3);
      const threeDefault = await poolContext(variant, 3, undefined, undefined);
      disposeLater.push(two, three, threeDefault);
      const differ: string[] = [];
      cases().forEach((c, i) => {
        const want = runCase(one, c, i);
        for (const [label, ctx] of [['2', two], ['3', three], ['3 default split', threeDefault], ['3 serial', serial3]] as const) {
          if (!sameBits(runCase(ctx, c, i), want)) differ.push(`${label} threads: ${JSON.stringify(c)}`);
        }
      });
      expect(differ).toEqual([]);
    });
  }

  it('the splits did run on the workers (a job counter moved)', async () => {
    const ctx = await poolContext('simd', 2);
    disposeLater.push(ctx);
    const pool = ctx.runner as WorkerPool;
    const before = pool.jobs;
    runCase(ctx, { m: 64, n: 256, k: 64, transA: false, transB: false, alpha: 1, beta: 0, bias: false }, 1);
    expect(pool.jobs).toBe(before + 1);
  });
});

describe('threads option and reporting', () => {
  it('threads: 1 loads the plain build; threads: 2 the threads build over shared memory', async () => {
    const one = await loadWasmBackend({ variant: 'simd', threads: 1 });
    expect([one.threads, one.threadsFallback]).toEqual([1, null]);
    expect(one.allocate(1).view(0, 1).buffer).toBeInstanceOf(ArrayBuffer);
    const two = await loadWasmBackend({ variant: 'simd', threads: 2 });
    expect([two.threads, two.threadsFallback]).toEqual([2, null]);
    expect(two.allocate(1).view(0, 1).buffer).toBeInstanceOf(SharedArrayBuffer);
    await Promise.all([one.dispose(), two.dispose()]);
  });

  it('the default is the available cores, at most 8', async () => {
    const { availableParallelism } = await import('node:os');
    const be = await loadWasmBackend({ variant: 'relaxed' });
    expect(be.threads).toBe(Math.min(availableParallelism(), 8));
    await be.dispose();
  });

  it('scalar has no threads build: 1 thread and the reason', async () => {
    const be = await loadWasmBackend({ variant: 'scalar', threads: 2 });
    expect(be.threads).toBe(1);
    expect(be.threadsFallback).toMatch(/threads: 2 was asked for, but the 'scalar' variant has no threads build/);
  });

  it('a fixed single-thread source runs on 1 thread and says why; a fixed threads build runs threaded', async () => {
    const { readFile } = await import('node:fs/promises');
    const plain = await loadWasmBackend({ variant: 'simd', threads: 2, source: await readFile(`${root}build/simdnet.simd.wasm`) });
    expect(plain.threads).toBe(1);
    expect(plain.threadsFallback).toMatch(/options\.source is one fixed single-thread module/);
    const threaded = await loadWasmBackend({ variant: 'simd', threads: 2, source: await readFile(`${root}build/simdnet.simd-threads.wasm`) });
    expect([threaded.threads, threaded.threadsFallback]).toEqual([2, null]);
    await threaded.dispose();
  });

  it('a function source is asked for the threads build by name', async () => {
    const { readFile } = await import('node:fs/promises');
    const asked: string[] = [];
    const be = await loadWasmBackend({ variant: 'relaxed', threads: 2, source: (b) => (asked.push(b), readFile(`${root}build/simdnet.${b}.wasm`)) });
    expect(asked).toEqual(['relaxed-threads']);
    expect(be.threads).toBe(2);
    await be.dispose();
  });

  it('a threads build that cannot load falls back to the plain one with the reason', async () => {
    const { readFile } = await import('node:fs/promises');
    const be = await loadWasmBackend({ variant: 'simd', threads: 2, source: (b) => (b === 'simd' ? readFile(`${root}build/simdnet.simd.wasm`) : Uint8Array.of(0, 1, 2)) });
    expect(be.threads).toBe(1);
    expect(be.threadsFallback).toMatch(/simdnet\.simd-threads\.wasm cannot be loaded/);
  });

  it('without SharedArrayBuffer the default falls back to 1 thread, saying so', async () => {
    const saved = globalThis.SharedArrayBuffer;
    // biome-ignore lint/suspicious/noExplicitAny: removing a global for the test
    (globalThis as any).SharedArrayBuffer = undefined;
    try {
      const be = await loadWasmBackend({ variant: 'simd' });
      expect(be.threads).toBe(1);
      expect(be.threadsFallback).toMatch(/no SharedArrayBuffer; running on 1 thread/);
    } finally {
      globalThis.SharedArrayBuffer = saved;
    }
  });

  it('a page that is not cross-origin isolated falls back, naming the headers', async () => {
    const g = globalThis as { crossOriginIsolated?: boolean };
    g.crossOriginIsolated = false;
    try {
      const be = await loadWasmBackend({ variant: 'simd', threads: 2 });
      expect(be.threads).toBe(1);
      expect(be.threadsFallback).toMatch(/not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
    } finally {
      delete g.crossOriginIsolated;
    }
  });

  it('refuses bad thread counts and unknown option keys', async () => {
    for (const threads of [0, -1, 1.5, Number.NaN, '2', 65]) {
      await expect(loadWasmBackend({ threads: threads as number })).rejects.toThrow(/loadWasmBackend: threads must be an integer from 1 to 64/);
    }
    await expect(loadWasmBackend({ thread: 2 } as object)).rejects.toThrow(/loadWasmBackend: unknown option 'thread'/);
    await expect(init({ backend: 'wasm', therads: 2 } as object)).rejects.toThrow(/init: unknown option 'therads'/);
    await expect(loadBackend('js', { threads: 2 })).rejects.toThrow(/options\.threads applies to the 'wasm' backend only/);
  });

  it('loadBackend reuses the loaded wasm backend only for the same threads, and never a disposed one', async () => {
    const a = await loadBackend('wasm', { variant: 'simd', threads: 2 });
    expect(await loadBackend('wasm', { variant: 'simd', threads: 2 })).toBe(a);
    const b = (await loadBackend('wasm', { variant: 'simd', threads: 1 })) as Awaited<ReturnType<typeof loadWasmBackend>>;
    expect(b).not.toBe(a);
    expect(b.threads).toBe(1);
    await b.dispose();
    const c = await loadBackend('wasm', { variant: 'simd', threads: 1 });
    expect(c).not.toBe(b);
    await (a as Awaited<ReturnType<typeof loadWasmBackend>>).dispose();
  });
});

describe('reliability', () => {
  it('a trap in a worker is re-thrown naming the op and the thread; the pool stays usable', async () => {
    const ctx = await poolContext('simd', 3);
    disposeLater.push(ctx);
    // The tasks' memory is allocated (and kept) before the job: the job table sits above it.
    const p = ctx.arena.pin('t', 64);
    expect(() => ctx.parallel('trapTest', [[['fill', p, 4, 1]], [['fill', p + 16, 4, 2]], [['fill', 0x7ffffff0, 1000, 1]]])).toThrow(
      /trapTest: worker 2 of 2 failed: .*out of bounds/,
    );
    expect(Array.from(ctx.arena.f32(p, 8))).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(runCase(ctx, { m: 64, n: 256, k: 64, transA: false, transB: false, alpha: 1, beta: 0, bias: false }, 3)).toHaveLength(64 * 256);
  });

  it('a worker that exits breaks the backend with a clear error, later calls refuse, and all workers end', async () => {
    const ctx = await poolContext('simd', 3);
    const pool = ctx.runner as WorkerPool;
    await pool.workers[1].terminate(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(ctx.failure).toMatch(/worker 2 of 2 exited with code 1; its workers were terminated/);
    expect(() => runCase(ctx, { m: 64, n: 256, k: 64, transA: false, transB: false, alpha: 1, beta: 0, bias: false }, 3)).toThrow(/worker 2 of 2 exited/);
    await ctx.dispose();
  });

  it('a worker that does not finish in time is terminated and the call throws (no hang)', async () => {
    const ctx = await poolContext('simd', 2, { finishMs: 100 });
    const pool = ctx.runner as WorkerPool;
    const n = 1024;
    const start = performance.now();
    expect(() =>
      ctx.scoped((arena) => {
        const a = arena.alloc('t', 4 * n * n);
        const call: GemmCall = { m: n, n, k: n, transA: false, transB: false, lda: n, ldb: n, ldc: n, a, b: a, c: arena.alloc('t', 4 * n * n), alpha: 1, beta: 0, bias: 0 };
        // Worker 1 gets ten big GEMMs, the caller nothing: far beyond 100 ms.
        ctx.parallel('stallTest', [[], Array.from({ length: 10 }, () => ctx.gemmTask('stallTest', 1, call))]);
      }),
    ).toThrow(/stallTest: worker 1 of 1 did not finish its task within 100 ms/);
    expect(performance.now() - start).toBeLessThan(5000);
    expect(pool.failure).toMatch(/this backend cannot run any more/);
    expect(() => ctx.gemm({ m: 1, n: 1, k: 1, transA: false, transB: false, lda: 1, ldb: 1, ldc: 1, a: 0, b: 0, c: 0, alpha: 1, beta: 0, bias: 0 })).toThrow(/gemm: worker 1 of 1 did not finish/);
    await ctx.dispose();
  });

  it('dispose ends the workers; later calls throw naming the method', async () => {
    await settled();
    const before = liveWorkers();
    const be = await loadWasmBackend({ variant: 'simd', threads: 3 });
    expect(liveWorkers()).toBe(before + 2);
    await be.dispose();
    await be.dispose(); // twice is fine
    expect(liveWorkers()).toBe(before);
    const a = new Float32Array(4);
    expect(() => be.gemm(2, 2, 1, a, a, a, { alpha: 1, beta: 0, transA: false, transB: false })).toThrow(/^gemm: this wasm backend was disposed/);
    expect(() => be.allocate(4)).toThrow(/^allocate: this wasm backend was disposed/);
    expect(be.failure).toMatch(/disposed/);
  });

  it('creating and disposing 20 backends leaves no worker alive', async () => {
    await settled();
    const before = liveWorkers();
    for (let i = 0; i < 20; i++) {
      const be = await loadWasmBackend({ variant: i % 2 === 0 ? 'simd' : 'relaxed', threads: 2 });
      const x = new Float32Array(128 * 128).fill(1);
      const y = new Float32Array(128 * 128);
      be.gemm(128, 128, 128, x, x, y, { alpha: 1, beta: 0, transA: false, transB: false });
      expect(y[0]).toBe(128);
      await be.dispose();
    }
    expect(liveWorkers()).toBe(before);
  });

  for (const dispose of [true, false]) {
    it(`a Node process with a threaded backend exits by itself ${dispose ? 'after dispose' : 'without dispose'}`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'simdnet-threads-'));
      const script = join(dir, 'main.mts');
      writeFileSync(
        script,
        `import { loadWasmBackend } from ${JSON.stringify(`${root}src/backend/wasm.ts`)};
const be = await loadWasmBackend({ variant: 'simd', threads: 2 });
const x = new Float32Array(256 * 256).fill(1);
const y = new Float32Array(256 * 256);
be.gemm(256, 256, 256, x, x, y, { alpha: 1, beta: 0, transA: false, transB: false });
console.log('threads', be.threads, y[0]);
${dispose ? 'await be.dispose();' : ''}
`,
      );
      const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
      expect(run.signal, run.stderr).toBeNull();
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe('threads 2 256');
    });
  }
});
