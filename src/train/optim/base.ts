// Optimizers over a list of parameters (model.parameters()). A step() first checks every
// gradient and only then changes anything: a non-finite gradient throws and leaves all
// parameters and the optimizer state exactly as they were.
import { Parameter, Tensor, formatShape } from '../../tensor.js';
import type { OptimizerState } from '../../serialize/encode.js';

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

export abstract class BaseOptimizer implements Optimizer {
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

