// Batch normalization over NCHW per channel (statistics over N, H, W), as PyTorch's
// F.batch_norm: train mode normalizes with the batch's statistics and updates the running
// ones in place (running = (1 − momentum)·running + momentum·batch, unbiased variance);
// eval mode normalizes with the running statistics. Arithmetic in the backend.
import type { Backend, BatchNormGeometry } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { tracing } from '../autograd/trace.js';
import { Tensor, formatShape, zerosOn } from '../tensor.js';
import { checkBoolean, checkOptions, checkTensor, resolveBackend } from './validate.js';

export interface BatchNorm2dOptions {
  /** Use and update batch statistics (default false: use the running ones). */
  training?: boolean;
  /** Weight of the new batch in the running statistics (default 0.1). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

const KEYS = ['training', 'momentum', 'eps'] as const;

function checkChannels(op: string, name: string, t: Tensor | null, channels: number, x: Tensor): void {
  if (t === null) return;
  checkTensor(op, name, t);
  if (t.rank !== 1 || t.shape[0] !== channels) {
    throw new Error(`${op}: ${name} must have shape [${channels}] for input ${formatShape(x.shape)}, got ${formatShape(t.shape)}`);
  }
}

/** y = weight·(x − mean)/√(var + eps) + bias per channel of x [N, C, H, W]; weight and
 * bias may be null (1 and 0). runningMean/runningVar [C] are read in eval mode and
 * updated in train mode. */
export function batchNorm2d(
  x: Tensor, runningMean: Tensor, runningVar: Tensor, weight: Tensor | null, bias: Tensor | null,
  options?: BatchNorm2dOptions, backend?: Backend,
): Tensor {
  const op = 'batchNorm2d';
  checkTensor(op, 'input', x);
  if (x.rank !== 4) throw new Error(`${op}: input must be [N, C, H, W], got ${formatShape(x.shape)}`);
  const opts = checkOptions(op, options, KEYS);
  const training = checkBoolean(op, 'training', opts.training, false);
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new Error(`${op}: momentum must be a number in [0, 1], got ${String(momentum)}`);
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) throw new Error(`${op}: eps must be a finite number > 0, got ${String(eps)}`);
  const [n, channels, h, w] = x.shape;
  checkChannels(op, 'runningMean', runningMean, channels, x);
  checkChannels(op, 'runningVar', runningVar, channels, x);
  checkChannels(op, 'weight', weight, channels, x);
  checkChannels(op, 'bias', bias, channels, x);
  const count = n * h * w;
  if (training && count < 2) throw new Error(`${op}: train mode needs more than one value per channel, got input ${formatShape(x.shape)}`);
  const be = resolveBackend(op, backend);
  const g: BatchNormGeometry = { batch: n, channels, inner: h * w };
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  if (training) {
    be.batchNormStats(g, x.data, mean, variance);
    const rm = runningMean.data;
    const rv = runningVar.data;
    for (let c = 0; c < channels; c++) {
      rm[c] = (1 - momentum) * rm[c] + momentum * mean[c];
      rv[c] = (1 - momentum) * rv[c] + (momentum * variance[c] * count) / (count - 1);
    }
  } else {
    mean.set(runningMean.data);
    variance.set(runningVar.data);
  }
  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const ones = weight ? null : new Float32Array(channels).fill(1);
  // Views are taken at each call: an allocation may grow wasm memory and detach older ones.
  const gamma = (): Float32Array => (weight ? weight.data : (ones as Float32Array));
  const y = zerosOn(be, x.shape);
  be.batchNormApply(g, x.data, mean, invStd, gamma(), bias ? bias.data : new Float32Array(channels), y.data);
  return record(op, y, [x, weight, bias], be, (dy, [needX, needW, needB]) => {
    const dx = needX ? zerosOn(be, x.shape) : null;
    const dgamma = zerosOn(be, [channels]);
    const dbeta = zerosOn(be, [channels]);
    be.batchNormBackward(g, dy.data, x.data, mean, invStd, gamma(), training, dx ? dx.data : null, dgamma.data, dbeta.data);
    return [dx, needW ? dgamma : null, needB ? dbeta : null];
  }, tracing() ? { training, momentum, eps, runningMean, runningVar } : undefined);
}
