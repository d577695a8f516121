// ONNX export: toOnnx and its options, and which simdnet ops it can write.
export { toOnnx } from './to-onnx.js';
export type { ToOnnxOptions } from './options.js';
export { exportableOps, refusedOps } from './rules.js';
