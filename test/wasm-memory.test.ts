// The wasm backend's memory and loading contract: results stay right when linear memory
// grows in the middle of a training loop (memory.grow detaches every old view), the
// variant asked for is the one loaded, the default is the best the engine validates,
// and a missing, corrupt or foreign .wasm, or a bad call, gives a clear Error, never a trap.
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Backend, Conv2dGeometry, Pool2dGeometry } from '../src/backend/backend.js';
import { naiveBackend } from '../src/backend/naive.js';
import { bestVariant, loadWasmBackend, supportsVariant, type WasmBuild, type WasmVariant } from '../src/backend/wasm.js';
import { currentBackend, getBackend, init, loadBackend } from '../src/backend/registry.js';
import { Arena } from '../src/backend/wasm/arena.js';
import { conv2dGeometry, pool2dGeometry } from '../src/ops/geometry.js';
import { Random } from '../src/random.js';
import { expectClose, expectEqual } from './support/compare.js';
import { randomArray } from './support/random.js';

const wasmFile = (v: WasmBuild) => new URL(`../build/simdnet.${v}.wasm`, import.meta.url);
const rng = new Random(99);
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const TOL = { rtol: 1e-4, atol: 1e-4 };

/** One small conv → maxpool forward and backward step on `be`, returning every output. */
function trainingStep(be: Backend, g: Conv2dGeometry, p: Pool2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array, dz: Float32Array) {
  const y = new Float32Array(g.batch * g.outChannels * g.outHeight * g.outWidth);
  be.conv2d(g, x, w, bias, y);
  const z = new Float32Array(p.batch * p.channels * p.outHeight * p.outWidth);
  const argmax = new Int32Array(z.length);
  be.maxPool2d(p, y, z, argmax);
  const dy = new Float32Array(y.length);
  be.maxPool2dBackward(p, dz, argmax, dy);
  const dx = new Float32Array(x.length);
  be.conv2dBackwardInput(g, dy, w, dx);
  const dw = new Float32Array(w.length);
  const db = new Float32Array(bias.length);
  be.conv2dBackwardFilter(g, dy, x, dw, db);
  return { y, z, argmax, dx, dw, db };
}

describe('wasm memory growth mid-training', () => {
  it('small step, then a shape that forces memory.grow, then the small step again: all match naive', async () => {
    const be = await loadWasmBackend();
    const g = conv2dGeometry('test', [2, 3, 9, 9], [4, 3, 3, 3], { padding: 1 });
    const p = pool2dGeometry('test', [2, 4, 9, 9], { kernelSize: 2, stride: 2, padding: [0, 1, 0, 1] });
    const x = randomArray(size([2, 3, 9, 9]), rng);
    const w = randomArray(size([4, 3, 3, 3]), rng);
    const bias = randomArray(4, rng);
    const dz = randomArray(2 * 4 * 5 * 5, rng);
    const want = trainingStep(naiveBackend, g, p, x, w, bias, dz);
    const check = (got: ReturnType<typeof trainingStep>, when: string) => {
      expectClose(got.y, want.y, TOL, `${when}: y`);
      expectEqual(got.argmax, want.argmax, `${when}: argmax`);
      expectClose(got.dx, want.dx, TOL, `${when}: dx`);
      expectClose(got.dw, want.dw, TOL, `${when}: dw`);
      expectClose(got.db, want.db, TOL, `${when}: db`);
    };
    check(trainingStep(be, g, p, x, w, bias, dz), 'before grow');
    const before = be.memoryBytes;

    // A conv whose column matrix alone (72 × 160² floats ≈ 7 MB) is bigger than all memory so far.
    const big = conv2dGeometry('test', [1, 8, 160, 160], [2, 8, 3, 3], { padding: 1 });
    const bx = randomArray(size([1, 8, 160, 160]), rng);
    const bw = randomArray(size([2, 8, 3, 3]), rng);
    const by = new Float32Array(2 * 160 * 160);
    const byWant = new Float32Array(by.length);
    be.conv2d(big, bx, bw, null, by);
    naiveBackend.conv2d(big, bx, bw, null, byWant);
    expectClose(by, byWant, TOL, 'big conv');
    expect(be.memoryBytes).toBeGreaterThan(before + 7e6);

    check(trainingStep(be, g, p, x, w, bias, dz), 'after grow');
  });

  it('a gemm that grows memory between its own allocations still reads and writes the right bytes', async () => {
    const be = await loadWasmBackend({ variant: 'scalar' });
    const m = 700;
    const n = 900;
    const k = 3;
    const a = randomArray(m * k, rng);
    const b = randomArray(k * n, rng);
    const c = randomArray(m * n, rng);
    const want = new Float32Array(c);
    naiveBackend.gemm(m, n, k, a, b, want, { transA: false, transB: true, alpha: 0.5, beta: 2 });
    be.gemm(m, n, k, a, b, c, { transA: false, transB: true, alpha: 0.5, beta: 2 });
    expectClose(c, want, TOL, 'gemm across grow');
  });
});

