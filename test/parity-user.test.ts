// compareBackends / paritySweep (src/parity) and the `simdnet parity` bin (the sweep, the
// CNN and the ONNX conformance tests from the pack beside it).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Conv2d, Linear, Module, ReLU, Sequential, Flatten, add, compareBackends, currentBackend, formatParityReport, formatSweepReport,
  getBackend, paritySweep, parityModel, randn, setBackend, Random, type Tensor,
} from '../src/index.js';
import { ensureDist, root } from './browser/ensure-dist.js';

/** A deliberately broken layer: adds 1e-2 on the wasm backend only. */
class WasmOff extends Module {
  forward(x: Tensor): Tensor {
    return currentBackend().name === 'wasm' ? add(x, 1e-2) : x;
  }
}

function model(broken: boolean): Sequential {
  const random = new Random(4);
  return new Sequential([
    new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, random }),
    broken ? new WasmOff() : new ReLU(),
    new Flatten(),
    new Linear({ inFeatures: 3 * 5 * 5, outFeatures: 4, random }),
  ]);
}

describe('compareBackends', () => {
  it('passes a normal model on every backend, forward and backward, and restores the backend and grads', async () => {
    const m = model(false);
    m.train();
    const before = currentBackend();
    const w = m.parameters()[0];
    w.grad = null;
    const report = await compareBackends(m, randn([2, 2, 5, 5], { seed: 2 }), { backward: true });
    expect(report.ok).toBe(true);
    expect(report.tolerance).toEqual({ rtol: 1e-4, atol: 1e-5 });
    expect(report.backends.map((b) => b.backend)).toEqual(expect.arrayContaining(['js', 'wasm:scalar', 'wasm:simd']));
    const js = report.backends[0];
    expect(js.layers.map((l) => `${l.name} ${l.type}`)).toEqual(['0 Conv2d', '1 ReLU', '2 Flatten', '3 Linear']);
    expect(js.gradients.map((g) => g.name)).toEqual(['input', '0.weight', '0.bias', '3.weight', '3.bias']);
    expect(currentBackend()).toBe(before);
    expect(w.grad).toBeNull();
    expect(m.training).toBe(true);
    expect(Object.hasOwn(m.namedModules()[1][1], 'forward')).toBe(false);
    expect(formatParityReport(report)).toMatch(/all \d backend\(s\) within tolerance/);
  });

  it('names the broken layer, and the layers after it, on wasm only', async () => {
    const report = await compareBackends(model(true), randn([1, 2, 5, 5], { seed: 3 }), { backends: ['js', 'wasm:simd', 'wasm:scalar'] });
    expect(report.ok).toBe(false);
    const js = report.backends.find((b) => b.backend === 'js');
    expect(js?.ok).toBe(true);
    for (const label of ['wasm:simd', 'wasm:scalar']) {
      const b = report.backends.find((x) => x.backend === label);
      expect(b?.ok).toBe(false);
      const status = Object.fromEntries((b?.layers ?? []).map((l) => [l.name, l.ok]));
      expect(status).toEqual({ '0': true, '1': false, '2': false, '3': false });
      const bad = b?.layers[1];
      expect(bad?.type).toBe('WasmOff');
      expect(bad?.maxAbsError).toBeCloseTo(1e-2, 4);
      expect(bad?.failures).toBe(75);
    }
    const text = formatParityReport(report);
    expect(text).toMatch(/wasm:simd\s+1\s+WasmOff\s+\[1, 75\]|wasm:simd\s+1\s+WasmOff\s+\[1, 3, 5, 5\]\s+0\.0100\s+\S+\s+FAIL \(75 of 75\)/);
    expect(text).toMatch(/wasm:simd: worst/);
  });

  it('a looser tolerance passes it; options are checked strictly', async () => {
    const x = randn([1, 2, 5, 5], { seed: 3 });
    const loose = await compareBackends(model(true), x, { backends: ['wasm:scalar'], tolerance: { atol: 1 } });
    expect(loose.ok).toBe(true);
    await expect(compareBackends(model(false), x, { backend: 'js' } as never)).rejects.toThrow(/compareBackends: unknown option 'backend'/);
    await expect(compareBackends(model(false), x, { reference: 'js' } as never)).rejects.toThrow(/reference must be 'naive'/);
    await expect(compareBackends(model(false), x, { tolerance: { rtol: -1 } })).rejects.toThrow(/tolerance.rtol must be a finite number ≥ 0/);
    await expect(compareBackends(model(false), x, { tolerance: { abs: 1 } } as never)).rejects.toThrow(/unknown tolerance key 'abs'/);
    await expect(compareBackends(model(false), x, { backends: ['gpu'] } as never)).rejects.toThrow(/unknown backend 'gpu'/);
    await expect(compareBackends(model(false), x, { backends: [] })).rejects.toThrow(/non-empty array/);
    await expect(compareBackends(model(false), x, { backward: 1 } as never)).rejects.toThrow(/backward must be true or false/);
    await expect(compareBackends({} as never, x)).rejects.toThrow(/model must be a Module/);
  });

  it('restores the backend when the model throws', async () => {
    const js = setBackend('js');
    class Bad extends Module {
      forward(): Tensor {
        throw new Error('boom');
      }
    }
    await expect(compareBackends(new Sequential([new Bad()]), randn([1, 2]), { backends: ['wasm:scalar'] })).rejects.toThrow('boom');
    expect(currentBackend()).toBe(js);
    expect(getBackend('js')).toBe(js);
  });
});

