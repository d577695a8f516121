// The PyTorch-exported model fixtures themselves (scripts/fixtures/onnx_models.py), checked
// without simdnet: each file is what its JSON says (opsets, export modes, op types), and
// onnxruntime-web runs the .onnx file to PyTorch's outputs within the fixtures' tolerance
// (test/support/onnx-models.ts). So a failure of test/onnx-models.test.ts is simdnet's,
// not a broken fixture. Skipped, with the reason, when onnxruntime-web is not installed.
import { describe, expect, it } from 'vitest';
import { float32Of, mismatch, readModelFixtures } from './support/onnx-models.js';
import { loadOrt, runOrt } from './support/ort-load.js';

const fixtures = readModelFixtures();
const ortLoad = await loadOrt();

describe('ONNX model fixtures', () => {
  it('cover opsets 11, 13 and 17, both BatchNorm export modes and a dynamic batch', () => {
    expect(fixtures.map((f) => f.name)).toEqual([
      'lenet', 'mobilenetv2_block', 'mobilenetv3_block', 'resnet', 'seghead', 'shufflenet_split11', 'shufflenet_unit', 'unet',
    ]);
    expect(new Set(fixtures.map((f) => f.opset))).toEqual(new Set([11, 13, 17]));
    const preserved = fixtures.filter((f) => f.export.training === 'PRESERVE');
    expect(preserved.length).toBeGreaterThan(0);
    for (const f of preserved) expect(f.opTypes.BatchNormalization, `${f.name} keeps BatchNormalization`).toBeGreaterThan(0);
    for (const f of fixtures.filter((x) => x.export.training === 'EVAL')) expect(f.opTypes.BatchNormalization, `${f.name} folds BN`).toBeUndefined();
    expect(fixtures.filter((f) => f.export.dynamicBatch).map((f) => f.name)).toEqual(['lenet', 'shufflenet_unit']);
    expect(fixtures.find((f) => f.name === 'lenet')?.opTypes).toMatchObject({ Shape: 1, Gather: 1, Unsqueeze: 1, Concat: 1, Reshape: 1 });
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s: one float32 input and outputs of the stated shapes', (_, f) => {
    expect(f.inputs).toHaveLength(1);
    for (const v of [...f.inputs, ...f.outputs]) {
      expect(v.dtype).toBe('float32');
      expect(float32Of(v).length).toBe(v.shape.reduce((a, b) => a * b, 1));
    }
    expect(f.bytes.length).toBeGreaterThan(1000);
  });
});

describe.skipIf(!ortLoad.ort)(
  ortLoad.ort ? 'ONNX model fixtures in onnxruntime-web' : `ONNX model fixtures in onnxruntime-web (skipped: ${ortLoad.reason})`,
  () => {
    it.each(fixtures.map((f) => [f.name, f] as const))('%s reproduces PyTorch', async (_, f) => {
      const x = f.inputs[0];
      const out = await runOrt(ortLoad.ort!, f.bytes, { [x.name]: { data: float32Of(x), shape: x.shape } });
      expect(Object.keys(out)).toEqual(f.outputs.map((o) => o.name));
      for (const ref of f.outputs) expect(mismatch(`${f.name}.${ref.name}`, out[ref.name].dims, out[ref.name].data, ref)).toBeNull();
    });
  },
);
