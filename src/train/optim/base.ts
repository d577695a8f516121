// Optimizers over a list of parameters (model.parameters()). A step() first checks every
// gradient and only then changes anything: a non-finite gradient throws and leaves all
// parameters and the optimizer state exactly as they were.
import { Parameter, Tensor, formatShape, releaseGrad } from '../../tensor.js';
import { checkOptions } from '../../ops/validate.js';
import type { OptimizerState } from '../../serialize/encode.js';

export interface Optimizer {
  readonly parameters: readonly Parameter[];
  /** Number of completed steps. */
  readonly iterations: number;
  /** The base learning rate, settable at any time (a finite number ≥ 0; anything else
   * throws). `fit`'s `lrSchedule` sets it before every step. Restored by loadStateDict. */
  lr: number;
  /** The learning rate the next step uses: lr after any per-step `decay`. */
  readonly currentLr: number;
  /** Applies one update from the accumulated gradients (parameters without one are skipped). */
  step(): void;
  /** Clears every parameter's gradient. */
  zeroGrad(): void;
  /** Step count and per-parameter state (momentum, moments), for checkpoints. */
  stateDict(): OptimizerState;
  /** Restores stateDict()'s output: the step count, the per-parameter state and lr (the
   * other settings must equal this optimizer's). Everything is checked before anything
   * changes. */
  loadStateDict(state: OptimizerState): void;
}

export function checkParameters(op: string, params: readonly Parameter[]): Parameter[] {
  if (!Array.isArray(params)) throw new Error(`${op}: expected an array of parameters (model.parameters()), got ${String(params)}`);
  params.forEach((p, i) => {
    if (!(p instanceof Parameter)) throw new Error(`${op}: parameter ${i} is not a Parameter (got ${String(p)})`);
  });
  if (new Set(params).size !== params.length) throw new Error(`${op}: a parameter appears twice in the list`);
  return [...params];
}

export function label(p: Parameter, k: number): string {
  return p.name ? `'${p.name}'` : `parameter ${k}`;
}

export function checkNumber(op: string, name: string, value: number, min: number, maxExclusive = Infinity, minInclusive = true): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (minInclusive ? value >= min : value > min) && value < maxExclusive;
  if (!ok) {
    const range = `${minInclusive ? '[' : '('}${min}, ${maxExclusive === Infinity ? '∞' : maxExclusive})`;
    throw new Error(`${op}: ${name} must be a finite number in ${range}, got ${String(value)}`);
  }
  return value;
}

/** Throws (naming the parameter and the index) if any gradient holds NaN or ±Infinity.
 * g·0 is 0 for finite g and NaN otherwise, so one branch-free sum per tensor finds out;
 * only then is the tensor scanned for the index. */
export function checkGradients(op: string, params: readonly Parameter[]): void {
  for (let k = 0; k < params.length; k++) {
    const p = params[k];
    if (p.grad === null) continue;
    if (p.grad.size !== p.size) throw new Error(`${op}.step: gradient of ${label(p, k)} has shape ${formatShape(p.grad.shape)}, the parameter ${formatShape(p.shape)}`);
    const g = p.grad.data;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    let i = 0;
    for (; i + 3 < g.length; i += 4) {
      a0 += g[i] * 0;
      a1 += g[i + 1] * 0;
      a2 += g[i + 2] * 0;
      a3 += g[i + 3] * 0;
    }
    for (; i < g.length; i++) a0 += g[i] * 0;
    if (a0 + a1 + a2 + a3 === 0) continue;
    for (let i = 0; i < g.length; i++) {
      if (!Number.isFinite(g[i])) {
        throw new Error(`${op}.step: gradient of ${label(p, k)} has a non-finite value (${g[i]}) at index ${i}; no parameter was changed`);
      }
    }
  }
}

/** Settings a checkpoint restores instead of requiring them to match (as PyTorch's
 * load_state_dict restores a param group's lr). */
const RESTORED_SETTINGS = ['lr'];

