// AdamW, Adam, clipGradNorm and the LR schedules against PyTorch float64 values (fixture
// from scripts/fixtures/optim_reference.py). simdnet keeps weights and moments in float32,
// so trajectories agree to float32 rounding, not bit for bit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Adam, AdamW, CosineLR, Parameter, StepLR, Tensor, clipGradNorm } from '../src/index.js';

interface Fixture {
  settings: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number };
  shapes: number[][];
  init: number[][];
  grads: number[][][];
  adamw: number[][][];
  adam: number[][][];
  clip: { maxNorm: number; grads: number[][]; totalNorm: number; clipped: number[][] }[];
  schedules: {
    stepLR: { lr: number; stepSize: number; gamma: number; lrs: number[] };
    cosine: { lr: number; total: number; minLr: number; lrs: number[] };
  };
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/optim-reference.json', import.meta.url), 'utf8')) as Fixture;

function params(values: number[][]): Parameter[] {
  return values.map((v, k) => new Parameter(new Tensor(Float32Array.from(v), fixture.shapes[k])));
}

/** max |a − e| / max(1, max |e|). */
function relError(actual: ArrayLike<number>, expected: readonly number[]): number {
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return worst / scale;
}

describe('against torch.optim (float64 reference)', () => {
  for (const [name, Optim] of [['adamw', AdamW], ['adam', Adam]] as const) {
    it(`${name === 'adamw' ? 'AdamW' : 'Adam'} follows torch step by step for 6 steps (weight decay 0.1)`, () => {
      const ps = params(fixture.init);
      const opt = new Optim(ps, fixture.settings);
      fixture[name].forEach((expected, step) => {
        ps.forEach((p, k) => (p.grad = new Tensor(Float32Array.from(fixture.grads[step][k]), p.shape)));
        opt.step();
        ps.forEach((p, k) => expect(relError(p.data, expected[k])).toBeLessThan(1e-6));
      });
    });
  }

  it('the AdamW and Adam trajectories of the fixture really differ (decoupled vs L2 decay)', () => {
    expect(relError(Float32Array.from(fixture.adamw[5][0]), fixture.adam[5][0])).toBeGreaterThan(1e-3);
  });

  it('clipGradNorm returns torch clip_grad_norm_\'s total norm and clips the same way', () => {
    for (const c of fixture.clip) {
      const ps = params(fixture.shapes.map((s) => new Array(s.reduce((a, b) => a * b, 1)).fill(0)));
      ps.forEach((p, k) => (p.grad = new Tensor(Float32Array.from(c.grads[k]), p.shape)));
      expect(clipGradNorm(ps, c.maxNorm)).toBeCloseTo(c.totalNorm, 5);
      ps.forEach((p, k) => expect(relError((p.grad as Tensor).data, c.clipped[k])).toBeLessThan(1e-6));
    }
    expect(fixture.clip[0].totalNorm).toBeGreaterThan(fixture.clip[0].maxNorm); // the first case clips
  });

  it('StepLR and CosineLR by epoch give torch\'s StepLR and CosineAnnealingLR rates', () => {
    const { stepLR, cosine } = fixture.schedules;
    const s = new StepLR({ lr: stepLR.lr, stepSize: stepLR.stepSize, gamma: stepLR.gamma });
    const c = new CosineLR({ lr: cosine.lr, total: cosine.total, minLr: cosine.minLr });
    stepLR.lrs.forEach((lr, epoch) => expect(s.lrAt({ step: 0, epoch })).toBeCloseTo(lr, 15));
    cosine.lrs.forEach((lr, epoch) => expect(c.lrAt({ step: 0, epoch })).toBeCloseTo(lr, 15));
  });
});
