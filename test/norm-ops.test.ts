// layerNorm, groupNorm and instanceNorm: gradients through the tape by central finite
// differences on the naive backend, their defining identities, the layers, and bad input.
//
// Gradient tolerance (test/support/gradcheck.ts, error relative to max(1, max|gradient|)):
// h = 1e-2, tol 1e-3, the SMOOTH pair of test/autograd-ops.test.ts. The normalization is
// smooth where the variance is not tiny: inputs are 2·U[-1, 1) (a row's std ≈ 1.15, so
// the third derivative of x̂, ~1/σ³ times a few, keeps h²/6·|f'''| ≲ 1e-4), plus float32
// rounding of y over 2h (≲ 1e-4). Observed ≤ 5e-5. A wrong rule (a missing mean term,
// a gradient not summed over the batch or the group) is off by O(1e-1) or more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../src/backend/registry.js';
import type { Backend } from '../src/backend/backend.js';
import { naiveBackend as naive } from '../src/backend/naive.js';
import { batchNorm2d, groupNorm, instanceNorm, layerNorm, layerNormWithStats, mul } from '../src/ops/index.js';
import { GroupNorm, InstanceNorm2d, LayerNorm, createModule } from '../src/nn/index.js';
import { Tensor, full, zeros } from '../src/tensor.js';
import { expectTapeGradients } from './support/gradcheck.js';
import { randomTensor } from './support/random.js';
import { expectClose } from './support/compare.js';

const SMOOTH = { h: 1e-2, tol: 1e-3 };
const bad = <T>(v: unknown) => v as T;

let before: Backend;
beforeAll(() => {
  before = setBackend('naive');
});
afterAll(() => {
  setBackend(before);
});

/** Mean and biased variance of each of `rows` contiguous blocks of y. */
function rowStats(y: Tensor, rows: number): { mean: number[]; variance: number[] } {
  const m = y.size / rows;
  const mean: number[] = [];
  const variance: number[] = [];
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += y.data[r * m + i];
    const mu = s / m;
    let q = 0;
    for (let i = 0; i < m; i++) q += (y.data[r * m + i] - mu) ** 2;
    mean.push(mu);
    variance.push(q / m);
  }
  return { mean, variance };
}

describe('normalization gradients through the tape (naive)', () => {
  it('layerNorm over the last two dimensions: input, weight, bias', () => {
    const x = randomTensor([2, 3, 4], 60, 2);
    const w = randomTensor([3, 4], 61);
    const b = randomTensor([3, 4], 62);
    expectTapeGradients('layerNorm [3, 4]', () => layerNorm(x, [3, 4], w, b), [x, w, b], SMOOTH);
  });

  it('layerNorm over one dimension, without affine, with only a weight, and a large mean', () => {
    const x = randomTensor([4, 5], 63, 2);
    expectTapeGradients('layerNorm 5 no affine', () => layerNorm(x, 5, null, null, { eps: 1e-3 }), [x], SMOOTH);
    const w = randomTensor([5], 64);
    expectTapeGradients('layerNorm weight only', () => layerNorm(x, [5], w), [x, w], SMOOTH);
    const shifted = randomTensor([3, 6], 65, 2);
    for (let i = 0; i < shifted.size; i++) shifted.data[i] += 50;
    expectTapeGradients('layerNorm mean 50', () => layerNorm(shifted, 6), [shifted], SMOOTH);
  });

  it('groupNorm with 2 groups of 2 channels, 1 group and one channel per group (rank 3 and 4)', () => {
    const x = randomTensor([2, 4, 3, 2], 66, 2);
    const w = randomTensor([4], 67);
    const b = randomTensor([4], 68);
    expectTapeGradients('groupNorm 2 groups', () => groupNorm(x, 2, w, b), [x, w, b], SMOOTH);
    expectTapeGradients('groupNorm 1 group', () => groupNorm(x, 1, w, b, { eps: 1e-3 }), [x, w, b], SMOOTH);
    const z = randomTensor([3, 3, 5], 69, 2);
    expectTapeGradients('groupNorm 3 groups, rank 3', () => groupNorm(z, 3, null, randomTensor([3], 70)), [z], SMOOTH);
  });

  it('instanceNorm: input, weight, bias; and with running statistics in both modes', () => {
    const x = randomTensor([2, 3, 3, 3], 71, 2);
    const w = randomTensor([3], 72);
    const b = randomTensor([3], 73);
    expectTapeGradients('instanceNorm', () => instanceNorm(x, w, b), [x, w, b], SMOOTH);
    const tracked = () => instanceNorm(x, w, b, { runningMean: zeros([3]), runningVar: full([3], 1) });
    expectTapeGradients('instanceNorm updating running statistics', tracked, [x, w, b], SMOOTH);
    const rm = randomTensor([3], 74, 0.5);
    const rv = full([3], 0.8);
    expectTapeGradients('instanceNorm with running statistics', () => instanceNorm(x, w, b, { runningMean: rm, runningVar: rv, useInputStats: false }), [x, w, b], SMOOTH);
  });

  it('a gradient through a normalization that feeds another op (the seed is not all ones)', () => {
    const x = randomTensor([2, 4, 3], 75, 2);
    const w = randomTensor([4], 76);
    expectTapeGradients('mul(groupNorm(x), x)', () => mul(groupNorm(x, 2, w, null), x), [x, w], SMOOTH);
  });
});

