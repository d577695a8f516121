// From the graph as read (read.ts) to an OnnxModel's spec and weights: Identity and
// inference-mode Dropout are removed; nodes whose inputs are all constants fold on the
// host (Constant → Unsqueeze → Concat chains); nodes with constant parameters become
// child modules; the constants left are kept in the spec (integers and small float
// tensors) or held as buffers (larger float tensors).
import { AttrReader } from './attributes.js';
import type { ConstInput, ImportContext, Known } from './exec.js';
import { compileNode, describeNode, nodeFailer, type Labeler } from './graph.js';
import { isFloatType, type HostValue } from './host.js';
import { Names } from './naming.js';
import { ONNX_IMPORT_OPS } from './ops/index.js';
import type { RawGraph } from './read.js';
import type { ConstSpec, NodeSpec, OnnxGraphSpec } from './spec.js';
import type { ModuleSpec } from '../nn/module-types.js';

/** Float constants up to this many values stay in the spec (scales, bounds, eps). */
const HOST_FLOATS = 64;
/** Folding on the host stops at this many values (bigger work stays a node). */
const FOLD_LIMIT = 1 << 20;

export interface ImportedGraph {
  readonly spec: OnnxGraphSpec;
  /** Every parameter and buffer value by state-dict key. */
  readonly state: Map<string, Float32Array>;
}

function toHost(c: ConstInput): HostValue {
  return { dtype: c.dtype, dims: c.dims, data: c.floats ? Array.from(c.floats) : (c.ints ?? []) };
}

function fromHost(name: string, h: HostValue): ConstInput {
  const float = isFloatType(h.dtype);
  return { name, dtype: h.dtype, dims: [...h.dims], floats: float ? Float32Array.from(h.data) : null, ints: float ? null : [...h.data] };
}

function sizeOf(c: ConstInput): number {
  return c.floats ? c.floats.length : (c.ints ?? []).length;
}

export function importGraph(raw: RawGraph): ImportedGraph {
  const where: Labeler = { label: 'loadOnnx' };
  const { opset } = raw;
  const constants = new Map(raw.constants);
  const graphOutputs = new Set(raw.outputs.map((o) => o.name));
  const used = new Map<string, number>();
  for (const n of raw.nodes) for (const i of n.inputs) if (i) used.set(i, (used.get(i) ?? 0) + 1);

  // 1. Identity and inference-mode Dropout: their output becomes another name for the input.
  const alias = new Map<string, string>();
  const resolve = (n: string): string => alias.get(n) ?? n;
  const kept: NodeSpec[] = [];
  for (const node of raw.nodes) {
    const renamed: NodeSpec = { ...node, inputs: node.inputs.map((n) => (n ? resolve(n) : n)) };
    if (removable(renamed, opset, constants, used, graphOutputs)) {
      alias.set(renamed.outputs[0], renamed.inputs[0]);
      continue;
    }
    kept.push(renamed);
  }

  // 2. Constant folding: a node whose inputs are all constants computes on the host.
  const remaining: NodeSpec[] = [];
  for (const node of kept) {
    const inputs = node.inputs.filter((n) => n);
    const allConstant = inputs.length > 0 && inputs.every((n) => constants.has(n));
    const small = allConstant && inputs.reduce((s, n) => s + sizeOf(constants.get(n) as ConstInput), 0) <= FOLD_LIMIT;
    if (allConstant && small && node.outputs.every((o) => !graphOutputs.has(o))) {
      const exec = compileNode(node, opset, where, null, (n) => {
        const c = constants.get(n);
        return c ? toHost(c) : undefined;
      });
      const ins = node.inputs.map((n): Known | undefined => (n ? { dims: (constants.get(n) as ConstInput).dims, host: toHost(constants.get(n) as ConstInput) } : undefined));
      const values = exec.host?.(ins) ?? null;
      if (values) {
        node.outputs.forEach((o, j) => {
          if (o && values[j]) constants.set(o, fromHost(o, values[j]));
        });
        continue;
      }
    }
    remaining.push(node);
  }

  // 3. Nodes with constant parameters become child modules.
  const names = new Names();
  const modules: Record<string, ModuleSpec> = {};
  const state = new Map<string, Float32Array>();
  const nodes: NodeSpec[] = remaining.map((node) => {
    const def = ONNX_IMPORT_OPS[node.op];
    if (!def?.toModule) return node;
    const fail = nodeFailer(node, opset, where);
    const ctx: ImportContext = {
      node, opset, fail,
      attrs: new AttrReader(node.attrs, fail),
      has: (i) => i < node.inputs.length && node.inputs[i] !== '',
      hasOutput: (i) => i < node.outputs.length && node.outputs[i] !== '',
      constant: (i) => (i < node.inputs.length && node.inputs[i] ? constants.get(node.inputs[i]) : undefined),
    };
    const binding = def.toModule(ctx);
    if (!binding) return node;
    const key = names.module(binding.weightName, node.name, node.op, node.index);
    modules[key] = { type: binding.type, config: binding.config };
    for (const [k, v] of Object.entries(binding.state)) state.set(`${key}.${k}`, v);
    return {
      ...node,
      inputs: node.inputs.map((n, i) => (binding.absorbs.includes(i) ? '' : n)),
      module: key,
      ...(binding.inputRank !== undefined ? { inputRank: binding.inputRank } : {}),
    };
  });

  // 4. The constants still read: integers and small floats in the spec, the rest buffers.
  const read = new Set<string>([...nodes.flatMap((n) => n.inputs.filter((i) => i)), ...raw.outputs.map((o) => o.name)]);
  const specConstants: Record<string, ConstSpec> = {};
  for (const name of read) {
    const c = constants.get(name);
    if (!c) continue;
    if (!c.floats || c.floats.length <= HOST_FLOATS) specConstants[name] = { host: { dtype: c.dtype, dims: [...c.dims], data: c.floats ? Array.from(c.floats) : [...(c.ints ?? [])] } };
    else {
      const buffer = names.buffer(name);
      specConstants[name] = { buffer, dims: [...c.dims] };
      state.set(buffer, c.floats);
    }
  }
  // Graph outputs that were aliases keep their own names: an Identity node remains for them (step 1).
  const spec: OnnxGraphSpec = {
    format: 1, opset, metadata: raw.metadata, inputs: raw.inputs, outputs: raw.outputs, nodes, constants: specConstants, modules,
  };
  return { spec, state };
}

/** Identity, and Dropout that is the identity (opset ≤ 11; training_mode absent or a
 * constant false from 12), whose outputs are not graph outputs and whose mask is unread. */
function removable(node: NodeSpec, opset: number, constants: ReadonlyMap<string, ConstInput>, used: ReadonlyMap<string, number>, outputs: ReadonlySet<string>): boolean {
  if (node.op !== 'Identity' && node.op !== 'Dropout') return false;
  if (!node.inputs[0] || !node.outputs[0] || outputs.has(node.outputs[0])) return false;
  if (node.op === 'Identity') return node.inputs.length === 1 && node.outputs.length === 1;
  const mask = node.outputs[1];
  if (mask && (used.has(mask) || outputs.has(mask))) return false;
  if (opset < 12) return true;
  const t = node.inputs[2];
  if (!t) return true;
  const c = constants.get(t);
  const v = c ? (c.ints ?? Array.from(c.floats ?? []))[0] : undefined;
  return v === 0;
}

export { describeNode };