/** The options every optimizer takes besides its own. */
export interface BaseOptimizerOptions {
  lr?: number;
  /** Learning-rate decay per step: lr_t = lr / (1 + t·decay) (seed 004, Keras). Default 0. */
  decay?: number;
}

export abstract class BaseOptimizer implements Optimizer {
  readonly parameters: readonly Parameter[];
  iterations = 0;
  readonly decay: number;
  protected abstract readonly type: string;
  private lrValue: number;

  /** Refuses unknown option keys (naming them) and checks the parameters, lr and decay. */
  constructor(op: string, params: readonly Parameter[], options: BaseOptimizerOptions | undefined, known: readonly string[], defaultLr: number) {
    const o = checkOptions(op, options, ['lr', 'decay', ...known]);
    this.parameters = checkParameters(op, params);
    this.lrValue = checkNumber(op, 'lr', o.lr ?? defaultLr, 0);
    this.decay = checkNumber(op, 'decay', o.decay ?? 0, 0);
  }

  get lr(): number {
    return this.lrValue;
  }

  set lr(value: number) {
    this.lrValue = checkNumber(`${this.type}.lr`, 'the learning rate', value, 0);
  }

  /** The learning rate the next step uses. */
  get currentLr(): number {
    return this.lrValue / (1 + this.iterations * this.decay);
  }

  zeroGrad(): void {
    for (const p of this.parameters) releaseGrad(p);
  }

  abstract step(): void;
  /** Every hyperparameter, for the checkpoint; all but lr must match on restore. */
  protected settings(): Record<string, unknown> {
    return { lr: this.lr, decay: this.decay, ...this.ownSettings() };
  }
  protected abstract ownSettings(): Record<string, unknown>;
  /** Per-parameter state arrays by name, in parameter order. */
  protected abstract slots(): Record<string, Float32Array[]>;

  stateDict(): OptimizerState {
    const tensors: Record<string, Tensor> = {};
    for (const [what, arrays] of Object.entries(this.slots())) {
      arrays.forEach((a, k) => (tensors[`${k}.${what}`] = new Tensor(a.slice(), this.parameters[k].shape)));
    }
    return { type: this.type, settings: this.settings(), iterations: this.iterations, parameters: this.parameters.length, tensors };
  }

  loadStateDict(state: OptimizerState): void {
    const op = `${this.type}.loadStateDict`;
    if (!state || typeof state !== 'object') throw new Error(`${op}: expected an optimizer state, got ${String(state)}`);
    if (state.type !== this.type) throw new Error(`${op}: the state is of a ${String(state.type)}, not a ${this.type}`);
    if (state.parameters !== this.parameters.length) throw new Error(`${op}: the state is for ${String(state.parameters)} parameters, this optimizer has ${this.parameters.length}`);
    if (!Number.isInteger(state.iterations) || state.iterations < 0) throw new Error(`${op}: bad iterations ${String(state.iterations)}`);
    const mine = this.settings();
    for (const [key, value] of Object.entries(mine)) {
      if (RESTORED_SETTINGS.includes(key)) continue;
      if (state.settings?.[key] !== value) throw new Error(`${op}: the state was saved with ${key} = ${String(state.settings?.[key])}, this optimizer has ${String(value)}`);
    }
    const lr = state.settings?.lr;
    if (lr !== undefined) checkNumber(op, 'the saved lr', lr as number, 0);
    const writes: [Float32Array, Float32Array][] = [];
    for (const [what, arrays] of Object.entries(this.slots())) {
      arrays.forEach((a, k) => {
        const t = state.tensors?.[`${k}.${what}`];
        if (!(t instanceof Tensor) || t.size !== a.length) throw new Error(`${op}: state '${k}.${what}' is missing or has the wrong size (parameter ${formatShape(this.parameters[k].shape)})`);
        writes.push([a, t.data]);
      });
    }
    for (const [a, v] of writes) a.set(v);
    this.iterations = state.iterations;
    if (lr !== undefined) this.lrValue = lr as number;
  }
}
