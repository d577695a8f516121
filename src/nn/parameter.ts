// A trainable tensor and its gradient, side by side (as micrograd/ConvNetJS keep them).
import { Tensor, zeros } from '../tensor.js';

export interface Parameter {
  /** 'weight' inside a layer; Sequential qualifies it as '<layer index>.weight'. */
  name: string;
  readonly value: Tensor;
  /** Same shape as value. Backward passes ADD into it; zeroGrad() clears it. */
  readonly grad: Tensor;
}

/** A non-trainable state tensor saved with the model (e.g. BatchNorm running statistics). */
export interface LayerBuffer {
  name: string;
  readonly value: Tensor;
}

export function createParameter(name: string, value: Tensor): Parameter {
  return { name, value, grad: zeros(value.shape) };
}

/** grad += delta, elementwise (gradients accumulate across backward calls). */
export function accumulate(param: Parameter, delta: Tensor): void {
  const g = param.grad.data;
  const d = delta.data;
  if (d.length !== g.length) {
    throw new Error(`accumulate: gradient for '${param.name}' has ${d.length} elements, parameter has ${g.length}`);
  }
  for (let i = 0; i < g.length; i++) g[i] += d[i];
}
