// Flatten: [N, ...] → [N, product of the rest]; a view, no copy.
import { formatShape, shapeSize, type Shape, type Tensor } from '../tensor.js';
import { Layer } from './layer.js';

export class Flatten extends Layer {
  readonly type = 'Flatten';
  private inShape: Shape | null = null;

  config(): Record<string, unknown> {
    return {};
  }

  outputShape(input: Shape): Shape {
    if (input.length < 1) throw new Error(`Flatten: expected an input with a batch dimension, got shape ${formatShape(input)}`);
    return [input[0], shapeSize(input.slice(1))];
  }

  forward(x: Tensor): Tensor {
    const y = x.reshape(this.outputShape(x.shape));
    this.inShape = x.shape;
    return y;
  }

  backward(dy: Tensor): Tensor {
    const xShape = this.cached(this.inShape);
    this.checkGrad(dy, this.outputShape(xShape));
    return dy.reshape(xShape);
  }
}