describe('wasm variant selection', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a forced variant is the one loaded (its file is the one read)', async () => {
    for (const variant of ['scalar', 'simd', 'relaxed'] as WasmVariant[]) {
      if (!supportsVariant(variant)) continue;
      const asked: WasmBuild[] = [];
      const be = await loadWasmBackend({ variant, threads: 1, source: (v) => (asked.push(v), readFile(wasmFile(v))) });
      expect(be.variant).toBe(variant);
      expect(asked).toEqual([variant]);
      expect(be.gemmBlocking.mr).toBe(variant === 'relaxed' ? 6 : 4);
    }
  });

  it('the default is the best variant the engine validates', async () => {
    expect(bestVariant()).toBe('relaxed'); // vitest runs Node with --experimental-wasm-relaxed-simd
    expect((await loadWasmBackend()).variant).toBe('relaxed');
  });

  it('without relaxed SIMD the default falls back to simd, and forcing relaxed is a clear Error', async () => {
    const validate = WebAssembly.validate;
    // Pretend the engine rejects every module that uses relaxed SIMD (opcode 0xfd 0x85 0x02).
    vi.spyOn(WebAssembly, 'validate').mockImplementation((bytes) => {
      const b = new Uint8Array(bytes instanceof ArrayBuffer ? bytes : (bytes as Uint8Array).buffer);
      for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0xfd && b[i + 1] === 0x85 && b[i + 2] === 0x02) return false;
      return validate(bytes);
    });
    expect(bestVariant()).toBe('simd');
    expect((await loadWasmBackend()).variant).toBe('simd');
    await expect(loadWasmBackend({ variant: 'relaxed' })).rejects.toThrow(/does not support the 'relaxed' variant.*experimental-wasm-relaxed-simd/);
  });

  it('an unknown variant is an Error', async () => {
    await expect(loadWasmBackend({ variant: 'avx' as WasmVariant })).rejects.toThrow(/unknown variant 'avx'/);
  });
});

describe('wasm loading errors', () => {
  it('a missing file names the path', async () => {
    await expect(loadWasmBackend({ variant: 'simd', source: '/nonexistent/simdnet.simd.wasm' })).rejects.toThrow(/cannot read simdnet\.simd\.wasm from \/nonexistent/);
  });

  it('corrupt bytes say the module cannot be compiled', async () => {
    const bytes = new Uint8Array(await readFile(wasmFile('simd')));
    const corrupt = bytes.slice(0, bytes.length >> 1);
    await expect(loadWasmBackend({ variant: 'simd', source: corrupt })).rejects.toThrow(/simdnet\.simd\.wasm is not a WebAssembly module this engine can run/);
    await expect(loadWasmBackend({ variant: 'simd', source: Uint8Array.of(1, 2, 3) })).rejects.toThrow(/not a WebAssembly module/);
  });

  it('a valid module without the kernels says which exports are missing', async () => {
    const empty = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
    await expect(loadWasmBackend({ variant: 'scalar', source: empty })).rejects.toThrow(/lacks the exports heapBase, gemmWorkspaceBytes, sgemm/);
  });

  it('a source of the wrong kind is an Error', async () => {
    await expect(loadWasmBackend({ source: 42 as unknown as string })).rejects.toThrow(/options\.source must be .*got number 42/);
  });

  it('a path, a file: URL (string or URL) and a function of the variant all load', async () => {
    const url = wasmFile('simd');
    expect((await loadWasmBackend({ variant: 'simd', source: url })).variant).toBe('simd');
    expect((await loadWasmBackend({ variant: 'simd', source: url.href })).variant).toBe('simd');
    expect((await loadWasmBackend({ variant: 'simd', source: decodeURIComponent(url.pathname) })).variant).toBe('simd');
    expect((await loadWasmBackend({ source: (v) => wasmFile(v) })).variant).toBe(bestVariant());
  });

  it('bytes, a compiled Module and a Response all load', async () => {
    const bytes = await readFile(wasmFile('simd'));
    expect((await loadWasmBackend({ variant: 'simd', source: bytes })).variant).toBe('simd');
    const module = await WebAssembly.compile(bytes);
    expect((await loadWasmBackend({ variant: 'simd', source: module })).variant).toBe('simd');
    const response = new Response(bytes, { headers: { 'content-type': 'application/wasm' } });
    const be = await loadWasmBackend({ variant: 'simd', source: response });
    const c = new Float32Array(1);
    be.gemm(1, 1, 2, Float32Array.of(1, 2), Float32Array.of(3, 4), c, { transA: false, transB: false, alpha: 1, beta: 0 });
    expect(c[0]).toBe(11);
  });

  it('an object with the members of a Response (not a Response) loads too, and its HTTP error is reported', async () => {
    const bytes = await readFile(wasmFile('simd'));
    const like = (ok: boolean) => ({
      ok, status: ok ? 200 : 404, statusText: ok ? 'OK' : 'Not Found', headers: { get: () => 'application/wasm' },
      arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    });
    expect((await loadWasmBackend({ variant: 'simd', source: like(true) })).variant).toBe('simd');
    await expect(loadWasmBackend({ variant: 'simd', source: like(false) })).rejects.toThrow(/fetching simdnet\.simd\.wasm failed with HTTP 404 Not Found/);
    await expect(loadWasmBackend({ variant: 'simd', source: { ok: true } })).rejects.toThrow(/options\.source must be .*got \[object Object\]/);
  });
});