describe('normalization semantics (naive)', () => {
  it('layerNorm without affine leaves each normalized block with mean 0 and variance var/(var + eps)', () => {
    const x = randomTensor([3, 2, 5], 80, 3);
    const y = layerNorm(x, [2, 5]);
    const { mean, variance } = rowStats(y, 3);
    const raw = rowStats(x, 3);
    for (let r = 0; r < 3; r++) {
      expect(Math.abs(mean[r])).toBeLessThan(1e-6);
      expect(variance[r]).toBeCloseTo(raw.variance[r] / (raw.variance[r] + 1e-5), 5);
    }
  });

  it('layerNormWithStats returns ONNX-shaped mean and 1/√(var + eps), off the tape', () => {
    const x = randomTensor([2, 3, 4], 81, 2);
    x.requiresGrad = true;
    const { y, mean, invStdDev } = layerNormWithStats(x, [4], null, null, { eps: 0.1 });
    expect(mean.shape).toEqual([2, 3, 1]);
    expect(invStdDev.shape).toEqual([2, 3, 1]);
    expect(y.requiresGrad).toBe(true);
    expect(mean.requiresGrad).toBe(false);
    const raw = rowStats(x, 6);
    expectClose(mean.data, raw.mean, { rtol: 1e-6, atol: 1e-7 });
    expectClose(invStdDev.data, raw.variance.map((v) => 1 / Math.sqrt(v + 0.1)), { rtol: 1e-6, atol: 0 });
  });

  it('instanceNorm is groupNorm with one channel per group; layerNorm over [C, H, W] is groupNorm with one group', () => {
    const x = randomTensor([2, 3, 4, 2], 82, 2);
    const w = randomTensor([3], 83);
    const b = randomTensor([3], 84);
    expect(instanceNorm(x, w, b).toArray()).toEqual(groupNorm(x, 3, w, b).toArray());
    expectClose(layerNorm(x, [3, 4, 2]).data, groupNorm(x, 1).data, { rtol: 1e-6, atol: 1e-7 });
  });

  it('train-mode instanceNorm moves the running statistics toward the batch mean of instance statistics (unbiased variance)', () => {
    const x = randomTensor([2, 1, 2, 2], 85, 2);
    const rm = zeros([1]);
    const rv = full([1], 1);
    const y = instanceNorm(x, null, null, { runningMean: rm, runningVar: rv, momentum: 0.5 });
    expect(y.toArray()).toEqual(instanceNorm(x).toArray());
    const s0 = rowStats(new Tensor(x.data.slice(0, 4), [4]), 1);
    const s1 = rowStats(new Tensor(x.data.slice(4), [4]), 1);
    expect(rm.data[0]).toBeCloseTo(0.5 * ((s0.mean[0] + s1.mean[0]) / 2), 6);
    expect(rv.data[0]).toBeCloseTo(0.5 + 0.5 * (((s0.variance[0] + s1.variance[0]) / 2) * 4) / 3, 6);
    // Without input statistics: the eval-mode batch norm with those statistics.
    const evalY = instanceNorm(x, null, null, { runningMean: rm, runningVar: rv, useInputStats: false });
    expect(evalY.toArray()).toEqual(batchNorm2d(x, rm.copyDetached(), rv.copyDetached(), null, null, { training: false }).toArray());
  });
});

