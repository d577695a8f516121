// Pooling layers over the pooling ops.
import { avgPool2d, globalAvgPool2d, maxPool2d } from '../ops/pool.js';
import { parsePadding, parseSize2, type Padding, type Pool2dOptions, type Size2 } from '../ops/geometry.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { checkLayerOptions } from './options.js';

export interface Pool2dLayerOptions {
  kernelSize: Size2;
  /** Defaults to kernelSize. */
  stride?: Size2;
  padding?: Padding;
}

function parsePoolOptions(type: string, options: Pool2dLayerOptions): Pool2dOptions {
  const o = checkLayerOptions(type, options, true, ['kernelSize', 'stride', 'padding']);
  const kernel = parseSize2(type, 'kernelSize', o.kernelSize, [NaN, NaN]);
  if (Number.isNaN(kernel[0])) throw new Error(`${type}: kernelSize is required`);
  const stride = parseSize2(type, 'stride', o.stride, kernel);
  parsePadding(type, o.padding, kernel, kernel, stride, [1, 1]);
  const out: Pool2dOptions = { kernelSize: kernel, stride };
  return o.padding === undefined ? out : { ...out, padding: o.padding };
}

abstract class Pool2dLayer extends Module {
  protected readonly options: Pool2dOptions;

  constructor(type: string, options: Pool2dLayerOptions) {
    super();
    this.options = parsePoolOptions(type, options);
  }

  override config(): Record<string, unknown> {
    return JSON.parse(JSON.stringify(this.options)) as Record<string, unknown>;
  }
}

export class MaxPool2d extends Pool2dLayer {
  static readonly typeName = 'MaxPool2d';

  constructor(options: Pool2dLayerOptions) {
    super('MaxPool2d', options);
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.options);
  }
}

export class AvgPool2d extends Pool2dLayer {
  static readonly typeName = 'AvgPool2d';

  constructor(options: Pool2dLayerOptions) {
    super('AvgPool2d', options);
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.options);
  }
}

/** Mean over H and W: [N, C, H, W] → [N, C, 1, 1] (follow with Flatten for a classifier). */
export class GlobalAvgPool2d extends Module {
  static readonly typeName = 'GlobalAvgPool2d';

  constructor(options?: Record<string, never>) {
    super();
    checkLayerOptions('GlobalAvgPool2d', options, false, []);
  }

  forward(x: Tensor): Tensor {
    return globalAvgPool2d(x);
  }
}
