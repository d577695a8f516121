// Seed 001's experiment (docs/background.md): one conv layer (input 3×3×28×28 ~ N(0,1), 4 filters 3×3 ~ N(0,1),
// zero bias) trained by plain SGD to output all ones. The seed's update is
// K -= 0.001·dK with dK = Σ (y - 1)·z / N (its mean_squared_loss returns dy = y - 1 and
// conv_backward divides by the batch N = 3); it reaches np.allclose(y, 1) at step 17,
// with the loss falling by a factor 4.8–8.5 every step.
//
// Our MSELoss is the mean over all n = 3·4·26·26 outputs, so its gradient is 2(y - 1)/n;
// SGD with lr = 0.001·n/(2N) makes exactly the seed's update. The data here is another
// draw from the same distribution, so the number of steps may differ a little (four draws
// here took 17, 17, 18 and 17 steps on both backends): we assert allclose after 14 to 20
// steps — at the seed's per-step factor of ~5, three steps either way is a 100× change in
// the loss — and a loss that falls by at least 3× on every step before that. A wrong
// conv gradient (a flipped kernel, a missing tap, a wrong scale) makes it diverge or
// stall and fails both.
import { describe, expect, it } from 'vitest';
import { setBackend } from '../src/backend/registry.js';
import type { BackendName } from '../src/backend/backend.js';
import { Conv2d } from '../src/nn/index.js';
import { MSELoss } from '../src/losses.js';
import { SGD } from '../src/train/optim/index.js';
import { ones, randn } from '../src/tensor.js';

/** numpy.allclose(a, b) with its defaults rtol = 1e-5, atol = 1e-8. */
function allclose(a: Float32Array, b: number): boolean {
  return a.every((v) => Math.abs(v - b) <= 1e-8 + 1e-5 * Math.abs(b));
}

function run(backend: BackendName, seed: number): { steps: number; losses: number[]; min: number; max: number } {
  setBackend(backend);
  const z = randn([3, 3, 28, 28], { seed });
  const conv = new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3 });
  conv.weight.data.set(randn([4, 3, 3, 3], { seed: seed + 1 }).data);
  const target = ones([3, 4, 26, 26]);
  const n = target.size;
  const opt = new SGD(conv.parameters(), { lr: (0.001 * n) / (2 * 3) });
  const mse = new MSELoss();
  const losses: number[] = [];
  for (let step = 0; step < 200; step++) {
    const y = conv.forward(z);
    if (allclose(y.data, 1)) {
      return { steps: step, losses, min: Math.min(...y.data), max: Math.max(...y.data) };
    }
    opt.zeroGrad();
    const loss = mse.forward(y, target);
    losses.push(loss.item());
    loss.backward();
    opt.step();
  }
  return { steps: Infinity, losses, min: NaN, max: NaN };
}

describe('seed 001: a conv layer learns to output all ones', () => {
  for (const backend of ['naive', 'js'] as const) {
    it(`converges to allclose in 14–20 SGD steps (the seed: 17) (${backend})`, () => {
      try {
        for (const seed of [1, 2]) {
          const r = run(backend, seed);
          expect(r.steps, `seed ${seed}: losses ${r.losses.map((l) => l.toExponential(2)).join(' ')}`).toBeLessThanOrEqual(20);
          expect(r.steps).toBeGreaterThanOrEqual(14);
          for (let i = 1; i < r.losses.length; i++) expect(r.losses[i]).toBeLessThan(r.losses[i - 1] / 3);
          expect(r.min).toBeGreaterThan(1 - 1e-5);
          expect(r.max).toBeLessThan(1 + 1e-5);
        }
      } finally {
        setBackend('js');
      }
    });
  }
});
