// toOnnx: a Module to an ONNX model. forward runs once in eval mode under noGrad on a
// deterministic input, recording its ops (src/autograd/trace.ts); the ops that reach the
// output are checked (every tensor they read must be an input, a parameter or buffer, the
// result of an earlier op, or a scalar the op was given) and mapped to ONNX nodes by the
// rule table. Parameters and buffers become initializers named by their state_dict keys.
import { noGrad } from '../../autograd/graph.js';
import type { TracedOp } from '../../autograd/trace.js';
import { Module } from '../../nn/module.js';
import { traceModule, type ModuleTrace } from '../../nn/trace.js';
import { Tensor, formatShape, randn } from '../../tensor.js';
import { OnnxModel } from '../model.js';
import { VERSION } from '../../version.js';
import { DataType, encodeModel, type IValueInfoProto } from '../proto.js';
import { batchAxes, type ModelTrace } from './batch-axes.js';
import { GraphBuilder, type Sources } from './builder.js';
import { checkGraph } from './check.js';
import { defaultNames, parseNames, parseOptions, type ToOnnxOptions } from './options.js';
import { irVersionFor } from './opsets.js';
import { EXPORT_RULES } from './rules.js';

/** The symbolic name of a batch axis in the file. */
const BATCH = 'batch';
const SEED = 0x0900;

interface Traced extends ModelTrace {
  readonly modules: ModuleTrace['modules'];
}

/** forward on deterministic inputs of these shapes, in eval mode under noGrad. Every
 * module's train/eval mode and every buffer are put back afterwards, also when forward
 * throws: an export leaves the model as it was (an op in forward that updates running
 * statistics is refused, but only after it ran). */
function traceForward(model: Module, shapes: readonly number[][]): Traced {
  const inputs = shapes.map((shape, i) => randn(shape, { seed: SEED + i }));
  const modes = model.namedModules().map(([, m]): [Module, boolean] => [m, m.training]);
  const buffers = model.buffers().map((t): [Tensor, Float32Array] => [t, t.data.slice()]);
  model.eval();
  let trace: ModuleTrace;
  try {
    // An imported graph exports every output (forward gives only the first).
    const call = model instanceof OnnxModel ? (m: Module, xs: readonly Tensor[]) => {
      const all = (m as OnnxModel).run(xs);
      return (m as OnnxModel).outputs.map((out) => all[out.name]);
    } : undefined;
    trace = noGrad(() => traceModule(model, inputs, call));
  } finally {
    for (const [m, training] of modes) m.training = training;
    for (const [t, data] of buffers) t.data.set(data);
  }
  const result = trace.result;
  const outputs = Array.isArray(result) ? result : [result];
  outputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`toOnnx: forward must return a Tensor (or an array of them), got ${i === 0 && !Array.isArray(result) ? String(result) : `${String(t)} at index ${i}`}`);
  });
  if (outputs.length === 0) throw new Error('toOnnx: forward returned an empty array');
  return { inputs, ops: trace.ops, outputs: outputs as Tensor[], modules: trace.modules };
}

/** The trace at batch + 1, to tell which axes follow the batch (dynamicBatch). */
function traceAtNextBatch(model: Module, shapes: readonly number[][]): Traced {
  const next = shapes.map(([n, ...rest]) => [n + 1, ...rest]);
  try {
    return traceForward(model, next);
  } catch (err) {
    throw new Error(`toOnnx: with dynamicBatch, forward also runs at batch ${next[0][0]}, and failed there: ${(err as Error).message}`, { cause: err });
  }
}

/** Where an op ran, for errors: its layer's path and type, or the model's own forward. */
function describeScope(model: Module, modules: Traced['modules']): (op: TracedOp) => string {
  return (op) => (op.scope === '' ? `the forward of the model itself (${model.type})` : `layer '${op.scope}' (${modules.get(op.scope)?.type ?? 'a module'})`);
}

/** The ops whose results reach an output, in trace order. */
function liveOps(ops: readonly TracedOp[], outputs: readonly Tensor[]): TracedOp[] {
  const needed = new Set<Tensor>(outputs);
  const live: TracedOp[] = [];
  for (let k = ops.length - 1; k >= 0; k--) {
    const op = ops[k];
    if (!needed.has(op.output)) continue;
    live.push(op);
    for (const t of op.inputs) if (t) needed.add(t);
  }
  return live.reverse();
}

/** Refuses a live op that reads a tensor made outside the trace (a tensor built in forward
 * from raw data, an op that does not record), naming the op, its layer and the input. */
