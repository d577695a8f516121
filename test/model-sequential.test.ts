import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../src/backend/registry.js';
import {
  BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sequential, Tanh,
} from '../src/nn/index.js';
import { CrossEntropyLoss, MSELoss } from '../src/losses.js';
import { SGD } from '../src/train/optim/index.js';
import { setSeed } from '../src/init.js';
import { Random } from '../src/random.js';
import { Tensor } from '../src/tensor.js';
import { noGrad } from '../src/autograd/graph.js';
import { gradientError, numericGradient, project } from './support/gradcheck.js';
import { randomTensor } from './support/random.js';

/** A fresh smallCnn holding m's values (to compare state after an operation). */
function smallCnnWith(m: Sequential): Sequential {
  const copy = smallCnn();
  copy.loadStateDict(Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, t.copyDetached()])));
  return copy;
}

beforeAll(() => {
  setBackend('js');
});

function smallCnn(): Sequential {
  return new Sequential([
    new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }),
    new BatchNorm2d({ numFeatures: 4 }),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Flatten(),
    new Dropout({ p: 0.2 }),
    new Linear({ inFeatures: 4 * 4 * 4, outFeatures: 3 }),
  ]);
}

/** A learnable toy problem: class = which third of the image is brightest. */
function toyData(n: number, seed: number): { x: Tensor; y: Int32Array } {
  const rng = new Random(seed);
  const x = new Tensor(new Float32Array(n * 64), [n, 1, 8, 8]);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(3);
    y[i] = c;
    for (let p = 0; p < 64; p++) {
      const col = p % 8;
      const band = col < 3 ? 0 : col < 6 ? 1 : 2;
      x.data[i * 64 + p] = rng.uniform(0, 0.5) + (band === c ? 0.8 : 0);
    }
  }
  return { x, y };
}

function snapshot(model: Sequential): number[][] {
  return [...model.parameters().map((p) => Array.from(p.data)), ...model.buffers().map((b) => Array.from(b.data))];
}

