// ONNX import: loadOnnx and the OnnxModel it returns.
export { loadOnnx, type LoadOnnxOptions } from './load.js';
export { OnnxModel, type OnnxValueInfo } from './model.js';
export { supportedOnnxOps } from './ops/index.js';
