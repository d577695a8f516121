// The wasm SGEMM's own kernel tester (XNNPACK style): every m and n from 1 to 2·tile+1
// around the variant's micro-tile, k through the micro-tile range and across the KC cache
// block, every transpose combination and several alpha/beta pairs, against a float64
// triple loop. beta = 0 must ignore C entirely, so C starts as NaN there.
// Tolerance: |got − want| ≤ 1e-5·Σ|alpha·a·b| + 1e-5·|beta·c| + 1e-6·|want|: float32
// accumulation over k ≤ 600 terms errs by about √k·2⁻²⁴·Σ|terms| ≈ 1.5e-6·Σ|terms|,
// and the relaxed build's fused multiply-add only removes roundings.
import { describe, expect, it } from 'vitest';
import { loadWasmBackend, supportsVariant, type WasmVariant } from '../src/backend/wasm.js';
import { Random } from '../src/random.js';

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
const SCALARS: [number, number][] = [[1, 0], [0.5, 1.5], [-2, 1], [1, -0.25]];

function reference(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, transA: boolean, transB: boolean, alpha: number, beta: number) {
  const want = new Float64Array(m * n);
  const bound = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let mag = 0;
      for (let p = 0; p < k; p++) {
        const t = (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
        sum += t;
        mag += Math.abs(t);
      }
      const old = beta === 0 ? 0 : beta * c[i * n + j];
      want[i * n + j] = alpha * sum + old;
      bound[i * n + j] = 1e-5 * Math.abs(alpha) * mag + 1e-5 * Math.abs(old) + 1e-6 * Math.abs(want[i * n + j]);
    }
  }
  return { want, bound };
}

for (const variant of ['scalar', 'simd', 'relaxed'] as WasmVariant[]) {
  describe.skipIf(!supportsVariant(variant))(`wasm ${variant} sgemm kernel tester`, () => {
    const rng = new Random(17);
    const fill = (len: number) => Float32Array.from({ length: len }, () => rng.uniform(-1, 1));

    async function sweep(shapes: [number, number, number][]): Promise<string[]> {
      const backend = await loadWasmBackend({ variant });
      const failures: string[] = [];
      let turn = 0;
      for (const [m, n, k] of shapes) {
        for (const [transA, transB] of TRANS) {
          const [alpha, beta] = SCALARS[turn++ % SCALARS.length];
          const a = fill(m * k);
          const b = fill(k * n);
          const c = beta === 0 ? new Float32Array(m * n).fill(NaN) : fill(m * n);
          const { want, bound } = reference(m, n, k, a, b, c, transA, transB, alpha, beta);
          backend.gemm(m, n, k, a, b, c, { transA, transB, alpha, beta });
          for (let i = 0; i < m * n; i++) {
            if (!(Math.abs(c[i] - want[i]) <= bound[i])) {
              failures.push(`m=${m} n=${n} k=${k} transA=${transA} transB=${transB} alpha=${alpha} beta=${beta}: C[${i}] = ${c[i]}, want ${want[i]}`);
              break;
            }
          }
        }
      }
      return failures;
    }

    it('every partial micro-tile: m, n in 1..2·tile+1 and k in 1..2·max(mr, nr)+1', async () => {
      const { mr, nr } = (await loadWasmBackend({ variant })).gemmBlocking;
      const kMax = 2 * Math.max(mr, nr) + 1;
      const shapes: [number, number, number][] = [];
      for (let m = 1; m <= 2 * mr + 1; m++) for (let n = 1; n <= 2 * nr + 1; n++) shapes.push([m, n, 1 + ((m * 5 + n * 3) % kMax)]);
      for (let k = 1; k <= kMax; k++) shapes.push([2 * mr + 1, 2 * nr + 1, k]);
      expect(await sweep(shapes)).toEqual([]);
    });

    it('across the cache blocks: k at KC−1, KC, KC+1, 2·KC+1; m at MC±1, 2·MC+1; n past NC', async () => {
      const { mr, nr, kc, mc, nc } = (await loadWasmBackend({ variant })).gemmBlocking;
      const shapes: [number, number, number][] = [];
      for (const k of [kc - 1, kc, kc + 1, 2 * kc + 1]) shapes.push([mr + 1, nr + 3, k]);
      for (const m of [mc - 1, mc, mc + 1, 2 * mc + 1]) shapes.push([m, nr - 1, 7]);
      for (const n of [nc - 1, nc + 1]) shapes.push([mr - 1, n, 3]);
      expect(await sweep(shapes)).toEqual([]);
    });

    it('k = 0 gives beta·C (and 0, not NaN, for beta = 0)', async () => {
      const backend = await loadWasmBackend({ variant });
      const c = Float32Array.of(1, 2, 3, 4, 5, 6);
      backend.gemm(2, 3, 0, new Float32Array(0), new Float32Array(0), c, { transA: false, transB: false, alpha: 1, beta: 2 });
      expect(Array.from(c)).toEqual([2, 4, 6, 8, 10, 12]);
      c.fill(NaN);
      backend.gemm(2, 3, 0, new Float32Array(0), new Float32Array(0), c, { transA: false, transB: false, alpha: 1, beta: 0 });
      expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    });
  });
}
