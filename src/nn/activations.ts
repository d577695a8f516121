// Elementwise activation layers over the activation ops. ReLU/LeakyReLU cache their
// input, Sigmoid/Tanh their output (what each backward needs).
import { leakyRelu, leakyReluBackward, relu, reluBackward, sigmoid, sigmoidBackward, tanh, tanhBackward } from '../ops/activation.js';
import type { Shape, Tensor } from '../tensor.js';
import { Layer } from './layer.js';
import { checkLayerOptions, numberIn } from './options.js';

abstract class Elementwise extends Layer {
  protected saved: Tensor | null = null;

  config(): Record<string, unknown> {
    return {};
  }

  outputShape(input: Shape): Shape {
    return input;
  }

  protected savedFor(dy: Tensor): Tensor {
    const t = this.cached(this.saved);
    this.checkGrad(dy, t.shape);
    return t;
  }
}

export class ReLU extends Elementwise {
  readonly type = 'ReLU';

  forward(x: Tensor): Tensor {
    const y = relu(x);
    this.saved = x;
    return y;
  }

  backward(dy: Tensor): Tensor {
    return reluBackward(this.savedFor(dy), dy);
  }
}

export class LeakyReLU extends Elementwise {
  readonly type = 'LeakyReLU';
  readonly slope: number;

  constructor(options: { slope?: number } = {}) {
    super();
    this.slope = numberIn('LeakyReLU', 'slope', checkLayerOptions('LeakyReLU', options, false).slope, 0.01, 0, 1);
  }

  override config(): Record<string, unknown> {
    return { slope: this.slope };
  }

  forward(x: Tensor): Tensor {
    const y = leakyRelu(x, this.slope);
    this.saved = x;
    return y;
  }

  backward(dy: Tensor): Tensor {
    return leakyReluBackward(this.savedFor(dy), dy, this.slope);
  }
}

export class Sigmoid extends Elementwise {
  readonly type = 'Sigmoid';

  forward(x: Tensor): Tensor {
    const y = sigmoid(x);
    this.saved = y;
    return y;
  }

  backward(dy: Tensor): Tensor {
    return sigmoidBackward(this.savedFor(dy), dy);
  }
}

export class Tanh extends Elementwise {
  readonly type = 'Tanh';

  forward(x: Tensor): Tensor {
    const y = tanh(x);
    this.saved = y;
    return y;
  }

  backward(dy: Tensor): Tensor {
    return tanhBackward(this.savedFor(dy), dy);
  }
}
