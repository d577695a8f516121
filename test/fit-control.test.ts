// fit's control of a run: callbacks that stop it, an AbortSignal, errors with context,
// concurrent fits, learning-rate schedules, gradient clipping and exact resumption from a
// checkpoint (initialEpoch, per-epoch randomness from the seed).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdamW, BatchNorm2d, Conv2d, CosineLR, Dropout, FitAbortError, FitError, Flatten, LinearWarmup, Linear,
  MaxPool2d, Random, ReLU, SGD, Sequential, StepLR, Tensor, crossEntropy, loadCheckpoint, mul, setBackend, setSeed, tensor,
  type BatchEndInfo, type History, type Loss,
} from '../src/index.js';

beforeAll(() => {
  setBackend('js');
});

function net(): Sequential {
  return new Sequential([
    new Conv2d({ inChannels: 1, outChannels: 3, kernelSize: 3, padding: 1 }),
    new BatchNorm2d({ numFeatures: 3 }),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Flatten(),
    new Dropout({ p: 0.25 }),
    new Linear({ inFeatures: 3 * 3 * 3, outFeatures: 3 }),
  ]);
}

/** n 6×6 images whose class is the brightest of three column bands. */
function toy(n: number, seed: number): { x: Tensor; y: Int32Array } {
  const rng = new Random(seed);
  const x = new Tensor(new Float32Array(n * 36), [n, 1, 6, 6]);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(3);
    for (let p = 0; p < 36; p++) x.data[i * 36 + p] = rng.uniform(0, 0.5) + (Math.floor((p % 6) / 2) === y[i] ? 0.8 : 0);
  }
  return { x, y };
}

const { x, y } = toy(32, 3); // batch 8: 4 batches per epoch

const weights = (m: Sequential): number[][] => m.parameters().map((p) => Array.from(p.data));
const state = (m: Sequential): number[][] => Object.values(m.stateDict()).map((t) => Array.from(t.data));

async function rejection(p: Promise<unknown>): Promise<FitError> {
  try {
    await p;
  } catch (err) {
    return err as FitError;
  }
  throw new Error('expected fit to reject');
}

describe('stopping from a callback', () => {
  it('info.stop() in onBatchEnd closes the epoch on the batches run and resolves with the history', async () => {
    setSeed(1);
    const m = net();
    const seen: string[] = [];
    const losses: number[] = [];
    let atStop: number[][] = [];
    const epochEnds: number[] = [];
    const history = await m.fit(x, y, {
      epochs: 5, batchSize: 8, optimizer: new SGD(m.parameters(), { lr: 0.1 }), validationData: [x, y], seed: 2,
      onBatchEnd: (info) => {
        seen.push(`${info.epoch}:${info.batch}`);
        if (info.epoch === 1) losses.push(info.loss);
        if (info.epoch === 1 && info.batch === 1) {
          info.stop();
          atStop = weights(m);
        }
      },
      onEpochEnd: (info) => { epochEnds.push(info.epoch); },
    });
    expect(seen).toEqual(['0:0', '0:1', '0:2', '0:3', '1:0', '1:1']);
    expect(weights(m)).toEqual(atStop); // no step after the stop
    expect(history.stopped).toBe(true);
    expect(history.epoch).toEqual([0, 1]);
    expect(epochEnds).toEqual([0, 1]);
    expect(history.valLoss).toHaveLength(2);
    expect(history.loss[1]).toBeCloseTo((losses[0] + losses[1]) / 2, 6); // over the 16 examples run
  });

  it("returning 'stop' (or a promise of it) from onEpochEnd or onBatchEnd ends training there", async () => {
    setSeed(1);
    const m = net();
    let batches = 0;
    const h = await m.fit(x, y, { epochs: 3, batchSize: 8, onBatchEnd: () => { batches++; }, onEpochEnd: () => 'stop' });
    expect(batches).toBe(4);
    expect(h).toMatchObject({ epoch: [0], stopped: true });
    const h2 = await m.fit(x, y, { epochs: 3, batchSize: 8, onBatchEnd: async (i) => (i.batch === 2 ? 'stop' : undefined) });
    expect(h2.epoch).toEqual([0]);
    expect(h2.stopped).toBe(true);
    const h3 = await m.fit(x, y, { epochs: 2, batchSize: 16 });
    expect(h3.stopped).toBe(false);
    expect(h3.epoch).toEqual([0, 1]);
  });
});

