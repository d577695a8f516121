// Activation layers over the activation ops (PyTorch's names and options; PReLU, which
// has a weight, is in prelu.ts), and Identity.
import { leakyRelu, relu, sigmoid, tanh } from '../ops/activation.js';
import { hardSigmoid, hardSwish, relu6 } from '../ops/clip.js';
import { elu, eluOptions, gelu, geluOptions, silu, softplus, softplusOptions, type EluOptions, type GeluOptions, type SoftplusOptions } from '../ops/smooth.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { checkLayerOptions, numberIn } from './options.js';

/** A layer without options: the constructor refuses any, naming the subclass's type. */
abstract class Stateless extends Module {
  constructor(options?: Record<string, never>) {
    super();
    checkLayerOptions((new.target as unknown as { typeName: string }).typeName, options, false, []);
  }
}

export class ReLU extends Stateless {
  static readonly typeName = 'ReLU';

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

  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Tanh extends Stateless {
  static readonly typeName = 'Tanh';

  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** min(max(x, 0), 6) (MobileNetV2). */
export class ReLU6 extends Stateless {
  static readonly typeName = 'ReLU6';

  forward(x: Tensor): Tensor {
    return relu6(x);
  }
}

/** x·relu6(x + 3)/6 (MobileNetV3). */
export class Hardswish extends Stateless {
  static readonly typeName = 'Hardswish';

  forward(x: Tensor): Tensor {
    return hardSwish(x);
  }
}

/** relu6(x + 3)/6, PyTorch's constants: the hardSigmoid op with alpha 1/6 (the op's own
 * default is ONNX's 0.2), beta 0.5. */
export class Hardsigmoid extends Stateless {
  static readonly typeName = 'Hardsigmoid';

  forward(x: Tensor): Tensor {
    return hardSigmoid(x, { alpha: 1 / 6, beta: 0.5 });
  }
}

/** x·sigmoid(x) (swish; EfficientNet). */
export class SiLU extends Stateless {
  static readonly typeName = 'SiLU';

  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

export class GELU extends Module {
  static readonly typeName = 'GELU';
  readonly approximate: 'none' | 'tanh';

  constructor(options: GeluOptions = {}) {
    super();
    this.approximate = geluOptions('GELU', checkLayerOptions('GELU', options, false, ['approximate'])).approximate;
  }

  override config(): Record<string, unknown> {
    return { approximate: this.approximate };
  }

  forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }
}

export class ELU extends Module {
  static readonly typeName = 'ELU';
  readonly alpha: number;

  constructor(options: EluOptions = {}) {
    super();
    this.alpha = eluOptions('ELU', checkLayerOptions('ELU', options, false, ['alpha'])).alpha;
  }

  override config(): Record<string, unknown> {
    return { alpha: this.alpha };
  }

  forward(x: Tensor): Tensor {
    return elu(x, { alpha: this.alpha });
  }
}

export class Softplus extends Module {
  static readonly typeName = 'Softplus';
  readonly beta: number;
  readonly threshold: number;

  constructor(options: SoftplusOptions = {}) {
    super();
    const o = softplusOptions('Softplus', checkLayerOptions('Softplus', options, false, ['beta', 'threshold']));
    this.beta = o.beta;
    this.threshold = o.threshold;
  }

  override config(): Record<string, unknown> {
    return { beta: this.beta, threshold: this.threshold };
  }

  forward(x: Tensor): Tensor {
    return softplus(x, { beta: this.beta, threshold: this.threshold });
  }
}

/** Returns its input (a placeholder, e.g. a shortcut without a projection). */
export class Identity extends Stateless {
  static readonly typeName = 'Identity';

  forward(x: Tensor): Tensor {
    return x;
  }
}
