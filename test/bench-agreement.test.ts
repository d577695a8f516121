import { describe, expect, it } from 'vitest';
import { checkAgreement, KERNEL_TOLERANCE, maxRelErr } from '../bench/agreement.js';
import { pickReference } from '../bench/harness.js';
import { deriveRatios, machineLine, type EngineResult } from '../bench/report.js';

describe('bench agreement check', () => {
  it('measures the worst error relative to the output scale', () => {
    expect(maxRelErr([1, -4, 2], [1, -4, 2])).toBe(0);
    expect(maxRelErr([1, -4, 2], [1, -4, 2.4])).toBeCloseTo(0.1, 6);
    // A near-zero element does not blow the error up: the scale is max|ref|.
    expect(maxRelErr([1e-9, 10], [2e-9, 10])).toBeLessThan(1e-9);
  });

  it('treats NaN, Infinity and length mismatches as total disagreement', () => {
    expect(maxRelErr([1, 2], [1, NaN])).toBe(Infinity);
    expect(maxRelErr([1, 2], [Infinity, 2])).toBe(Infinity);
    expect(maxRelErr([1, 2], [1, 2, 3])).toBe(Infinity);
    expect(maxRelErr([NaN, 2], [1, 2])).toBe(Infinity);
  });

  it('compares absolute errors when the reference is all zeros', () => {
    expect(maxRelErr([0, 0], [0, 1e-7])).toBeCloseTo(1e-7, 12);
  });

  it('agrees within the tolerance, reports the worst output otherwise', () => {
    const ref = [Float32Array.of(1, 2), Float32Array.of(10, 20)];
    expect(checkAgreement(ref, [Float32Array.of(1, 2), Float32Array.of(10, 20.0001)], KERNEL_TOLERANCE)).toMatchObject({ ok: true, worst: 1 });
    const bad = checkAgreement(ref, [Float32Array.of(1, 2), Float32Array.of(10, 21)], KERNEL_TOLERANCE);
    expect(bad.ok).toBe(false);
    expect(bad.worst).toBe(1);
    expect(bad.maxRelErr).toBeCloseTo(0.05, 6);
    expect(checkAgreement(ref, [Float32Array.of(1, 2)], 1).ok).toBe(false);
    expect(checkAgreement([], [], 1).ok).toBe(false);
  });

  it('uses naive as the reference, js when naive cannot run, never TF.js or onnxruntime', () => {
    expect(pickReference([{ id: 'naive', usable: true }, { id: 'js', usable: true }])).toBe('naive');
    expect(pickReference([{ id: 'naive', usable: false }, { id: 'js', usable: true }])).toBe('js');
    expect(pickReference([{ id: 'naive', usable: false }, { id: 'wasm-simd', usable: true }, { id: 'tfjs-cpu', usable: true }])).toBe('wasm-simd');
    expect(pickReference([{ id: 'tfjs-cpu', usable: true }])).toBeNull();
    expect(pickReference([{ id: 'naive', usable: false }, { id: 'ort-web', usable: true }, { id: 'wasm-relaxed', usable: true }])).toBe('wasm-relaxed');
    expect(pickReference([{ id: 'ort-web', usable: true }, { id: 'ort-node', usable: true }])).toBeNull();
  });
});

describe('bench ratios', () => {
  it('derives speed-up against naive and against the best TF.js backend', () => {
    const rows: EngineResult[] = [
      { engine: 'naive', status: 'ok', medianMs: 100 },
      { engine: 'wasm-simd', status: 'ok', medianMs: 2 },
      { engine: 'tfjs-cpu', status: 'ok', medianMs: 50 },
      { engine: 'tfjs-wasm', status: 'ok', medianMs: 4 },
      { engine: 'js', status: 'disagrees', maxRelErr: 0.5 },
    ];
    const out = deriveRatios(rows);
    expect(out[1].speedupVsNaive).toBe(50);
    expect(out[1].vsTfjs).toBe(2);
    expect(out[3].vsTfjs).toBe(1);
    expect(out[0].speedupVsNaive).toBe(1);
    expect(out[4].speedupVsNaive).toBeUndefined();
    expect(out[1].vsOrt).toBeUndefined();
    expect(out[1]).toMatchObject({ vsPeer: 2, bestPeer: 'tfjs-wasm' });
  });

  it('derives the ratio to onnxruntime-web and names the best peer over TF.js and onnxruntime-web', () => {
    const out = deriveRatios([
      { engine: 'wasm-relaxed', status: 'ok', medianMs: 6 },
      { engine: 'tfjs-wasm', status: 'ok', medianMs: 4 },
      { engine: 'ort-web', status: 'ok', medianMs: 3 },
      { engine: 'ort-node', status: 'ok', medianMs: 1 },
    ]);
    // onnxruntime-node is native, the hardware reference: shown, but not the peer to beat.
    expect(out[0]).toMatchObject({ vsTfjs: 4 / 6, vsOrt: 0.5, vsPeer: 0.5, bestPeer: 'ort-web' });
    expect(out[2]).toMatchObject({ vsOrt: 1, vsPeer: 1, bestPeer: 'ort-web' });
    expect(out[3]).toMatchObject({ vsOrt: 3, vsPeer: 3, bestPeer: 'ort-web' });
  });

  it('leaves a ratio out when its base did not run', () => {
    const out = deriveRatios([
      { engine: 'naive', status: 'skipped', message: 'quick' },
      { engine: 'js', status: 'ok', medianMs: 5 },
      { engine: 'tfjs-wasm', status: 'error', message: "Kernel 'X' not registered" },
    ]);
    expect(out[1].speedupVsNaive).toBeUndefined();
    expect(out[1].vsTfjs).toBeUndefined();
  });
});

describe('bench machine line', () => {
  it('names the CPU, Node, wasm variants, TF.js and the load, start → end once known', () => {
    const m = { cpu: 'AMD EPYC', cores: 2, node: 'v20.20.2', v8: '11.3', platform: 'linux x64', wasmVariants: ['scalar', 'simd'], tfjs: '4.22.0', load: { start: 5.04, end: NaN } };
    expect(machineLine(m)).toBe('AMD EPYC (2 cores) · Node v20.20.2 (V8 11.3) · linux x64 · simdnet wasm variants: scalar, simd · TF.js 4.22.0 (cpu; wasm single-threaded) · load average 5.0');
    expect(machineLine({ ...m, load: { start: 5.04, end: 1.26 }, note: 'shared machine' })).toMatch(/load average 5\.0 → 1\.3 · shared machine$/);
    expect(machineLine({ ...m, tfjs: 'not loaded', wasmVariants: [] })).toContain('simdnet wasm variants: none loaded · TF.js not run');
    expect(machineLine({ ...m, ort: 'onnxruntime-web 1.30.0' })).toContain('TF.js 4.22.0 (cpu; wasm single-threaded) · onnxruntime-web 1.30.0 (1 thread) · load');
    expect(machineLine({ ...m, ort: 'not loaded' })).toContain('· onnxruntime not run ·');
  });
});
