// PReLU over the prelu op: a learnable negative slope, one for every channel or one shared
// (PyTorch's nn.PReLU(num_parameters, init); its state_dict key is 'weight').
import { prelu } from '../ops/prelu.js';
import { checkFiniteNumber } from '../ops/validate.js';
import { Parameter, formatShape, full, type Tensor } from '../tensor.js';
import { Module } from './module.js';
import { checkLayerOptions, positiveInt } from './options.js';

export interface PReLUOptions {
  /** 1 (default): one slope for every element; C: one per channel (dimension 1 of the input). */
  numParameters?: number;
  /** The slopes' initial value (default 0.25, as PyTorch). */
  init?: number;
}

export class PReLU extends Module {
  static readonly typeName = 'PReLU';
  readonly numParameters: number;
  readonly init: number;
  readonly weight: Parameter;

  constructor(options: PReLUOptions = {}) {
    super();
    const o = checkLayerOptions('PReLU', options, false, ['numParameters', 'init']);
    this.numParameters = positiveInt('PReLU', 'numParameters', o.numParameters, 1);
    this.init = o.init === undefined ? 0.25 : checkFiniteNumber('PReLU', 'init', o.init);
    this.weight = new Parameter(full([this.numParameters], this.init));
  }

  override config(): Record<string, unknown> {
    return { numParameters: this.numParameters, init: this.init };
  }

  forward(x: Tensor): Tensor {
    const n = this.numParameters;
    if (n > 1 && (x.rank < 2 || x.shape[1] !== n)) throw new Error(`PReLU: expected input [N, ${n}, ...] for ${n} parameters, got ${formatShape(x.shape)}`);
    return prelu(x, this.weight);
  }
}
