// The shape of an export rule: it emits the ONNX nodes that compute one traced op, the
// last of them producing the op's output (GraphBuilder.emit / step).
import type { TracedOp } from '../../autograd/trace.js';
import type { GraphBuilder } from './builder.js';

export type ExportRule = (b: GraphBuilder, op: TracedOp) => void;

/** The op's attrs read as the type its call site records (see src/ops). */
export function attrsOf<T>(op: TracedOp): T {
  return op.attrs as unknown as T;
}
