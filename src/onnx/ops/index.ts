// The one table of ONNX op types simdnet imports (default domain, opsets 11–17). Each
// entry compiles a node into an ExecNode and, where the op has parameters, may turn a
// node with constant parameters into a child module. Nothing registers by side effect.
import type { OpDef } from '../exec.js';
import { CONV_OPS } from './conv.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { GEMM_OPS } from './gemm.js';
import { NORM_OPS } from './norm.js';
import { POOL_OPS } from './pool.js';
import { REDUCE_OPS } from './reduce.js';
import { RESIZE_OPS } from './resize.js';
import { JOIN_OPS } from './join.js';
import { VALUE_OPS } from './values.js';
import { VIEW_OPS } from './views.js';

export const ONNX_IMPORT_OPS: Readonly<Record<string, OpDef>> = Object.freeze({
  ...CONV_OPS, ...POOL_OPS, ...GEMM_OPS, ...NORM_OPS, ...ELEMENTWISE_OPS, ...VIEW_OPS, ...JOIN_OPS, ...VALUE_OPS, ...REDUCE_OPS, ...RESIZE_OPS,
});

/** The op types loadOnnx reads, sorted. */
export function supportedOnnxOps(): string[] {
  return Object.keys(ONNX_IMPORT_OPS).sort();
}
