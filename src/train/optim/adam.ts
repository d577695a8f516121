// Adam (Kingma & Ba 2015) with bias-corrected moments, and AdamW (Loshchilov & Hutter
// 2019: weight decay decoupled from the gradient, as torch.optim.AdamW).
import type { Parameter } from '../../tensor.js';
import { BaseOptimizer, checkGradients, checkNumber, type BaseOptimizerOptions } from './base.js';

export interface AdamOptions extends BaseOptimizerOptions {
  /** Default 0.001. */
  lr?: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
  /** Adam: L2 penalty added to the gradient (as PyTorch's Adam), default 0. AdamW: the
   * decoupled decay w -= lr_t·weightDecay·w, default 0.01 (as PyTorch's AdamW). */
  weightDecay?: number;
}

const ADAM_KEYS = ['beta1', 'beta2', 'eps', 'weightDecay'];

abstract class AdamFamily extends BaseOptimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  /** true: AdamW's decay of the weights; false: Adam's L2 term in the gradient. */
  protected abstract readonly decoupled: boolean;

  constructor(op: string, params: readonly Parameter[], options: AdamOptions, defaultWeightDecay: number) {
    super(op, params, options, ADAM_KEYS, 0.001);
    this.beta1 = checkNumber(op, 'beta1', options.beta1 ?? 0.9, 0, 1);
    this.beta2 = checkNumber(op, 'beta2', options.beta2 ?? 0.999, 0, 1);
    this.eps = checkNumber(op, 'eps', options.eps ?? 1e-8, 0, Infinity, false);
    this.weightDecay = checkNumber(op, 'weightDecay', options.weightDecay ?? defaultWeightDecay, 0);
    this.m = this.parameters.map((p) => new Float32Array(p.size));
    this.v = this.parameters.map((p) => new Float32Array(p.size));
  }

  protected ownSettings(): Record<string, unknown> {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }

  protected slots(): Record<string, Float32Array[]> {
    return { m: this.m, v: this.v };
  }

  step(): void {
    checkGradients(this.type, this.parameters);
    const t = this.iterations + 1;
    const lr = this.currentLr;
    const { beta1, beta2, eps } = this;
    // w -= lr·m̂/(√v̂ + eps) with m̂ = m/(1-β1ᵗ), v̂ = v/(1-β2ᵗ), the corrections hoisted.
    const stepSize = lr / (1 - beta1 ** t);
    const invSqrtC2 = 1 / Math.sqrt(1 - beta2 ** t);
    const a1 = 1 - beta1;
    const a2 = 1 - beta2;
    // Adam adds wd·w to the gradient; AdamW first scales w by (1 - lr·wd) (PyTorch's order).
    const l2 = this.decoupled ? 0 : this.weightDecay;
    const shrink = this.decoupled ? 1 - lr * this.weightDecay : 1;
    for (let k = 0; k < this.parameters.length; k++) {
      const p = this.parameters[k];
      if (p.grad === null) continue;
      const w = p.data;
      const g = p.grad.data;
      const m = this.m[k];
      const v = this.v[k];
      if (shrink !== 1) for (let i = 0; i < w.length; i++) w[i] *= shrink;
      for (let i = 0; i < w.length; i++) {
        const grad = g[i] + l2 * w[i];
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

/** Adam with bias-corrected moments; `weightDecay` is an L2 term added to the gradient
 * (as torch.optim.Adam). Unknown option keys throw. */
export class Adam extends AdamFamily {
  protected readonly type: string = 'Adam';
  protected readonly decoupled = false;

  constructor(params: readonly Parameter[], options: AdamOptions = {}) {
    super('Adam', params, options, 0);
  }
}

/** AdamW, as torch.optim.AdamW: every step first decays each weight, w -= lr_t·wd·w, then
 * applies the Adam update from the gradient alone (no L2 term in the moments). Default
 * weightDecay 0.01. Unknown option keys throw. */
export class AdamW extends AdamFamily {
  protected readonly type: string = 'AdamW';
  protected readonly decoupled = true;

  constructor(params: readonly Parameter[], options: AdamOptions = {}) {
    super('AdamW', params, options, 0.01);
  }
}
