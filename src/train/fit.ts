// The training loop behind Sequential.fit: shuffled mini-batches, one optimizer step per
// batch, a yield to the event loop between batches, and an AbortSignal checked before
// every step (so an abort leaves the weights as the last completed step made them).
import { Random } from '../random.js';
import { globalRandom } from '../init.js';
import { Adam, SGD, type Optimizer } from './optim/index.js';
import { CrossEntropyLoss, resolveLoss, type Loss, type LossName } from '../losses.js';
import { toClassLabels, type LossTarget } from '../ops/loss.js';
import { checkOptions } from '../ops/validate.js';
import { Tensor, formatShape } from '../tensor.js';
import type { Module } from '../nn/module.js';
import { checkBatchSize, checkData, permutation, takeRows, takeTargets, yieldToEventLoop } from './batches.js';
import { evaluate, inference } from './evaluate.js';
import { countCorrect } from './metrics.js';

export interface BatchEndInfo {
  epoch: number;
  /** 0-based index of the batch in this epoch. */
  batch: number;
  batches: number;
  /** This batch's loss. */
  loss: number;
  /** Examples trained so far in this epoch. */
  samples: number;
  /** Seconds since the epoch started. */
  elapsed: number;
}

export interface EpochEndInfo {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Seconds spent training this epoch (validation excluded). */
  epochTime: number;
}

export interface FitOptions {
  /** Default 1. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** An optimizer over model.parameters() (or a subset), or 'sgd' (lr 0.01) / 'adam' (lr 0.001, the default). */
  optimizer?: Optimizer | 'sgd' | 'adam';
  /** Default 'crossEntropy'. */
  loss?: Loss | LossName;
  /** Reshuffle the training examples every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling (default: the global generator, see setSeed). */
  seed?: number;
  /** Held-out examples evaluated after every epoch. */
  validationData?: readonly [Tensor, LossTarget] | { x: Tensor; y: LossTarget };
  /** Fraction of x (taken from the end, before shuffling) held out for validation. */
  validationSplit?: number;
  /** Applied to every training batch's inputs before forward (not to validation data),
   * e.g. random shifts; must return a tensor of the same shape. */
  augment?: (x: Tensor, info: { epoch: number; batch: number }) => Tensor;
  onBatchEnd?: (info: BatchEndInfo) => void | Promise<void>;
  onEpochEnd?: (info: EpochEndInfo) => void | Promise<void>;
  /** Aborting rejects fit with an Error named 'AbortError'. */
  signal?: AbortSignal;
}

export interface History {
  /** Mean training loss per epoch. */
  loss: number[];
  /** Training accuracy per epoch (NaN when the output is not class scores). */
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  /** Seconds per epoch (training only). */
  epochTime: number[];
}

function abortError(where: string): Error {
  const err = new Error(`fit: aborted ${where}`);
  err.name = 'AbortError';
  return err;
}

const FIT_KEYS = [
  'epochs', 'batchSize', 'optimizer', 'loss', 'shuffle', 'seed', 'validationData', 'validationSplit', 'augment', 'onBatchEnd', 'onEpochEnd', 'signal',
] as const;

function resolveOptimizer(model: Module, choice: FitOptions['optimizer']): Optimizer {
  const params = model.parameters();
  if (choice === undefined || choice === 'adam') return new Adam(params);
  if (choice === 'sgd') return new SGD(params);
  if (typeof choice !== 'object' || choice === null || typeof choice.step !== 'function') {
    throw new Error(`fit: optimizer must be an Optimizer, 'sgd' or 'adam', got ${String(choice)}`);
  }
  const own = new Set(params);
  if (!choice.parameters.every((p) => own.has(p))) throw new Error("fit: the optimizer updates parameters that are not this model's");
  return choice;
}

function splitValidation(x: Tensor, y: LossTarget, options: FitOptions, n: number): { train: [Tensor, LossTarget]; val: [Tensor, LossTarget] | null } {
  if (options.validationData !== undefined && options.validationSplit !== undefined) {
    throw new Error('fit: give validationData or validationSplit, not both');
  }
  if (options.validationData !== undefined) {
    const v = options.validationData;
    const pair: [Tensor, LossTarget] = Array.isArray(v) ? [v[0], v[1]] : [(v as { x: Tensor }).x, (v as { y: LossTarget }).y];
    checkData('fit (validationData)', pair[0], pair[1]);
    return { train: [x, y], val: pair };
  }
  if (options.validationSplit === undefined) return { train: [x, y], val: null };
  const split = options.validationSplit;
  const held = Math.round(n * split);
  if (!(typeof split === 'number' && split > 0 && split < 1) || held < 1 || held >= n) {
    throw new Error(`fit: validationSplit must be in (0, 1) and leave examples on both sides, got ${String(split)} of ${n} examples`);
  }
  const cut = n - held;
  return {
    train: [takeRows(x, null, 0, cut), takeTargets(y, null, 0, cut)],
    val: [takeRows(x, null, cut, n), takeTargets(y, null, cut, n)],
  };
}

