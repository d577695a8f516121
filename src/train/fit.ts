// The training loop behind Module.fit: shuffled mini-batches, one optimizer step per
// batch (schedule, clipping), a yield to the event loop between batches, callbacks that
// can stop the run, and an AbortSignal checked before every step.
import { tidy } from '../tensor-scope.js';
import { withGlobalRandom } from '../init.js';
import type { LossTarget } from '../ops/loss.js';
import { Tensor, formatShape } from '../tensor.js';
import type { Module } from '../nn/module.js';
import { permutation, takeRows, takeTargets, yieldToEventLoop } from './batches.js';
import { clipGradNorm } from './clip.js';
import { evaluate } from './evaluate.js';
import { epochRandom, resolveFit, type CallbackResult, type EpochEndInfo, type FitOptions, type FitSetup, type History } from './fit-options.js';
import { countCorrect } from './metrics.js';
import { scheduledLr } from './schedule.js';

export type { BatchEndInfo, CallbackResult, EpochEndInfo, FitOptions, History } from './fit-options.js';

/** An error that ended a fit once training had started: the message says where (epoch,
 * batch), `cause` is the original error, and `history` holds the epochs completed before
 * it (the model's weights are those of the last completed step). */
export class FitError extends Error {
  readonly history: History;
  /** 0-based epoch in which it happened. */
  readonly epoch: number;
  /** 0-based batch of that epoch, or null outside a batch (validation, onEpochEnd). */
  readonly batch: number | null;

  constructor(message: string, where: { history: History; epoch: number; batch: number | null; cause?: unknown }) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'FitError';
    this.history = where.history;
    this.epoch = where.epoch;
    this.batch = where.batch;
  }
}

/** fit's rejection when its signal is aborted (name 'AbortError', as fetch's; `cause` is
 * the signal's reason). No step runs once the abort is seen. */
export class FitAbortError extends FitError {
  constructor(message: string, where: { history: History; epoch: number; batch: number | null; cause?: unknown }) {
    super(message, where);
    this.name = 'AbortError';
  }
}

/** Models with a fit in progress (a second concurrent fit is refused). */
const training = new WeakSet<Module>();

interface BatchResult {
  loss: number;
  correct: number | null;
  step: number;
  lr: number;
  gradNorm: number | undefined;
}

/** One synchronous training step on batch b: forward, loss, backward, clip, schedule, step. */
function trainBatch(model: Module, s: FitSetup, options: FitOptions, order: Int32Array | null, epoch: number, b: number): BatchResult {
  // The step's temporaries (batch, activations, loss) are freed when it ends; gradients
  // and the optimizer's state are kept, so a long run's backend memory stays flat.
  return tidy(() => trainStep(model, s, options, order, epoch, b));
}

function trainStep(model: Module, s: FitSetup, options: FitOptions, order: Int32Array | null, epoch: number, b: number): BatchResult {
  const [tx, ty] = s.train;
  const n = tx.shape[0];
  const start = b * s.batchSize;
  const end = Math.min(n, start + s.batchSize);
  let xb = takeRows(tx, order, start, end);
  if (options.augment) {
    const shape = xb.shape;
    xb = options.augment(xb, { epoch, batch: b });
    if (!(xb instanceof Tensor) || xb.shape.length !== shape.length || xb.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`augment must return a tensor of shape ${formatShape(shape)}, got ${xb instanceof Tensor ? formatShape(xb.shape) : String(xb)}`);
    }
  }
  const yb: LossTarget = takeTargets(ty, order, start, end);
  model.zeroGrad(); // the optimizer's parameters are among the model's
  const out = model.forward(xb);
  const lossTensor = s.loss.forward(out, yb);
  if (!(lossTensor instanceof Tensor) || lossTensor.size !== 1) {
    throw new Error(`the loss must return a scalar Tensor, got ${lossTensor instanceof Tensor ? formatShape(lossTensor.shape) : String(lossTensor)}`);
  }
  const loss = lossTensor.item();
  if (lossTensor.requiresGrad) lossTensor.backward();
  const { optimizer } = s;
  // A non-finite norm leaves the gradients alone; the step below then refuses them.
  const gradNorm = s.clip === null ? undefined : clipGradNorm(optimizer.parameters, s.clip);
  const step = optimizer.iterations;
  const before = optimizer.lr;
  if (s.schedule) optimizer.lr = scheduledLr('lrSchedule', s.schedule, { step, epoch });
  const lr = optimizer.currentLr;
  try {
    optimizer.step();
  } catch (err) {
    optimizer.lr = before; // a refused step changes nothing, the learning rate included
    throw err;
  }
  return { loss, correct: countCorrect(out, yb), step, lr, gradNorm };
}

/** Trains model on x, y (see FitOptions); resolves to the history.
 *
 * Stopping: a callback that returns 'stop' or calls `info.stop()` ends the run gracefully.
 * From onBatchEnd, the current epoch closes after that batch (mean loss and accuracy over
 * its batches so far, validation, onEpochEnd); from onEpochEnd, after that epoch. fit then
 * resolves with the history so far and `history.stopped` true.
 *
 * Aborting: the signal is checked before every step and once more before an epoch's
 * validation, so no step runs after the abort is seen and the weights are exactly those
 * of the last completed step. fit rejects with a FitAbortError (name 'AbortError') whose
 * `history` holds the epochs completed (validated and reported to onEpochEnd) before it.
 *
 * Any other error once training has started (a non-finite gradient, a throwing callback)
 * rejects with a FitError naming the epoch and batch, the original as its `cause` and the
 * history so far; a refused step has changed no parameter. Bad options and data are plain
 * Errors thrown before the first step. A second fit on a model whose fit has not finished
 * is refused (the first one is not disturbed). */
