// Flatten: [N, ...] → [N, product of the rest] by default; a view, no copy.
import { flatten } from '../ops/shape.js';
import { formatShape, type Tensor } from '../tensor.js';
import { Module } from './module.js';
import { checkLayerOptions } from './options.js';

export class Flatten extends Module {
  static readonly typeName = 'Flatten';
  readonly startDim: number;

  constructor(options: { startDim?: number } = {}) {
    super();
    const o = checkLayerOptions('Flatten', options, false, ['startDim']);
    const s = o.startDim ?? 1;
    if (!Number.isInteger(s) || s < 0) throw new Error(`Flatten: startDim must be a non-negative integer, got ${String(o.startDim)}`);
    this.startDim = s;
  }

  override config(): Record<string, unknown> {
    return this.startDim === 1 ? {} : { startDim: this.startDim };
  }

  forward(x: Tensor): Tensor {
    if (x.rank <= this.startDim) throw new Error(`Flatten: expected an input of rank > ${this.startDim}, got shape ${formatShape(x.shape)}`);
    return flatten(x, this.startDim);
  }
}