describe('paritySweep', () => {
  it('passes every op on js and wasm:simd, forward and backward', async () => {
    const report = await paritySweep({ backends: ['js', 'wasm:simd'] });
    expect(report.results.filter((r) => !r.ok).map((r) => `${r.backend} ${r.op} ${r.label} ${r.output}`)).toEqual([]);
    expect(new Set(report.summary.map((s) => s.op))).toEqual(new Set([
      'conv2d', 'convTranspose2d', 'im2col', 'col2im', 'maxPool2d', 'avgPool2d', 'globalAvgPool2d', 'globalMaxPool2d', 'adaptiveAvgPool2d', 'resize',
      'gemm', 'matmul', 'linear', 'relu', 'leakyRelu', 'sigmoid', 'tanh', 'softmax', 'logSoftmax', 'relu6', 'hardSigmoid', 'hardSwish', 'silu', 'gelu',
      'elu', 'softplus', 'prelu', 'clip', 'add', 'sub', 'mul', 'div', 'neg', 'maximum', 'minimum', 'sumOf', 'meanOf', 'maxOf', 'minOf', 'sum', 'mean',
      'max', 'min', 'concat', 'split', 'chunk', 'transpose', 'permute', 'slice', 'narrow', 'pad', 'batchNorm2d', 'layerNorm', 'groupNorm',
      'instanceNorm', 'dropout', 'crossEntropy', 'mseLoss', 'exp', 'abs', 'erf', 'log', 'sqrt', 'reciprocal', 'pow',
    ]));
    // Every backend-run op of the ops table is swept: only views (no kernel), backward
    // helpers (their ops' gradients are swept) and aliases are not.
    const ops = await import('../src/ops/index.js');
    const notSwept = ['reshape', 'flatten', 'squeeze', 'unsqueeze', 'swish', 'broadcastShapes', 'convTranspose2dGeometry', 'sliceGeometry', 'padGeometry',
      'maxPool2dWithIndices', 'layerNormWithStats', 'dropoutWithMask'];
    const functions = Object.entries(ops).filter(([name, v]) => typeof v === 'function' && !name.endsWith('Backward') && !notSwept.includes(name)).map(([name]) => name);
    expect(functions.filter((f) => !report.summary.some((s) => s.op === f))).toEqual([]);
    expect(report.results.some((r) => r.op === 'conv2d' && r.output === 'dw')).toBe(true);
    expect(formatSweepReport(report)).toMatch(/^conv2d\s+7\s+\S+ ok\s+\S+ ok$/m);
  });

  it('fails a user case whose op differs by backend', async () => {
    const report = await paritySweep({
      backends: ['js'],
      cases: [{ op: 'myScale', label: 'x [3, 4]', inputs: [{ name: 'x', shape: [3, 4] }], forward: (be, [x]) => add(x, be.name === 'js' ? 1e-3 : 0, be) }],
    });
    expect(report.ok).toBe(false);
    expect(report.summary).toHaveLength(1);
    expect(formatSweepReport(report)).toMatch(/FAIL js myScale x \[3, 4\] y: FAIL \(12 of 12\)/);
  });
});

it('parityModel runs', () => {
  const { model: m, input } = parityModel();
  expect(m.forward(input).shape).toEqual([2, 10]);
});

