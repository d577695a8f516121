// model.compile({ inputShape }): a static plan for inference. The model's forward is traced
// once in eval mode (src/autograd/trace.ts); the trace becomes a graph of values and nodes
// (graph.ts), rewritten (passes.ts: BatchNorm folded into convolutions, residual adds and
// activations fused into their epilogues), and every intermediate gets a place in one
// arena by liveness (memory.ts), so a run allocates nothing but its output. Weights are
// copied at compile time: compile after training, and again after changing weights.
import type { Backend, BackendBuffer, PreparedProduct } from '../backend/backend.js';
import { currentBackend } from '../backend/registry.js';
import { noGrad } from '../autograd/graph.js';
import { traceOps } from '../autograd/trace.js';
import type { Module } from '../nn/module.js';
import { Tensor, formatShape, shapeSize, zeros } from '../tensor.js';
import { buildGraph, readers, type PlanGraph } from './graph.js';
import { ALIGN_FLOATS, planMemory, type BufferRequest } from './memory.js';
import { optimize } from './passes.js';
import { buildStep, type Step } from './steps.js';

export interface CompileOptions {
  /** The input's shape, batch included: a compiled plan runs this shape only (predict
   * splits any batch into runs of it). */
  inputShape: readonly number[];
  /** The backend the plan's kernels run on (default: the current one at compile time). */
  backend?: Backend;
  /** Apply the graph rewrites (default true); false keeps one step per traced op. */
  optimize?: boolean;
}

const KEYS = ['inputShape', 'backend', 'optimize'];

function checkOptions(options: unknown): Required<Omit<CompileOptions, 'backend'>> & { backend: Backend } {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new Error(`compile: options must be an object with inputShape, got ${String(options)}`);
  const unknown = Object.keys(options).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) throw new Error(`compile: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${KEYS.join(', ')})`);
  const o = options as CompileOptions;
  if (!Array.isArray(o.inputShape) || o.inputShape.length === 0 || !o.inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`compile: inputShape must be a non-empty array of positive integers, got ${JSON.stringify(o.inputShape)}`);
  }
  if (o.optimize !== undefined && typeof o.optimize !== 'boolean') throw new Error(`compile: optimize must be a boolean, got ${String(o.optimize)}`);
  const backend = o.backend ?? currentBackend();
  if (!backend || typeof backend.conv2d !== 'function') throw new Error(`compile: backend must be a Backend, got ${String(o.backend)}`);
  return { inputShape: [...o.inputShape], backend, optimize: o.optimize ?? true };
}

/** A model compiled for one input shape; see compile(). */
export class CompiledModel {
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** Bytes of the activation arena (every intermediate, placed by liveness). */
  readonly arenaBytes: number;
  /** Bytes of the constants the plan holds (weights after folding, the backend's prepared
   * (packed) weights included). */
  readonly constantBytes: number;
  readonly backend: Backend;
  /** One line per step: the op, its fusions, its output shape. */
  readonly steps: readonly string[];
  private readonly run_: Step[];
  /** Products the backend prepared (packed weights): released with the plan. */
  private readonly prepared: PreparedProduct[];
  private readonly buffer: BackendBuffer;
  /** Float offset in the buffer of each value (its storage's place), by value id. */
  private readonly offsets: number[];
  private readonly sizes: number[];
  private readonly input: number;
  private readonly output: number;
  private disposed = false;

  constructor(graph: PlanGraph, backend: Backend, inputShape: readonly number[]) {
    this.backend = backend;
    this.inputShape = inputShape;
    this.outputShape = graph.values[graph.output].shape;
    // One backend buffer: the constants first (copied once), then the activation arena.
    // On wasm it is linear memory, so no kernel copies anything in or out during a run.
    // Steps first: a step on a prepared product holds its weights in the backend's memory,
    // so they need no place in the plan's buffer.
    const built = graph.nodes.map((n) => buildStep(backend, n, graph));
    this.prepared = built.flatMap((b) => (b.prepared ? [b.prepared] : []));
    this.run_ = built.map((b) => b.step);
    // Only constants a node still reads: folding BatchNorm leaves the original weights unread,
    // and a prepared product's weight and bias are read at build time only.
    const read = readers({ ...graph, nodes: graph.nodes.map((n, i) => (built[i].prepared ? { ...n, inputs: [n.inputs[0]] } : n)) });
    const constants = graph.values.filter((v) => v.data && v.storage === v.id && read[v.id] > 0);
    const place = new Map<number, number>();
    let at = 0;
    for (const c of constants) {
      place.set(c.id, at);
      at += Math.ceil(c.size / ALIGN_FLOATS) * ALIGN_FLOATS;
    }
    this.constantBytes = 4 * at + this.prepared.reduce((sum, p) => sum + p.bytes, 0);
    const { offsets, size } = placeValues(graph);
    for (const [storage, offset] of offsets) place.set(storage, at + offset);
    this.arenaBytes = 4 * size;
    this.buffer = backend.allocate(at + size);
    for (const c of constants) this.buffer.view(place.get(c.id) as number, c.size).set(c.data as Float32Array);
    this.offsets = graph.values.map((v) => place.get(v.storage) ?? -1);
    this.sizes = graph.values.map((v) => v.size);
    this.input = graph.input;
    this.output = graph.output;
    this.steps = graph.nodes.map((n) => {
      const fused = n.epilogue ? [n.epilogue.residual !== null ? '+ residual' : '', n.epilogue.activation?.kind ?? ''].filter(Boolean).join(' ') : '';
      return `${n.op}${fused ? ` (${fused})` : ''} → ${formatShape(graph.values[n.output].shape)}`;
    });
    // The plan's buffer holds the constants now: drop the graph's references to the
    // model's arrays and to the folded copies.
    for (const v of graph.values) v.data = null;
    // A first run grows the backend's scratch memory to what the plan needs, so later runs
    // do not grow it mid-run.
    this.run(zeros(inputShape));
  }

