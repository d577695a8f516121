// Pooling layers over the pooling ops.
import { adaptiveAvgPool2d, avgPool2d, globalAvgPool2d, globalMaxPool2d, maxPool2d } from '../ops/pool.js';
import { checkPoolPadding, parsePadding, parseSize2, type AvgPool2dOptions, type MaxPool2dOptions, type Padding, type Size2 } from '../ops/geometry.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { bool, checkLayerOptions } from './options.js';

export interface Pool2dLayerOptions {
  kernelSize: Size2;
  /** Defaults to kernelSize. */
  stride?: Size2;
  padding?: Padding;
  /** Round output sizes up (PyTorch's ceil_mode); default false. */
  ceilMode?: boolean;
}

export interface MaxPool2dLayerOptions extends Pool2dLayerOptions {
  /** Spacing of a window's taps; default 1. */
  dilation?: Size2;
}

export interface AvgPool2dLayerOptions extends Pool2dLayerOptions {
  /** Divide by the whole window, padding included (default true, as PyTorch), or only by
   * its elements inside the input (false, ONNX's default). */
  countIncludePad?: boolean;
}

const POOL_LAYER_KEYS = ['kernelSize', 'stride', 'padding', 'ceilMode'] as const;

/** The op options of a pooling layer, checked at construction (the input size is not known
 * yet, so only what does not depend on it). Only the options given are kept, so config()
 * and model files stay as they were for layers without the newer options. */
function parsePoolOptions(type: string, options: MaxPool2dLayerOptions & AvgPool2dLayerOptions, extra: readonly string[]): MaxPool2dOptions & AvgPool2dOptions {
  const o = checkLayerOptions(type, options, true, [...POOL_LAYER_KEYS, ...extra]);
  const kernel = parseSize2(type, 'kernelSize', o.kernelSize, [NaN, NaN]);
  if (Number.isNaN(kernel[0])) throw new Error(`${type}: kernelSize is required`);
  const stride = parseSize2(type, 'stride', o.stride, kernel);
  const dilation = parseSize2(type, 'dilation', o.dilation, [1, 1]);
  checkPoolPadding(type, parsePadding(type, o.padding, kernel, kernel, stride, dilation), kernel, dilation);
  const out: MaxPool2dOptions & AvgPool2dOptions = { kernelSize: kernel, stride };
  if (o.padding !== undefined) out.padding = o.padding;
  if (o.dilation !== undefined) out.dilation = dilation;
  if (o.ceilMode !== undefined) out.ceilMode = bool(type, 'ceilMode', o.ceilMode, false);
  if (o.countIncludePad !== undefined) out.countIncludePad = bool(type, 'countIncludePad', o.countIncludePad, true);
  return out;
}

abstract class Pool2dLayer extends Module {
  protected readonly options: MaxPool2dOptions & AvgPool2dOptions;

  constructor(type: string, options: MaxPool2dLayerOptions & AvgPool2dLayerOptions, extra: readonly string[]) {
    super();
    this.options = parsePoolOptions(type, options, extra);
  }

  override config(): Record<string, unknown> {
    return JSON.parse(JSON.stringify(this.options)) as Record<string, unknown>;
  }
}

export class MaxPool2d extends Pool2dLayer {
  static readonly typeName = 'MaxPool2d';

  constructor(options: MaxPool2dLayerOptions) {
    super('MaxPool2d', options, ['dilation']);
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.options);
  }
}

export class AvgPool2d extends Pool2dLayer {
  static readonly typeName = 'AvgPool2d';

  constructor(options: AvgPool2dLayerOptions) {
    super('AvgPool2d', options, ['countIncludePad']);
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

/** Max over H and W: [N, C, H, W] → [N, C, 1, 1] (ONNX's GlobalMaxPool). */
export class GlobalMaxPool2d extends Module {
  static readonly typeName = 'GlobalMaxPool2d';

  constructor(options?: Record<string, never>) {
    super();
    checkLayerOptions('GlobalMaxPool2d', options, false, []);
  }

  forward(x: Tensor): Tensor {
    return globalMaxPool2d(x);
  }
}

export interface AdaptiveAvgPool2dLayerOptions {
  /** The output's [height, width] (a number for both), whatever the input's size. */
  outputSize: Size2;
}

/** Mean over adaptive windows to a fixed output size (PyTorch's AdaptiveAvgPool2d):
 * [N, C, H, W] → [N, C, oh, ow]; output row i averages input rows floor(i·H/oh) .. ceil((i+1)·H/oh) − 1. */
export class AdaptiveAvgPool2d extends Module {
  static readonly typeName = 'AdaptiveAvgPool2d';
  readonly outputSize: [number, number];

  constructor(options: AdaptiveAvgPool2dLayerOptions) {
    super();
    const o = checkLayerOptions('AdaptiveAvgPool2d', options, true, ['outputSize']);
    if (o.outputSize === undefined) throw new Error('AdaptiveAvgPool2d: outputSize is required');
    this.outputSize = parseSize2('AdaptiveAvgPool2d', 'outputSize', o.outputSize, [NaN, NaN]);
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override config(): Record<string, unknown> {
    return { outputSize: [...this.outputSize] };
  }
}
