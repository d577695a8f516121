// Learning-rate schedules: pure functions of (step, epoch), so a schedule has no state of
// its own and a resumed run (same optimizer step count, same epoch) gets the same rates.
// fit applies one before every step (FitOptions.lrSchedule); by hand it is
// `optimizer.lr = schedule.lrAt({ step: optimizer.iterations, epoch })`.
import { checkOptions } from '../ops/validate.js';

/** Where in training a learning rate is asked for. */
export interface LrContext {
  /** Optimizer steps completed before this one (optimizer.iterations): 0 for the first step. */
  step: number;
  /** 0-based epoch the step belongs to. */
  epoch: number;
}

/** A learning rate for every (step, epoch). */
export interface LrSchedule {
  lrAt(at: LrContext): number;
}

/** A schedule object or any function of (step, epoch) returning the learning rate. */
export type LrScheduleLike = LrSchedule | ((at: LrContext) => number);

/** Which clock a schedule counts: optimizer steps or epochs. */
export type LrUnit = 'step' | 'epoch';

function fail(op: string, what: string, value: unknown): never {
  throw new Error(`${op}: ${what}, got ${typeof value === 'string' ? `'${value}'` : String(value)}`);
}

function rate(op: string, name: string, value: unknown, fallback?: number): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(op, `${name} must be a finite number ≥ 0`, value);
  return v;
}

function count(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(op, `${name} must be a positive integer`, value);
  return value;
}

function unit(op: string, value: unknown, fallback: LrUnit): LrUnit {
  const v = value ?? fallback;
  if (v !== 'step' && v !== 'epoch') fail(op, "by must be 'step' or 'epoch'", value);
  return v;
}

/** Checks an LrContext (both counts non-negative integers). */
export function checkLrContext(op: string, at: unknown): LrContext {
  if (at === null || typeof at !== 'object') fail(op, 'expected { step, epoch }', at);
  const { step, epoch } = at as LrContext;
  if (!Number.isInteger(step) || step < 0) fail(op, 'step must be a non-negative integer', step);
  if (!Number.isInteger(epoch) || epoch < 0) fail(op, 'epoch must be a non-negative integer', epoch);
  return at as LrContext;
}

/** The learning rate of a schedule (object or function) at `at`, checked to be a finite
 * number ≥ 0 (an Error naming `op`, the schedule's value and the step otherwise). */
export function scheduledLr(op: string, schedule: LrScheduleLike, at: LrContext): number {
  const lr = typeof schedule === 'function' ? schedule(at) : schedule.lrAt(at);
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new Error(`${op}: the learning-rate schedule returned ${String(lr)} at step ${at.step} (epoch ${at.epoch}); it must be a finite number ≥ 0`);
  }
  return lr;
}

/** Checks that a value is a schedule object or function. */
export function checkLrSchedule(op: string, value: unknown): LrScheduleLike {
  const ok = typeof value === 'function' || (value !== null && typeof value === 'object' && typeof (value as LrSchedule).lrAt === 'function');
  if (!ok) fail(op, 'expected a schedule (an object with lrAt, or a function of { step, epoch })', value);
  return value as LrScheduleLike;
}

export interface StepLROptions {
  /** The rate before the first drop. */
  lr: number;
  /** Drop every stepSize units of `by`. */
  stepSize: number;
  /** Factor of each drop (default 0.1). */
  gamma?: number;
  /** Count epochs (default, as PyTorch's StepLR stepped once per epoch) or steps. */
  by?: LrUnit;
}

/** lr·gamma^⌊t / stepSize⌋, t the epoch (or step): PyTorch's StepLR. */
export class StepLR implements LrSchedule {
  readonly lr: number;
  readonly stepSize: number;
  readonly gamma: number;
  readonly by: LrUnit;