  /** A fresh view of a value (wasm memory may have grown since the last one). */
  private view(id: number): Float32Array {
    return this.buffer.view(this.offsets[id], this.sizes[id]);
  }

  /** The model's output for x (of exactly inputShape), a new tensor. */
  run(x: Tensor): Tensor {
    if (this.disposed) throw new Error('CompiledModel.run: the plan was disposed');
    if (!(x instanceof Tensor)) throw new Error(`CompiledModel.run: expected a Tensor, got ${String(x)}`);
    if (x.rank !== this.inputShape.length || x.shape.some((d, i) => d !== this.inputShape[i])) {
      throw new Error(`CompiledModel.run: input ${formatShape(x.shape)} differs from the compiled shape ${formatShape(this.inputShape)} (predict() runs any batch)`);
    }
    this.view(this.input).set(x.data);
    const view = (id: number) => this.view(id);
    for (const step of this.run_) step(view);
    return new Tensor(this.view(this.output).slice(), this.outputShape);
  }

  /** Runs x [B, ...] in chunks of the compiled batch (the last one padded with zeros) and
   * returns [B, ...output]. The rest of x's shape must equal inputShape's. */
  predict(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new Error(`CompiledModel.predict: expected a Tensor, got ${String(x)}`);
    const [batch, ...rest] = this.inputShape;
    if (x.rank !== this.inputShape.length || x.shape.slice(1).some((d, i) => d !== rest[i])) {
      throw new Error(`CompiledModel.predict: input ${formatShape(x.shape)} must be [B, ${rest.join(', ')}] for the compiled shape ${formatShape(this.inputShape)}`);
    }
    const perIn = shapeSize(rest);
    const perOut = shapeSize(this.outputShape.slice(1));
    const total = x.shape[0];
    const out = zeros([total, ...this.outputShape.slice(1)]);
    for (let n0 = 0; n0 < total; n0 += batch) {
      const count = Math.min(batch, total - n0);
      const chunk = new Tensor(new Float32Array(batch * perIn), this.inputShape);
      chunk.data.set(x.data.subarray(n0 * perIn, (n0 + count) * perIn));
      const y = this.run(chunk);
      out.data.set(y.data.subarray(0, count * perOut), n0 * perOut);
    }
    return out;
  }

  /** Gives the plan's memory (constants and arena) back to the backend; run() throws afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.run_.length = 0;
    for (const p of this.prepared) p.release();
    this.buffer.release();
  }
}

/** Offsets for every storage that lives in the arena (not constants), by liveness. */
function placeValues(g: PlanGraph): { offsets: Map<number, number>; size: number } {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const use = (id: number | null, step: number) => {
    if (id === null) return;
    const s = g.values[id].storage;
    if (g.values[s].data) return;
    last.set(s, Math.max(last.get(s) ?? -1, step));
  };
  first.set(g.values[g.input].storage, -1);
  g.nodes.forEach((n, i) => {
    n.inputs.forEach((id) => use(id, i));
    Object.values(n.attrValues).forEach((id) => use(id, i));
    if (n.epilogue) use(n.epilogue.residual, i);
    first.set(n.output, i);
    if (!last.has(n.output)) last.set(n.output, i);
  });
  const out = g.values[g.output].storage;
  last.set(out, Number.POSITIVE_INFINITY);
  if (!first.has(out)) first.set(out, -1);
  const storages = [...first.keys()];
  const requests: BufferRequest[] = storages.map((s) => ({ size: g.values[s].size, first: first.get(s) as number, last: Math.max(first.get(s) as number, last.get(s) ?? -1) }));
  const plan = planMemory(requests);
  return { offsets: new Map(storages.map((s, i) => [s, plan.offsets[i]])), size: plan.size };
}

/** Traces model.forward on zeros of inputShape in eval mode and compiles the trace. */
export function compile(model: Module, options: CompileOptions): CompiledModel {
  const o = checkOptions(options);
  if (!model || typeof model.forward !== 'function') throw new Error(`compile: expected a Module, got ${String(model)}`);
  const wasTraining = model.training;
  model.eval();
  let traced: ReturnType<typeof traceOps<Tensor>>;
  const input = zeros(o.inputShape);
  try {
    traced = traceOps(() => noGrad(() => model.forward(input)));
  } catch (e) {
    throw new Error(`compile: the model's forward failed on input ${formatShape(o.inputShape)}: ${(e as Error).message}`, { cause: e });
  } finally {
    if (wasTraining) model.train();
  }
  const graph = buildGraph(traced.ops, input, traced.result);
  return new CompiledModel(o.optimize ? optimize(graph) : graph, o.backend, o.inputShape);
}
