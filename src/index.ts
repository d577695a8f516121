// The public API of simdnet, and nothing else.
export { Tensor, Parameter, tensor, zeros, ones, full, randn, rand, shapeSize, formatShape, type Shape, type RandomOptions } from './tensor.js';
export { tidy, keep } from './tensor-scope.js';
export { Random } from './random.js';
export type {
  Backend, BackendName, UnaryKind, Conv2dGeometry, Pool2dGeometry, AdaptivePool2dGeometry, GemmParams, PadMode, ResizeGeometry, ResizeAxis, ResizeMode,
} from './backend/backend.js';
export { init, setBackend, getBackend, loadBackend, currentBackend, type InitOptions, type WasmLoadOptions, type WasmVariant } from './backend/registry.js';
export { loadWasmBackend, bestVariant, supportsVariant, type WasmSource, type WasmSourceValue, type WasmBytes, type WasmModuleLike, type WasmResponseLike, type WasmBackend } from './backend/wasm.js';
export type { Size2, Padding, Conv2dOptions, Pool2dOptions, MaxPool2dOptions, AvgPool2dOptions, Im2colOptions } from './ops/geometry.js';
export * from './ops/index.js';
export * from './nn/index.js';
export * from './train/index.js';
export { noGrad, isGradEnabled } from './autograd/graph.js';
export { traceOps, traceScope, type TracedOp, type TraceAttrs } from './autograd/trace.js';
export type { BackwardOptions } from './autograd/backward.js';
export * from './losses.js';
export * from './init.js';
export * from './serialize/index.js';
export * from './data/index.js';
export * from './parity/index.js';
export * from './models/index.js';
export * from './onnx/index.js';
export * from './onnx/export/index.js';
export * from './plan/index.js';
export { VERSION } from './version.js';
