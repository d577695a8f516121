// Optimizers over a list of parameters (model.parameters()). A step() first checks every
// gradient and only then changes anything: a non-finite gradient throws and leaves all
// parameters and the optimizer state exactly as they were.
import { Parameter, Tensor, formatShape } from './tensor.js';
import type { OptimizerState } from './serialize/encode.js';

export interface Optimizer {
  readonly parameters: readonly Parameter[];
  /** Number of completed steps. */
  readonly iterations: number;
  /** Applies one update from the accumulated gradients (parameters without one are skipped). */
  step(): void;
  /** Clears every parameter's gradient. */
  zeroGrad(): void;
  /** Step count and per-parameter state (momentum, moments), for checkpoints. */
  stateDict(): OptimizerState;
  /** Restores stateDict()'s output; everything is checked before anything changes. */
  loadStateDict(state: OptimizerState): void;
}

function checkParameters(op: string, params: readonly Parameter[]): Parameter[] {
  if (!Array.isArray(params)) throw new Error(`${op}: expected an array of parameters (model.parameters()), got ${String(params)}`);
  params.forEach((p, i) => {
    if (!(p instanceof Parameter)) throw new Error(`${op}: parameter ${i} is not a Parameter (got ${String(p)})`);
  });
  if (new Set(params).size !== params.length) throw new Error(`${op}: a parameter appears twice in the list`);
  return [...params];
}

function label(p: Parameter, k: number): string {
  return p.name ? `'${p.name}'` : `parameter ${k}`;
}

function checkNumber(op: string, name: string, value: number, min: number, maxExclusive = Infinity, minInclusive = true): number {
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
function checkGradients(op: string, params: readonly Parameter[]): void {
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

abstract class BaseOptimizer implements Optimizer {
  readonly parameters: readonly Parameter[];
  iterations = 0;
  protected abstract readonly type: string;

  constructor(op: string, params: readonly Parameter[]) {
    this.parameters = checkParameters(op, params);
  }

  zeroGrad(): void {
    for (const p of this.parameters) p.grad = null;
  }

  abstract step(): void;
  /** The settings a checkpoint records (and checks on restore). */
  protected abstract settings(): Record<string, unknown>;
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
      if (state.settings?.[key] !== value) throw new Error(`${op}: the state was saved with ${key} = ${String(state.settings?.[key])}, this optimizer has ${String(value)}`);
    }
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
  }
}

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  /** Learning-rate decay per step: lr_t = lr / (1 + t·decay) (seed 004, Keras). */
  decay?: number;
  /** L2 penalty: weightDecay·w is added to the gradient. */
  weightDecay?: number;
  nesterov?: boolean;
}

/** Mini-batch SGD with momentum in seed 004's form: v = momentum·v + lr_t·g, w -= v
 * (Nesterov: w -= momentum·v + lr_t·g). */
export class SGD extends BaseOptimizer {
  protected readonly type = 'SGD';
  readonly lr: number;
  readonly momentum: number;
  readonly decay: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly velocity: Float32Array[];

