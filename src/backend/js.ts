// The 'js' backend: the portable fallback where WebAssembly SIMD is missing. Pure
// TypeScript im2col/col2im, a packed register-blocked GEMM, and pooling; elementwise
// kernels are the ones shared with the naive backend.
import type { Backend } from './backend.js';
import * as elementwise from './elementwise.js';
import { allocateHost } from './host-buffer.js';
import { conv2d, conv2dBackwardFilter, conv2dBackwardInput } from './js/conv.js';
import { gemm } from './js/gemm.js';
import { col2im, im2col } from './js/im2col.js';
import { adaptiveAvgPool2d, adaptiveAvgPool2dBackward, avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './js/pool.js';

export const jsBackend: Backend = Object.freeze({
  name: 'js',
  allocate: allocateHost,
  gemm,
  im2col,
  col2im,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardFilter,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  adaptiveAvgPool2d,
  adaptiveAvgPool2dBackward,
  ...elementwise.elementwiseKernels,
});