describe('simdnet parity (the bin)', () => {
  const bin = join(root, 'dist/simdnet-cli.js');
  it('prints per op and backend the worst error and exits 0; usage errors exit 2', { timeout: 300_000 }, () => {
    ensureDist();
    const run = spawnSync(process.execPath, [bin, 'parity'], { encoding: 'utf8', cwd: root });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Op\s+Cases\s+js\s+wasm:scalar\s+wasm:simd\s+wasm:relaxed$/m);
    expect(run.stdout).toMatch(/^conv2d\s+7(\s+\S+ ok){4}$/m);
    expect(run.stdout).toMatch(/^wasm:relaxed\s+0\.weight\s+grad\s+\[8, 3, 3, 3\]/m);
    // The ONNX conformance tests, on naive too, from the pack the build put beside the bin.
    expect(run.stdout).toMatch(/^Operator\s+Tests\s+Pass\s+Fail\s+Unsupported\s+naive\s+js\s+wasm:scalar\s+wasm:simd\s+wasm:relaxed$/m);
    expect(run.stdout).toMatch(/^Resize\s+22\s+22\s+0\s+0(\s+\S+ ok){5}$/m);
    expect(run.stdout).toMatch(/^total\s+231\s+222\s+0\s+9(\s+ok){5}$/m);
    expect(run.stdout).toMatch(/^ {2}Dropout\/test_training_dropout: listed exception: training-mode Dropout/m);
    expect(run.stdout).toMatch(/^PASS: \d+ op outputs, 4 backend\(s\) on the CNN, ONNX conformance 231 tests on 5 backend\(s\): 222 pass, 0 fail, 0 unsupported, 9 listed exceptions, \d+ ms$/m);
    const noReexec = spawnSync(process.execPath, [bin, 'parity', '--no-reexec', '--backends', 'wasm'], { encoding: 'utf8', cwd: root });
    expect(noReexec.status).toBe(0);
    expect(noReexec.stdout).toMatch(/skipped wasm:relaxed: this engine does not validate relaxed SIMD/);
    const bad = spawnSync(process.execPath, [bin, 'parity', '--bogus'], { encoding: 'utf8', cwd: root });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/simdnet parity: unknown argument '--bogus'/);
  });

  it('--fixtures reads a directory of per-operator files; a wrong expected value fails the run; a bad path is an error', { timeout: 300_000 }, () => {
    ensureDist();
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-fixtures-'));
    try {
      for (const op of ['Relu', 'Softmax']) copyFileSync(join(root, 'test', 'fixtures', 'onnx', `${op}.json`), join(dir, `${op}.json`));
      const args = [bin, 'parity', '--no-reexec', '--backends', 'js', '--fixtures', dir];
      const good = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: root });
      expect(good.stderr).toBe('');
      expect(good.status).toBe(0);
      expect(good.stdout).toMatch(/^Relu\s+1\s+1\s+0\s+0\s+0 ok\s+0 ok$/m);
      expect(good.stdout).toMatch(/ONNX conformance 8 tests on 2 backend\(s\): 8 pass, 0 fail/);
      // One expected value of test_relu off by 1e-3: every backend fails that test.
      const relu = JSON.parse(readFileSync(join(dir, 'Relu.json'), 'utf8'));
      const out = relu.tests[0].outputs[0];
      const bytes = Buffer.from(out.data, 'base64');
      bytes.writeFloatLE(bytes.readFloatLE(8) + 1e-3, 8);
      out.data = bytes.toString('base64');
      writeFileSync(join(dir, 'Relu.json'), JSON.stringify(relu));
      const broken = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: root });
      expect(broken.status).toBe(1);
      expect(broken.stdout).toMatch(/^Relu\s+1\s+0\s+1\s+0\s+\S+ FAIL\s+\S+ FAIL$/m);
      expect(broken.stdout).toMatch(/^FAIL naive Relu\/test_relu: output y: 1 of 60 elements differ; worst at index 2/m);
      expect(broken.stdout).toMatch(/^FAIL: .* ONNX conformance 8 tests on 2 backend\(s\): 7 pass, 1 fail/m);
      const missing = spawnSync(process.execPath, [bin, 'parity', '--no-reexec', '--fixtures', join(dir, 'nope.json')], { encoding: 'utf8', cwd: root });
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/^simdnet parity: the ONNX conformance fixtures are not at .*nope\.json \(--fixtures PATH names them, --no-conformance skips them\)$/m);
      writeFileSync(join(dir, 'pack.json'), '{"format":"simdnet-onnx-conformance","version":2}');
      const wrong = spawnSync(process.execPath, [bin, 'parity', '--no-reexec', '--fixtures', join(dir, 'pack.json')], { encoding: 'utf8', cwd: root });
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toMatch(/cannot read the ONNX conformance fixtures at .*pack\.json: checkConformancePack: pack version 2 is not supported \(1 is\)/);
      const skip = spawnSync(process.execPath, [bin, 'parity', '--no-reexec', '--backends', 'js', '--no-conformance'], { encoding: 'utf8', cwd: root });
      expect(skip.status).toBe(0);
      expect(skip.stdout).not.toMatch(/^Operator/m);
      expect(skip.stdout).toMatch(/ONNX conformance skipped \(--no-conformance\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
