// Activation layers over the activation ops, and Identity.
import { leakyRelu, relu, sigmoid, tanh } from '../ops/activation.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { checkLayerOptions, numberIn } from './options.js';

/** A layer without options: the constructor refuses any. */
abstract class Stateless extends Module {
  constructor(type: string, options?: Record<string, never>) {
    super();
    checkLayerOptions(type, options, false, []);
  }
}

export class ReLU extends Stateless {
  static readonly typeName = 'ReLU';

  constructor(options?: Record<string, never>) {
    super('ReLU', options);
  }

  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class LeakyReLU extends Module {
  static readonly typeName = 'LeakyReLU';
  readonly slope: number;

  constructor(options: { slope?: number } = {}) {
    super();
    this.slope = numberIn('LeakyReLU', 'slope', checkLayerOptions('LeakyReLU', options, false, ['slope']).slope, 0.01, 0, 1);
  }

  override config(): Record<string, unknown> {
    return { slope: this.slope };
  }

  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.slope);
  }
}

export class Sigmoid extends Stateless {
  static readonly typeName = 'Sigmoid';

  constructor(options?: Record<string, never>) {
    super('Sigmoid', options);
  }

  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Tanh extends Stateless {
  static readonly typeName = 'Tanh';

  constructor(options?: Record<string, never>) {
    super('Tanh', options);
  }

  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** Returns its input (a placeholder, e.g. a shortcut without a projection). */
export class Identity extends Stateless {
  static readonly typeName = 'Identity';

  constructor(options?: Record<string, never>) {
    super('Identity', options);
  }

  forward(x: Tensor): Tensor {
    return x;
  }
}
