// The js GEMM beyond what the parity sweep already checks (parity-js.test.ts runs its
// dense entry point through the GEMM tester on every partial tile and cache-block edge):
// the strided entry point the conv kernels call, with offsets and leading dimensions larger
// than the rows, through the same tester; special values; accumulation over k; and its
// packing buffers.
import { describe, expect, it } from 'vitest';
import { gemm, gemmStrided, gemmWorkspaceFloats, KC, MC, MR, NC, NR } from '../src/backend/js/gemm.js';
import { Random } from '../src/random.js';
import { DEFAULT_TOLERANCE, findMismatch } from './support/compare.js';
import { expectGemm, gemmCases } from './support/gemm.js';
import { randomArray } from './support/random.js';

const rng = new Random(404);

describe(`js gemm (${MR}×${NR} micro-kernel, blocks MC ${MC}, NC ${NC}, KC ${KC})`, () => {
  it('strided operands with offsets and leading dimensions > rows, on every tile and cache-block edge (nothing outside C written)', () => {
    expectGemm({ gemmStrided }, gemmCases({ mr: MR, nr: NR, mc: MC, nc: NC, kc: KC }), DEFAULT_TOLERANCE);
  });

  it('beta 0 ignores NaN in C; k = 0 and alpha = 0 leave beta·C', () => {
    const c = new Float32Array([NaN, Infinity, -Infinity, NaN]);
    gemm(2, 2, 1, Float32Array.of(1, 2), Float32Array.of(3, 4), c, { transA: false, transB: false, alpha: 1, beta: 0 });
    expect(Array.from(c)).toEqual([3, 4, 6, 8]);

    const c2 = Float32Array.of(1, 2, 3, 4);
    gemm(2, 2, 0, new Float32Array(0), new Float32Array(0), c2, { transA: false, transB: false, alpha: 1, beta: 0.5 });
    expect(Array.from(c2)).toEqual([0.5, 1, 1.5, 2]);
    const c3 = Float32Array.of(NaN, 2, 3, 4);
    gemm(2, 2, 0, new Float32Array(0), new Float32Array(0), c3, { transA: false, transB: false, alpha: 1, beta: 0 });
    expect(Array.from(c3)).toEqual([0, 0, 0, 0]);

    const c4 = Float32Array.of(1, 2, 3, 4);
    gemm(2, 2, 1, Float32Array.of(5, 6), Float32Array.of(7, 8), c4, { transA: false, transB: false, alpha: 0, beta: 2 });
    expect(Array.from(c4)).toEqual([2, 4, 6, 8]);
  });

  it('beta 1 accumulates across calls exactly like one call over the concatenated k', () => {
    const [m, n, k1, k2] = [7, 9, 5, 6];
    const a = randomArray(m * (k1 + k2), rng);
    const b = randomArray((k1 + k2) * n, rng);
    const whole = new Float32Array(m * n);
    gemm(m, n, k1 + k2, a, b, whole, { transA: false, transB: false, alpha: 1, beta: 0 });
    const split = new Float32Array(m * n);
    gemmStrided(m, n, k1, 1, a, 0, k1 + k2, false, b, 0, n, false, 0, split, 0, n);
    gemmStrided(m, n, k2, 1, a, k1, k1 + k2, false, b, k1 * n, n, false, 1, split, 0, n);
    const problem = findMismatch(split, whole, DEFAULT_TOLERANCE);
    expect(problem).toBeNull();
  });

  it('reuses its packing buffers: repeating a shape, or a smaller one, allocates nothing', () => {
    const [m, n, k] = [70, 300, 270];
    const a = randomArray(m * k, rng);
    const b = randomArray(k * n, rng);
    const c = new Float32Array(m * n);
    const params = { transA: false, transB: false, alpha: 1, beta: 0 };
    gemm(m, n, k, a, b, c, params);
    const held = gemmWorkspaceFloats();
    expect(held).toBeGreaterThan(0);
    gemm(m, n, k, a, b, c, params);
    gemm(10, 20, 30, a, b, c, params);
    expect(gemmWorkspaceFloats()).toBe(held);
  });
});
