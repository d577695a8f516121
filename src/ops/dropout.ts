// Inverted dropout: in training each element is kept with probability 1 − p and scaled by
// 1/(1 − p); otherwise the identity. The mask is drawn in TypeScript (the random stream
// must match on every backend) and applied by the backend.
import type { Backend } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { tracing } from '../autograd/trace.js';
import { globalRandom } from '../init.js';
import { Random } from '../random.js';
import { Tensor, zeros } from '../tensor.js';
import { checkBoolean, checkOptions, checkTensor, resolveBackend } from './validate.js';

export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1) (default 0.5). */
  p?: number;
  /** Apply the mask (default true); false returns x itself. */
  training?: boolean;
  /** Generator of the mask (default: the global one, see setSeed). */
  random?: Random;
}

export function dropout(x: Tensor, options?: DropoutOptions, backend?: Backend): Tensor {
  const op = 'dropout';
  checkTensor(op, 'input', x);
  const opts = checkOptions(op, options, ['p', 'training', 'random']);
  const p = opts.p ?? 0.5;
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new Error(`${op}: p must be a number in [0, 1), got ${String(opts.p)}`);
  if (opts.random !== undefined && !(opts.random instanceof Random)) throw new Error(`${op}: random must be a Random, got ${String(opts.random)}`);
  const training = checkBoolean(op, 'training', opts.training, true);
  const be = resolveBackend(op, backend);
  // The identity records nothing: its output is x itself, which the trace already knows.
  if (!training || p === 0) return x;
  const rng = opts.random ?? globalRandom();
  const scale = 1 / (1 - p);
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < p ? 0 : scale;
  const y = zeros(x.shape);
  be.binary('mul', x.data, mask, y.data);
  return record(op, y, [x], be, (dy) => {
    const dx = zeros(x.shape);
    be.binary('mul', dy.data, mask, dx.data);
    return [dx];
  }, tracing() ? { p, training, mask } : undefined);
}
