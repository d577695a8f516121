// The compiled graph of an OnnxModel: every node compiled once, then for each signature of
// input sizes a plan (cached) that folds what depends only on constants and sizes (the
// shape arithmetic) and knows every size it can; a run executes the remaining nodes in
// order on tensors, through simdnet's ops, so the tape records them all.
import type { Module } from '../nn/module.js';
import { Tensor, formatShape } from '../tensor.js';
import { AttrReader } from './attributes.js';
import { UNKNOWN, type CompileContext, type Dims, type ExecNode, type Known, type ModuleRef, type RunInput, type RunOutput } from './exec.js';
import { fromSpec, hostToTensor, isFloatType, type HostValue } from './host.js';
import { ONNX_IMPORT_OPS, supportedOnnxOps } from './ops/index.js';
import type { NodeSpec, OnnxGraphSpec } from './spec.js';

/** An Error raised for a node: its message already names the node. */
export class OnnxNodeError extends Error {}

export function describeNode(node: NodeSpec, opset: number): string {
  return `node ${node.index}${node.name ? ` '${node.name}'` : ''} (${node.op}, opset ${opset})`;
}

/** The label errors start with: 'loadOnnx' while loading, the model's own afterwards. */
export interface Labeler {
  label: string;
}

export function nodeFailer(node: NodeSpec, opset: number, where: Labeler): (message: string) => never {
  return (message: string): never => {
    throw new OnnxNodeError(`${where.label}: ${describeNode(node, opset)}: ${message}`);
  };
}

function contextFor(node: NodeSpec, opset: number, where: Labeler, module: ModuleRef | null, constant: (name: string) => HostValue | undefined): CompileContext {
  const fail = nodeFailer(node, opset, where);
  return {
    node, opset, fail, module,
    attrs: new AttrReader(node.attrs, fail),
    has: (i) => i < node.inputs.length && node.inputs[i] !== '',
    hasOutput: (i) => i < node.outputs.length && node.outputs[i] !== '',
    constant: (i) => (i < node.inputs.length && node.inputs[i] !== '' ? constant(node.inputs[i]) : undefined),
  };
}

/** Compiles one node (refusing an op type simdnet does not import). */
export function compileNode(node: NodeSpec, opset: number, where: Labeler, module: ModuleRef | null, constant: (name: string) => HostValue | undefined): ExecNode {
  const def = Object.hasOwn(ONNX_IMPORT_OPS, node.op) ? ONNX_IMPORT_OPS[node.op] : undefined;
  if (!def) return nodeFailer(node, opset, where)(`op type '${node.op}' is not supported (simdnet imports ${supportedOnnxOps().join(', ')})`);
  return def.compile(contextFor(node, opset, where, module, constant));
}

interface Plan {
  readonly known: Map<string, Known>;
  /** Nodes whose outputs the plan holds (nothing to run). */
  readonly folded: Uint8Array;
  /** Host float values turned into tensors, made once per plan. */
  readonly tensors: Map<string, Tensor>;
}

const PLAN_CACHE = 16;

export class CompiledGraph {
  private readonly execs: ExecNode[];
  private readonly hostConstants = new Map<string, HostValue>();
  /** Value name → buffer name, for constants the model holds as tensors. */
  private readonly bufferConstants = new Map<string, { buffer: string; dims: Dims }>();
  private readonly lastUse = new Map<string, number>();
  private readonly outputs: Set<string>;
  private readonly plans = new Map<string, Plan>();
  private generation = 0;

  constructor(
    readonly spec: OnnxGraphSpec,
    private readonly where: Labeler,
    moduleRef: (key: string) => ModuleRef,
  ) {
    for (const [name, c] of Object.entries(spec.constants)) {
      if ('host' in c) this.hostConstants.set(name, fromSpec(c.host));
      else this.bufferConstants.set(name, { buffer: c.buffer, dims: c.dims });
    }
    this.execs = spec.nodes.map((node) => compileNode(node, spec.opset, where, node.module ? moduleRef(node.module) : null, (n) => this.hostConstants.get(n)));
    spec.nodes.forEach((node, k) => {
      for (const n of node.inputs) if (n) this.lastUse.set(n, k);
    });
    this.outputs = new Set(spec.outputs.map((o) => o.name));
  }

