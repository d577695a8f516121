// The one table of ops: every op is defined once (validation, shapes, forward on a
// Backend, backward rule) in the file it is exported from. Nothing registers by side effect.
export { conv2d, conv2dBackward, type Conv2dBackwardOptions, type Conv2dGradients } from './conv.js';
export { convTranspose2d, convTranspose2dGeometry, type ConvTranspose2dOptions, type ConvTranspose2dGeometry } from './conv-transpose.js';
export { im2col, col2im } from './im2col.js';
export {
  maxPool2d, maxPool2dWithIndices, maxPool2dBackward, avgPool2d, avgPool2dBackward, globalAvgPool2d, globalAvgPool2dBackward,
  globalMaxPool2d, adaptiveAvgPool2d, adaptiveAvgPool2dBackward, type MaxPool2dResult,
} from './pool.js';
export { gemm, type GemmOptions } from './gemm.js';
export { matmul } from './matmul.js';
export { resize, resizeBackward, type ResizeOptions, type ResizeCoordinateMode, type ResizeNearestMode } from './resize.js';
export { linear, linearBackward, type LinearGradients } from './linear.js';
export {
  relu, reluBackward, leakyRelu, leakyReluBackward, sigmoid, sigmoidBackward, tanh, tanhBackward, softmax, logSoftmax,
} from './activation.js';
export { clip, relu6, hardSigmoid, hardSwish, type ClipOptions, type HardSigmoidOptions } from './clip.js';
export { silu, swish, gelu, elu, softplus, type GeluOptions, type EluOptions, type SoftplusOptions } from './smooth.js';
export { prelu } from './prelu.js';
export { exp, log, sqrt, abs, reciprocal, erf, pow } from './math.js';
export { add, sub, mul, div, neg, broadcastShapes, type Operand } from './arithmetic.js';
export { maximum, minimum, maxOf, minOf, sumOf, meanOf } from './minmax.js';
export { reshape, flatten, squeeze, unsqueeze, concat, split, chunk } from './shape.js';
export { transpose, permute } from './transpose.js';
export { slice, narrow, sliceGeometry, type SliceOptions } from './slice.js';
export { pad, padGeometry, type PadOptions, type Pads } from './pad.js';
export { sum, mean, max, min, type ReduceOptions } from './reduce.js';
export { batchNorm2d, type BatchNorm2dOptions as BatchNorm2dOpOptions } from './batchnorm.js';
export {
  layerNorm, layerNormWithStats, groupNorm, instanceNorm, type NormOptions, type LayerNormResult, type InstanceNormOptions,
} from './normalization.js';
export { dropout, dropoutWithMask, type DropoutOptions as DropoutOpOptions, type DropoutResult } from './dropout.js';
export { crossEntropy, mseLoss, type LossTarget } from './loss.js';
export type { Size2, Padding, Conv2dOptions, Pool2dOptions, MaxPool2dOptions, AvgPool2dOptions, Im2colOptions } from './geometry.js';