describe('normalization layers', () => {
  it('PyTorch defaults: parameters, state dict keys and config', () => {
    expect(Object.keys(new LayerNorm({ normalizedShape: [2, 3] }).stateDict())).toEqual(['weight', 'bias']);
    expect(new LayerNorm({ normalizedShape: 4, elementwiseAffine: false }).parameters()).toHaveLength(0);
    expect(Object.keys(new GroupNorm({ numGroups: 2, numChannels: 4 }).stateDict())).toEqual(['weight', 'bias']);
    expect(Object.keys(new InstanceNorm2d({ numFeatures: 3 }).stateDict())).toEqual([]);
    expect(Object.keys(new InstanceNorm2d({ numFeatures: 3, affine: true, trackRunningStats: true }).stateDict())).toEqual([
      'weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked',
    ]);
    const ln = new LayerNorm({ normalizedShape: 4 });
    expect(ln.config()).toEqual({ normalizedShape: [4], eps: 1e-5, elementwiseAffine: true });
    expect(ln.weight?.toArray()).toEqual([1, 1, 1, 1]);
    expect(ln.bias?.toArray()).toEqual([0, 0, 0, 0]);
  });

  it('rebuild from their config through the module type table', () => {
    const layers = [
      new LayerNorm({ normalizedShape: [3, 2], eps: 1e-3, elementwiseAffine: false }),
      new GroupNorm({ numGroups: 3, numChannels: 6, eps: 1e-4, affine: false }),
      new InstanceNorm2d({ numFeatures: 2, eps: 1e-3, momentum: 0.2, affine: true, trackRunningStats: true }),
    ];
    for (const m of layers) {
      const copy = createModule({ type: m.type, config: m.config() });
      expect(copy.constructor).toBe(m.constructor);
      expect(copy.config()).toEqual(m.config());
      expect(Object.keys(copy.stateDict())).toEqual(Object.keys(m.stateDict()));
    }
  });

  it('InstanceNorm2d with trackRunningStats uses batch statistics in train mode and the running ones in eval mode', () => {
    const m = new InstanceNorm2d({ numFeatures: 2, trackRunningStats: true });
    const x = randomTensor([3, 2, 3, 3], 86, 2);
    const train = m.forward(x);
    expect(train.toArray()).toEqual(instanceNorm(x).toArray());
    expect(m.runningMean?.toArray()).not.toEqual([0, 0]);
    m.eval();
    const rm = (m.runningMean as Tensor).toArray();
    expect(m.forward(x).toArray()).not.toEqual(train.toArray());
    expect((m.runningMean as Tensor).toArray()).toEqual(rm);
    // An unbatched [C, H, W] input is one sample.
    const one = randomTensor([2, 3, 3], 87);
    expect(new InstanceNorm2d({ numFeatures: 2 }).forward(one).shape).toEqual([2, 3, 3]);
  });
});

