// Whole models exported by PyTorch (issue 11; fixtures from scripts/fixtures/onnx_models.py,
// checked on their own by test/onnx-models-ort.test.ts) through simdnet's ONNX importer and
// exporter, on every backend:
//
// * loadOnnx(bytes): the declared inputs and outputs, then forward() (the first output)
//   and run() (every output) against PyTorch's eval-mode outputs;
// * the round trip toOnnx(loadOnnx(bytes), { inputShape }) → loadOnnx: the same outputs;
// * the exported bytes in onnxruntime-web, when it is installed (a devDependency): proves
//   the exporter writes a model another engine reads, not just one simdnet reads back.
//
// Tolerance (test/support/onnx-models.ts): max |actual − PyTorch| ≤ 1e-4 · max(1, max |PyTorch|)
// for each output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, loadBackend, loadOnnx, setBackend, toOnnx, type Backend, type BackendName, type OnnxModel, Tensor } from '../src/index.js';
import { agreement, float32Of, mismatch, readModelFixtures, tensorOf, type ModelFixture } from './support/onnx-models.js';
import { loadOrt, runOrt } from './support/ort-load.js';

const BACKENDS: readonly BackendName[] = ['naive', 'js', 'wasm'];
const fixtures = readModelFixtures();
const ortLoad = await loadOrt();

/** Largest error relative to its bound per model and backend, for the closing table. */
const worst = new Map<string, number>();

function note(key: string, data: ArrayLike<number>, ref: ModelFixture['outputs'][number]): void {
  const a = agreement(data, float32Of(ref));
  worst.set(key, Math.max(worst.get(key) ?? 0, a.maxError / a.bound));
}

function inputShape(f: ModelFixture): number[] {
  return [...f.inputs[0].shape];
}

/** Every output of `model` on the fixture's input, compared by name with PyTorch's. */
function expectOutputs(model: OnnxModel, f: ModelFixture, what: string): void {
  const x = f.inputs[0];
  const all: Record<string, Tensor> = model.run({ [x.name]: tensorOf(x) });
  expect(Object.keys(all).sort(), `${what}: output names`).toEqual(f.outputs.map((o) => o.name).sort());
  for (const ref of f.outputs) {
    const y = all[ref.name];
    note(what, y.data, ref);
    expect(mismatch(`${what} ${ref.name}`, y.shape, y.data, ref)).toBeNull();
  }
}

describe.each(BACKENDS)('PyTorch-exported ONNX models on %s', (name) => {
  let backend: Backend;
  let before: Backend;

  beforeAll(async () => {
    backend = name === 'wasm' ? await loadBackend('wasm') : getBackend(name);
    before = setBackend(backend);
  });
  afterAll(() => {
    setBackend(before);
  });

  for (const f of fixtures) {
    describe(`${f.name} (opset ${f.opset}, ${f.export.training}${f.export.dynamicBatch ? ', dynamic batch' : ''})`, () => {
      it('loads with the graph inputs and outputs', () => {
        const model = loadOnnx(f.bytes);
        const x = f.inputs[0];
        expect(model.inputs.map((i) => [i.name, i.dtype])).toEqual([[x.name, 'float32']]);
        const shape = f.export.dynamicBatch ? ['batch', ...x.shape.slice(1)] : x.shape;
        expect(model.inputs[0].shape).toEqual(shape);
        expect(model.outputs.map((o) => o.name)).toEqual(f.outputs.map((o) => o.name));
        for (const [i, o] of model.outputs.entries()) expect(o.dtype, `output ${o.name}`).toBe(f.outputs[i].dtype);
      });

      it('forward gives PyTorch’s first output, run() every output', () => {
        const model = loadOnnx(f.bytes);
        model.eval();
        const y = model.forward(tensorOf(f.inputs[0]));
        note(`${f.name} ${name}`, y.data, f.outputs[0]);
        expect(mismatch(`${f.name} forward`, y.shape, y.data, f.outputs[0])).toBeNull();
        expectOutputs(model, f, `${f.name} ${name}`);
      });

      if (f.export.dynamicBatch) {
        it('runs another batch size through the dynamic batch axis', () => {
          const model = loadOnnx(f.bytes);
          model.eval();
          // Row 1 of the fixture's batch alone: PyTorch's row 1 (per-sample networks, eval BatchNorm).
          const x = f.inputs[0];
          const per = x.shape.slice(1).reduce((a, b) => a * b, 1);
          const y = model.forward(new Tensor(float32Of(x).slice(per, 2 * per), [1, ...x.shape.slice(1)]));
          const ref = f.outputs[0];
          const refPer = ref.shape.slice(1).reduce((a, b) => a * b, 1);
          const expected = float32Of(ref).subarray(refPer, 2 * refPer);
          expect(y.shape).toEqual([1, ...ref.shape.slice(1)]);
          const a = agreement(y.data, expected);
          expect(a.ok, `max |error| ${a.maxError} > ${a.bound}`).toBe(true);
        });
      }

      it('round-trips through toOnnx and loadOnnx with the same outputs', () => {
        const bytes = toOnnx(loadOnnx(f.bytes), { inputShape: inputShape(f) });
        expect(bytes).toBeInstanceOf(Uint8Array);
        const again = loadOnnx(bytes);
        again.eval();
        expectOutputs(again, f, `${f.name} ${name} round trip`);
      });
    });
  }
});

describe.skipIf(!ortLoad.ort)(
  ortLoad.ort ? 'toOnnx output in onnxruntime-web' : `toOnnx output in onnxruntime-web (skipped: ${ortLoad.reason})`,
  () => {
    for (const f of fixtures) {
      it(`${f.name}: the exported bytes run in onnxruntime-web to PyTorch's outputs`, async () => {
        const bytes = toOnnx(loadOnnx(f.bytes), { inputShape: inputShape(f) });
        const x = f.inputs[0];
        const out = await runOrt(ortLoad.ort!, bytes, { [x.name]: { data: float32Of(x), shape: x.shape } });
        expect(Object.keys(out).sort()).toEqual(f.outputs.map((o) => o.name).sort());
        for (const ref of f.outputs) {
          note(`${f.name} onnxruntime-web`, out[ref.name].data, ref);
          expect(mismatch(`${f.name} ${ref.name} (onnxruntime-web)`, out[ref.name].dims, out[ref.name].data, ref)).toBeNull();
        }
      });
    }
  },
);

afterAll(() => {
  if (worst.size === 0) return;
  const lines = ['ONNX models: largest max |error| / (1e-4 · max(1, max |ref|)) per model and engine (≤ 1 passes)'];
  for (const [key, r] of [...worst].sort()) lines.push(`  ${key.padEnd(44)} ${r.toFixed(4)}`);
  console.log(lines.join('\n'));
});
