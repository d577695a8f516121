// fit's options, callback payloads and history, and the checks that turn the options into
// a run (everything that can be refused is refused here, before the first step).
import { tidy } from '../tensor-scope.js';
import { Random } from '../random.js';
import { globalRandom } from '../init.js';
import { CrossEntropyLoss, resolveLoss, type Loss, type LossName } from '../losses.js';
import { toClassLabels, type LossTarget } from '../ops/loss.js';
import { checkOptions } from '../ops/validate.js';
import { Tensor } from '../tensor.js';
import type { Module } from '../nn/module.js';
import { Adam, SGD, type Optimizer } from './optim/index.js';
import { checkLrSchedule, scheduledLr, type LrScheduleLike } from './schedule.js';
import { checkBatchSize, checkData, takeRows, takeTargets } from './batches.js';
import { inference } from './evaluate.js';

/** What a callback may return: 'stop' ends training as calling info.stop() does. */
export type CallbackResult = void | 'stop' | Promise<void | 'stop'>;

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
  /** 0-based index of this optimizer step over the optimizer's life (its iterations before it). */
  step: number;
  /** The learning rate this step used (after the schedule and any decay). */
  lr: number;
  /** With the clipGradNorm option: the global gradient norm before clipping. */
  gradNorm?: number;
  /** Ends training after this batch: the epoch is closed on the batches run so far (its
   * mean loss and accuracy over them, validation, onEpochEnd) and fit resolves with the
   * history, `stopped: true`. As Keras's `model.stop_training = True`. */
  stop: () => void;
}

export interface EpochEndInfo {
  epoch: number;
  /** The epoch count fit runs to (FitOptions.epochs). */
  epochs: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Seconds spent training this epoch (validation excluded). */
  epochTime: number;
  /** The learning rate of the epoch's last step. */
  lr: number;
  /** Ends training after this epoch (or return 'stop'); fit resolves with the history. */
  stop: () => void;
}

export interface FitOptions {
  /** The epoch to stop before (default 1). With initialEpoch, it is the final epoch count,
   * not the number of epochs to run (as Keras): { initialEpoch: 2, epochs: 4 } runs epochs 2 and 3. */
  epochs?: number;
  /** 0-based epoch to start at, to resume a run (default 0): the shuffle order, Dropout masks
   * and schedule of epoch k are those an uninterrupted run (same seed) uses in epoch k. */
  initialEpoch?: number;
  /** Default 32. */
  batchSize?: number;
  /** An optimizer over model.parameters() (or a subset), or 'sgd' (lr 0.01) / 'adam' (lr 0.001, the default). */
  optimizer?: Optimizer | 'sgd' | 'adam';
  /** Default 'crossEntropy'. */
  loss?: Loss | LossName;
  /** Reshuffle the training examples every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the run's randomness: epoch k's shuffle order comes from (seed, k), and so do
   * the draws from the global generator during its steps (Dropout masks, augment); so a run
   * resumed at epoch k with the same seed repeats the uninterrupted one bit for bit.
   * Default: one draw from the global generator (see setSeed), reported as history.seed. */
  seed?: number;
  /** Held-out examples evaluated after every epoch. */
  validationData?: readonly [Tensor, LossTarget] | { x: Tensor; y: LossTarget };
  /** Fraction of x (taken from the end, before shuffling) held out for validation. */
  validationSplit?: number;
  /** Applied to every training batch's inputs before forward (not to validation data),
   * e.g. random shifts; must return a tensor of the same shape. */
  augment?: (x: Tensor, info: { epoch: number; batch: number }) => Tensor;
  /** The learning rate of every step: before each, fit sets optimizer.lr to
   * schedule({ step: optimizer.iterations, epoch }) (StepLR, CosineLR, LinearWarmup or any
   * function). The step count is the optimizer's, so it resumes with a restored optimizer.
   * It is also asked once before training, so a schedule that gives no valid first rate
   * fails before any step. */
  lrSchedule?: LrScheduleLike;
  /** Clip the gradients to this global L2 norm before every step (clipGradNorm). */
  clipGradNorm?: number;
  /** Called after every step (awaited). Return 'stop' or call info.stop() to end training. */
  onBatchEnd?: (info: BatchEndInfo) => CallbackResult;
  /** Called after every epoch (awaited). Return 'stop' or call info.stop() to end training. */
  onEpochEnd?: (info: EpochEndInfo) => CallbackResult;
  /** Checked before every step and before each epoch's validation: once it is aborted no
   * further step runs (the weights are those of the last completed step) and fit rejects
   * with a FitAbortError (name 'AbortError', cause = signal.reason) whose `history` holds
   * the epochs completed before it. To end a run and keep a resolved history, use a
   * callback's stop() instead. */
  signal?: AbortSignal;
}

