// Compiled plans against the uncompiled model (eval mode, same backend): the same outputs
// within float32 tolerance (folding BatchNorm rounds differently), fusions visible in
// the steps, and clear errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential, add, compile, currentBackend, init, mobilenetV2, mobilenetV3Small,
  noGrad, randn, resnet18, setBackend, type Backend, type Tensor,
} from '../src/index.js';

function calibrated<M extends Module>(model: M, shape: number[]): M {
  noGrad(() => model.forward(randn(shape, { seed: 3 })));
  return model.eval();
}

function maxRelError(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / Math.max(scale, 1e-30);
}

class Residual extends Module {
  readonly conv = new Conv2d({ inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1, bias: false });
  readonly bn = new BatchNorm2d({ numFeatures: 4 });
  forward(x: Tensor): Tensor {
    return add(this.bn.forward(this.conv.forward(x)), x);
  }
}

let before: Backend;
beforeAll(async () => {
  before = currentBackend();
  await init({ backend: 'wasm' });
});
afterAll(() => setBackend(before));

describe('compile', () => {
  for (const backend of ['js', 'wasm'] as const) {
    it(`LeNet on ${backend}: same logits, bias + ReLU fused`, () => {
      setBackend(backend);
      const model = new Sequential([
        new Conv2d({ inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2 }), new ReLU(), new MaxPool2d({ kernelSize: 2 }),
        new Conv2d({ inChannels: 6, outChannels: 16, kernelSize: 5 }), new ReLU(), new MaxPool2d({ kernelSize: 2 }), new Flatten(),
        new Linear({ inFeatures: 400, outFeatures: 120 }), new ReLU(), new Linear({ inFeatures: 120, outFeatures: 10 }),
      ]).eval();
      const x = randn([8, 1, 28, 28], { seed: 1 });
      const plan = compile(model, { inputShape: [8, 1, 28, 28] });
      expect(plan.steps).toEqual([
        'conv2d (relu) → [8, 6, 28, 28]', 'maxPool2d → [8, 6, 14, 14]', 'conv2d (relu) → [8, 16, 10, 10]', 'maxPool2d → [8, 16, 5, 5]',
        'linear (relu) → [8, 120]', 'linear → [8, 10]',
      ]);
      const want = noGrad(() => model.forward(x));
      expect(maxRelError(plan.run(x).data, want.data)).toBeLessThan(1e-6);
      // Every weight and bias is held once, in the plan's buffer or packed by the backend.
      const floats = model.parameters().reduce((n, p) => n + p.size, 0);
      expect(plan.constantBytes).toBeGreaterThanOrEqual(4 * floats);
      expect(plan.constantBytes).toBeLessThan(8 * floats);
    });

    it(`a residual block on ${backend}: BatchNorm folded, the add fused`, () => {
      setBackend(backend);
      const model = calibrated(new Residual(), [2, 4, 9, 9]);
      const plan = compile(model, { inputShape: [2, 4, 9, 9] });
      expect(plan.steps).toEqual(['conv2d (+ residual) → [2, 4, 9, 9]']);
      const x = randn([2, 4, 9, 9], { seed: 2 });
      expect(maxRelError(plan.run(x).data, noGrad(() => model.forward(x)).data)).toBeLessThan(1e-5);
    });
  }

  it('resnet18, mobilenetV2 and mobilenetV3Small on wasm match the uncompiled model', () => {
    setBackend('wasm');
    for (const build of [resnet18, mobilenetV2, mobilenetV3Small]) {
      const model = calibrated(build({ numClasses: 10 }), [2, 3, 64, 64]);
      const x = randn([1, 3, 64, 64], { seed: 4 });
      const plan = compile(model, { inputShape: [1, 3, 64, 64] });
      expect(plan.steps.some((s) => s.startsWith('batchNorm2d'))).toBe(false);
      expect(maxRelError(plan.run(x).data, noGrad(() => model.forward(x)).data)).toBeLessThan(1e-4);
    }
  });

  it('predict runs any batch in chunks of the compiled one', () => {
    setBackend('js');
    const model = new Sequential([new Flatten(), new Linear({ inFeatures: 12, outFeatures: 3 })]).eval();
    const plan = compile(model, { inputShape: [4, 3, 2, 2] });
    const x = randn([10, 3, 2, 2], { seed: 5 });
    expect(maxRelError(plan.predict(x).data, noGrad(() => model.forward(x)).data)).toBeLessThan(1e-6);
  });

  it('leaves the model in its mode and refuses bad input', () => {
    setBackend('js');
    const model = new Sequential([new Flatten(), new Linear({ inFeatures: 4, outFeatures: 2 })]);
    const plan = compile(model, { inputShape: [1, 4] });
    expect(model.training).toBe(true);
    expect(() => plan.run(randn([2, 4]))).toThrow(/CompiledModel.run: input \[2, 4\] differs from the compiled shape \[1, 4\]/);
    expect(() => compile(model, { inputShape: [1, 4], batch: 2 } as never)).toThrow(/compile: unknown option 'batch'/);
    expect(() => compile(model, { inputShape: [1, 5] })).toThrow(/compile: the model's forward failed on input \[1, 5\]/);
  });
});

describe('compile of imported and custom models', () => {
  it('model.compile on an imported ONNX ResNet block matches the uncompiled graph', async () => {
    const { readFileSync } = await import('node:fs');
    const { loadOnnx } = await import('../src/index.js');
    setBackend('wasm');
    const model = loadOnnx(readFileSync(new URL('./fixtures/onnx-models/resnet.onnx', import.meta.url)));
    model.eval();
    const shape = model.inputs[0].shape.map(Number);
    const x = randn(shape, { seed: 6 });
    const plan = model.compile({ inputShape: shape });
    expect(plan.steps.filter((s) => s.startsWith('batchNorm2d'))).toEqual([]);
    expect(plan.steps.some((s) => s.includes('+ residual'))).toBe(true);
    expect(maxRelError(plan.run(x).data, noGrad(() => model.forward(x)).data)).toBeLessThan(1e-5);
    plan.dispose();
    expect(() => plan.run(x)).toThrow(/CompiledModel.run: the plan was disposed/);
  });
});