describe('aborting', () => {
  it('an abort during onEpochEnd runs no batch of the next epoch; the error carries the history and the reason', async () => {
    setSeed(1);
    const m = net();
    const controller = new AbortController();
    let batches = 0;
    let atAbort: number[][] = [];
    const reason = new Error('user pressed stop');
    const err = await rejection(m.fit(x, y, {
      epochs: 3, batchSize: 8, signal: controller.signal,
      onBatchEnd: () => { batches++; },
      onEpochEnd: () => {
        controller.abort(reason);
        atAbort = state(m);
      },
    }));
    expect(err).toBeInstanceOf(FitAbortError);
    expect(err.name).toBe('AbortError');
    expect(err.message).toBe('fit: aborted before the first batch of epoch 2');
    expect(err.cause).toBe(reason);
    expect(batches).toBe(4);
    expect(state(m)).toEqual(atAbort);
    expect(err.history.epoch).toEqual([0]);
    expect(err.history.loss).toHaveLength(1);
    expect(err.epoch).toBe(1);
  });

  it('an abort mid-epoch keeps the weights of the last step and the history of the completed epochs', async () => {
    setSeed(1);
    const m = net();
    const controller = new AbortController();
    let atAbort: number[][] = [];
    let batches = 0;
    const err = await rejection(m.fit(x, y, {
      epochs: 3, batchSize: 8, signal: controller.signal, validationData: [x, y],
      onBatchEnd: (info) => {
        batches++;
        if (info.epoch === 1 && info.batch === 3) {
          controller.abort(); // after the epoch's last step: its validation does not run either
          atAbort = state(m);
        }
      },
    }));
    expect(err).toMatchObject({ name: 'AbortError', message: 'fit: aborted in epoch 2 after batch 4 of 4' });
    expect(batches).toBe(8);
    expect(state(m)).toEqual(atAbort);
    expect(err.history.epoch).toEqual([0]);
    expect(err.history.valLoss).toHaveLength(1);
    const before = state(m);
    const aborted = new AbortController();
    aborted.abort();
    const early = await rejection(m.fit(x, y, { signal: aborted.signal }));
    expect(early).toMatchObject({ name: 'AbortError', message: 'fit: aborted before the first batch of epoch 1' });
    expect(early.history.epoch).toEqual([]);
    expect(state(m)).toEqual(before);
  });
});

describe('errors during training', () => {
  it('keep the original as cause, name the epoch and batch, and carry the history so far', async () => {
    setSeed(1);
    const m = net();
    const boom = new Error('boom');
    const err = await rejection(m.fit(x, y, {
      epochs: 2, batchSize: 8, onBatchEnd: (i) => { if (i.epoch === 1 && i.batch === 1) throw boom; },
    }));
    expect(err).toBeInstanceOf(FitError);
    expect(err.message).toBe('fit: onBatchEnd threw in epoch 2, batch 2 of 4: boom');
    expect(err.cause).toBe(boom);
    expect(err.history.epoch).toEqual([0]);
    expect([err.epoch, err.batch]).toEqual([1, 1]);
  });

  it('a NaN gradient (with clipping on) is refused by the optimizer: no weight changes, the cause names it', async () => {
    setSeed(1);
    const m = net();
    let poison = false;
    // A custom loss written with ops: NaN times the cross-entropy once poisoned.
    const loss: Loss = { type: 'Poisoned', forward: (out, t) => mul(crossEntropy(out, t), tensor([poison ? NaN : 1])) };
    const opt = new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
    let before: number[][] = [];
    const err = await rejection(m.fit(x, y, {
      epochs: 2, batchSize: 8, loss, optimizer: opt, clipGradNorm: 1, lrSchedule: ({ step }) => 0.1 + step,
      onBatchEnd: (i) => {
        if (i.epoch === 0 && i.batch === 2) {
          poison = true;
          before = weights(m);
        }
      },
    }));
    expect(err.message).toMatch(/^fit: epoch 1, batch 4 of 4: SGD.step: gradient of '0.weight' has a non-finite value/);
    expect((err.cause as Error).message).toMatch(/^SGD.step: gradient of '0.weight'/);
    expect(weights(m)).toEqual(before);
    expect(opt.iterations).toBe(3);
    expect(opt.lr).toBe(0.1 + 2); // the refused step's scheduled rate was taken back
  });

  it('bad new options are refused before the first step', async () => {
    const m = net();
    const before = state(m);
    await expect(m.fit(x, y, { epochs: 4, initialEpoch: 4 })).rejects.toThrow(/fit: initialEpoch must be an integer in \[0, epochs = 4\) .* got 4/);
    await expect(m.fit(x, y, { initialEpoch: -1 })).rejects.toThrow(/fit: initialEpoch/);
    await expect(m.fit(x, y, { clipGradNorm: 0 })).rejects.toThrow(/fit: clipGradNorm must be a finite number > 0 .* got 0/);
    await expect(m.fit(x, y, { lrSchedule: 0.1 as never })).rejects.toThrow(/fit \(lrSchedule\): expected a schedule/);
    await expect(m.fit(x, y, { lrSchedule: () => -1 })).rejects.toThrow(/fit \(lrSchedule\): the learning-rate schedule returned -1 at step 0 \(epoch 0\)/);
    await expect(m.fit(x, y, { seed: NaN })).rejects.toThrow(/fit: seed must be a finite number, got NaN/);
    await expect(m.fit(x, y, { onEpochEnd: 'stop' as never })).rejects.toThrow(/fit: onEpochEnd must be a function/);
    await expect(m.fit(x, y, { epoch: 3 } as never)).rejects.toThrow(/fit: unknown option 'epoch'/);
    expect(state(m)).toEqual(before);
  });
});

