// toOnnx against onnxruntime-web: models built with simdnet's API are exported at opsets
// 13 and 17, loaded by onnxruntime-web (wasm, one thread) and run on a random input that
// is not the one the export traced; every output must match simdnet's eval-mode forward
// within 1e-4 of the largest output (issue 11's bar):
//
//     max |onnxruntime − simdnet| ≤ 1e-4 · max |simdnet|
//
// Both compute in float32 with different kernels (summation order, exp/erf), so they
// agree to a few float32 ulps of the largest value; a wrong pad, axis, layout or formula
// is off by 1e-2 or more. The closing table prints each model's error.
import { afterAll, describe, expect, it } from 'vitest';
import { noGrad, randn, toOnnx, type Module, type Tensor } from '../src/index.js';
import { decodeModel } from '../src/onnx/proto.js';
import { EXPORT_CASES, type ExportCase } from './support/export-models.js';
import { errorOfLargest, ortSession, runOrt } from './support/ort.js';

const TOLERANCE = 1e-4;
const errors: string[] = [];

function shapesOf(c: ExportCase): number[][] {
  return typeof c.inputShape[0] === 'number' ? [c.inputShape as number[]] : (c.inputShape as number[][]);
}

function withBatch(shapes: number[][], batch: number): number[][] {
  return shapes.map(([, ...rest]) => [batch, ...rest]);
}

function outputsOf(model: Module, inputs: Tensor[]): Tensor[] {
  const y = noGrad(() => model.forward(...inputs)) as Tensor | Tensor[];
  return Array.isArray(y) ? y : [y];
}

/** Exports, runs onnxruntime-web on fresh inputs of `shapes`, and returns the worst output error. */
async function agreement(model: Module, c: ExportCase, options: { opset: number; dynamicBatch?: boolean }, shapes: number[][]): Promise<number> {
  const bytes = toOnnx(model, { inputShape: c.inputShape, ...options });
  const session = await ortSession(bytes);
  const inputs = shapes.map((s, i) => randn(s, { seed: 7 + i, mean: 0.3, std: 1.5 }));
  model.eval();
  const expected = outputsOf(model, inputs);
  const feeds = Object.fromEntries(session.inputNames.map((name, i) => [name, inputs[i]]));
  const actual = await runOrt(session, feeds);
  expect(session.outputNames).toHaveLength(expected.length);
  let worst = 0;
  session.outputNames.forEach((name, i) => {
    expect(actual[name].dims).toEqual(expected[i].shape);
    worst = Math.max(worst, errorOfLargest(actual[name].data, expected[i].data));
  });
  return worst;
}

describe('toOnnx → onnxruntime-web gives simdnet’s outputs', () => {
  for (const c of EXPORT_CASES) {
    for (const opset of [13, 17]) {
      it(`${c.name}, opset ${opset}`, async () => {
        const model = c.build();
        const error = await agreement(model, c, { opset }, shapesOf(c));
        errors.push(`${c.name.padEnd(58)} opset ${opset}  ${error.toExponential(2)}`);
        expect(error).toBeLessThanOrEqual(TOLERANCE);
      });
    }
  }

  const dynamic = ['LeNet (Sequential)', 'residual net (strided 1x1 shortcut, add)', 'ShuffleNet unit (chunk, concat, channel shuffle)',
    'U-Net (ConvTranspose2d, concat skip, bilinear Upsample)', 'segmentation head (bilinear resize)', 'LayerNorm, GroupNorm, InstanceNorm2d'];
  for (const name of dynamic) {
    const c = EXPORT_CASES.find((e) => e.name === name) as ExportCase;
    it(`${name}, dynamicBatch: runs at batch 1 and 5`, async () => {
      const model = c.build();
      for (const batch of [1, 5]) {
        const error = await agreement(model, c, { opset: 17, dynamicBatch: true }, withBatch(shapesOf(c), batch));
        errors.push(`${`${name}, dynamic batch ${batch}`.padEnd(58)} opset 17  ${error.toExponential(2)}`);
        expect(error).toBeLessThanOrEqual(TOLERANCE);
      }
      const file = decodeModel('test', toOnnx(model, { inputShape: c.inputShape, dynamicBatch: true }));
      expect(file.graph?.input?.[0].type?.tensorType?.shape?.dim?.[0].dimParam).toBe('batch');
      expect(file.graph?.output?.[0].type?.tensorType?.shape?.dim?.[0].dimParam).toBe('batch');
    });
  }

  afterAll(() => {
    if (errors.length > 0) console.log(`onnxruntime-web max error / max |output| per model:\n${errors.join('\n')}`);
  });
});