  constructor(options: StepLROptions) {
    const o = checkOptions('StepLR', options, ['lr', 'stepSize', 'gamma', 'by'], true);
    this.lr = rate('StepLR', 'lr', o.lr);
    this.stepSize = count('StepLR', 'stepSize', o.stepSize);
    this.gamma = rate('StepLR', 'gamma', o.gamma, 0.1);
    this.by = unit('StepLR', o.by, 'epoch');
  }

  lrAt(at: LrContext): number {
    const t = checkLrContext('StepLR.lrAt', at)[this.by];
    return this.lr * this.gamma ** Math.floor(t / this.stepSize);
  }
}

export interface CosineLROptions {
  /** The rate at t = 0. */
  lr: number;
  /** Units of `by` over which the rate falls to minLr; it stays there afterwards. */
  total: number;
  /** Default 0. */
  minLr?: number;
  /** Count epochs (default) or steps. */
  by?: LrUnit;
}

/** Cosine annealing (Loshchilov & Hutter 2017, without restarts; PyTorch's
 * CosineAnnealingLR in closed form): minLr + (lr - minLr)·(1 + cos(π·min(t, total)/total))/2. */
export class CosineLR implements LrSchedule {
  readonly lr: number;
  readonly total: number;
  readonly minLr: number;
  readonly by: LrUnit;

  constructor(options: CosineLROptions) {
    const o = checkOptions('CosineLR', options, ['lr', 'total', 'minLr', 'by'], true);
    this.lr = rate('CosineLR', 'lr', o.lr);
    this.total = count('CosineLR', 'total', o.total);
    this.minLr = rate('CosineLR', 'minLr', o.minLr, 0);
    this.by = unit('CosineLR', o.by, 'epoch');
  }

  lrAt(at: LrContext): number {
    const t = Math.min(checkLrContext('CosineLR.lrAt', at)[this.by], this.total);
    return this.minLr + ((this.lr - this.minLr) * (1 + Math.cos((Math.PI * t) / this.total))) / 2;
  }
}

export interface LinearWarmupOptions {
  /** Length of the warm-up in units of `by`. */
  warmup: number;
  /** What follows: a constant rate or a schedule, whose clock starts at 0 when the warm-up ends. */
  then: number | LrScheduleLike;
  /** Rate the ramp starts from (default 0). */
  startLr?: number;
  /** Count steps (default) or epochs. */
  by?: LrUnit;
}

/** A linear ramp into another schedule. For t < warmup (t the step, or epoch):
 * startLr + (target - startLr)·(t + 1)/warmup, where target is `then` at its own t = 0, so the
 * first step already moves and the last warm-up step reaches the target. From t = warmup
 * on, `then` runs with its clock shifted back by warmup (the other clock unchanged). */
export class LinearWarmup implements LrSchedule {
  readonly warmup: number;
  readonly startLr: number;
  readonly by: LrUnit;
  readonly then: number | LrScheduleLike;

  constructor(options: LinearWarmupOptions) {
    const o = checkOptions('LinearWarmup', options, ['warmup', 'then', 'startLr', 'by'], true);
    this.warmup = count('LinearWarmup', 'warmup', o.warmup);
    this.then = typeof o.then === 'number' ? rate('LinearWarmup', 'then', o.then) : checkLrSchedule('LinearWarmup (then)', o.then);
    this.startLr = rate('LinearWarmup', 'startLr', o.startLr, 0);
    this.by = unit('LinearWarmup', o.by, 'step');
  }

  lrAt(at: LrContext): number {
    const { step, epoch } = checkLrContext('LinearWarmup.lrAt', at);
    const t = this.by === 'step' ? step : epoch;
    const shifted = Math.max(0, t - this.warmup);
    const inner: LrContext = this.by === 'step' ? { step: shifted, epoch } : { step, epoch: shifted };
    const target = typeof this.then === 'number' ? this.then : scheduledLr('LinearWarmup (then)', this.then, inner);
    if (t >= this.warmup) return target;
    return this.startLr + ((target - this.startLr) * (t + 1)) / this.warmup;
  }
}
