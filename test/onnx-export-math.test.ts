// Export rules for the elementwise math ops (exp, log, sqrt, abs, reciprocal, erf, pow by
// a scalar): onnxruntime-web must agree within 1e-4 of the largest output. A stand-in op
// recording 'pow' without its exponent checks the refusal.
import { describe, expect, it } from 'vitest';
import { Module, Tensor, abs, add, erf, exp, exportableOps, log, noGrad, pow, reciprocal, sqrt, toOnnx } from '../src/index.js';
import { record } from '../src/autograd/graph.js';
import { currentBackend } from '../src/backend/registry.js';
import { errorOfLargest, ortSession, runOrt } from './support/ort.js';

function stand(op: string, f: (v: number) => number, x: Tensor): Tensor {
  return record(op, new Tensor(x.data.map(f), x.shape), [x], currentBackend(), () => [null]);
}

class MathOps extends Module {
  forward(x: Tensor): Tensor {
    const a = abs(x);
    const c = log(exp(sqrt(a)));
    const d = reciprocal(exp(c));
    const e = pow(erf(x), 3);
    return add(add(d, e), pow(a, 0.5));
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