describe('loadBackend / init: the loaded wasm is reused unless a variant or source says otherwise', () => {
  it('reuses it for no options and for the same variant', async () => {
    const first = await init({ backend: 'wasm', variant: 'simd' });
    expect(await loadBackend('wasm')).toBe(first);
    expect(await loadBackend('wasm', { variant: 'simd' })).toBe(first);
    expect(getBackend('wasm')).toBe(first);
  });

  it('a source is always loaded, fresh, and becomes the wasm backend', async () => {
    const first = await init({ backend: 'wasm', variant: 'simd' });
    const asked: WasmBuild[] = [];
    const fromSource = await loadBackend('wasm', { variant: 'simd', threads: 1, source: (v) => (asked.push(v), readFile(wasmFile(v))) });
    expect(asked).toEqual(['simd']);
    expect(fromSource).not.toBe(first);
    expect(getBackend('wasm')).toBe(fromSource);
    // Same through init: the source's module is the one that runs.
    const scalar = await init({ backend: 'wasm', variant: 'scalar', source: await readFile(wasmFile('scalar')) });
    expect(currentBackend()).toBe(scalar);
    expect((scalar as { variant?: string }).variant).toBe('scalar');
  });

  it('a bad source after init is an Error, not the cached backend', async () => {
    const first = await init({ backend: 'wasm' });
    await expect(loadBackend('wasm', { source: Uint8Array.of(1, 2, 3) })).rejects.toThrow(/not a WebAssembly module/);
    await expect(init({ backend: 'wasm', source: '/nonexistent/simdnet.wasm' })).rejects.toThrow(/cannot read simdnet\.\w+\.wasm from \/nonexistent/);
    // The failed loads changed nothing.
    expect(getBackend('wasm')).toBe(first);
    expect(currentBackend()).toBe(first);
  });

  it('variant and source for another backend are refused', async () => {
    await expect(loadBackend('js', { variant: 'simd' })).rejects.toThrow(/loadBackend: options\.variant applies to the 'wasm' backend only, not 'js'/);
    await expect(init({ backend: 'naive', source: new Uint8Array(8) })).rejects.toThrow(/loadBackend: options\.source applies to the 'wasm' backend only, not 'naive'/);
    await expect(loadBackend('wasm', null as unknown as object)).rejects.toThrow(/loadBackend: options must be an object, got null/);
  });
});

describe('wasm bad input never traps', () => {
  it('short arrays and inconsistent geometry throw before any kernel runs', async () => {
    const be = await loadWasmBackend();
    const c = new Float32Array(4).fill(7);
    expect(() => be.gemm(2, 2, 3, new Float32Array(5), new Float32Array(6), c, { transA: false, transB: false, alpha: 1, beta: 0 })).toThrow(/gemm: a has 5 elements but the geometry needs 6/);
    expect(() => be.gemm(2, -2, 3, new Float32Array(6), new Float32Array(6), c, { transA: false, transB: false, alpha: 1, beta: 0 })).toThrow(/gemm: n must be a non-negative integer/);
    expect(Array.from(c)).toEqual([7, 7, 7, 7]);
    const g = conv2dGeometry('test', [1, 2, 5, 5], [3, 2, 3, 3], {});
    const lying = { ...g, outHeight: 50 };
    expect(() => be.conv2d(lying, new Float32Array(50), new Float32Array(54), null, new Float32Array(3 * 50 * 3))).toThrow(/conv2d: inconsistent conv geometry/);
    expect(() => be.conv2d(g, new Float32Array(49), new Float32Array(54), null, new Float32Array(27))).toThrow(/conv2d: x has 49 elements but the geometry needs 50/);
  });

  it('an argmax pointing outside x is refused and dx is left untouched', async () => {
    const be = await loadWasmBackend();
    const p = pool2dGeometry('test', [1, 1, 4, 4], { kernelSize: 2 });
    const dx = new Float32Array(16).fill(3);
    expect(() => be.maxPool2dBackward(p, randomArray(4, rng), Int32Array.of(0, 5, 16, -1), dx)).toThrow(/maxPool2dBackward: argmax holds 2 indices outside \[0, 16\)/);
    expect(Array.from(dx)).toEqual(new Array(16).fill(3));
  });

  it('the arena refuses to grow past what memory allows with an Error, not a RangeError', () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1, maximum: 2 }), 0);
    arena.alloc('test', 60000);
    expect(() => arena.alloc('test', 200000)).toThrow(/test: cannot grow WebAssembly memory from 65536/);
    expect(() => arena.alloc('test', 5e9)).toThrow(/more than the 4 GiB/);
  });
});