export async function fitModel(model: Module, x: Tensor, y: LossTarget, options: FitOptions = {}): Promise<History> {
  checkOptions('fit', options, FIT_KEYS);
  const n0 = checkData('fit', x, y);
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`fit: epochs must be a positive integer, got ${String(options.epochs)}`);
  const batchSize = checkBatchSize('fit', options.batchSize, 32);
  const loss = resolveLoss(options.loss);
  const optimizer = resolveOptimizer(model, options.optimizer);
  const { train, val } = splitValidation(x, y, options, n0);
  const [tx, ty] = train;
  const n = tx.shape[0];
  const shuffle = options.shuffle ?? true;
  const random = options.seed !== undefined ? new Random(options.seed) : globalRandom();
  const signal = options.signal;
  // One forward of the first example in eval mode (nothing recorded, no state changed):
  // a model that cannot take these inputs fails here, before any step.
  const probe = inference(model, () => model.forward(takeRows(tx, null, 0, 1)));
  if (!(probe instanceof Tensor)) throw new Error(`fit: the model's forward must return one Tensor, got ${String(probe)}`);
  const outShape = probe.shape;
  // Bad class labels fail here, before any step, not in the middle of an epoch.
  if (loss instanceof CrossEntropyLoss && outShape.length === 2) {
    for (const [what, data] of [['y', train], ['validation y', val]] as const) {
      if (data && !(data[1] instanceof Tensor && data[1].rank === 2)) toClassLabels(`fit (${what})`, data[1], data[0].shape[0], outShape[1]);
    }
  }
  const batches = Math.ceil(n / batchSize);
  const history: History = { loss: [], accuracy: [], valLoss: [], valAccuracy: [], epochTime: [] };
  if (signal?.aborted) throw abortError('before the first batch');

  for (let epoch = 0; epoch < epochs; epoch++) {
    model.train();
    const order = shuffle ? permutation(n, random) : null;
    const started = performance.now();
    let total = 0;
    let correct: number | null = 0;
    for (let b = 0; b < batches; b++) {
      const start = b * batchSize;
      const end = Math.min(n, start + batchSize);
      let xb = takeRows(tx, order, start, end);
      if (options.augment) {
        const shape = xb.shape;
        xb = options.augment(xb, { epoch, batch: b });
        if (!(xb instanceof Tensor) || xb.shape.length !== shape.length || xb.shape.some((d, i) => d !== shape[i])) {
          throw new Error(`fit: augment must return a tensor of shape ${formatShape(shape)}, got ${xb instanceof Tensor ? formatShape(xb.shape) : String(xb)}`);
        }
      }
      const yb = takeTargets(ty, order, start, end);
      model.zeroGrad(); // the optimizer's parameters are among the model's
      const out = model.forward(xb);
      const lossTensor = loss.forward(out, yb);
      if (!(lossTensor instanceof Tensor) || lossTensor.size !== 1) {
        throw new Error(`fit: the loss must return a scalar Tensor, got ${lossTensor instanceof Tensor ? formatShape(lossTensor.shape) : String(lossTensor)}`);
      }
      const batchLoss = lossTensor.item();
      if (lossTensor.requiresGrad) lossTensor.backward();
      optimizer.step();
      total += batchLoss * (end - start);
      const c = countCorrect(out, yb);
      correct = correct === null || c === null ? null : correct + c;
      if (options.onBatchEnd) {
        await options.onBatchEnd({ epoch, batch: b, batches, loss: batchLoss, samples: end, elapsed: (performance.now() - started) / 1000 });
      }
      await yieldToEventLoop();
      if (signal?.aborted) throw abortError(`in epoch ${epoch + 1} after batch ${b + 1} of ${batches}`);
    }
    const epochTime = (performance.now() - started) / 1000;
    history.loss.push(total / n);
    history.accuracy.push(correct === null ? NaN : correct / n);
    history.epochTime.push(epochTime);
    const info: EpochEndInfo = { epoch, epochs, loss: total / n, accuracy: correct === null ? NaN : correct / n, epochTime };
    if (val) {
      const r = evaluate(model, val[0], val[1], { batchSize: Math.max(batchSize, 256), loss });
      history.valLoss.push(r.loss);
      history.valAccuracy.push(r.accuracy);
      info.valLoss = r.loss;
      info.valAccuracy = r.accuracy;
    }
    if (options.onEpochEnd) await options.onEpochEnd(info);
  }
  model.train();
  return history;
}
