// Adam (Kingma & Ba 2015) with bias-corrected moments.
import type { Parameter } from '../../tensor.js';
import { BaseOptimizer, checkGradients, checkNumber } from './base.js';

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