function checkComplete(live: readonly TracedOp[], trace: Traced, state: ReadonlyMap<Tensor, string>, where: (op: TracedOp) => string): void {
  const known = new Set<Tensor>([...trace.inputs, ...state.keys()]);
  for (const op of live) {
    const scalars = op.attrs.scalars as readonly (number | null)[] | undefined;
    op.inputs.forEach((t, i) => {
      if (t === null || known.has(t) || scalars?.[i] != null) return;
      throw new Error(
        `toOnnx: input ${i} of '${op.op}' in ${where(op)} is a tensor ${formatShape(t.shape)} that is not a model input, parameter, buffer or the result of a traced op ` +
          '(made in forward from raw data, or by a function that records no op); register a constant with registerBuffer, or compute it with ops from the input',
      );
    });
    known.add(op.output);
  }
  trace.outputs.forEach((t, i) => {
    if (!known.has(t)) throw new Error(`toOnnx: output ${i} ${formatShape(t.shape)} is not a model input, parameter, buffer or the result of a traced op`);
  });
}

/** Every parameter and buffer by its state_dict key (the first key of a shared one). */
function stateNames(model: Module): Map<Tensor, string> {
  const names = new Map<Tensor, string>();
  for (const [key, t] of Object.entries(model.stateDict())) if (!names.has(t)) names.set(t, key);
  return names;
}

function valueInfo(name: string, t: Tensor, dynamic: readonly number[], batch: number): IValueInfoProto {
  const dim = t.shape.map((d, axis) => {
    if (!dynamic.includes(axis)) return { dimValue: d };
    return d === batch ? { dimParam: BATCH } : {};
  });
  return { name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim } } } };
}

/** The model as ONNX bytes (see ToOnnxOptions and docs/onnx-export.md). */
export function toOnnx(model: Module, options: ToOnnxOptions): Uint8Array {
  if (!(model instanceof Module)) throw new Error(`toOnnx: expected a Module, got ${model === null || typeof model !== 'object' ? String(model) : (model as object).constructor?.name}`);
  const o = parseOptions(options);
  const state = stateNames(model);
  for (const name of [...o.inputNames, ...(o.outputNames ?? [])]) {
    if ([...state.values()].includes(name)) throw new Error(`toOnnx: '${name}' is the name of a parameter or buffer; choose another input or output name`);
  }
  const trace = traceForward(model, o.inputShapes);
  const batch = o.inputShapes[0][0];
  const axes = o.dynamicBatch ? batchAxes(trace, traceAtNextBatch(model, o.inputShapes)) : new Map<Tensor, number[]>();
  // An imported graph keeps its own names unless others are given.
  const ownNames = model instanceof OnnxModel && o.outputNames === null ? model.outputs.map((out) => out.name) : null;
  const outputNames = parseNames('outputNames', o.outputNames ?? undefined, trace.outputs.length) ?? ownNames ?? defaultNames('output', trace.outputs.length);
  const where = describeScope(model, trace.modules);
  const live = liveOps(trace.ops, trace.outputs);
  checkComplete(live, trace, state, where);

  const wanted = new Map<Tensor, string>();
  trace.outputs.forEach((t, i) => {
    if (!wanted.has(t) && !trace.inputs.includes(t) && !state.has(t)) wanted.set(t, outputNames[i]);
  });
  const sources: Sources = { inputs: new Map(trace.inputs.map((t, i) => [t, o.inputNames[i]])), state, outputs: wanted, batchAxes: axes };
  const b = new GraphBuilder(o.opset, sources, where);
  for (const op of live) {
    const rule = EXPORT_RULES[op.op];
    if (!rule) throw new Error(`toOnnx: '${op.op}' in ${where(op)} has no ONNX export rule`);
    b.begin(op);
    rule(b, op);
  }
  trace.outputs.forEach((t, i) => {
    const name = b.nameOf(t, `output ${i}`);
    if (name !== outputNames[i]) b.alias(name, outputNames[i]);
  });

  const graph = {
    name: model.type,
    node: b.nodes,
    initializer: b.initializers,
    input: trace.inputs.map((t, i) => valueInfo(o.inputNames[i], t, o.dynamicBatch ? [0] : [], batch)),
    output: trace.outputs.map((t, i) => valueInfo(outputNames[i], t, axes.get(t) ?? [], batch)),
  };
  checkGraph(graph, o.opset);
  return encodeModel({
    irVersion: irVersionFor(o.opset),
    producerName: 'simdnet',
    producerVersion: VERSION,
    docString: o.docString,
    opsetImport: [{ domain: '', version: o.opset }],
    graph,
  });
}
