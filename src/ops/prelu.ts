// PReLU with a learnable slope per channel, as PyTorch's F.prelu: slope [C] applies along
// dimension 1 of x (NCHW channels; x needs rank ≥ 2), slope [1] to every element.
// Gradients for x and for the slope (summed over every position of its channel).
import type { Backend } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { Tensor, formatShape, zerosOn } from '../tensor.js';
import { checkTensor, resolveBackend } from './validate.js';

/** x where x > 0, else slope[c]·x for x [N, C, ...] and slope [C] or [1]. */
export function prelu(x: Tensor, slope: Tensor, backend?: Backend): Tensor {
  const op = 'prelu';
  checkTensor(op, 'input', x);
  checkTensor(op, 'slope', slope);
  const channels = slope.rank === 1 ? slope.shape[0] : -1;
  const fits = channels === 1 || (channels >= 1 && x.rank >= 2 && x.shape[1] === channels);
  if (!fits) {
    const want = x.rank >= 2 ? `[1] or [${x.shape[1]}] (the channels, dimension 1)` : '[1] (the input has no channel dimension)';
    throw new Error(`${op}: slope must have shape ${want} for input ${formatShape(x.shape)}, got ${formatShape(slope.shape)}`);
  }
  const be = resolveBackend(op, backend);
  const outer = channels === 1 ? 1 : x.shape[0];
  const inner = channels === 1 ? x.size : x.shape.slice(2).reduce((a, d) => a * d, 1);
  const y = zerosOn(be, x.shape);
  be.prelu(x.data, slope.data, outer, channels, inner, y.data);
  return record(op, y, [x, slope], be, (dy, [needX, needSlope]) => {
    const dx = needX ? zerosOn(be, x.shape) : null;
    const dslope = needSlope ? zerosOn(be, slope.shape) : null;
    be.preluBackward(x.data, slope.data, dy.data, outer, channels, inner, dx ? dx.data : null, dslope ? dslope.data : null);
    return [dx, dslope];
  });
}
