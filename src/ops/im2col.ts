// im2col / col2im as ops: the unfold that turns a convolution into a GEMM, and its adjoint.
import type { Backend } from '../backend/backend.js';
import { record } from '../autograd/graph.js';
import { Tensor, zerosOn } from '../tensor.js';
import { im2colGeometry, type Im2colOptions } from './geometry.js';
import { IM2COL_KEYS, checkOptions, checkShapeArg, checkShapeIs, checkTensor, resolveBackend } from './validate.js';

/** x [N, C, H, W] → cols [N, C·kH·kW, OH·OW], rows ordered by (c, kh, kw) as PyTorch's unfold;
 * taps in the padding are 0. */
export function im2col(x: Tensor, options: Im2colOptions, backend?: Backend): Tensor {
  const op = 'im2col';
  checkTensor(op, 'input', x);
  const opts = checkOptions(op, options, IM2COL_KEYS, true);
  const be = resolveBackend(op, backend);
  const g = im2colGeometry(op, x.shape, opts);
  const cols = zerosOn(be, [g.batch, g.inChannels * g.kernelHeight * g.kernelWidth, g.outHeight * g.outWidth]);
  be.im2col(g, x.data, cols.data);
  return record(op, cols, [x], be, (dcols) => {
    const dx = zerosOn(be, x.shape);
    be.col2im(g, dcols.data, dx.data);
    return [dx];
  }, g);
}

/** The adjoint of im2col: sums cols [N, C·kH·kW, OH·OW] back into a tensor of shape xShape
 * (overlapping taps add, taps in the padding are dropped). */
export function col2im(cols: Tensor, xShape: readonly number[], options: Im2colOptions, backend?: Backend): Tensor {
  const op = 'col2im';
  checkTensor(op, 'cols', cols);
  const shape = checkShapeArg(op, 'xShape', xShape, 4);
  const opts = checkOptions(op, options, IM2COL_KEYS, true);
  const be = resolveBackend(op, backend);
  const g = im2colGeometry(op, shape, opts);
  const expected = [g.batch, g.inChannels * g.kernelHeight * g.kernelWidth, g.outHeight * g.outWidth];
  checkShapeIs(op, 'cols', cols.shape, expected, `im2col of [${shape.join(', ')}]`);
  const x = zerosOn(be, shape);
  be.col2im(g, cols.data, x.data);
  return record(op, x, [cols], be, (dx) => {
    const dcols = zerosOn(be, cols.shape);
    be.im2col(g, dx.data, dcols.data);
    return [dcols];
  }, g);
}
