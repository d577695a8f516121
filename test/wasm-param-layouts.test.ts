// The parameter blocks between TypeScript and the kernels (src/backend/wasm/param-layouts.ts):
// every layout is dense and fits its block; the module was compiled with the same slot
// numbers (it exports them as globals, and the loader refuses a module whose numbers
// differ); and every writer puts each field where the MODULE reads it, with the value the
// kernel expects, as i32 or f32. What the kernels then do with the fields is the parity
// tests' job (wasm-depthwise, parity-wasm, wasm-pool, norm-parity, resize-parity, ...).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conv2dGeometry, Pool2dGeometry, ResizeGeometry } from '../src/backend/backend.js';
import {
  boxParamBytes, kernelExports, layoutFields, PARAM_LAYOUTS, runGemm, writeAdaptivePoolParams, writeBoxParams, writeDepthwiseParams,
  writeIm2colParams, writeNormParams, writePoolParams, writeResizeParams, type KernelExports,
} from '../src/backend/wasm/kernels.js';
import { PARAM_BYTES } from '../src/backend/wasm/param-layouts.js';

function instantiate(variant: string): WebAssembly.Instance {
  const bytes = readFileSync(new URL(`../build/simdnet.${variant}.wasm`, import.meta.url));
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
}

let k: KernelExports;
let at: number;
beforeAll(() => {
  k = kernelExports(instantiate('simd'), 'simdnet.simd.wasm');
  at = k.heapBase();
  if (k.memory.buffer.byteLength < at + 4096) k.memory.grow(1);
});

/** The block at `at` as the module reads it: field → value, by the slot the module exports. */
function readBack(layout: string, floats: readonly string[] = [], base = at): Record<string, number> {
  const e = k as unknown as Record<string, WebAssembly.Global>;
  const out: Record<string, number> = {};
  for (const field of layoutFields(PARAM_LAYOUTS[layout])) {
    const slot = Number(e[`${layout}.${field}`].value);
    const view = floats.includes(field) ? new Float32Array(k.memory.buffer, base, 32) : new Int32Array(k.memory.buffer, base, 32);
    out[field] = view[slot];
  }
  return out;
}

function poison(bytes = PARAM_BYTES): void {
  new Int32Array(k.memory.buffer, at, bytes / 4).fill(-777);
}

/** An object whose numeric fields are all different (so a writer that swaps two shows). */
function distinct<T>(keys: readonly string[], extra: Partial<T> = {}): T {
  return { ...Object.fromEntries(keys.map((key, i) => [key, 3 + 2 * i])), ...extra } as T;
}

const CONV_KEYS = [
  'batch', 'inChannels', 'inHeight', 'inWidth', 'outChannels', 'outHeight', 'outWidth', 'kernelHeight', 'kernelWidth',
  'strideHeight', 'strideWidth', 'dilationHeight', 'dilationWidth', 'padTop', 'padBottom', 'padLeft', 'padRight', 'groups',
];
const POOL_KEYS = [
  'batch', 'channels', 'inHeight', 'inWidth', 'outHeight', 'outWidth', 'kernelHeight', 'kernelWidth', 'strideHeight', 'strideWidth',
  'padTop', 'padBottom', 'padLeft', 'padRight', 'dilationHeight', 'dilationWidth',
];

describe('kernel parameter layouts', () => {
  it('are dense, named once, and fit their block', () => {
    for (const [name, layout] of Object.entries(PARAM_LAYOUTS)) {
      const fields = layoutFields(layout);
      expect(fields.map((f) => layout[f]), name).toEqual(fields.map((_, i) => i));
      expect(layout.slots, name).toBe(fields.length);
      if (name !== 'Box' && name !== 'BoxAxis') expect(4 * layout.slots, name).toBeLessThanOrEqual(PARAM_BYTES);
    }
    expect(boxParamBytes(3)).toBe(4 * (PARAM_LAYOUTS.Box.slots + 3 * PARAM_LAYOUTS.BoxAxis.slots + 3));
  });

  it('are the ones every wasm variant was compiled with', () => {
    for (const variant of ['scalar', 'simd', 'relaxed']) {
      const e = instantiate(variant).exports as Record<string, WebAssembly.Global>;
      for (const [name, layout] of Object.entries(PARAM_LAYOUTS)) {
        for (const field of [...layoutFields(layout), 'slots']) expect(e[`${name}.${field}`]?.value, `${variant} ${name}.${field}`).toBe(layout[field]);
      }
    }
  });

  it('refuse a module built with other slot numbers', () => {
    const real = instantiate('simd').exports as Record<string, unknown>;
    const moved = { ...real, 'Depthwise.kernelHeight': new WebAssembly.Global({ value: 'i32' }, 8) };
    expect(() => kernelExports({ exports: moved } as WebAssembly.Instance, 'old.wasm')).toThrow(/old\.wasm reads its parameter blocks with other layouts \(Depthwise\.kernelHeight\)/);
    const { 'Pool.countIncludePad': _gone, ...missing } = real;
    expect(() => kernelExports({ exports: missing } as WebAssembly.Instance, 'old.wasm')).toThrow(/Pool\.countIncludePad/);
  });
});

