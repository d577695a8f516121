// The base every layer extends: forward/backward side by side, parameters with their
// gradients, train/eval mode, and the shape check Sequential runs before any work.
import { formatShape, type Shape, type Tensor } from '../tensor.js';
import type { LayerBuffer, Parameter } from './parameter.js';

export abstract class Layer {
  /** The class name used in error messages and in saved model files. */
  abstract readonly type: string;
  /** Train mode (the default) vs eval mode: matters for Dropout and BatchNorm2d. */
  training = true;

  /** Computes the output and caches what backward needs. */
  abstract forward(x: Tensor): Tensor;
  /** Given dL/dy, adds dL/dparam into each parameter's grad and returns dL/dx. */
  abstract backward(dy: Tensor): Tensor;
  /** The output shape for an input shape; throws (naming the layer) on a mismatch. */
  abstract outputShape(input: Shape): Shape;
  /** The constructor options that rebuild this layer (saved in model files). */
  abstract config(): Record<string, unknown>;

  parameters(): Parameter[] {
    return [];
  }

  buffers(): LayerBuffer[] {
    return [];
  }

  /** Like backward but the input gradient is not needed (first layer of a model):
   * layers for which dx is expensive skip it. */
  backwardParams(dy: Tensor): void {
    this.backward(dy);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad.data.fill(0);
  }

  train(mode = true): this {
    this.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Throws unless forward ran before (backward needs its cache). */
  protected cached<T>(value: T | null | undefined): T {
    if (value === null || value === undefined) throw new Error(`${this.type}.backward: called before forward (nothing cached)`);
    return value;
  }

  /** Throws unless dy has the shape forward produced. */
  protected checkGrad(dy: Tensor, yShape: Shape): void {
    if (dy.shape.length !== yShape.length || dy.shape.some((d, i) => d !== yShape[i])) {
      throw new Error(`${this.type}.backward: gradient shape ${formatShape(dy.shape)} does not match the output shape ${formatShape(yShape)}`);
    }
  }
}

export function checkInputRank(type: string, input: Shape, rank: number, what: string): void {
  if (input.length !== rank) throw new Error(`${type}: expected ${what} (rank ${rank}), got input shape ${formatShape(input)}`);
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
