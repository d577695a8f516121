// SGEMM C = A·B, square n×n, on every engine.
import { gemm } from '../../src/ops/index.js';
import { KERNEL_TOLERANCE } from '../agreement.js';
import { gemmFlops } from '../flops.js';
import { uniformTensor } from './common.js';
import { tfTask } from '../tfjs.js';
import type { Workload } from './common.js';

export function gemmWorkload(n: number): Workload {
  const work = gemmFlops(n, n, n);
  return {
    name: `kernels/gemm ${n}`,
    shape: `m = n = k = ${n}`,
    description: `C[${n}×${n}] = A[${n}×${n}]·B[${n}×${n}], ${(work / 1e9).toPrecision(3)} GFLOP`,
    kind: 'gemm',
    unit: 'GFLOP/s',
    work,
    tolerance: KERNEL_TOLERANCE,
    heavy: work > 1e9,
    create() {
      const a = uniformTensor([n, n], 11);
      const b = uniformTensor([n, n], 12);
      return {
        async prepare(engine) {
          if (engine.kind === 'simdnet') {
            const be = engine.backend;
            return {
              check: () => [gemm(a, b, {}, be).data],
              run: () => void gemm(a, b, {}, be),
              dispose() {},
            };
          }
          if (engine.kind !== 'tfjs') throw new Error(`${engine.id}: no counterpart for a single kernel`);
          const tf = engine.tf;
          return tfTask(
            engine,
            () => [tf.tensor2d(a.data, [n, n]), tf.tensor2d(b.data, [n, n])],
            ([ta, tb]) => [tf.matMul(ta, tb)],
            (outs) => outs,
          );
        },
      };
    },
  };
}
