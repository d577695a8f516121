// Learning-rate schedules by hand: exact values at chosen steps and epochs, and their checks.
import { describe, expect, it } from 'vitest';
import { CosineLR, LinearWarmup, StepLR } from '../src/index.js';

const at = (step: number, epoch = 0) => ({ step, epoch });

describe('StepLR', () => {
  it('is lr·gamma^⌊epoch/stepSize⌋ by default, and counts steps with by: "step"', () => {
    const s = new StepLR({ lr: 0.1, stepSize: 3, gamma: 0.5 });
    expect([0, 1, 2, 3, 4, 5, 6].map((e) => s.lrAt({ step: 1000, epoch: e }))).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]);
    const byStep = new StepLR({ lr: 1, stepSize: 2, by: 'step' }); // gamma defaults to 0.1
    expect([0, 1, 2, 3, 4].map((t) => byStep.lrAt(at(t, 7)))).toEqual([1, 1, 0.1, 0.1, 0.1 ** 2]);
  });
});

describe('CosineLR', () => {
  it('falls from lr to minLr along half a cosine over total epochs, then stays at minLr', () => {
    const c = new CosineLR({ lr: 1, total: 4, minLr: 0.2 });
    const values = [0, 1, 2, 3, 4, 5, 100].map((e) => c.lrAt({ step: 0, epoch: e }));
    const expected = [1, 0.2 + 0.8 * (1 + Math.SQRT1_2) / 2, 0.6, 0.2 + 0.8 * (1 - Math.SQRT1_2) / 2, 0.2, 0.2, 0.2];
    values.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 15));
    expect(values[1]).toBeCloseTo(0.8828427124746191, 15);
    const byStep = new CosineLR({ lr: 0.5, total: 2, by: 'step' });
    expect([0, 1, 2].map((t) => byStep.lrAt(at(t, 9)))).toEqual([0.5, 0.25, 0]);
  });
});

describe('LinearWarmup', () => {
  it('ramps (t + 1)/warmup of the way to a constant, so the first step moves and step warmup - 1 arrives', () => {
    const w = new LinearWarmup({ warmup: 4, then: 0.8 });
    const values = [0, 1, 2, 3, 4, 50].map((t) => w.lrAt(at(t)));
    [0.2, 0.4, 0.6, 0.8, 0.8, 0.8].forEach((v, i) => expect(values[i]).toBeCloseTo(v, 15));
    const start = new LinearWarmup({ warmup: 4, then: 1, startLr: 0.2 });
    [0.4, 0.6, 0.8, 1, 1].forEach((v, t) => expect(start.lrAt(at(t))).toBeCloseTo(v, 15));
  });

  it('hands over to a schedule whose clock starts when the warm-up ends', () => {
    const w = new LinearWarmup({ warmup: 2, then: new CosineLR({ lr: 1, total: 4, by: 'step' }) });
    const values = [0, 1, 2, 3, 4, 5, 6, 7].map((t) => w.lrAt(at(t)));
    [0.5, 1, 1, (1 + Math.SQRT1_2) / 2, 0.5, (1 - Math.SQRT1_2) / 2, 0, 0].forEach((v, i) => expect(values[i]).toBeCloseTo(v, 15));
    // Epoch warm-up into an epoch schedule; any function of (step, epoch) works as `then`.
    const e = new LinearWarmup({ warmup: 2, by: 'epoch', then: new StepLR({ lr: 1, stepSize: 1, gamma: 0.5 }) });
    expect([0, 1, 2, 3, 4].map((epoch) => e.lrAt({ step: 0, epoch }))).toEqual([0.5, 1, 1, 0.5, 0.25]);
    const f = new LinearWarmup({ warmup: 2, then: ({ step, epoch }) => 0.1 * (step + 1) + epoch });
    expect(f.lrAt(at(0, 3))).toBeCloseTo((0.1 + 3) / 2, 15); // target = then at its step 0
    expect(f.lrAt(at(5, 3))).toBeCloseTo(0.4 + 3, 15); // then at step 3
  });
});

describe('schedule checks', () => {
  it('refuse bad options, naming the schedule, the option and the value', () => {
    expect(() => new StepLR({ lr: 0.1 } as never)).toThrow(/^StepLR: stepSize must be a positive integer, got undefined/);
    expect(() => new StepLR({ lr: 0.1, stepSize: 2, step: 3 } as never)).toThrow(/StepLR: unknown option 'step'/);
    expect(() => new StepLR(undefined as never)).toThrow(/StepLR: options must be an object/);
    expect(() => new StepLR({ lr: -1, stepSize: 1 })).toThrow(/StepLR: lr must be a finite number ≥ 0, got -1/);
    expect(() => new StepLR({ lr: 1, stepSize: 1, by: 'batch' as never })).toThrow(/StepLR: by must be 'step' or 'epoch', got 'batch'/);
    expect(() => new CosineLR({ lr: 1, total: 0 })).toThrow(/CosineLR: total must be a positive integer, got 0/);
    expect(() => new CosineLR({ lr: 1, total: 3, minLr: NaN })).toThrow(/CosineLR: minLr must be a finite number ≥ 0, got NaN/);
    expect(() => new LinearWarmup({ warmup: 2.5, then: 1 })).toThrow(/LinearWarmup: warmup must be a positive integer, got 2.5/);
    expect(() => new LinearWarmup({ warmup: 2, then: 'cosine' as never })).toThrow(/LinearWarmup \(then\): expected a schedule/);
  });

  it('lrAt refuses a bad step or epoch, and a `then` function returning a bad rate', () => {
    const s = new StepLR({ lr: 0.1, stepSize: 2 });
    expect(() => s.lrAt({ step: -1, epoch: 0 })).toThrow(/StepLR.lrAt: step must be a non-negative integer, got -1/);
    expect(() => s.lrAt({ step: 0, epoch: 1.5 })).toThrow(/StepLR.lrAt: epoch must be a non-negative integer, got 1.5/);
    expect(() => s.lrAt(undefined as never)).toThrow(/StepLR.lrAt: expected \{ step, epoch \}/);
    const w = new LinearWarmup({ warmup: 1, then: () => NaN });
    expect(() => w.lrAt(at(3))).toThrow(/LinearWarmup \(then\): the learning-rate schedule returned NaN at step 2 \(epoch 0\)/);
  });
});
