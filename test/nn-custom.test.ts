import { describe, expect, it } from 'vitest';
import { Linear, Module, Sequential, registerModule } from '../src/nn/index.js';
import { yieldToEventLoop } from '../src/train/batches.js';
import { SGD } from '../src/train/optim/index.js';
import { MSELoss } from '../src/losses.js';
import { mul } from '../src/ops/index.js';
import { Parameter, Tensor } from '../src/tensor.js';
import { randomTensor } from './support/random.js';

/** y = a·x elementwise with a learned scalar a: a user Module written with ops only. */
class Scale extends Module {
  readonly a = new Parameter(Float32Array.of(1));

  forward(x: Tensor): Tensor {
    return mul(x, this.a);
  }
}

describe('custom modules', () => {
  it('train inside Sequential through the tape; save refuses them until registered', async () => {
    const scale = new Scale();
    const m = new Sequential([new Linear({ inFeatures: 3, outFeatures: 2, init: 'zeros' }), scale]);
    m.parameters()[0].data.set([1, 0, 0, 0, 1, 0]);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '1.a']);
    const x = randomTensor([16, 3], 1);
    const y = new Tensor(new Float32Array(32), [16, 2]);
    for (let i = 0; i < 16; i++) {
      y.data[2 * i] = 3 * x.data[3 * i];
      y.data[2 * i + 1] = 3 * x.data[3 * i + 1];
    }
    const before = new MSELoss().forward(m.forward(x), y).item();
    await m.fit(x, y, { epochs: 60, batchSize: 4, loss: 'mse', optimizer: new SGD([scale.a], { lr: 0.1 }), seed: 1 });
    expect(new MSELoss().forward(m.forward(x), y).item()).toBeLessThan(before / 100);
    expect(scale.a.data[0]).toBeCloseTo(3, 2);
    expect(() => m.save()).toThrow(/save: module '1' is a Scale, which load cannot rebuild: call registerModule\(Scale\) first/);
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

it('registerModule refuses a built-in type name, which load would rebuild as the built-in', () => {
  class BasicBlock extends Module {
    forward(x: Tensor): Tensor {
      return x;
    }
  }
  expect(() => registerModule(BasicBlock)).toThrow(/registerModule: 'BasicBlock' is the name of a built-in module type; register BasicBlock under another name, e\.g\. registerModule\(BasicBlock, 'MyBasicBlock'\)/);
  expect(() => registerModule(BasicBlock, 'MyBasicBlock')).not.toThrow();
});
