// Dropout over the dropout op: active in train mode, the identity in eval mode.
import { dropout } from '../ops/dropout.js';
import { Random } from '../random.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { checkLayerOptions, numberIn } from './options.js';

export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1). Default 0.5. */
  p?: number;
  /** Own generator seed; without it masks come from the global generator (setSeed). */
  seed?: number;
}

export class Dropout extends Module {
  static readonly typeName = 'Dropout';
  readonly p: number;
  readonly seed: number | undefined;
  private readonly random: Random | undefined;

  constructor(options: DropoutOptions = {}) {
    super();
    const o = checkLayerOptions('Dropout', options, false, ['p', 'seed']);
    this.p = numberIn('Dropout', 'p', o.p, 0.5, 0, 1, false);
    if (o.seed !== undefined && !Number.isFinite(o.seed)) throw new Error(`Dropout: seed must be a finite number, got ${String(o.seed)}`);
    this.seed = o.seed;
    this.random = o.seed === undefined ? undefined : new Random(o.seed);
  }

  override config(): Record<string, unknown> {
    // A loaded Dropout with a seed restarts its mask stream from that seed.
    return this.seed === undefined ? { p: this.p } : { p: this.p, seed: this.seed };
  }

  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training, ...(this.random ? { random: this.random } : {}) });
  }
}