  constructor(params: readonly Parameter[], options: SGDOptions = {}) {
    super('SGD', params);
    this.lr = checkNumber('SGD', 'lr', options.lr ?? 0.01, 0, Infinity, false);
    this.momentum = checkNumber('SGD', 'momentum', options.momentum ?? 0, 0, 1);
    this.decay = checkNumber('SGD', 'decay', options.decay ?? 0, 0);
    this.weightDecay = checkNumber('SGD', 'weightDecay', options.weightDecay ?? 0, 0);
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && this.momentum === 0) throw new Error('SGD: nesterov needs a momentum > 0');
    this.velocity = this.parameters.map((p) => new Float32Array(p.size));
  }

  protected settings(): Record<string, unknown> {
    return { lr: this.lr, momentum: this.momentum, decay: this.decay, weightDecay: this.weightDecay, nesterov: this.nesterov };
  }

  protected slots(): Record<string, Float32Array[]> {
    return this.momentum === 0 ? {} : { velocity: this.velocity };
  }

  /** The learning rate the next step uses. */
  get currentLr(): number {
    return this.lr / (1 + this.iterations * this.decay);
  }

  step(): void {
    checkGradients('SGD', this.parameters);
    const lr = this.currentLr;
    const { momentum, weightDecay, nesterov } = this;
    for (let k = 0; k < this.parameters.length; k++) {
      const p = this.parameters[k];
      if (p.grad === null) continue;
      const w = p.data;
      const g = p.grad.data;
      const v = this.velocity[k];
      // One loop per variant keeps the per-element work branch-free.
      if (momentum === 0) {
        for (let i = 0; i < w.length; i++) w[i] -= lr * (g[i] + weightDecay * w[i]);
      } else if (nesterov) {
        for (let i = 0; i < w.length; i++) {
          const grad = g[i] + weightDecay * w[i];
          const vi = momentum * v[i] + lr * grad;
          v[i] = vi;
          w[i] -= momentum * vi + lr * grad;
        }
      } else {
        for (let i = 0; i < w.length; i++) {
          const vi = momentum * v[i] + lr * (g[i] + weightDecay * w[i]);
          v[i] = vi;
          w[i] -= vi;
        }
      }
    }
    this.iterations++;
  }
}

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** L2 penalty added to the gradient (as PyTorch's Adam, not AdamW). */
  weightDecay?: number;
  /** Learning-rate decay per step, as SGD's: lr_t = lr / (1 + t·decay). Default 0. */
  decay?: number;
}

/** Adam (Kingma & Ba 2015) with bias-corrected moments. */
export class Adam extends BaseOptimizer {
  protected readonly type = 'Adam';
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly decay: number;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];

  constructor(params: readonly Parameter[], options: AdamOptions = {}) {
    super('Adam', params);
    this.lr = checkNumber('Adam', 'lr', options.lr ?? 0.001, 0, Infinity, false);
    this.beta1 = checkNumber('Adam', 'beta1', options.beta1 ?? 0.9, 0, 1);
    this.beta2 = checkNumber('Adam', 'beta2', options.beta2 ?? 0.999, 0, 1);
    this.eps = checkNumber('Adam', 'eps', options.eps ?? 1e-8, 0, Infinity, false);
    this.weightDecay = checkNumber('Adam', 'weightDecay', options.weightDecay ?? 0, 0);
    this.decay = checkNumber('Adam', 'decay', options.decay ?? 0, 0);
    this.m = this.parameters.map((p) => new Float32Array(p.size));
    this.v = this.parameters.map((p) => new Float32Array(p.size));
  }

  protected settings(): Record<string, unknown> {
    return { lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay, decay: this.decay };
  }

  protected slots(): Record<string, Float32Array[]> {
    return { m: this.m, v: this.v };
  }

  /** The learning rate the next step uses. */
  get currentLr(): number {
    return this.lr / (1 + this.iterations * this.decay);
  }

  step(): void {
    checkGradients('Adam', this.parameters);
    const t = this.iterations + 1;
    const lr = this.currentLr;
    const { beta1, beta2, eps, weightDecay } = this;
    // w -= lr·m̂/(√v̂ + eps) with m̂ = m/(1-β1ᵗ), v̂ = v/(1-β2ᵗ), the corrections hoisted.
    const stepSize = lr / (1 - beta1 ** t);
    const invSqrtC2 = 1 / Math.sqrt(1 - beta2 ** t);
    const a1 = 1 - beta1;
    const a2 = 1 - beta2;
    for (let k = 0; k < this.parameters.length; k++) {
      const p = this.parameters[k];
      if (p.grad === null) continue;
      const w = p.data;
      const g = p.grad.data;
      const m = this.m[k];
      const v = this.v[k];
      for (let i = 0; i < w.length; i++) {
        const grad = g[i] + weightDecay * w[i];
        const mi = beta1 * m[i] + a1 * grad;
        const vi = beta2 * v[i] + a2 * grad * grad;
        m[i] = mi;
        v[i] = vi;
        w[i] -= (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + eps);
      }
    }
    this.iterations = t;
  }
}
