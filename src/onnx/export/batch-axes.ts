// With dynamicBatch, which axes of which tensors follow the batch: the model is traced at
// two batch sizes, and an axis whose size differs between the traces follows it. The two
// traces must be the same ops on the same tensors, or the model's graph depends on the
// batch size and cannot have a symbolic one.
import type { TracedOp } from '../../autograd/trace.js';
import type { Tensor } from '../../tensor.js';

export interface ModelTrace {
  readonly inputs: readonly Tensor[];
  readonly ops: readonly TracedOp[];
  readonly outputs: readonly Tensor[];
}

function differ(why: string): Error {
  return new Error(`toOnnx: with dynamicBatch, forward must run the same ops at every batch size, but ${why}; export with dynamicBatch: false`);
}

/** The axes of a's tensors (inputs and op outputs) whose size follows the batch. */
export function batchAxes(a: ModelTrace, b: ModelTrace): Map<Tensor, number[]> {
  const axes = new Map<Tensor, number[]>();
  // b's tensor → the a tensor at the same place.
  const same = new Map<Tensor, Tensor>();
  a.inputs.forEach((t, i) => {
    axes.set(t, [0]);
    same.set(b.inputs[i], t);
  });
  if (a.ops.length !== b.ops.length) throw differ(`it ran ${a.ops.length} ops at one batch size and ${b.ops.length} at the other`);
  a.ops.forEach((op, k) => {
    const other = b.ops[k];
    const at = `op ${k} ('${op.op}'${op.scope ? ` in '${op.scope}'` : ''})`;
    if (other.op !== op.op || other.inputs.length !== op.inputs.length) throw differ(`${at} is '${other.op}' at the other batch size`);
    op.inputs.forEach((t, i) => {
      const u = other.inputs[i];
      if (t === null || u === null) {
        if (t !== u) throw differ(`input ${i} of ${at} is given at one batch size only`);
        return;
      }
      // Parameters and buffers are the same tensors in both; made tensors are at the same place.
      const scalar = (op.attrs.scalars as readonly unknown[] | undefined)?.[i] != null;
      if (!scalar && (same.get(u) ?? u) !== t) throw differ(`input ${i} of ${at} is another tensor at the other batch size`);
    });
    const [s, r] = [op.output.shape, other.output.shape];
    if (s.length !== r.length) throw differ(`${at} has outputs of rank ${s.length} and ${r.length}`);
    axes.set(op.output, s.flatMap((d, i) => (d !== r[i] ? [i] : [])));
    same.set(other.output, op.output);
  });
  a.outputs.forEach((t, i) => {
    if ((same.get(b.outputs[i]) ?? b.outputs[i]) !== t) throw differ(`output ${i} is another tensor at the other batch size`);
  });
  return axes;
}
