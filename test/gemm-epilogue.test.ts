// sgemm's store epilogue and its pre-packed A, on every build variant, against a float64
// triple loop: C = act(alpha·op(A)·op(B) + beta·C + bias + residual), bias per row or per
// column. Sizes go through the micro-tile edges (m, n not multiples of MR, NR), two depth
// slices (k > KC, where only the last may apply the epilogue) and the k = 0 path; the
// packed runs must equal the unpacked ones bit for bit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gemmBlocking, kernelExports, runGemm, type GemmCall, type KernelExports, type StoreActivationKind } from '../src/backend/wasm/kernels.js';
import { PARAM_BYTES } from '../src/backend/wasm/param-layouts.js';
import { Random } from '../src/random.js';

function load(variant: string): KernelExports {
  const bytes = readFileSync(new URL(`../build/simdnet.${variant}.wasm`, import.meta.url));
  return kernelExports(new WebAssembly.Instance(new WebAssembly.Module(bytes), {}), variant);
}

function activate(a: StoreActivationKind | undefined, v: number): number {
  if (!a) return v;
  if (a.kind === 'relu') return v > 0 || Number.isNaN(v) ? v : 0;
  if (a.kind === 'clip') return Math.min(Math.max(v, a.min), a.max);
  return v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6;
}

interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  beta: number;
  bias: 'none' | 'row' | 'column';
  residual: boolean;
  activation?: StoreActivationKind;
}

const ACTIVATIONS: (StoreActivationKind | undefined)[] = [undefined, { kind: 'relu' }, { kind: 'clip', min: -0.25, max: 0.5 }, { kind: 'hardSwish' }];

function cases(kc: number): Case[] {
  const out: Case[] = [];
  const rnd = new Random(12);
  for (const m of [1, 5, 7, 13]) {
    for (const n of [1, 8, 11, 19]) {
      for (const k of [0, 3, kc + 5]) {
        const activation = ACTIVATIONS[rnd.int(ACTIVATIONS.length)];
        out.push({
          m, n, k, transA: rnd.int(2) === 1, transB: rnd.int(2) === 1, beta: rnd.int(2) === 1 ? 0.5 : 0,
          bias: (['none', 'row', 'column'] as const)[rnd.int(3)], residual: rnd.int(2) === 1, activation,
        });
      }
    }
  }
  return out;
}

describe.each(['scalar', 'simd', 'relaxed'])('sgemm epilogue (%s)', (variant) => {
  it('applies bias, residual and the activation in the store, packed or not', () => {
    const k = load(variant);
    const blocking = gemmBlocking(k);
    const rnd = new Random(7);
    const failures: string[] = [];
    for (const c of cases(blocking.kc)) {
      const { m, n } = c;
      const a = Float32Array.from({ length: m * c.k }, () => rnd.uniform(-1, 1));
      const b = Float32Array.from({ length: c.k * n }, () => rnd.uniform(-1, 1));
      const c0 = Float32Array.from({ length: m * n }, () => rnd.uniform(-1, 1));
      const bias = Float32Array.from({ length: c.bias === 'column' ? n : m }, () => rnd.uniform(-1, 1));
      const ldr = n + 3;
      const res = Float32Array.from({ length: m * ldr }, () => rnd.uniform(-1, 1));
      // Layout in memory: params, work, a, packed a, b, c (twice), bias, residual.
      const base = k.heapBase();
      const work = base + PARAM_BYTES;
      const pa = work + k.gemmWorkspaceBytes();
      const ppacked = pa + 4 * a.length + 16;
      const pb = ppacked + k.packedGemmABytes(Math.max(m, 1), Math.max(c.k, 1)) + 16;
      const pc = pb + 4 * b.length + 16;
      const pc2 = pc + 4 * c0.length + 16;
      const pbias = pc2 + 4 * c0.length + 16;
      const pres = pbias + 4 * bias.length + 16;
      const end = pres + 4 * res.length + 16;
      if (k.memory.buffer.byteLength < end) k.memory.grow(Math.ceil((end - k.memory.buffer.byteLength) / 65536));
      const f = (p: number, len: number) => new Float32Array(k.memory.buffer, p, len);
      f(pa, a.length).set(a);
      f(pb, b.length).set(b);
      f(pc, c0.length).set(c0);
      f(pc2, c0.length).set(c0);
      f(pbias, bias.length).set(bias);
      f(pres, res.length).set(res);
      const lda = c.transA ? m : c.k;
      const call: GemmCall = {
        m, n, k: c.k, transA: c.transA, transB: c.transB, lda, ldb: c.transB ? c.k : n, ldc: n, a: pa, b: pb, c: pc,
        alpha: 1.5, beta: c.beta, bias: c.bias === 'none' ? 0 : pbias, biasPerColumn: c.bias === 'column',
        activation: c.activation, residual: c.residual ? pres : 0, ldr,
      };
      runGemm(k, base, work, call);
      k.packGemmA(pa, lda, c.transA ? 1 : 0, m, c.k, ppacked);
      runGemm(k, base, work, { ...call, a: ppacked, lda: c.k, packedA: true, c: pc2 });
      const got = f(pc, m * n);
      const packedGot = f(pc2, m * n);
      let worst = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          let mag = 0;
          for (let p = 0; p < c.k; p++) {
            const av = c.transA ? a[p * m + i] : a[i * c.k + p];
            const bv = c.transB ? b[j * c.k + p] : b[p * n + j];
            s += av * bv;
            mag += Math.abs(av * bv);
          }
          let v = 1.5 * s + c.beta * c0[i * n + j];
          if (c.bias !== 'none') v += bias[c.bias === 'column' ? j : i];
          if (c.residual) v += res[i * ldr + j];
          const want = activate(c.activation, v);
          const err = Math.abs(got[i * n + j] - want) / (1e-5 + 1e-5 * (1.5 * mag + 4));
          worst = Math.max(worst, Number.isNaN(err) ? Number.POSITIVE_INFINITY : err);
          if (packedGot[i * n + j] !== got[i * n + j] && c.k > 0) worst = Number.POSITIVE_INFINITY;
        }
      }
      if (!(worst <= 1)) failures.push(`${JSON.stringify(c)}: error ${worst.toPrecision(3)}× the tolerance (or packed ≠ unpacked)`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