export interface History {
  /** Index of each epoch run (initialEpoch, initialEpoch + 1, ...). */
  epoch: number[];
  /** Mean training loss per epoch (over the batches run, if a callback stopped it early). */
  loss: number[];
  /** Training accuracy per epoch (NaN when the output is not class scores). */
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  /** Seconds per epoch (training only). */
  epochTime: number[];
  /** The learning rate of each epoch's last step. */
  lr: number[];
  /** Whether a callback stopped training. */
  stopped: boolean;
  /** The seed of the run (FitOptions.seed or the one drawn): pass it to resume exactly. */
  seed: number;
}

export const FIT_KEYS = [
  'epochs', 'initialEpoch', 'batchSize', 'optimizer', 'loss', 'shuffle', 'seed', 'validationData', 'validationSplit',
  'augment', 'lrSchedule', 'clipGradNorm', 'onBatchEnd', 'onEpochEnd', 'signal',
] as const;

/** Everything a run needs, checked. */
export interface FitSetup {
  epochs: number;
  initialEpoch: number;
  batchSize: number;
  loss: Loss;
  optimizer: Optimizer;
  train: [Tensor, LossTarget];
  val: [Tensor, LossTarget] | null;
  shuffle: boolean;
  seed: number;
  schedule: LrScheduleLike | null;
  clip: number | null;
}

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

function checkCallback(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') throw new Error(`fit: ${name} must be a function, got ${String(value)}`);
}

/** Checks every option and the data against the model (one probe forward in eval mode,
 * nothing recorded), so bad input fails before the first step. */
export function resolveFit(model: Module, x: Tensor, y: LossTarget, options: FitOptions): FitSetup {
  checkOptions('fit', options, FIT_KEYS);
  const n0 = checkData('fit', x, y);
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`fit: epochs must be a positive integer, got ${String(options.epochs)}`);
  const initialEpoch = options.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch >= epochs) {
    throw new Error(`fit: initialEpoch must be an integer in [0, epochs = ${epochs}) (epochs is the final epoch count, as Keras), got ${String(options.initialEpoch)}`);
  }
  const batchSize = checkBatchSize('fit', options.batchSize, 32);
  const loss = resolveLoss(options.loss);
  const optimizer = resolveOptimizer(model, options.optimizer);
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') throw new Error(`fit: shuffle must be true or false, got ${String(options.shuffle)}`);
  if (options.seed !== undefined && (typeof options.seed !== 'number' || !Number.isFinite(options.seed))) {
    throw new Error(`fit: seed must be a finite number, got ${String(options.seed)}`);
  }
  const clip = options.clipGradNorm ?? null;
  if (clip !== null && (typeof clip !== 'number' || !Number.isFinite(clip) || clip <= 0)) {
    throw new Error(`fit: clipGradNorm must be a finite number > 0 (the maximum global gradient norm), got ${String(clip)}`);
  }
  const schedule = options.lrSchedule === undefined ? null : checkLrSchedule('fit (lrSchedule)', options.lrSchedule);
  // A schedule that cannot give the first step's rate fails now, not after a step.
  if (schedule) scheduledLr('fit (lrSchedule)', schedule, { step: optimizer.iterations, epoch: initialEpoch });
  checkCallback('augment', options.augment);
  checkCallback('onBatchEnd', options.onBatchEnd);
  checkCallback('onEpochEnd', options.onEpochEnd);
  if (options.signal !== undefined && (options.signal === null || typeof options.signal.aborted !== 'boolean')) {
    throw new Error(`fit: signal must be an AbortSignal, got ${String(options.signal)}`);
  }
  const { train, val } = splitValidation(x, y, options, n0);
  // One forward of the first example in eval mode (nothing recorded, no state changed):
  // a model that cannot take these inputs fails here, before any step.
  const outShape = tidy(() => {
    const probe = inference(model, () => model.forward(takeRows(train[0], null, 0, 1)));
    if (!(probe instanceof Tensor)) throw new Error(`fit: the model's forward must return one Tensor, got ${String(probe)}`);
    return probe.shape; // the probe's memory is freed with the scope
  });
  // Bad class labels fail here, before any step, not in the middle of an epoch.
  if (loss instanceof CrossEntropyLoss && outShape.length === 2) {
    for (const [what, data] of [['y', train], ['validation y', val]] as const) {
      if (data && !(data[1] instanceof Tensor && data[1].rank === 2)) toClassLabels(`fit (${what})`, data[1], data[0].shape[0], outShape[1]);
    }
  }
  // Without a seed, one draw from the global generator, so setSeed still fixes the run.
  const seed = options.seed ?? Math.floor(globalRandom().next() * 4294967296);
  return { epochs, initialEpoch, batchSize, loss, optimizer, train, val, shuffle: options.shuffle ?? true, seed, schedule, clip };
}

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The generator of one epoch's stream (0: shuffle order, 1: draws during its steps),
 * a function of (seed, epoch, stream) alone. */
export function epochRandom(seed: number, epoch: number, stream: number): Random {
  return new Random(mix32(mix32(mix32(seed >>> 0) ^ epoch) + stream));
}