  /** Forget cached plans (a child module was replaced: sizes after it may differ). */
  invalidate(): void {
    this.plans.clear();
    this.generation++;
  }

  private fail(node: NodeSpec, message: string): never {
    throw new OnnxNodeError(`${this.where.label}: ${describeNode(node, this.spec.opset)}: ${message}`);
  }

  /** Runs f, naming the node in any error that does not already. */
  private guard<T>(node: NodeSpec, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof OnnxNodeError) throw e;
      throw new OnnxNodeError(`${this.where.label}: ${describeNode(node, this.spec.opset)}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The plan for inputs of these sizes (cached per signature). */
  plan(inputDims: readonly Dims[]): Plan {
    const key = inputDims.map((d) => d.join('x')).join(';');
    const cached = this.plans.get(key);
    if (cached) return cached;
    const known = new Map<string, Known>();
    for (const [name, h] of this.hostConstants) known.set(name, { dims: h.dims, host: h });
    for (const [name, b] of this.bufferConstants) known.set(name, { dims: b.dims, host: null, device: true });
    this.spec.inputs.forEach((input, i) => known.set(input.name, { dims: inputDims[i], host: null, device: true }));
    const folded = new Uint8Array(this.spec.nodes.length);
    this.spec.nodes.forEach((node, k) => {
      const exec = this.execs[k];
      const ins = node.inputs.map((n) => (n === '' ? undefined : (known.get(n) ?? UNKNOWN)));
      this.checkKinds(node, exec, ins);
      const host = exec.host ? this.guard(node, () => exec.host?.(ins) ?? null) : null;
      if (host) {
        folded[k] = 1;
        node.outputs.forEach((n, j) => {
          if (n && host[j]) known.set(n, { dims: host[j].dims, host: host[j] });
        });
        return;
      }
      const dims = this.guard(node, () => exec.infer(ins));
      // Outputs are tensors when the node surely runs on tensors (see checkKinds).
      const onTensors = !exec.host || ins.some((k) => k?.device);
      node.outputs.forEach((n, j) => {
        if (n) known.set(n, { dims: dims[j] ?? null, host: null, device: onTensors && !(exec.hostOutputs ?? []).includes(j) });
      });
    });
    const plan: Plan = { known, folded, tensors: new Map() };
    if (this.plans.size >= PLAN_CACHE) this.plans.delete(this.plans.keys().next().value as string);
    this.plans.set(key, plan);
    return plan;
  }

  /** What planning can already refuse: an integer host value where the op takes float
   * data, tensor data where it takes a host value. */
  private checkKinds(node: NodeSpec, exec: ExecNode, ins: readonly (Known | undefined)[]): void {
    // The node runs on tensors for sure when it cannot run on the host or an input is a
    // tensor; a value not known yet (after a replaced module) may still be a host value.
    const onTensors = !exec.host || ins.some((k) => k?.device);
    ins.forEach((k, j) => {
      if (!k) return;
      const hostPos = exec.hostInputs.includes(j);
      if (hostPos && k.device) this.fail(node, dataAtHostInput(j, node));
      if (!hostPos && onTensors && k.host && !isFloatType(k.host.dtype)) this.fail(node, intAtTensorInput(j, node, k.host.dtype));
    });
  }

  /** Runs the graph on inputs (in the order of spec.inputs); returns every value computed. */
  run(inputs: readonly Tensor[], buffer: (name: string) => Tensor): Map<string, RunOutput> {
    const plan = this.plan(inputs.map((t) => t.shape));
    const env = new Map<string, RunOutput>();
    this.spec.inputs.forEach((input, i) => env.set(input.name, inputs[i]));
    for (const [name, b] of this.bufferConstants) env.set(name, buffer(b.buffer));
    const value = (n: string): RunOutput | undefined => env.get(n) ?? plan.known.get(n)?.host ?? undefined;
    this.spec.nodes.forEach((node, k) => {
      if (plan.folded[k]) return;
      const exec = this.execs[k];
      const ins: RunInput[] = node.inputs.map((n) => {
        if (n === '') return undefined;
        const v = value(n);
        if (v === undefined) this.fail(node, `input '${n}' has no value (it is not an input, a constant or an earlier node's output)`);
        return v;
      });
      const outs = this.guard(node, () => {
        if (exec.host) {
          const host = exec.host(ins.map(toKnown));
          if (host) return host;
        }
        return exec.run(ins.map((v, j) => this.prepare(node, exec, plan, j, v)));
      });
      node.outputs.forEach((n, j) => {
        if (!n) return;
        const out = outs[j];
        if (out === undefined) this.fail(node, `produced no output ${j} ('${n}')`);
        const want = plan.known.get(n)?.dims;
        const got = out instanceof Tensor ? out.shape : out.dims;
        if (want && (want.length !== got.length || want.some((d, i) => d !== got[i]))) {
          this.fail(node, `output '${n}' has shape ${formatShape(got)} but planning inferred ${formatShape(want)}`);
        }
        env.set(n, out);
      });
      // Release what no later node reads (under noGrad this frees memory as it goes).
      for (const n of node.inputs) if (n && this.lastUse.get(n) === k && !this.outputs.has(n)) env.delete(n);
    });
    for (const [name, known] of plan.known) if (known.host && this.outputs.has(name) && !env.has(name)) env.set(name, known.host);
    return env;
  }

  /** An input as the node's run takes it: a HostValue at host positions, a Tensor otherwise. */
  private prepare(node: NodeSpec, exec: ExecNode, plan: Plan, j: number, v: RunInput): RunInput {
    if (v === undefined) return undefined;
    if (exec.hostInputs.includes(j)) {
      if (v instanceof Tensor) this.fail(node, dataAtHostInput(j, node));
      return v;
    }
    if (v instanceof Tensor) return v;
    if (!isFloatType(v.dtype)) this.fail(node, intAtTensorInput(j, node, v.dtype));
    const name = node.inputs[j];
    if (plan.known.get(name)?.host !== v) return hostToTensor(v);
    let t = plan.tensors.get(name);
    if (!t) {
      t = hostToTensor(v);
      plan.tensors.set(name, t);
    }
    return t;
  }

  /** The plan generation (changes when a module is replaced). */
  get version(): number {
    return this.generation;
  }
}

function toKnown(v: RunInput): Known | undefined {
  if (v === undefined) return undefined;
  if (v instanceof Tensor) return { dims: v.shape, host: null, device: true };
  return { dims: v.dims, host: v };
}

function dataAtHostInput(j: number, node: NodeSpec): string {
  return `input ${j} ('${node.inputs[j]}') must be a constant or computed from shapes (simdnet reads it on the host), but it is computed from tensor data`;
}

function intAtTensorInput(j: number, node: NodeSpec, dtype: string): string {
  return `input ${j} ('${node.inputs[j]}') is a ${dtype} tensor, but ${node.op} takes float data there (simdnet computes in float32; integers are for shapes)`;
}

/** A module by key, looked up at every call. */
export function moduleRefFor(key: string, table: ReadonlyMap<string, Module>): ModuleRef {
  const original = table.get(key);
  if (!original) throw new Error(`OnnxModel: no child module '${key}'`);
  return {
    key, original,
    get: () => {
      const m = table.get(key);
      if (!m) throw new Error(`OnnxModel: child module '${key}' is gone`);
      return m;
    },
    isOriginal: () => table.get(key) === original,
    typed: (type) => (table.get(key) === original && original.type === type ? original : null),
  };
}