describe('concurrent fits', () => {
  it('a second fit on a model in training is refused; the first runs to the same result as alone', async () => {
    const run = async (withIntruder: boolean): Promise<{ w: number[][]; h: History; refused: unknown }> => {
      setSeed(4);
      const m = net();
      const first = m.fit(x, y, { epochs: 2, batchSize: 8, seed: 5 });
      let refused: unknown = null;
      if (withIntruder) refused = await rejection(m.fit(x, y, { epochs: 1, batchSize: 8 }));
      const h = await first;
      return { w: state(m), h, refused };
    };
    const alone = await run(false);
    const contested = await run(true);
    expect(contested.refused).toBeInstanceOf(Error);
    expect((contested.refused as Error).message).toMatch(/^fit: this Sequential is already being trained by another fit call that has not finished/);
    expect(contested.w).toEqual(alone.w);
    expect(contested.h.loss).toEqual(alone.h.loss);
    // Once the first has finished the model can be trained again; another model meanwhile too.
    setSeed(4);
    const m = net();
    const other = net();
    await Promise.all([m.fit(x, y, { batchSize: 8 }), other.fit(x, y, { batchSize: 8 })]);
    await expect(m.fit(x, y, { batchSize: 8 })).resolves.toMatchObject({ epoch: [0] });
  });
});

