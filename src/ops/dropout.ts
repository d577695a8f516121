// Inverted dropout: in training each element is kept with probability 1 − p and scaled by
// 1/(1 − p); otherwise the identity. The mask is drawn in TypeScript (the random stream
// must match on every backend) and applied by the backend. dropoutWithMask also returns
// the mask (1 kept, 0 dropped), as ONNX's Dropout does with its second output.
import type { Backend } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { tracing } from '../autograd/trace.js';
import { globalRandom } from '../init.js';
import { Random } from '../random.js';
import { Tensor, zerosOn } from '../tensor.js';
import { checkBoolean, checkOptions, checkTensor, resolveBackend } from './validate.js';

export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1) (default 0.5). */
  p?: number;
  /** Apply the mask (default true); false returns x itself. */
  training?: boolean;
  /** Generator of the mask (default: the global one, see setSeed). */
  random?: Random;
}

export interface DropoutResult {
  y: Tensor;
  /** Per element of x (row-major, x's shape): 1 where it was kept, 0 where it was zeroed.
   * All 1 when nothing is dropped (`training: false` or `p: 0`). */
  mask: Uint8Array;
}

export function dropout(x: Tensor, options?: DropoutOptions, backend?: Backend): Tensor {
  return run('dropout', x, options, backend, false).y;
}

/** dropout that also returns its mask. In training with p > 0 it draws the same numbers
 * from the generator as dropout, so both give the same y for the same seed. */
export function dropoutWithMask(x: Tensor, options?: DropoutOptions, backend?: Backend): DropoutResult {
  return run('dropoutWithMask', x, options, backend, true) as DropoutResult;
}

function run(op: string, x: Tensor, options: DropoutOptions | undefined, backend: Backend | undefined, wantMask: boolean): { y: Tensor; mask: Uint8Array | null } {
  checkTensor(op, 'input', x);
  const opts = checkOptions(op, options, ['p', 'training', 'random']);
  const p = opts.p ?? 0.5;
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new Error(`${op}: p must be a number in [0, 1), got ${String(opts.p)}`);
  if (opts.random !== undefined && !(opts.random instanceof Random)) throw new Error(`${op}: random must be a Random, got ${String(opts.random)}`);
  const training = checkBoolean(op, 'training', opts.training, true);
  const be = resolveBackend(op, backend);
  // The identity records nothing: its output is x itself, which the trace already knows.
  if (!training || p === 0) return { y: x, mask: wantMask ? new Uint8Array(x.size).fill(1) : null };
  const rng = opts.random ?? globalRandom();
  const scale = 1 / (1 - p);
  const factors = new Float32Array(x.size);
  for (let i = 0; i < factors.length; i++) factors[i] = rng.next() < p ? 0 : scale;
  const y = zerosOn(be, x.shape);
  be.binary('mul', x.data, factors, y.data);
  record('dropout', y, [x], be, (dy) => {
    const dx = zerosOn(be, x.shape);
    be.binary('mul', dy.data, factors, dx.data);
    return [dx];
  }, tracing() ? { p, training, mask: factors } : undefined);
  return { y, mask: wantMask ? Uint8Array.from(factors, (f) => (f === 0 ? 0 : 1)) : null };
}
