// Functional ops: validation and shapes in TypeScript, arithmetic in the current Backend.
export { conv2d, conv2dBackward, type Conv2dBackwardOptions, type Conv2dGradients } from './conv.js';
export { im2col, col2im } from './im2col.js';
export {
  maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward, globalAvgPool2d, globalAvgPool2dBackward, type MaxPool2dResult,
} from './pool.js';
export { gemm, type GemmOptions } from './gemm.js';
export { linear, linearBackward, type LinearGradients } from './linear.js';
export {
  relu, reluBackward, leakyRelu, leakyReluBackward, sigmoid, sigmoidBackward, tanh, tanhBackward, softmax, logSoftmax,
} from './activation.js';
export type { Size2, Padding, Conv2dOptions, Pool2dOptions, Im2colOptions } from './geometry.js';
