// im2col and col2im alone: the data movement that turns a convolution into a GEMM (and
// back, for backward-input). simdnet only: TF.js exposes no such op, so its engines are
// skipped with that reason. Memory-bound: scored in GB/s.
import { col2im, im2col } from '../../src/ops/index.js';
import { im2colGeometry, type Im2colOptions } from '../../src/ops/geometry.js';
import { KERNEL_TOLERANCE } from '../agreement.js';
import { im2colBytes } from '../flops.js';
import { uniformTensor } from './common.js';
import type { Task, Workload } from './common.js';
import type { ConvCase } from './conv.js';

export type UnfoldDirection = 'im2col' | 'col2im';

export function unfoldWorkload(c: ConvCase, dir: UnfoldDirection): Workload {
  const options: Im2colOptions = { kernelSize: c.kernel, padding: c.padding };
  const g = im2colGeometry('bench', c.x, options);
  const colsShape = [g.batch, g.inChannels * g.kernelHeight * g.kernelWidth, g.outHeight * g.outWidth];
  const work = im2colBytes(g);
  return {
    name: `kernels/${dir} ${c.label}`,
    description:
      dir === 'im2col'
        ? `cols [${colsShape.join('×')}] from x ${c.x.join('×')}, ${c.kernel}×${c.kernel}, pad ${c.padding}; ${(work / 1e6).toPrecision(3)} MB read + written`
        : `x ${c.x.join('×')} summed back from cols [${colsShape.join('×')}]; ${(work / 1e6).toPrecision(3)} MB read + written`,
    shape: `x ${c.x.join('×')}, ${c.kernel}×${c.kernel}${c.padding ? `, pad ${c.padding}` : ''}`,
    kind: dir,
    unit: 'GB/s',
    work,
    tolerance: KERNEL_TOLERANCE,
    heavy: false,
    onlySimdnet: 'TF.js has no im2col/col2im op',
    create() {
      const x = uniformTensor(c.x, 61);
      const cols = uniformTensor(colsShape, 62);
      return {
        async prepare(engine): Promise<Task> {
          if (engine.kind !== 'simdnet') throw new Error('TF.js has no im2col/col2im op');
          const be = engine.backend;
          const call = dir === 'im2col' ? () => im2col(x, options, be) : () => col2im(cols, x.shape, options, be);
          return { check: () => [call().data], run: () => void call(), dispose() {} };
        },
      };
    },
  };
}
