// The ONNX conformance tests as users run them (src/parity/conformance.ts): the pack the
// build writes beside the bin (dist/onnx-conformance.json) is the repository's fixtures,
// checkConformancePack refuses what is not a pack, and onnxConformance reports per
// operator and backend, catching a wrong result and checking its options.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConformancePack, checkOnnxFixture, formatConformanceReport, getBackend, onnxConformance, packConformance, type Backend } from '../src/index.js';
import { packConformanceDir } from '../scripts/rollup-conformance.mjs';
import { ensureDist, root } from './browser/ensure-dist.js';
import { readOnnxFixtures, type OnnxFixture } from './support/onnx-fixtures.js';

const fixtures = readOnnxFixtures();
const pack = packConformance(fixtures);

describe('the conformance pack', () => {
  it('dist/onnx-conformance.json is the fixtures of test/fixtures/onnx, packed as packConformance does', () => {
    ensureDist();
    const text = readFileSync(join(root, 'dist', 'onnx-conformance.json'), 'utf8');
    expect(JSON.parse(text)).toEqual(pack);
    expect(text).toBe(packConformanceDir(join(root, 'test', 'fixtures', 'onnx')));
    expect(checkConformancePack(JSON.parse(text)).fixtures).toHaveLength(35);
    // Compact: no whitespace between tokens, and about the size of the fixtures themselves.
    expect(text.length).toBeLessThan(600_000);
    expect(text).not.toMatch(/\n|": /);
  });

  it('checkConformancePack and checkOnnxFixture refuse what is not a pack, naming where', () => {
    const copy = (): typeof pack => JSON.parse(JSON.stringify(pack));
    expect(() => checkConformancePack(null)).toThrow(/^checkConformancePack: pack must be an object with format 'simdnet-onnx-conformance'$/);
    expect(() => checkConformancePack({ ...pack, version: 2 })).toThrow(/pack version 2 is not supported \(1 is\)/);
    expect(() => checkConformancePack({ ...pack, fixtures: [...pack.fixtures, pack.fixtures[0]] })).toThrow(/pack has operator Add twice/);
    const short = copy();
    const relu = short.fixtures.find((f) => f.op === 'Relu') as OnnxFixture;
    relu.tests[0].outputs[0].data = (relu.tests[0].outputs[0].data as string).slice(0, -8);
    expect(() => checkConformancePack(short)).toThrow(/pack fixture \d+ Relu test_relu output 0 holds 234 bytes for shape \[3, 4, 5\] \(240 expected\)/);
    const ints = copy();
    const reshape = ints.fixtures.find((f) => f.op === 'Reshape') as OnnxFixture;
    const shapeInput = reshape.tests[0].inputs[1];
    if (shapeInput) shapeInput.data = [1, 2];
    expect(() => checkConformancePack(ints)).toThrow(/Reshape \S+ input 1 int64 data must be \d+ numbers/);
    expect(() => checkOnnxFixture({ op: 'X', onnx: '1', tests: {} }, 'X.json')).toThrow(/^checkConformancePack: X\.json needs arrays tests and notConverted$/);
    expect(() => packConformance([fixtures[0], { ...fixtures[1], onnx: '1.13.0' }])).toThrow(/packConformance: the fixtures must come from one onnx version, got 1\.12\.0, 1\.13\.0/);
  });
});

describe('onnxConformance', () => {
  it('passes every test but the listed exceptions on naive, js and every wasm variant; the table says so', async () => {
    const report = await onnxConformance(pack);
    expect(report.ok).toBe(true);
    expect(report.backends.slice(0, 2)).toEqual(['naive', 'js']);
    expect(report.backends).toEqual(expect.arrayContaining(['wasm:scalar', 'wasm:simd']));
    for (const b of report.backends) {
      const rs = report.results.filter((r) => r.backend === b);
      expect(rs).toHaveLength(231);
      expect(rs.filter((r) => r.status === 'pass')).toHaveLength(222);
      expect(rs.filter((r) => r.status === 'exception')).toHaveLength(9);
    }
    const text = formatConformanceReport(report);
    expect(text).toMatch(/^Conv\s+6\s+6\s+0\s+0(\s+\S+ ok)+$/m);
    expect(text).toMatch(/^ {2}Identity\/test_identity_sequence: listed exception: sequence and optional values are not tensors$/m);
    expect(text).toMatch(/^Not compared: output output_var of test_batchnorm_example_training_mode/m);
  });

  it('catches a backend that computes wrong, and names the test, the output and the element', async () => {
    const js = getBackend('js');
    // The js backend with sigmoid off by 1e-3 (a "user's kernel" to check).
    const off: Backend = Object.create(js, {
      sigmoid: {
        value(x: Float32Array, y: Float32Array) {
          js.sigmoid(x, y);
          for (let i = 0; i < y.length; i++) y[i] += 1e-3;
        },
      },
    });
    const report = await onnxConformance(pack, { backends: [{ label: 'mine', backend: off }], ops: ['Sigmoid', 'Relu'] });
    expect(report.ok).toBe(false);
    expect(report.summary.map((s) => `${s.op} ${s.pass}/${s.fail}`)).toEqual(['Relu 1/0', 'Sigmoid 0/2']);
    const bad = report.results.find((r) => r.test === 'test_sigmoid');
    expect(bad?.status).toBe('fail');
    expect(bad?.message).toMatch(/^output y: 60 of 60 elements differ; worst at index \d+/);
    expect(bad?.worst?.worstRatio).toBeGreaterThan(1);
    expect(formatConformanceReport(report)).toMatch(/^FAIL mine Sigmoid\/test_sigmoid: output y: 60 of 60/m);
  });

  it('checks its options and pack', async () => {
    await expect(onnxConformance(pack, { backend: 'js' } as never)).rejects.toThrow(/onnxConformance: unknown option 'backend'/);
    await expect(onnxConformance(pack, { ops: ['Conv3d'] })).rejects.toThrow(/onnxConformance: ops must name operators of the pack \(Add, .*\), got \["Conv3d"\]/);
    await expect(onnxConformance(pack, { tolerance: { rtol: -1 } })).rejects.toThrow(/onnxConformance: tolerance.rtol must be a finite number ≥ 0/);
    await expect(onnxConformance(pack, { backends: ['gpu'] } as never)).rejects.toThrow(/onnxConformance: unknown backend 'gpu'/);
    await expect(onnxConformance({} as never)).rejects.toThrow(/onnxConformance: pack must be a conformance pack/);
  });
});
