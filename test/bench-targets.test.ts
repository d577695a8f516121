import { describe, expect, it } from 'vitest';
import { assertionFailures, defaultWasm, evaluateTargets, formatTargets } from '../bench/targets.js';
import type { EngineResult, RowResult } from '../bench/report.js';

const ok = (engine: string, medianMs: number, throughput = 1): EngineResult => ({ engine, status: 'ok', medianMs, throughput });
const row = (name: string, results: EngineResult[]): RowResult => ({ name, description: '', unit: 'GFLOP/s', work: 1, reference: 'naive', tolerance: 1e-4, results });

describe('bench targets', () => {
  it('judges the variant the loader would pick: relaxed, else simd', () => {
    expect(defaultWasm(row('r', [ok('wasm-simd', 2), ok('wasm-relaxed', 1)]))?.engine).toBe('wasm-relaxed');
    expect(defaultWasm(row('r', [ok('wasm-simd', 2), { engine: 'wasm-relaxed', status: 'unavailable' }]))?.engine).toBe('wasm-simd');
    // A loaded variant that disagrees is still the one users get: it fails the target.
    const bad = row('kernels/gemm 512', [{ engine: 'wasm-relaxed', status: 'disagrees', maxRelErr: 0.1 }, ok('wasm-simd', 1), ok('tfjs-wasm', 2)]);
    expect(evaluateTargets([bad])[0]).toMatchObject({ met: false, detail: 'wasm-relaxed disagrees with the reference' });
  });

  it('requires strictly faster than TF.js wasm on GEMM, conv forward and LeNet inference', () => {
    const checks = evaluateTargets([
      row('kernels/gemm 512', [ok('wasm-relaxed', 9), ok('tfjs-wasm', 10)]),
      row('e2e/lenet inference b256', [ok('wasm-relaxed', 10), ok('tfjs-wasm', 10)]),
    ]);
    expect(checks.map((c) => [c.target, c.met])).toEqual([
      ['SGEMM ahead of TF.js wasm', true],
      ['LeNet inference ahead of TF.js wasm', false],
    ]);
  });

  it('checks conv rows against naive (30×), js (8×) and backward-input against TF.js wasm (10×)', () => {
    const checks = evaluateTargets([row('kernels/conv2d resnet-b1 bwd-input', [ok('naive', 300), ok('js', 79), ok('wasm-relaxed', 10), ok('tfjs-wasm', 99)])]);
    expect(checks.map((c) => [c.target, c.met])).toEqual([
      ['conv backward-input ≥ 10× TF.js wasm', false],
      ['conv ≥ 30× naive', true],
      ['conv ≥ 8× js', false],
    ]);
  });

  it('cannot judge a comparison with an engine that did not run, and says why', () => {
    const [check] = evaluateTargets([row('kernels/conv2d depthwise bwd-input', [ok('wasm-relaxed', 1), { engine: 'tfjs-wasm', status: 'error', message: "Kernel 'D' not registered" }])]);
    expect(check).toMatchObject({ met: null, detail: "tfjs-wasm error: Kernel 'D' not registered" });
  });

  it('holds the LeNet training step to 15 ms', () => {
    expect(evaluateTargets([row('e2e/lenet train-step b64', [ok('wasm-relaxed', 14.9)])])[0].met).toBe(true);
    expect(evaluateTargets([row('e2e/lenet train-step b64', [ok('wasm-relaxed', 15.1)])])[0].met).toBe(false);
  });

  it('holds the LeNet training step to 10k img/s as well', () => {
    const checks = evaluateTargets([row('e2e/lenet train-step b64', [{ ...ok('wasm-relaxed', 7, 9143) }])]);
    expect(checks.map((c) => [c.target, c.met])).toEqual([
      ['LeNet training step ≤ 15 ms', true],
      ['LeNet training step ≥ 10k img/s', false],
    ]);
    expect(evaluateTargets([row('e2e/lenet train-step b64', [ok('wasm-relaxed', 6, 10667)])])[1].met).toBe(true);
  });

  it("judges the compiled networks by their share of onnxruntime-web's time", () => {
    const checks = evaluateTargets([
      row('e2e/resnet18 inference b1 compiled', [ok('wasm-relaxed', 87), ok('ort-web', 145)]),
      row('e2e/mobilenetv2 inference b1 compiled', [ok('wasm-relaxed', 30), ok('ort-web', 38.7)]),
      row('e2e/resnet18 inference b1', [ok('wasm-relaxed', 50), ok('ort-web', 145)]),
    ]);
    expect(checks.map((c) => [c.target, c.row, c.met])).toEqual([
      ["ResNet-18 b1 in ≤ 0.6× onnxruntime-web's time", 'e2e/resnet18 inference b1 compiled', true],
      ["MobileNetV2 b1 in ≤ 0.7× onnxruntime-web's time", 'e2e/mobilenetv2 inference b1 compiled', false],
    ]);
    expect(checks[1].detail).toBe('wasm-relaxed 30.0 ms vs ort-web 38.7 ms: 0.775× its time (goal ≤ 0.7×)');
    const [missing] = evaluateTargets([row('e2e/resnet18 inference b1 compiled', [ok('wasm-relaxed', 87), { engine: 'ort-web', status: 'unavailable', message: 'no package' }])]);
    expect(missing).toMatchObject({ met: null, detail: 'ort-web unavailable: no package' });
  });

  it('needs LeNet inference b256 compiled at 1.5× the better of TF.js wasm and onnxruntime-web', () => {
    const lenet = (ours: number) => row('e2e/lenet inference b256 compiled', [ok('wasm-relaxed', ours, 256000 / ours), ok('tfjs-wasm', 9, 28444), ok('ort-web', 12, 21333)]);
    const judge = (ours: number) => evaluateTargets([lenet(ours)]).find((c) => c.target.includes('1.5×')) as { met: boolean | null; detail: string };
    expect(judge(6).met).toBe(true);
    expect(judge(6.1).met).toBe(false);
    expect(judge(8).detail).toBe('wasm-relaxed 32000 vs tfjs-wasm 28444 GFLOP/s: 1.13× (goal ≥ 1.5×)');
    const noOrt = row('e2e/lenet inference b256 compiled', [ok('wasm-relaxed', 5), ok('tfjs-wasm', 9), { engine: 'ort-web', status: 'error', message: 'boom' }]);
    expect(evaluateTargets([noOrt]).find((c) => c.target.includes('1.5×'))?.met).toBeNull();
  });

  it('judges the 2-thread speed-ups where the 2-thread column ran: ResNet 1.8×, LeNet step 1.5×', () => {
    const checks = evaluateTargets([
      row('kernels/conv2d resnet-b8 fwd', [ok('wasm-relaxed', 90), ok('wasm-relaxed-t2', 49)]),
      row('e2e/resnet18 inference b1 compiled', [ok('wasm-relaxed', 90), ok('wasm-relaxed-t2', 51)]),
      row('e2e/lenet train-step b64', [ok('wasm-relaxed', 12, 5333), ok('wasm-relaxed-t2', 8, 8000)]),
      row('kernels/conv2d resnet-b1 fwd', [ok('wasm-relaxed', 9), { engine: 'wasm-relaxed-t2', status: 'unavailable', message: 'no shared memory' }]),
    ]);
    const threads = checks.filter((c) => c.target.includes('2 threads'));
    expect(threads.map((c) => [c.target, c.row, c.met])).toEqual([
      ['ResNet 3×3 conv ≥ 1.8× on 2 threads', 'kernels/conv2d resnet-b8 fwd', true],
      ['ResNet-18 b1 ≥ 1.8× on 2 threads', 'e2e/resnet18 inference b1 compiled', false],
      ['LeNet training step b64 ≥ 1.5× on 2 threads', 'e2e/lenet train-step b64', true],
      ['ResNet 3×3 conv ≥ 1.8× on 2 threads', 'kernels/conv2d resnet-b1 fwd', null],
    ]);
    expect(threads[1].detail).toBe('90.0 → 51.0 ms: 1.76× (goal ≥ 1.8×)');
    // Without the column nothing is judged.
    expect(evaluateTargets([row('e2e/lenet train-step b64', [ok('wasm-relaxed', 12)])]).some((c) => c.target.includes('2 threads'))).toBe(false);
  });

  it('prints a checklist with the count met', () => {
    const text = formatTargets([
      { target: 'A', row: 'r1', met: true, detail: 'x' },
      { target: 'B', row: 'r2', met: false, detail: 'y' },
      { target: 'C', row: 'r3', met: null, detail: 'z' },
    ]);
    expect(text.split('\n')).toEqual(['Targets: 1 of 2 met (1 not judged)', '  ✔ A — r1: x', '  ✘ B — r2: y', '  – C — r3: z']);
  });

  it('fails --assert on a simdnet engine that disagrees or throws and on a missed target, not on TF.js errors', () => {
    const rows = [
      row('kernels/gemm 512', [ok('wasm-relaxed', 9), ok('tfjs-wasm', 10), { engine: 'js', status: 'disagrees', maxRelErr: 0.1 }]),
      row('kernels/conv2d depthwise bwd-filter', [ok('wasm-relaxed', 1), { engine: 'tfjs-wasm', status: 'error', message: 'no kernel' }]),
      row('e2e/lenet train-step b64', [ok('wasm-relaxed', 20, 3200)]),
      row('e2e/resnet18 inference b1', [ok('js', 900), { engine: 'ort-node', status: 'error', message: 'no binding' }]),
    ];
    expect(assertionFailures(rows, evaluateTargets(rows))).toEqual([
      'kernels/gemm 512: js disagrees with the reference',
      'e2e/lenet train-step b64: LeNet training step ≤ 15 ms missed (wasm-relaxed 20.0 ms)',
      'e2e/lenet train-step b64: LeNet training step ≥ 10k img/s missed (wasm-relaxed 3200 img/s (20.0 ms))',
    ]);
    expect(assertionFailures([rows[1]], [])).toEqual([]);
  });
});