export async function fitModel(model: Module, x: Tensor, y: LossTarget, options: FitOptions = {}): Promise<History> {
  if (training.has(model)) {
    throw new Error(`fit: this ${model.type} is already being trained by another fit call that has not finished; await it (or abort its signal) before starting another`);
  }
  training.add(model);
  try {
    return await run(model, x, y, options);
  } finally {
    training.delete(model);
  }
}

async function run(model: Module, x: Tensor, y: LossTarget, options: FitOptions): Promise<History> {
  const s = resolveFit(model, x, y, options);
  const n = s.train[0].shape[0];
  const batches = Math.ceil(n / s.batchSize);
  const { signal, onBatchEnd, onEpochEnd } = options;
  const history: History = { epoch: [], loss: [], accuracy: [], valLoss: [], valAccuracy: [], epochTime: [], lr: [], stopped: false, seed: s.seed };
  let stopRequested = false;
  const stop = (): void => {
    stopRequested = true;
  };
  const aborted = (epoch: number, b: number): FitAbortError => {
    const where = b === 0 ? `before the first batch of epoch ${epoch + 1}` : `in epoch ${epoch + 1} after batch ${b} of ${batches}`;
    return new FitAbortError(`fit: aborted ${where}`, { history, epoch, batch: b === batches ? null : b, cause: signal?.reason });
  };
  const failed = (err: unknown, where: string, epoch: number, batch: number | null): FitError =>
    new FitError(`fit: ${where}: ${err instanceof Error ? err.message : String(err)}`, { history, epoch, batch, cause: err });

  for (let epoch = s.initialEpoch; epoch < s.epochs; epoch++) {
    model.train();
    const order = s.shuffle ? permutation(n, epochRandom(s.seed, epoch, 0)) : null;
    // The global generator during this epoch's steps (Dropout, augment): from (seed, epoch).
    const random = epochRandom(s.seed, epoch, 1);
    const started = performance.now();
    let total = 0;
    let samples = 0;
    let correct: number | null = 0;
    let lr = NaN;
    for (let b = 0; b < batches; b++) {
      if (signal?.aborted) throw aborted(epoch, b);
      let r: BatchResult;
      try {
        r = withGlobalRandom(random, () => trainBatch(model, s, options, order, epoch, b));
      } catch (err) {
        throw failed(err, `epoch ${epoch + 1}, batch ${b + 1} of ${batches}`, epoch, b);
      }
      const end = Math.min(n, (b + 1) * s.batchSize);
      total += r.loss * (end - b * s.batchSize);
      samples = end;
      correct = correct === null || r.correct === null ? null : correct + r.correct;
      lr = r.lr;
      if (onBatchEnd) {
        let result: Awaited<CallbackResult>;
        try {
          result = await onBatchEnd({
            epoch, batch: b, batches, loss: r.loss, samples: end, elapsed: (performance.now() - started) / 1000,
            step: r.step, lr: r.lr, ...(r.gradNorm === undefined ? {} : { gradNorm: r.gradNorm }), stop,
          });
        } catch (err) {
          throw failed(err, `onBatchEnd threw in epoch ${epoch + 1}, batch ${b + 1} of ${batches}`, epoch, b);
        }
        if (result === 'stop') stopRequested = true;
      }
      await yieldToEventLoop();
      if (stopRequested) break;
    }
    if (signal?.aborted) throw aborted(epoch, batches);
    const epochTime = (performance.now() - started) / 1000;
    const info: EpochEndInfo = {
      epoch, epochs: s.epochs, loss: total / samples, accuracy: correct === null ? NaN : correct / samples, epochTime, lr, stop,
    };
    if (s.val) {
      let v: { loss: number; accuracy: number };
      try {
        v = evaluate(model, s.val[0], s.val[1], { batchSize: Math.max(s.batchSize, 256), loss: s.loss });
      } catch (err) {
        throw failed(err, `validation after epoch ${epoch + 1}`, epoch, null);
      }
      info.valLoss = v.loss;
      info.valAccuracy = v.accuracy;
    }
    history.epoch.push(epoch);
    history.loss.push(info.loss);
    history.accuracy.push(info.accuracy);
    history.epochTime.push(epochTime);
    history.lr.push(lr);
    if (s.val) {
      history.valLoss.push(info.valLoss as number);
      history.valAccuracy.push(info.valAccuracy as number);
    }
    if (onEpochEnd) {
      let result: Awaited<CallbackResult>;
      try {
        result = await onEpochEnd(info);
      } catch (err) {
        throw failed(err, `onEpochEnd threw after epoch ${epoch + 1}`, epoch, null);
      }
      if (result === 'stop') stopRequested = true;
    }
    if (stopRequested) {
      history.stopped = true;
      break;
    }
  }
  model.train();
  return history;
}
