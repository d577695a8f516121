// SGD with momentum (seed 004's form), Nesterov, L2 weight decay and Keras-style lr decay.
import type { Parameter } from '../../tensor.js';
import { BaseOptimizer, checkGradients, checkNumber, type BaseOptimizerOptions } from './base.js';

export interface SGDOptions extends BaseOptimizerOptions {
  /** Default 0.01. */
  lr?: number;
  momentum?: number;
  /** L2 penalty: weightDecay·w is added to the gradient. */
  weightDecay?: number;
  nesterov?: boolean;
}

/** Mini-batch SGD with momentum in seed 004's form: v = momentum·v + lr_t·g, w -= v
 * (Nesterov: w -= momentum·v + lr_t·g), lr_t = lr / (1 + t·decay). Unknown option keys
 * throw. */
export class SGD extends BaseOptimizer {
  protected readonly type = 'SGD';
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly velocity: Float32Array[];

  constructor(params: readonly Parameter[], options: SGDOptions = {}) {
    super('SGD', params, options, ['momentum', 'weightDecay', 'nesterov'], 0.01);
    this.momentum = checkNumber('SGD', 'momentum', options.momentum ?? 0, 0, 1);
    this.weightDecay = checkNumber('SGD', 'weightDecay', options.weightDecay ?? 0, 0);
    if (options.nesterov !== undefined && typeof options.nesterov !== 'boolean') throw new Error(`SGD: nesterov must be true or false, got ${String(options.nesterov)}`);
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && this.momentum === 0) throw new Error('SGD: nesterov needs a momentum > 0');
    this.velocity = this.parameters.map((p) => new Float32Array(p.size));
  }

  protected ownSettings(): Record<string, unknown> {
    return { momentum: this.momentum, weightDecay: this.weightDecay, nesterov: this.nesterov };
  }

  protected slots(): Record<string, Float32Array[]> {
    return this.momentum === 0 ? {} : { velocity: this.velocity };
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
