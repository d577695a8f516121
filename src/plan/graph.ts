// A compiled model's graph, built from an op trace (src/autograd/trace.ts): values with
// static shapes, and the nodes that compute them in trace order. A value is the model's
// input, a constant (parameters, buffers and any tensor the traced ops did not make,
// copied into the plan at compile time), or an intermediate. Ops that only reinterpret a shape
// (reshape, flatten, squeeze, unsqueeze, detach, eval-mode dropout) become aliases: the
// same storage under another shape, no node. Nodes the output does not depend on are dropped.
import type { TracedOp } from '../autograd/trace.js';
import { Tensor, formatShape } from '../tensor.js';

export type Activation =
  | { kind: 'relu' }
  | { kind: 'clip'; min: number; max: number }
  | { kind: 'hardSwish' }
  | { kind: 'sigmoid' }
  | { kind: 'silu' };

/** What a convolution or linear node does after its product, in order: add a residual
 * value of the output's shape, then an activation. */
export interface Epilogue {
  residual: number | null;
  activation: Activation | null;
}

export interface PlanValue {
  readonly id: number;
  readonly shape: readonly number[];
  readonly size: number;
  /** The value whose floats this one is (itself unless an alias). */
  storage: number;
  /** A constant's floats (the tensor's own array until compile copies it into the plan's buffer), else null. */
  data: Float32Array | null;
}

export interface PlanNode {
  op: string;
  /** Value ids, null for an optional input not given (a bias). */
  inputs: (number | null)[];
  output: number;
  /** The trace's attrs, read-only (tensors in them were copied into constants below). */
  attrs: Readonly<Record<string, unknown>>;
  /** Constant tensors named by the attrs (batchNorm2d's running statistics), as value ids. */
  attrValues: Readonly<Record<string, number>>;
  epilogue: Epilogue | null;
}

export interface PlanGraph {
  values: PlanValue[];
  nodes: PlanNode[];
  input: number;
  output: number;
}

/** Ops whose output is their input's floats under another (or the same) shape. */
const ALIASES = new Set(['reshape', 'flatten', 'squeeze', 'unsqueeze', 'detach', 'copyDetached', 'clone']);

export function buildGraph(ops: readonly TracedOp[], input: Tensor, output: Tensor): PlanGraph {
  const values: PlanValue[] = [];
  const ids = new Map<Tensor, number>();
  const add = (t: Tensor, data: Float32Array | null, storage?: number): number => {
    const id = values.length;
    values.push({ id, shape: [...t.shape], size: t.size, storage: storage ?? id, data });
    ids.set(t, id);
    return id;
  };
  /** A tensor no traced op made: the input, or a constant (a resident one copied now: its
   * view would not survive the allocations of compiling). */
  const idOf = (t: Tensor): number => ids.get(t) ?? add(t, t.resident ? t.data.slice() : t.data);
  add(input, null);
  const nodes: PlanNode[] = [];
  for (const t of ops) {
    if (ids.has(t.output)) continue; // an op that returned an existing tensor (nothing new)
    const inputs = t.inputs.map((x) => (x ? idOf(x) : null));
    const isIdentityDropout = t.op === 'dropout' && t.attrs.training === false;
    if (ALIASES.has(t.op) || isIdentityDropout) {
      const from = inputs[0];
      if (from === null || values[from].size !== t.output.size) throw new Error(`compile: ${t.op} changes the element count, which an alias cannot`);
      add(t.output, null, values[from].storage);
      continue;
    }
    const attrValues: Record<string, number> = {};
    for (const [k, v] of Object.entries(t.attrs)) if (v instanceof Tensor) attrValues[k] = idOf(v);
    nodes.push({ op: t.op, inputs, output: add(t.output, null), attrs: t.attrs, attrValues, epilogue: null });
  }
  const out = ids.get(output);
  if (out === undefined) throw new Error(`compile: the model's output ${formatShape(output.shape)} was not made by a traced op (a tensor from outside forward, or an op that does not record)`);
  const graph: PlanGraph = { values, nodes, input: 0, output: out };
  return pruneUnused(graph);
}

/** How many nodes (and the graph output) read each storage. */
export function readers(g: PlanGraph): number[] {
  const count = new Array<number>(g.values.length).fill(0);
  const read = (id: number | null) => {
    if (id !== null) count[g.values[id].storage]++;
  };
  for (const n of g.nodes) {
    n.inputs.forEach(read);
    Object.values(n.attrValues).forEach(read);
    if (n.epilogue) read(n.epilogue.residual);
  }
  read(g.output);
  return count;
}

/** Drops nodes whose outputs nothing reads (statistics side outputs, dead branches). */
export function pruneUnused(g: PlanGraph): PlanGraph {
  let changed = true;
  while (changed) {
    const count = readers(g);
    const kept = g.nodes.filter((n) => count[g.values[n.output].storage] > 0);
    changed = kept.length !== g.nodes.length;
    g.nodes = kept;
  }
  return g;
}
