// Train-mode batch normalization kernels: forward (batch statistics, then the affine
// normalization) and backward (dx, dgamma, dbeta with batch statistics), on a ResNet stage
// activation and on LeNet's first conv output. Memory-bound: scored in GB/s of the least
// traffic each needs (forward reads x and writes y; backward reads dy and x, writes dx).
// TF.js has no counterpart: tf.batchNorm takes given statistics and has no backward kernel.
import type { BatchNormGeometry } from '../../src/backend/backend.js';
import { KERNEL_TOLERANCE } from '../agreement.js';
import { uniformTensor } from './common.js';
import type { Task, Workload } from './common.js';

export interface BatchNormCase {
  label: string;
  x: [number, number, number, number];
}

export const BATCHNORM_CASES: BatchNormCase[] = [
  { label: 'lenet', x: [64, 6, 28, 28] },
  { label: 'resnet-b8', x: [8, 64, 56, 56] },
];

export type BatchNormDirection = 'fwd' | 'bwd';

export function batchNormWorkload(c: BatchNormCase, dir: BatchNormDirection): Workload {
  const [N, C, H, W] = c.x;
  const g: BatchNormGeometry = { batch: N, channels: C, inner: H * W };
  const size = N * C * H * W;
  const work = 4 * size * (dir === 'fwd' ? 2 : 3);
  return {
    name: `kernels/batchnorm ${c.label} ${dir}`,
    shape: `x ${c.x.join('×')}, train mode`,
    description: `${dir === 'fwd' ? 'batch statistics and y from x' : 'dx, dgamma, dbeta from dy and x'}: x ${c.x.join('×')}; ${(work / 1e6).toPrecision(3)} MB read + written`,
    kind: `batchnorm ${dir}`,
    unit: 'GB/s',
    work,
    tolerance: KERNEL_TOLERANCE,
    heavy: false,
    onlySimdnet: 'TF.js has no train-mode batch norm kernel (tf.batchNorm takes given statistics, no backward)',
    create() {
      // An offset mean, as real activations have: the statistics must not cancel.
      const x = uniformTensor(c.x, 41);
      for (let i = 0; i < size; i++) x.data[i] += 3;
      const dy = uniformTensor(c.x, 42);
      const gamma = uniformTensor([C], 43).data.map((v) => 1 + 0.5 * v);
      const beta = uniformTensor([C], 44).data;
      return {
        async prepare(engine): Promise<Task> {
          if (engine.kind !== 'simdnet') throw new Error('batchnorm: simdnet engines only');
          const be = engine.backend;
          const mean = new Float64Array(C);
          const variance = new Float64Array(C);
          const invStd = new Float64Array(C);
          const y = new Float32Array(size);
          const dgamma = new Float32Array(C);
          const dbeta = new Float32Array(C);
          const forward = (): void => {
            be.batchNormStats(g, x.data, mean, variance);
            for (let k = 0; k < C; k++) invStd[k] = 1 / Math.sqrt(variance[k] + 1e-5);
            be.batchNormApply(g, x.data, mean, invStd, gamma, beta, y);
          };
          if (dir === 'fwd') return { check: () => (forward(), [y.slice()]), run: forward, dispose() {} };
          forward(); // the statistics every backward follows
          const backward = (): void => be.batchNormBackward(g, dy.data, x.data, mean, invStd, gamma, true, y, dgamma, dbeta);
          return { check: () => (backward(), [y.slice(), dgamma.slice(), dbeta.slice()]), run: backward, dispose() {} };
        },
      };
    },
  };
}
