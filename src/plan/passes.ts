// Graph rewrites of a compiled model, each exact up to float32 rounding:
//   foldBatchNorm   conv2d → batchNorm2d (eval)  ⇒  conv2d with w·s and (b − mean)·s + beta,
//                   s = gamma / √(var + eps): the normalization costs nothing at run time;
//   fuseResidual    conv2d → add(·, r)          ⇒  conv2d whose epilogue adds r;
//   fuseActivation  conv2d / linear → activation ⇒  its epilogue applies it.
// A rewrite applies only where the intermediate has no other reader.
import type { Activation, PlanGraph, PlanNode } from './graph.js';
import { pruneUnused, readers } from './graph.js';

const EPILOGUE_OPS = new Set(['conv2d', 'linear']);

function producers(g: PlanGraph): Map<number, PlanNode> {
  return new Map(g.nodes.map((n) => [n.output, n]));
}

function constant(g: PlanGraph, id: number | null): Float32Array | null {
  return id === null ? null : g.values[id].data;
}

/** The node that writes storage `id`, when nothing else reads it. */
function soleProducer(g: PlanGraph, byOutput: Map<number, PlanNode>, count: number[], id: number): PlanNode | undefined {
  const storage = g.values[id].storage;
  return count[storage] === 1 ? byOutput.get(storage) : undefined;
}

/** Moves `from`'s output onto `into`, which now writes what `from` wrote; drops `from`. */
function absorb(g: PlanGraph, into: PlanNode, from: PlanNode): void {
  into.output = from.output;
  g.nodes = g.nodes.filter((n) => n !== from);
}

function addConstant(g: PlanGraph, shape: readonly number[], data: Float32Array): number {
  const id = g.values.length;
  g.values.push({ id, shape: [...shape], size: data.length, storage: id, data });
  return id;
}

export function foldBatchNorm(g: PlanGraph): void {
  for (const bn of [...g.nodes]) {
    if (bn.op !== 'batchNorm2d' || bn.attrs.training !== false) continue;
    const count = readers(g);
    const conv = soleProducer(g, producers(g), count, bn.inputs[0] as number);
    if (!conv || conv.op !== 'conv2d' || conv.epilogue) continue;
    const [, wId, bId] = conv.inputs;
    const w = constant(g, wId);
    const b = bId === null ? null : constant(g, bId);
    const mean = constant(g, bn.attrValues.runningMean ?? null);
    const variance = constant(g, bn.attrValues.runningVar ?? null);
    const gamma = bn.inputs[1] === null ? null : constant(g, bn.inputs[1]);
    const beta = bn.inputs[2] === null ? null : constant(g, bn.inputs[2]);
    if (!w || (bId !== null && !b) || !mean || !variance || (bn.inputs[1] !== null && !gamma) || (bn.inputs[2] !== null && !beta)) continue;
    const eps = bn.attrs.eps as number;
    const channels = mean.length;
    const per = w.length / channels;
    const w2 = new Float32Array(w.length);
    const b2 = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const s = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + eps);
      for (let i = c * per; i < (c + 1) * per; i++) w2[i] = w[i] * s;
      b2[c] = ((b ? b[c] : 0) - mean[c]) * s + (beta ? beta[c] : 0);
    }
    conv.inputs = [conv.inputs[0], addConstant(g, g.values[wId as number].shape, w2), addConstant(g, [channels], b2)];
    absorb(g, conv, bn);
  }
}

export function fuseResidual(g: PlanGraph): void {
  for (const sum of [...g.nodes]) {
    if (sum.op !== 'add') continue;
    const scalars = sum.attrs.scalars as readonly (number | null)[] | undefined;
    if (scalars?.some((s) => s !== null)) continue;
    const out = g.values[sum.output];
    const order = new Map(g.nodes.map((n, i) => [n, i]));
    const byOutput = producers(g);
    const count = readers(g);
    for (const [mine, other] of [[0, 1], [1, 0]] as const) {
      const a = sum.inputs[mine] as number;
      const r = sum.inputs[other] as number;
      const conv = soleProducer(g, byOutput, count, a);
      if (!conv || conv.op !== 'conv2d' || conv.epilogue?.activation || conv.epilogue?.residual != null) continue;
      if (g.values[r].size !== out.size || g.values[a].size !== out.size) continue;
      // r must exist when the convolution runs: the input, a constant, or made earlier.
      const maker = byOutput.get(g.values[r].storage);
      if (maker && (order.get(maker) as number) > (order.get(conv) as number)) continue;
      conv.epilogue = { residual: r, activation: null };
      absorb(g, conv, sum);
      break;
    }
  }
}

function activationOf(n: PlanNode): Activation | null {
  switch (n.op) {
    case 'relu': return { kind: 'relu' };
    case 'relu6': return { kind: 'clip', min: 0, max: 6 };
    case 'clip': return { kind: 'clip', min: n.attrs.min as number, max: n.attrs.max as number };
    case 'hardSwish': return { kind: 'hardSwish' };
    case 'sigmoid': return { kind: 'sigmoid' };
    case 'silu': case 'swish': return { kind: 'silu' };
    default: return null;
  }
}

export function fuseActivation(g: PlanGraph): void {
  for (const act of [...g.nodes]) {
    const activation = activationOf(act);
    if (!activation) continue;
    const producer = soleProducer(g, producers(g), readers(g), act.inputs[0] as number);
    if (!producer || !EPILOGUE_OPS.has(producer.op) || producer.epilogue?.activation) continue;
    producer.epilogue = { residual: producer.epilogue?.residual ?? null, activation };
    absorb(g, producer, act);
  }
}

/** Every rewrite, in the order that lets them compose (BN, then the add, then the activation). */
export function optimize(g: PlanGraph): PlanGraph {
  foldBatchNorm(g);
  fuseResidual(g);
  fuseActivation(g);
  return pruneUnused(g);
}