describe('Sequential', () => {
  it('names parameters by layer index and counts them in summary()', () => {
    const m = smallCnn();
    expect(m.parameters().map((p) => p.name)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '6.weight', '6.bias']);
    const s = m.summary([2, 1, 8, 8]);
    expect(s).toContain('0 Conv2d');
    expect(s).toContain('[2, 4, 8, 8]');
    expect(s).toContain('[2, 3]');
    expect(s).toContain(`Total parameters: ${4 * 9 + 4 + 4 + 4 + 64 * 3 + 3}`);
    expect(m.summary()).toMatch(/0 Conv2d +\? +40\n/);
    expect(() => m.summary([2, 3, 8, 8])).toThrow(/layer 0 \(Conv2d\) failed on input \[2, 3, 8, 8\]: Conv2d: expected input \[N, 1, H, W\]/);
    // summary's probe forward runs in eval mode without the tape and leaves no trace.
    expect(snapshot(m)).toEqual(snapshot(smallCnnWith(m)));
  });

  it('whole-model backward matches finite differences (naive backend, eval-mode BatchNorm excluded)', () => {
    setBackend('naive');
    try {
      const m = new Sequential([
        new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1 }),
        new Tanh(),
        new Flatten(),
        new Linear({ inFeatures: 3 * 3 * 3, outFeatures: 4 }),
      ]);
      const x = randomTensor([2, 2, 5, 5], 3);
      x.requiresGrad = true;
      const y = m.forward(x);
      const r = randomTensor([...y.shape], 4);
      m.zeroGrad();
      y.backward(r);
      const dx = x.grad as Tensor;
      const grads = m.parameters().map((p) => Float64Array.from((p.grad as Tensor).data));
      const loss = (): number => noGrad(() => project(m.forward(x), r));
      expect(gradientError(numericGradient(x, loss, 1e-2), dx.data)).toBeLessThan(2e-3);
      m.parameters().forEach((p, k) => expect(gradientError(numericGradient(p, loss, 1e-2), grads[k]), p.name).toBeLessThan(2e-3));
      // Without an input that requires a gradient the parameter gradients are the same.
      m.zeroGrad();
      m.forward(x.detach()).backward(r);
      m.parameters().forEach((p, k) => (p.grad as Tensor).data.forEach((g, i) => expect(g).toBeCloseTo(grads[k][i], 5)));
    } finally {
      setBackend('js');
    }
  });

  it('a failed forward (shape error) names the layer and shapes and changes no state', () => {
    const m = smallCnn();
    m.forward(randomTensor([2, 1, 8, 8], 1));
    const before = snapshot(m);
    expect(() => m.forward(randomTensor([2, 1, 10, 10], 2))).toThrow(
      /Sequential: layer 6 \(Linear\) failed on input \[2, 100\]: Linear: expected input \[N, 64\], got \[2, 100\]/,
    );
    expect(() => m.forward(randomTensor([2, 8, 8], 2))).toThrow(/layer 0 \(Conv2d\).*\[2, 8, 8\]/);
    try {
      m.forward(randomTensor([2, 1, 10, 10], 2));
    } catch (err) {
      expect((err as Error).cause).toBeInstanceOf(Error); // the layer's own error is kept
    }
    expect(snapshot(m)).toEqual(before);
  });

  it('a failed step (NaN gradient) leaves every parameter unchanged', () => {
    const m = smallCnn();
    const opt = new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
    const { x, y } = toyData(8, 5);
    const loss = new CrossEntropyLoss();
    const step = (poison: boolean): void => {
      m.zeroGrad();
      loss.forward(m.forward(x), y).backward();
      if (poison) (m.parameters()[2].grad as Tensor).data[1] = NaN;
      opt.step();
    };
    step(false);
    const before = snapshot(m).slice(0, m.parameters().length);
    expect(() => step(true)).toThrow(/SGD.step: gradient of '1.weight' has a non-finite value/);
    expect(snapshot(m).slice(0, m.parameters().length)).toEqual(before);
  });

  it('predict and evaluate give the same results for any batch size (incl. a ragged last batch)', () => {
    setSeed(11);
    const m = smallCnn();
    const { x, y } = toyData(23, 6);
    const all = m.predict(x, { batchSize: 100 });
    const small = m.predict(x, { batchSize: 5 });
    expect(all.shape).toEqual([23, 3]);
    all.data.forEach((v, i) => expect(small.data[i]).toBeCloseTo(v, 5));
    const e1 = m.evaluate(x, y, { batchSize: 23 });
    const e2 = m.evaluate(x, y, { batchSize: 4 });
    expect(e2.loss).toBeCloseTo(e1.loss, 5);
    expect(e2.accuracy).toBe(e1.accuracy);
    expect(m.training).toBe(true);
    expect(() => m.evaluate(x, y.subarray(0, 20))).toThrow(/evaluate: x has 23 examples .* but y has 20/);
    expect(() => m.predict(x, { batchSize: 0 })).toThrow(/predict: batchSize must be a positive integer/);
    expect(Number.isNaN(m.evaluate(x, new Tensor(new Float32Array(23 * 3), [23, 3]), { loss: new MSELoss() }).accuracy)).toBe(false);
  });

  it('fit learns a toy problem and reports a history per epoch', async () => {
    setSeed(1);
    const m = smallCnn();
    const { x, y } = toyData(120, 7);
    const val = toyData(40, 8);
    const batches: number[] = [];
    const epochs: number[] = [];
    const history = await m.fit(x, y, {
      epochs: 3, batchSize: 16, optimizer: new SGD(m.parameters(), { lr: 0.05, momentum: 0.9 }), seed: 3,
      validationData: [val.x, val.y],
      onBatchEnd: (info) => { batches.push(info.batch); },
      onEpochEnd: (info) => { epochs.push(info.epoch); },
    });
    expect(history.loss).toHaveLength(3);
    expect(history.valLoss).toHaveLength(3);
    expect(history.valAccuracy).toHaveLength(3);
    expect(history.epochTime.every((t) => t > 0)).toBe(true);
    expect(batches.length).toBe(3 * 8);
    expect(epochs).toEqual([0, 1, 2]);
    expect(history.loss[2]).toBeLessThan(history.loss[0]);
    expect(history.valAccuracy[2]).toBeGreaterThan(0.9);
    expect(m.evaluate(val.x, val.y).accuracy).toBe(history.valAccuracy[2]);
  });

  it('validationSplit holds out the last examples; the same seeds reproduce a run bit for bit', async () => {
    const run = async (): Promise<{ history: Awaited<ReturnType<Sequential['fit']>>; weights: number[][] }> => {
      setSeed(5);
      const m = smallCnn();
      const { x, y } = toyData(50, 9);
      const history = await m.fit(x, y, { epochs: 2, batchSize: 8, validationSplit: 0.2, seed: 9 });
      return { history, weights: snapshot(m) };
    };
    const a = await run();
    const b = await run();
    expect(a.history.valLoss).toHaveLength(2);
    expect(a.history.loss).toEqual(b.history.loss);
    expect(a.weights).toEqual(b.weights);
    const m = smallCnn();
    const { x, y } = toyData(10, 1);
    await expect(m.fit(x, y, { validationSplit: 1 })).rejects.toThrow(/validationSplit/);
    await expect(m.fit(x, y, { epochs: 0 })).rejects.toThrow(/epochs must be a positive integer/);
    const before = snapshot(m);
    const bad = Int32Array.from(y);
    bad[9] = 3;
    await expect(m.fit(x, bad, { batchSize: 2 })).rejects.toThrow(/fit \(y\): label 3 at index 9 is not an integer class in \[0, 3\)/);
    await expect(m.fit(x, y, { validationData: [x, bad] })).rejects.toThrow(/fit \(validation y\): label 3/);
    expect(snapshot(m)).toEqual(before);
    await expect(m.fit(x, [0, 1], {})).rejects.toThrow(/fit: x has 10 examples/);
    await expect(m.fit(x, y, { optimizer: new SGD(smallCnn().parameters()) })).rejects.toThrow(/not this model's/);
  });

  it('fit applies augment to every training batch (not to validation data) and checks its shape', async () => {
    setSeed(4);
    const m = smallCnn();
    const { x, y } = toyData(20, 12);
    const calls: string[] = [];
    await m.fit(x, y, {
      epochs: 2, batchSize: 8, validationData: [x, y],
      augment: (xb, info) => {
        calls.push(`${info.epoch}:${info.batch}:${xb.shape[0]}`);
        return xb;
      },
    });
    expect(calls).toEqual(['0:0:8', '0:1:8', '0:2:4', '1:0:8', '1:1:8', '1:2:4']);
    await expect(m.fit(x, y, { batchSize: 8, augment: (xb) => xb.reshape([-1, 64]) })).rejects.toThrow(/augment must return a tensor of shape \[8, 1, 8, 8\], got \[8, 64\]/);
  });

  it('fit yields to the event loop and an AbortSignal stops it with consistent weights', async () => {
    setSeed(2);
    const m = smallCnn();
    const { x, y } = toyData(64, 10);
    const controller = new AbortController();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    let seen = 0;
    let atAbort: number[][] = [];
    const promise = m.fit(x, y, {
      epochs: 5, batchSize: 4,
      signal: controller.signal,
      onBatchEnd: (info) => {
        seen++;
        if (info.epoch === 1 && info.batch === 2) {
          controller.abort();
          atAbort = snapshot(m);
        }
      },
    });
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    clearInterval(timer);
    expect(seen).toBe(16 + 3);
    expect(snapshot(m)).toEqual(atAbort);
    expect(ticks).toBeGreaterThan(0);
    const aborted = new AbortController();
    aborted.abort();
    await expect(m.fit(x, y, { signal: aborted.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
