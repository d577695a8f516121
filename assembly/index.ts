// The kernels exported to the TypeScript side (src/backend/wasm.ts). Every export works on
// raw pointers into linear memory owned by the TS arena and allocates nothing.
export { sgemm, packGemmA, packedGemmABytes, gemmWorkspaceBytes, GEMM_MR, GEMM_NR, GEMM_KC, GEMM_MC, GEMM_NC } from './gemm';
export { im2col, col2im } from './im2col';
export { directConv2d, directConv2dWorkspaceBytes } from './conv-direct';
export { depthwiseConv2d, depthwiseConv2dBackwardInput, depthwiseConv2dBackwardFilter, depthwiseWorkspaceBytes } from './depthwise';
export { maxPool2d, maxPool2dBackward, maxPool2dBackwardRange, avgPool2d, avgPool2dBackward, adaptiveAvgPool2d, adaptiveAvgPool2dBackward } from './pool';
export { addBias, sumBias, sumBiasChannels } from './bias';
export { resizeNearest, resizeBilinear } from './resize';
export { relu, reluBackward, clip, clipBackward, hardSwish, hardSwishBackward } from './activation';
export { copyBox, fill } from './copy';
export { batchNormStats, batchNormApply, batchNormBackward, groupNormStats, groupNormApply, groupNormBackward } from './norm';
// The parameter layouts, exported as globals (`Depthwise.kernelHeight`) so the TypeScript
// side can refuse a module built from another version of them.
export { StoreActivation, Gemm, DirectConv, Im2col, Depthwise, Pool, AdaptivePool, Norm, Resize, Box, BoxAxis } from '../src/backend/wasm/param-layouts';

/** First free byte above static data: where the TS arena starts. */
export function heapBase(): usize {
  return __heap_base;
}
