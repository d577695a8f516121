// Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_).
import { Parameter, Tensor, formatShape } from '../tensor.js';
import { checkOptions } from '../ops/validate.js';

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or ±Infinity (default false: return it and leave
   * the gradients as they are, so the optimizer's own check refuses the step). */
  errorIfNonfinite?: boolean;
}

/** Scales every gradient of `parameters` in place by maxNorm / (total + 1e-6) when the
 * global L2 norm `total` of all of them together exceeds maxNorm, as PyTorch's
 * clip_grad_norm_; returns `total` (the norm before clipping). Parameters without a
 * gradient are skipped; a gradient tensor shared by several parameters counts once. The
 * sum of squares is accumulated in float64.
 *
 * A non-finite total (a NaN or ±Infinity in some gradient) changes nothing: scaling would
 * spread the NaN to every gradient or zero the finite ones. The total is returned, and the
 * next optimizer step refuses the non-finite gradient, naming it, with no parameter
 * changed (or this throws at once with `errorIfNonfinite: true`). */
export function clipGradNorm(parameters: readonly Tensor[], maxNorm: number, options: ClipGradNormOptions = {}): number {
  const o = checkOptions('clipGradNorm', options, ['errorIfNonfinite']);
  if (!Array.isArray(parameters)) throw new Error(`clipGradNorm: parameters must be an array of tensors (model.parameters()), got ${String(parameters)}`);
  if (typeof maxNorm !== 'number' || !Number.isFinite(maxNorm) || maxNorm <= 0) {
    throw new Error(`clipGradNorm: maxNorm must be a finite number > 0, got ${String(maxNorm)}`);
  }
  if (o.errorIfNonfinite !== undefined && typeof o.errorIfNonfinite !== 'boolean') {
    throw new Error(`clipGradNorm: errorIfNonfinite must be true or false, got ${String(o.errorIfNonfinite)}`);
  }
  const grads = new Set<Float32Array>();
  parameters.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new Error(`clipGradNorm: parameter ${i} is not a Tensor (got ${String(p)})`);
    if (p.grad === null) return;
    if (!(p.grad instanceof Tensor) || p.grad.size !== p.size) {
      const name = p instanceof Parameter && p.name ? ` ('${p.name}')` : '';
      throw new Error(`clipGradNorm: the gradient of parameter ${i}${name} does not match its shape ${formatShape(p.shape)}`);
    }
    grads.add(p.grad.data);
  });
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  const total = Math.sqrt(sum);
  if (!Number.isFinite(total)) {
    if (o.errorIfNonfinite) throw new Error(`clipGradNorm: the total gradient norm is ${total}; no gradient was changed`);
    return total;
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= coef;
  return total;
}