describe('normalization errors name the op and the shapes', () => {
  const x = zeros([2, 4, 3]);
  it('layerNorm', () => {
    expect(() => layerNorm(x, [4], null, null, {}, naive)).toThrow(/layerNorm: input \[2, 4, 3\] does not end with normalizedShape \[4\]/);
    expect(() => layerNorm(x, [2, 2, 4, 3])).toThrow(/layerNorm: input \[2, 4, 3\] does not end with normalizedShape \[2, 2, 4, 3\]/);
    expect(() => layerNorm(x, [])).toThrow(/layerNorm: normalizedShape must be a positive integer or a non-empty array of them, got \[\]/);
    expect(() => layerNorm(x, 2.5)).toThrow(/layerNorm: normalizedShape must be .* got 2.5/);
    expect(() => layerNorm(x, [3], zeros([4]))).toThrow(/layerNorm: weight must have shape \[3\] for input \[2, 4, 3\], got \[4\]/);
    expect(() => layerNorm(x, [4, 3], null, zeros([3]))).toThrow(/layerNorm: bias must have shape \[4, 3\] for input \[2, 4, 3\], got \[3\]/);
    expect(() => layerNorm(x, 3, bad<Tensor>([1, 2, 3]))).toThrow(/layerNorm: weight must be a Tensor, got \[1, 2, 3\]/);
    expect(() => layerNorm(x, 3, null, null, { eps: 0 })).toThrow(/layerNorm: eps must be a finite number > 0, got 0/);
    expect(() => layerNorm(x, 3, null, null, bad({ epsilon: 1e-5 }))).toThrow(/layerNorm: unknown option 'epsilon' \(known: eps\)/);
    expect(() => layerNorm(bad<Tensor>(null), 3)).toThrow(/layerNorm: input must be a Tensor, got null/);
    expect(() => layerNorm(zeros([0, 3]), 3)).toThrow(/layerNorm: input \[0, 3\] is empty/);
  });

  it('groupNorm', () => {
    expect(() => groupNorm(x, 3)).toThrow(/groupNorm: numGroups must be a positive integer dividing the 4 channels of input \[2, 4, 3\], got 3/);
    expect(() => groupNorm(x, 0)).toThrow(/groupNorm: numGroups must be .* got 0/);
    expect(() => groupNorm(zeros([4]), 1)).toThrow(/groupNorm: input must be \[N, C, \*\] \(rank ≥ 2\), got \[4\]/);
    expect(() => groupNorm(x, 2, zeros([2]))).toThrow(/groupNorm: weight must have shape \[4\] for input \[2, 4, 3\], got \[2\]/);
    expect(() => groupNorm(x, 2, null, null, { eps: -1 })).toThrow(/groupNorm: eps must be a finite number > 0, got -1/);
  });

  it('instanceNorm, and a refused call leaves the running statistics alone', () => {
    expect(() => instanceNorm(zeros([2, 3]))).toThrow(/instanceNorm: input must be \[N, C, D1, …\] \(rank ≥ 3\), got \[2, 3\]/);
    expect(() => instanceNorm(x, zeros([3]))).toThrow(/instanceNorm: weight must have shape \[4\] for input \[2, 4, 3\], got \[3\]/);
    expect(() => instanceNorm(x, null, null, { runningMean: zeros([4]) })).toThrow(/instanceNorm: give both runningMean and runningVar, or neither/);
    expect(() => instanceNorm(x, null, null, { useInputStats: false })).toThrow(/instanceNorm: useInputStats false needs runningMean and runningVar/);
    expect(() => instanceNorm(x, null, null, bad({ training: true }))).toThrow(/instanceNorm: unknown option 'training'/);
    const rm = full([4], 0.5);
    expect(() => instanceNorm(zeros([2, 4, 1]), null, null, { runningMean: rm, runningVar: full([4], 1) })).toThrow(
      /instanceNorm: updating running statistics needs more than one value per instance, got input \[2, 4, 1\]/,
    );
    expect(() => instanceNorm(x, null, null, { runningMean: rm, runningVar: zeros([3]) })).toThrow(/instanceNorm: runningVar must have shape \[4\]/);
    expect(rm.toArray()).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('layers: strict option keys, bad values, wrong input shapes', () => {
    expect(() => new LayerNorm(bad({ normalizedShape: 4, affine: true }))).toThrow(/LayerNorm: unknown option 'affine'/);
    expect(() => new LayerNorm(bad({}))).toThrow(/LayerNorm: normalizedShape must be a positive integer or a non-empty array/);
    expect(() => new LayerNorm({ normalizedShape: [2, 0] })).toThrow(/LayerNorm: normalizedShape must be a positive integer, got 0/);
    expect(() => new GroupNorm({ numGroups: 3, numChannels: 4 })).toThrow(/GroupNorm: numChannels 4 must be divisible by numGroups 3/);
    expect(() => new GroupNorm(bad({ numGroups: 1, numChannels: 4, elementwiseAffine: false }))).toThrow(/GroupNorm: unknown option 'elementwiseAffine'/);
    expect(() => new InstanceNorm2d(bad({ numFeatures: 2, track_running_stats: true }))).toThrow(/InstanceNorm2d: unknown option 'track_running_stats'/);
    expect(() => new InstanceNorm2d({ numFeatures: 2, eps: 0 })).toThrow(/InstanceNorm2d: eps must be > 0/);
    expect(() => new GroupNorm({ numGroups: 2, numChannels: 4 }).forward(zeros([2, 6, 3]))).toThrow(/GroupNorm: expected input \[N, 4, \*\], got \[2, 6, 3\]/);
    expect(() => new InstanceNorm2d({ numFeatures: 2 }).forward(zeros([1, 3, 2, 2]))).toThrow(/InstanceNorm2d: expected input \[N, 2, H, W\] or \[2, H, W\], got \[1, 3, 2, 2\]/);
    expect(() => new LayerNorm({ normalizedShape: [3] }).forward(zeros([2, 4]))).toThrow(/layerNorm: input \[2, 4\] does not end with normalizedShape \[3\]/);
  });
});
