// Pooling layers over the pooling ops. MaxPool2d caches only the argmax (ConvNetJS's
// switches) and the input shape.
import { avgPool2d, avgPool2dBackward, globalAvgPool2d, globalAvgPool2dBackward, maxPool2d, maxPool2dBackward } from '../ops/pool.js';
import { parsePadding, parseSize2, pool2dGeometry, type Padding, type Pool2dOptions, type Size2 } from '../ops/geometry.js';
import type { Shape, Tensor } from '../tensor.js';
import { Layer, checkInputRank } from './layer.js';
import { checkLayerOptions } from './options.js';

export interface Pool2dLayerOptions {
  kernelSize: Size2;
  /** Defaults to kernelSize. */
  stride?: Size2;
  padding?: Padding;
}

function parsePoolOptions(type: string, options: Pool2dLayerOptions): Pool2dOptions {
  const o = checkLayerOptions(type, options, true);
  const kernel = parseSize2(type, 'kernelSize', o.kernelSize, [NaN, NaN]);
  if (Number.isNaN(kernel[0])) throw new Error(`${type}: kernelSize is required`);
  const stride = parseSize2(type, 'stride', o.stride, kernel);
  parsePadding(type, o.padding, kernel, kernel, stride, [1, 1]);
  const out: Pool2dOptions = { kernelSize: kernel, stride };
  return o.padding === undefined ? out : { ...out, padding: o.padding };
}

abstract class Pool2dLayer extends Layer {
  protected readonly options: Pool2dOptions;
  protected inShape: Shape | null = null;
  protected outShape: Shape = [];

  constructor(type: string, options: Pool2dLayerOptions) {
    super();
    this.options = parsePoolOptions(type, options);
  }

  config(): Record<string, unknown> {
    return JSON.parse(JSON.stringify(this.options)) as Record<string, unknown>;
  }

  outputShape(input: Shape): Shape {
    checkInputRank(this.type, input, 4, '[N, C, H, W]');
    const g = pool2dGeometry(this.type, input, this.options);
    return [g.batch, g.channels, g.outHeight, g.outWidth];
  }
}

export class MaxPool2d extends Pool2dLayer {
  readonly type = 'MaxPool2d';
  private argmax: Int32Array | null = null;

  constructor(options: Pool2dLayerOptions) {
    super('MaxPool2d', options);
  }

  forward(x: Tensor): Tensor {
    this.outputShape(x.shape);
    const { y, argmax } = maxPool2d(x, this.options);
    this.argmax = argmax;
    this.inShape = x.shape;
    this.outShape = y.shape;
    return y;
  }

  backward(dy: Tensor): Tensor {
    const argmax = this.cached(this.argmax);
    this.checkGrad(dy, this.outShape);
    return maxPool2dBackward(dy, argmax, this.cached(this.inShape), this.options);
  }
}

export class AvgPool2d extends Pool2dLayer {
  readonly type = 'AvgPool2d';

  constructor(options: Pool2dLayerOptions) {
    super('AvgPool2d', options);
  }

  forward(x: Tensor): Tensor {
    this.outputShape(x.shape);
    const y = avgPool2d(x, this.options);
    this.inShape = x.shape;
    this.outShape = y.shape;
    return y;
  }

  backward(dy: Tensor): Tensor {
    const xShape = this.cached(this.inShape);
    this.checkGrad(dy, this.outShape);
    return avgPool2dBackward(dy, xShape, this.options);
  }
}

/** Mean over H and W: [N, C, H, W] → [N, C, 1, 1] (follow with Flatten for a classifier). */
export class GlobalAvgPool2d extends Layer {
  readonly type = 'GlobalAvgPool2d';
  private inShape: Shape | null = null;

  config(): Record<string, unknown> {
    return {};
  }

  outputShape(input: Shape): Shape {
    checkInputRank(this.type, input, 4, '[N, C, H, W]');
    return [input[0], input[1], 1, 1];
  }

  forward(x: Tensor): Tensor {
    this.outputShape(x.shape);
    const y = globalAvgPool2d(x);
    this.inShape = x.shape;
    return y;
  }

  backward(dy: Tensor): Tensor {
    const xShape = this.cached(this.inShape);
    this.checkGrad(dy, [xShape[0], xShape[1], 1, 1]);
    return globalAvgPool2dBackward(dy, xShape);
  }
}
