import { describe, expect, it } from 'vitest';
import { Layer, Linear, Sequential, createParameter, type Parameter } from '../src/nn/index.js';
import { yieldToEventLoop } from '../src/nn/batches.js';
import { SGD } from '../src/optim.js';
import { MSELoss } from '../src/losses.js';
import { Tensor, type Shape } from '../src/tensor.js';
import { randomTensor } from './nn-support.js';

/** y = a·x elementwise with a learned scalar a. */
class Scale extends Layer {
  readonly type = 'Scale';
  readonly a: Parameter = createParameter('a', new Tensor(Float32Array.of(1), [1]));
  private x: Tensor | null = null;
  override parameters(): Parameter[] {
    return [this.a];
  }
  config(): Record<string, unknown> {
    return {};
  }
  outputShape(input: Shape): Shape {
    return input;
  }
  forward(x: Tensor): Tensor {
    this.x = x;
    return new Tensor(x.data.map((v) => v * this.a.value.data[0]), x.shape);
  }
  backward(dy: Tensor): Tensor {
    const x = this.cached(this.x);
    let s = 0;
    for (let i = 0; i < x.size; i++) s += dy.data[i] * x.data[i];
    this.a.grad.data[0] += s;
    return new Tensor(dy.data.map((v) => v * this.a.value.data[0]), dy.shape);
  }
}

describe('custom layers', () => {
  it('train inside Sequential; save writes them; load refuses unknown types', async () => {
    const scale = new Scale();
    const m = new Sequential([new Linear({ inFeatures: 3, outFeatures: 2, init: 'zeros' }), scale]);
    m.parameters()[0].value.data.set([1, 0, 0, 0, 1, 0]);
    expect(m.parameters().map((p) => p.name)).toEqual(['0.weight', '0.bias', '1.a']);
    const x = randomTensor([16, 3], 1);
    const y = new Tensor(new Float32Array(32), [16, 2]);
    for (let i = 0; i < 16; i++) {
      y.data[2 * i] = 3 * x.data[3 * i];
      y.data[2 * i + 1] = 3 * x.data[3 * i + 1];
    }
    const before = new MSELoss().forward(m.forward(x), y).loss;
    await m.fit(x, y, { epochs: 60, batchSize: 4, loss: 'mse', optimizer: new SGD([scale.a], { lr: 0.1 }), seed: 1 });
    expect(new MSELoss().forward(m.forward(x), y).loss).toBeLessThan(before / 100);
    expect(scale.a.value.data[0]).toBeCloseTo(3, 2);
    const bytes = m.save();
    expect(() => Sequential.load(bytes)).toThrow(/layer 1 \(Scale\) cannot be built: createLayer: unknown layer type 'Scale'/);
  });
});

it('yieldToEventLoop falls back to a MessageChannel task where setImmediate is missing (browsers)', async () => {
  const original = globalThis.setImmediate;
  const OriginalChannel = globalThis.MessageChannel;
  let channels = 0;
  globalThis.MessageChannel = class extends OriginalChannel {
    constructor() {
      super();
      channels++;
    }
  };
  (globalThis as { setImmediate?: unknown }).setImmediate = undefined;
  try {
    await yieldToEventLoop();
  } finally {
    globalThis.setImmediate = original;
    globalThis.MessageChannel = OriginalChannel;
  }
  expect(channels).toBe(1);
});