describe('learning-rate schedules in fit', () => {
  it('set the optimizer lr before every step from (optimizer step, epoch); history records each epoch\'s', async () => {
    setSeed(1);
    const m = net();
    const opt = new SGD(m.parameters(), { lr: 1 });
    const steps: [number, number][] = [];
    const h = await m.fit(x, y, {
      epochs: 3, batchSize: 8, optimizer: opt, lrSchedule: new StepLR({ lr: 0.1, stepSize: 1, gamma: 0.5 }),
      onBatchEnd: (i: BatchEndInfo) => { steps.push([i.step, i.lr]); },
    });
    expect(h.lr).toEqual([0.1, 0.05, 0.025]);
    expect(steps.map((s) => s[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(steps.map((s) => s[1])).toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025]);
    expect(opt.lr).toBe(0.025);
    // Warm-up by step continues from the optimizer's step count in a second fit.
    const lrs: number[] = [];
    await m.fit(x, y, {
      epochs: 1, batchSize: 8, optimizer: opt, lrSchedule: new LinearWarmup({ warmup: 16, then: 0.2 }),
      onBatchEnd: (i) => { lrs.push(i.lr); },
    });
    [13, 14, 15, 16].forEach((k, i) => expect(lrs[i]).toBeCloseTo(k === 16 ? 0.2 : (0.2 * k) / 16, 15));
  });

  it('the scheduled rate is the one the step uses (with SGD decay on top): a zero rate trains nothing', async () => {
    setSeed(1);
    const m = net();
    const before = weights(m);
    const h = await m.fit(x, y, { epochs: 2, batchSize: 8, optimizer: new SGD(m.parameters(), { lr: 0.5 }), lrSchedule: () => 0 });
    expect(weights(m)).toEqual(before);
    expect(h.lr).toEqual([0, 0]);
    const decayed = await m.fit(x, y, {
      epochs: 2, batchSize: 8, optimizer: new SGD(m.parameters(), { lr: 0.5, decay: 0.5 }), lrSchedule: ({ epoch }) => 0.01 * (epoch + 1),
    });
    expect(decayed.lr).toEqual([0.01 / (1 + 3 * 0.5), 0.02 / (1 + 7 * 0.5)]); // the epochs' last steps, t = 3 and 7
  });
});

describe('gradient clipping in fit', () => {
  it('clips every step to the global norm (each SGD step moves the weights by at most lr·maxNorm)', async () => {
    setSeed(1);
    const m = net();
    const norms: number[] = [];
    let last = weights(m).flat();
    let worst = 0;
    await m.fit(x, y, {
      epochs: 1, batchSize: 8, optimizer: new SGD(m.parameters(), { lr: 1 }), clipGradNorm: 1e-3,
      onBatchEnd: (i) => {
        norms.push(i.gradNorm as number);
        const now = weights(m).flat();
        worst = Math.max(worst, Math.hypot(...now.map((v, k) => v - last[k])));
        last = now;
      },
    });
    expect(norms).toHaveLength(4);
    expect(Math.min(...norms)).toBeGreaterThan(1e-2); // the raw norms are far above maxNorm
    expect(worst).toBeLessThan(1e-3 * 1.001);
    expect(worst).toBeGreaterThan(1e-3 * 0.99);
  });
});

describe('resuming from a checkpoint', () => {
  const options = () => ({
    batchSize: 8, clipGradNorm: 5, validationData: [x, y] as const,
    lrSchedule: new LinearWarmup({ warmup: 3, then: new CosineLR({ lr: 0.02, total: 4, minLr: 0.002 }) }),
  });
  const adamw = (m: Sequential): AdamW => new AdamW(m.parameters(), { lr: 0.02, weightDecay: 0.05 });

  it('4 epochs straight equal 2 epochs + save + load + 2 more, bit for bit (shuffle, Dropout, BN, AdamW, schedule)', async () => {
    setSeed(7);
    const straight = net();
    const h = await straight.fit(x, y, { ...options(), epochs: 4, optimizer: adamw(straight) }); // no seed: one is drawn
    setSeed(7);
    const first = net();
    const opt1 = adamw(first);
    const h1 = await first.fit(x, y, { ...options(), epochs: 2, optimizer: opt1, seed: h.seed });
    const checkpoint = loadCheckpoint(first.save({ optimizer: opt1 }));
    const resumed = checkpoint.model as Sequential;
    const opt2 = adamw(resumed);
    opt2.loadStateDict(checkpoint.optimizer as NonNullable<typeof checkpoint.optimizer>);
    const h2 = await resumed.fit(x, y, { ...options(), epochs: 4, initialEpoch: 2, optimizer: opt2, seed: h.seed });
    expect(h2.epoch).toEqual([2, 3]);
    expect([...h1.loss, ...h2.loss]).toEqual(h.loss);
    expect([...h1.lr, ...h2.lr]).toEqual(h.lr);
    expect([...h1.valLoss, ...h2.valLoss]).toEqual(h.valLoss);
    expect(state(resumed)).toEqual(state(straight));
    expect(opt2.iterations).toBe(16);
  });

  it('epoch k\'s shuffle order depends on (seed, k) only, not on what ran before', async () => {
    const orders = async (initialEpoch: number): Promise<string[]> => {
      const seen: string[] = [];
      setSeed(1);
      const m = net();
      await m.fit(x, y, {
        epochs: 3, initialEpoch, batchSize: 32, seed: 9, optimizer: new SGD(m.parameters(), { lr: 0 }),
        augment: (xb, info) => {
          seen.push(`${info.epoch}:${Array.from(xb.data.subarray(0, 36 * 4).filter((_, i) => i % 36 === 0)).join(',')}`);
          return xb;
        },
      });
      return seen;
    };
    const all = await orders(0);
    expect(new Set(all.map((s) => s.slice(2))).size).toBe(3); // a new order every epoch
    expect(await orders(2)).toEqual(all.slice(2));
  });
});
