// A residual network trained step by step against PyTorch in float64 (fixture from
// scripts/fixtures/resnet_trajectory.py): losses, first-step gradients, final weights,
// BatchNorm running statistics and eval-mode logits, on every backend.
import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, SGD, Tensor, getBackend, loadBackend, setBackend, type Backend, type BackendName } from '../src/index.js';
import { Net, readResnetFixture, toTensor, type FixtureTensor } from './support/resnet-fixture.js';

const fixture = readResnetFixture();

/** max |a − e| / max(1, max |e|). */
function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return worst / scale;
}

function rows(x: Tensor, index: number[]): Tensor {
  const row = x.size / x.shape[0];
  const out = new Float32Array(index.length * row);
  index.forEach((r, i) => out.set(x.data.subarray(r * row, (r + 1) * row), i * row));
  return new Tensor(out, [index.length, ...x.shape.slice(1)]);
}

function trainTrajectory(): { net: Net; losses: number[]; firstGrads: Map<string, Float32Array> } {
  const net = new Net();
  const state = Object.fromEntries(Object.entries(fixture.initial).map(([k, v]) => [k, toTensor(v)]));
  net.loadStateDict(state);
  const { lr, momentum, weightDecay } = fixture.config;
  const opt = new SGD(net.parameters(), { lr, momentum, weightDecay });
  const x = toTensor(fixture.inputs);
  const loss = new CrossEntropyLoss();
  const losses: number[] = [];
  const firstGrads = new Map<string, Float32Array>();
  net.train();
  fixture.batches.forEach((batch, step) => {
    net.zeroGrad();
    const l = loss.forward(net.forward(rows(x, batch)), batch.map((i) => fixture.labels[i]));
    l.backward();
    losses.push(l.item());
    if (step === 0) for (const [name, p] of net.namedParameters()) firstGrads.set(name, (p.grad as Tensor).data.slice());
    opt.step();
  });
  return { net, losses, firstGrads };
}

describe.each(['naive', 'js', 'wasm'] as BackendName[])('residual network trajectory vs PyTorch float64 on %s', (name) => {
  it('matches loss per step, first-step gradients, final state dict and eval logits', async () => {
    const backend: Backend = name === 'wasm' ? await loadBackend('wasm') : getBackend(name);
    const before = setBackend(backend);
    try {
      const { net, losses, firstGrads } = trainTrajectory();
      const lossErr = losses.map((l, i) => Math.abs(l - fixture.losses[i]));
      expect(Math.max(...lossErr), `loss differences per step ${lossErr.map((e) => e.toExponential(1)).join(' ')}`).toBeLessThan(2e-5);
      for (const [key, g] of Object.entries(fixture.firstStepGrads)) {
        expect(relError(firstGrads.get(key) as Float32Array, g.data), `first-step gradient of ${key}`).toBeLessThan(1e-4);
      }
      const state = net.stateDict();
      expect(Object.keys(state)).toEqual(Object.keys(fixture.final));
      for (const [key, v] of Object.entries(fixture.final)) {
        const expected = typeof v === 'number' ? [v] : (v as FixtureTensor).data;
        expect(relError(state[key].data, expected), `final ${key}`).toBeLessThan(1e-4);
      }
      const logits = net.predict(toTensor(fixture.inputs));
      expect(relError(logits.data, fixture.evalLogits.data), 'eval-mode logits').toBeLessThan(1e-4);
    } finally {
      setBackend(before);
    }
  });
});
