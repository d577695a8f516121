// 2×2 stride-2 max and average pooling, forward and backward, on LeNet's first pooling
// input and on a wide early-CNN activation. Memory-bound: scored in GB/s.
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dWithIndices, maxPool2dBackward } from '../../src/ops/index.js';
import { pool2dGeometry, type Pool2dOptions } from '../../src/ops/geometry.js';
import { KERNEL_TOLERANCE } from '../agreement.js';
import { pool2dBytes } from '../flops.js';
import { nchwToNhwc, nhwcToNchw } from '../tfjs.js';
import { uniformTensor } from './common.js';
import { tfTask } from '../tfjs.js';
import type { Task, Workload } from './common.js';

export interface PoolCase {
  label: string;
  x: [number, number, number, number];
}

export const POOL_CASES: PoolCase[] = [
  { label: 'lenet', x: [64, 6, 28, 28] },
  { label: 'wide', x: [8, 64, 112, 112] },
];

export type PoolKind = 'maxpool' | 'avgpool';
export type PoolDirection = 'fwd' | 'bwd';

const OPTIONS: Pool2dOptions = { kernelSize: 2, stride: 2 };

export function poolWorkload(c: PoolCase, kind: PoolKind, dir: PoolDirection): Workload {
  const g = pool2dGeometry('bench', c.x, OPTIONS);
  const work = pool2dBytes(g);
  const [N, C, H, W] = c.x;
  const [OH, OW] = [g.outHeight, g.outWidth];
  const what = dir === 'fwd' ? 'y from x' : kind === 'maxpool' ? 'dx from dy (scatter at the argmax)' : 'dx from dy';
  return {
    name: `kernels/${kind} ${c.label} ${dir}`,
    shape: `x ${c.x.join('×')}, 2×2 stride 2`,
    description: `${what}: x ${c.x.join('×')}, 2×2 stride 2; ${(work / 1e6).toPrecision(3)} MB read + written`,
    kind: `${kind} ${dir}`,
    unit: 'GB/s',
    work,
    tolerance: KERNEL_TOLERANCE,
    heavy: false,
    create() {
      const x = uniformTensor(c.x, 31);
      const dy = uniformTensor([N, C, OH, OW], 32);
      return {
        async prepare(engine): Promise<Task> {
          if (engine.kind === 'simdnet') {
            const be = engine.backend;
            if (kind === 'maxpool' && dir === 'fwd') {
              return { check: () => [maxPool2dWithIndices(x, OPTIONS, be).y.data], run: () => void maxPool2d(x, OPTIONS, be), dispose() {} };
            }
            if (kind === 'maxpool') {
              const { argmax } = maxPool2dWithIndices(x, OPTIONS, be); // the forward pass every backward follows
              const back = () => maxPool2dBackward(dy, argmax, x.shape, OPTIONS, be);
              return { check: () => [back().data], run: () => void back(), dispose() {} };
            }
            if (dir === 'fwd') {
              return { check: () => [avgPool2d(x, OPTIONS, be).data], run: () => void avgPool2d(x, OPTIONS, be), dispose() {} };
            }
            const back = () => avgPool2dBackward(dy, x.shape, OPTIONS, be);
            return { check: () => [back().data], run: () => void back(), dispose() {} };
          }
          if (engine.kind !== 'tfjs') throw new Error(`${engine.id}: no counterpart for a single kernel`);
          const tf = engine.tf;
          const xs = nchwToNhwc(x.data, N, C, H, W);
          const dys = nchwToNhwc(dy.data, N, C, OH, OW);
          const x4 = (): TfTensor => tf.tensor4d(xs, [N, H, W, C]);
          const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
          if (dir === 'fwd') {
            return tfTask(
              engine,
              () => [x4()],
              ([tx]) => [kind === 'maxpool' ? tf.maxPool(tx as never, 2, 2, 'valid') : tf.avgPool(tx as never, 2, 2, 'valid')],
              ([y]) => [nhwcToNchw(y, N, C, OH, OW)],
            );
          }
          // The kernels tf.grad(maxPool / avgPool) runs; MaxPoolGrad also reads x and y.
          return tfTask(
            engine,
            () => {
              const tx = x4();
              const tdy = tf.tensor4d(dys, [N, OH, OW, C]);
              return kind === 'maxpool' ? [tx, tdy, tf.maxPool(tx as never, 2, 2, 'valid')] : [tx, tdy];
            },
            ([tx, tdy, ty]) => [
              kind === 'maxpool'
                ? (tf.engine().runKernel('MaxPoolGrad', { dy: tdy, input: tx, output: ty }, attrs as never) as TfTensor)
                : (tf.engine().runKernel('AvgPoolGrad', { dy: tdy, input: tx }, attrs as never) as TfTensor),
            ],
            ([dx]) => [nhwcToNchw(dx, N, C, H, W)],
          );
        },
      };
    },
  };
}