describe('kernel parameter writers put every field where the module reads it', () => {
  it('sgemm (alpha and beta as f32)', () => {
    poison();
    // m = 0: sgemm returns at once, leaving the block to read back.
    const call = { m: 0, n: 5, k: 7, transA: true, transB: false, lda: 9, ldb: 11, ldc: 13, a: 15, b: 17, c: 19, alpha: 0.25, beta: -1.5, bias: 21 };
    runGemm(k, at, 23, call);
    expect(readBack('Gemm', ['alpha', 'beta', 'actMin', 'actMax'])).toEqual({
      ...call, transA: 1, transB: 0, work: 23, biasPerColumn: 0, activation: 0, actMin: 0, actMax: 0, residual: 0, ldr: 0, packedA: 0,
    });
    poison();
    // The epilogue fields, every one distinct.
    const fused = { ...call, biasPerColumn: true, activation: { kind: 'clip' as const, min: -0.5, max: 6 }, residual: 25, ldr: 27, packedA: true };
    runGemm(k, at, 23, fused);
    expect(readBack('Gemm', ['alpha', 'beta', 'actMin', 'actMax'])).toEqual({
      ...call, transA: 1, transB: 0, work: 23, biasPerColumn: 1, activation: 2, actMin: -0.5, actMax: 6, residual: 25, ldr: 27, packedA: 1,
    });
  });

  it('im2col and depthwise', () => {
    const g = distinct<Conv2dGeometry>(CONV_KEYS, { inChannels: 4, outChannels: 12 });
    poison();
    writeIm2colParams(k, at, g, 2, 100, 200, 300);
    const conv = {
      inHeight: g.inHeight, inWidth: g.inWidth, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, strideHeight: g.strideHeight,
      strideWidth: g.strideWidth, dilationHeight: g.dilationHeight, dilationWidth: g.dilationWidth, padTop: g.padTop, padLeft: g.padLeft,
      outHeight: g.outHeight, outWidth: g.outWidth,
    };
    expect(readBack('Im2col')).toEqual({ ...conv, channels: 2, x: 100, cols: 200, ld: 300 });
    poison();
    writeDepthwiseParams(k, at, g, 400);
    expect(readBack('Depthwise')).toEqual({ ...conv, batch: g.batch, channels: 4, multiplier: 3, work: 400 });
  });

  it('pooling and adaptive pooling', () => {
    const g = distinct<Pool2dGeometry>(POOL_KEYS, { ceilMode: false, countIncludePad: true });
    poison();
    writePoolParams(k, at, g, 100, 200, 300, 7, 900);
    const { batch: _b, channels: _c, ceilMode: _m, countIncludePad: _p, ...sizes } = g;
    expect(readBack('Pool')).toEqual({ ...sizes, planes: 7, x: 100, y: 200, argmax: 300, indexOffset: 900, countIncludePad: 1 });
    poison();
    writeAdaptivePoolParams(k, at, g, 100, 200, 7);
    expect(readBack('AdaptivePool')).toEqual({ planes: 7, inHeight: g.inHeight, inWidth: g.inWidth, outHeight: g.outHeight, outWidth: g.outWidth, x: 100, y: 200 });
  });

  it('normalization and resize', () => {
    const norm = distinct<Parameters<typeof writeNormParams>[2]>(layoutFields(PARAM_LAYOUTS.Norm), { batchStats: true });
    poison();
    writeNormParams(k, at, norm);
    expect(readBack('Norm')).toEqual({ ...norm, batchStats: 1 });
    const g = distinct<ResizeGeometry>(['batch', 'channels', 'inHeight', 'inWidth', 'outHeight', 'outWidth']);
    const tables = { rows: 100, rowWeights: 200, cols: 300, colWeights: 400, work: 500, pattern: 2 };
    poison();
    writeResizeParams(k, at, g, tables, 600, 700, 9);
    expect(readBack('Resize')).toEqual({ planes: 9, inHeight: g.inHeight, inWidth: g.inWidth, outHeight: g.outHeight, outWidth: g.outWidth, x: 600, y: 700, ...tables });
  });

  it('copyBox: the header, then one entry per axis', () => {
    const box = { counts: [2, 3], srcBase: 5, dstBase: 7, srcStrides: [30, 1], dstStrides: [-40, 2] };
    poison(boxParamBytes(2));
    writeBoxParams(k, at, box, 1000, 2000);
    const axes = at + 4 * PARAM_LAYOUTS.Box.slots;
    expect(readBack('Box')).toEqual({ rank: 2, src: 1000 + 4 * 5, dst: 2000 + 4 * 7, odometer: axes + 4 * 2 * PARAM_LAYOUTS.BoxAxis.slots });
    expect(readBack('BoxAxis', [], axes)).toEqual({ count: 2, srcStride: 30, dstStride: -40 });
    expect(readBack('BoxAxis', [], axes + 4 * PARAM_LAYOUTS.BoxAxis.slots)).toEqual({ count: 3, srcStride: 1, dstStride: 2 });
  });
});
