// Export rules for the elementwise math ops the ONNX importer adds (exp, log, sqrt, abs,
// reciprocal, erf, pow by a scalar): their ops live on another branch, so each is stood
// in for here by a test op that records under the same name with the same inputs and
// attrs, computed in float64. onnxruntime-web must agree within 1e-4 of the largest output.
import { describe, expect, it } from 'vitest';
import { Module, Tensor, add, exportableOps, noGrad, toOnnx } from '../src/index.js';
import { record } from '../src/autograd/graph.js';
import { tracing } from '../src/autograd/trace.js';
import { erf } from '../src/backend/erf.js';
import { currentBackend } from '../src/backend/registry.js';
import { errorOfLargest, ortSession, runOrt } from './support/ort.js';

function stand(op: string, f: (v: number) => number, x: Tensor, attrs?: object): Tensor {
  return record(op, new Tensor(x.data.map(f), x.shape), [x], currentBackend(), () => [null], tracing() ? attrs : undefined);
}

class MathOps extends Module {
  forward(x: Tensor): Tensor {
    const a = stand('abs', Math.abs, x);
    const c = stand('log', Math.log, stand('exp', Math.exp, stand('sqrt', Math.sqrt, a)));
    const d = stand('reciprocal', (v) => 1 / v, stand('exp', Math.exp, c));
    const e = stand('pow', (v) => v ** 3, stand('erf', erf, x), { exponent: 3 });
    return add(add(d, e), stand('pow', Math.sqrt, a, { exponent: 0.5 }));
  }
}

describe('export rules of the math ops', () => {
  it('are in the table', () => {
    for (const op of ['exp', 'log', 'sqrt', 'abs', 'reciprocal', 'erf', 'pow']) expect(exportableOps()).toContain(op);
  });

  for (const opset of [13, 17]) {
    it(`onnxruntime-web agrees, opset ${opset}`, async () => {
      const model = new MathOps();
      const x = new Tensor(Float32Array.from({ length: 24 }, (_, i) => (i - 11.5) / 4), [2, 3, 4]);
      const session = await ortSession(toOnnx(model, { inputShape: [2, 3, 4], opset }));
      const expected = noGrad(() => model.forward(x));
      const { output } = await runOrt(session, { input: x });
      expect(errorOfLargest(output.data, expected.data)).toBeLessThanOrEqual(1e-4);
    });
  }

  it('refuses a pow traced without its exponent', () => {
    const bare = new (class Bare extends Module {
      forward(x: Tensor): Tensor {
        return stand('pow', (v) => v * v, x);
      }
    })();
    expect(() => toOnnx(bare, { inputShape: [2] })).toThrow("toOnnx: 'pow' in the forward of the model itself (Bare): its trace lacks the exponent");
  });
});
