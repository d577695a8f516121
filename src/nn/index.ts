export { Module, type ModuleClass, type LoadStateDictOptions, type LoadStateDictResult } from './module.js';
export { Conv2d, type Conv2dLayerOptions } from './conv2d.js';
export { ConvTranspose2d, type ConvTranspose2dLayerOptions } from './conv-transpose2d.js';
export { Linear, type LinearLayerOptions } from './linear.js';
export {
  MaxPool2d, AvgPool2d, GlobalAvgPool2d, GlobalMaxPool2d, AdaptiveAvgPool2d,
  type Pool2dLayerOptions, type MaxPool2dLayerOptions, type AvgPool2dLayerOptions, type AdaptiveAvgPool2dLayerOptions,
} from './pool.js';
export { Flatten } from './flatten.js';
export { ReLU, LeakyReLU, Sigmoid, Tanh, Identity, ReLU6, Hardswish, Hardsigmoid, SiLU, GELU, ELU, Softplus } from './activations.js';
export { PReLU, type PReLUOptions } from './prelu.js';
export { Dropout, type DropoutOptions } from './dropout.js';
export { BatchNorm2d, type BatchNorm2dOptions } from './batchnorm.js';
export {
  ZeroPad2d, ConstantPad2d, ReflectionPad2d, ReplicationPad2d, ChannelShuffle, Unflatten, type Pad2d, type Pad2dLayerOptions,
} from './shape-layers.js';
export {
  LayerNorm, GroupNorm, InstanceNorm2d, type LayerNormOptions, type GroupNormOptions, type InstanceNorm2dOptions,
} from './normalization.js';
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, type UpsampleOptions, type UpsampleMode } from './upsample.js';
export { Sequential } from './sequential.js';
export { traceModule, type ModuleTrace } from './trace.js';
export { createModule, builtinModuleTypes, registerModule, type ModuleSpec } from './module-types.js';
export type { WeightInitOptions } from './options.js';
