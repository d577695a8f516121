// Inverted dropout: in train mode each element is kept with probability 1 - p and scaled
// by 1 / (1 - p); in eval mode it is the identity. The mask is cached for backward.
import { Random } from '../random.js';
import { globalRandom } from '../init.js';
import { Tensor, type Shape } from '../tensor.js';
import { Layer } from './layer.js';
import { checkLayerOptions, numberIn } from './options.js';

export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1). Default 0.5. */
  p?: number;
  /** Own generator seed; without it masks come from the global generator (setSeed). */
  seed?: number;
}

export class Dropout extends Layer {
  readonly type = 'Dropout';
  readonly p: number;
  private readonly random: Random | null;
  /** The last mask (0 or 1/(1-p) per element); null in eval mode (identity). */
  mask: Float32Array | null = null;
  private outShape: Shape | null = null;

  constructor(options: DropoutOptions = {}) {
    super();
    const o = checkLayerOptions('Dropout', options, false);
    this.p = numberIn('Dropout', 'p', o.p, 0.5, 0, 1, false);
    if (o.seed !== undefined && !Number.isFinite(o.seed)) throw new Error(`Dropout: seed must be a finite number, got ${String(o.seed)}`);
    this.random = o.seed === undefined ? null : new Random(o.seed);
  }

  config(): Record<string, unknown> {
    return { p: this.p };
  }

  outputShape(input: Shape): Shape {
    return input;
  }

  forward(x: Tensor): Tensor {
    this.outShape = x.shape;
    if (!this.training || this.p === 0) {
      this.mask = null;
      return x;
    }
    const rng = this.random ?? globalRandom();
    const scale = 1 / (1 - this.p);
    const mask = new Float32Array(x.size);
    const y = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) {
      mask[i] = rng.next() < this.p ? 0 : scale;
      y[i] = x.data[i] * mask[i];
    }
    this.mask = mask;
    return new Tensor(y, x.shape);
  }

  backward(dy: Tensor): Tensor {
    this.checkGrad(dy, this.cached(this.outShape));
    if (!this.mask) return dy;
    const dx = new Float32Array(dy.size);
    for (let i = 0; i < dx.length; i++) dx[i] = dy.data[i] * this.mask[i];
    return new Tensor(dx, dy.shape);
  }
}
