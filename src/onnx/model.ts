// OnnxModel: an imported ONNX graph as a Module. Nodes with constant parameters are child
// modules (Conv2d, Linear, BatchNorm2d, ...) named by their PyTorch state_dict prefix, so
// stateDict(), getSubmodule / setSubmodule, freezing and fit work as on any Module; the
// other constants are buffers. The graph runs every node through simdnet's ops, so the
// tape records it and gradients reach every parameter. config() is the graph as JSON
// (spec.ts), which the model file stores: an imported, fine-tuned model saves and loads.
import { Module } from '../nn/module.js';
import type { ModuleSpec } from '../nn/module-types.js';
import { Tensor, formatShape, zeros } from '../tensor.js';
import { CompiledGraph, moduleRefFor, type Labeler } from './graph.js';
import { hostToTensor } from './host.js';
import type { OnnxGraphSpec, ValueInfoSpec } from './spec.js';

export interface OnnxValueInfo {
  readonly name: string;
  /** Sizes, with names for symbolic dimensions ('batch') and '?' where the file has neither. */
  readonly shape: readonly (number | string)[];
  readonly dtype: string;
}

/** JSON has no Infinity or NaN: config() writes them as these strings (a constant of
 * Clip's +∞ bound, a −∞ mask), and the constructor reads them back. */
const NON_FINITE: Record<string, number> = { '\u0000Infinity': Infinity, '\u0000-Infinity': -Infinity, '\u0000NaN': Number.NaN };

function encodeNonFinite(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? `\u0000${v}` : v));
}

function decodeNonFinite<T>(value: T): T {
  if (typeof value === 'string' && Object.hasOwn(NON_FINITE, value)) return NON_FINITE[value] as T;
  if (Array.isArray(value)) return value.map(decodeNonFinite) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeNonFinite(v)])) as T;
  return value;
}

function freezeInfo(v: ValueInfoSpec): OnnxValueInfo {
  return Object.freeze({ name: v.name, shape: Object.freeze([...v.shape]), dtype: v.dtype });
}

export class OnnxModel extends Module {
  static readonly typeName = 'OnnxModel';
  /** The graph's inputs (initializers excluded), in order. */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly docString: string;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly irVersion: number;
  /** The default-domain (ai.onnx) opset of the graph. */
  readonly opset: number;
  readonly graphName: string;
  private readonly spec: OnnxGraphSpec;
  private readonly children = new Map<string, Module>();
  private readonly graph: CompiledGraph;
  private readonly where: Labeler;

  /** Built by loadOnnx (and by loadModel from config()): config is the graph, `build`
   * makes each child module from its spec (the model file's createModule). */
  constructor(config: OnnxGraphSpec, options: { build: (spec: ModuleSpec) => Module; label?: string }) {
    super();
    if (!config || typeof config !== 'object' || config.format !== 1 || !Array.isArray(config.nodes)) {
      throw new Error('OnnxModel: config must be the graph loadOnnx made (format 1)');
    }
    this.where = { label: options?.label ?? 'OnnxModel' };
    const spec = decodeNonFinite(config);
    this.spec = spec;
    const m = spec.metadata;
    this.inputs = Object.freeze(spec.inputs.map(freezeInfo));
    this.outputs = Object.freeze(spec.outputs.map(freezeInfo));
    this.docString = m.docString;
    this.producerName = m.producerName;
    this.producerVersion = m.producerVersion;
    this.irVersion = m.irVersion;
    this.opset = spec.opset;
    this.graphName = m.graphName;
    if (!options || typeof options.build !== 'function') throw new Error('OnnxModel: options.build (a module factory) is required; use loadOnnx to import a model');
    for (const [key, child] of Object.entries(spec.modules)) this.children.set(key, options.build(child));
    for (const c of Object.values(spec.constants)) if ('buffer' in c) this.registerBuffer(c.buffer, zeros(c.dims));
    this.graph = new CompiledGraph(spec, this.where, (key) => moduleRefFor(key, this.children));
    // Shapes fold now when every input has a static size (errors surface at load).
    const fixed = spec.inputs.every((i) => !i.unknownRank && i.shape.every((d) => typeof d === 'number'));
    if (fixed) this.graph.plan(spec.inputs.map((i) => i.shape as number[]));
    this.where.label = 'OnnxModel';
    // An imported graph is an inference graph: eval mode until fit (or train()) says otherwise.
    this.eval();
  }

  override namedChildren(): [string, Module][] {
    return [...this.children];
  }

  protected override replaceChild(name: string, module: Module): void {
    if (!this.children.has(name)) throw new Error(`OnnxModel.setSubmodule: no child '${name}'`);
    this.children.set(name, module);
    this.graph.invalidate();
  }

  /** The graph as imported, with each child module's current type and config (a
   * replaced head is saved as what it is now). */
  override config(): Record<string, unknown> {
    const modules = Object.fromEntries([...this.children].map(([k, m]) => [k, { type: m.type, config: m.config() }]));
    return JSON.parse(encodeNonFinite({ ...this.spec, modules })) as Record<string, unknown>;
  }

  /** The graph's first output for these inputs (in the order of `inputs`). */
  forward(...inputs: Tensor[]): Tensor {
    const first = this.outputs[0].name;
    return this.execute('forward', inputs, [first])[first];
  }

  /** Every graph output by name, for inputs by name or in order. */
  run(inputs: Record<string, Tensor> | readonly Tensor[]): Record<string, Tensor> {
    const list = Array.isArray(inputs) ? inputs : this.byName(inputs as Record<string, Tensor>);
    return this.execute('run', list, this.outputs.map((o) => o.name));
  }

  private byName(inputs: Record<string, Tensor>): Tensor[] {
    if (inputs === null || typeof inputs !== 'object') throw new Error(`OnnxModel.run: expected tensors by input name or an array of tensors, got ${String(inputs)}`);
    const names = this.inputs.map((i) => i.name);
    const unknown = Object.keys(inputs).filter((k) => !names.includes(k));
    if (unknown.length > 0) throw new Error(`OnnxModel.run: unknown input ${unknown.map((k) => `'${k}'`).join(', ')} (the graph's inputs: ${names.map((n) => `'${n}'`).join(', ')})`);
    return names.map((n) => {
      if (!(n in inputs)) throw new Error(`OnnxModel.run: input '${n}' is missing`);
      return inputs[n];
    });
  }

  private execute(op: string, inputs: readonly Tensor[], wanted: readonly string[]): Record<string, Tensor> {
    const where = `OnnxModel.${op}`;
    if (inputs.length !== this.inputs.length) {
      throw new Error(`${where}: the graph takes ${this.inputs.length} input${this.inputs.length === 1 ? '' : 's'} (${this.inputs.map((i) => `'${i.name}'`).join(', ')}), got ${inputs.length}`);
    }
    inputs.forEach((t, i) => {
      const info = this.inputs[i];
      if (!(t instanceof Tensor)) throw new Error(`${where}: input '${info.name}' must be a Tensor, got ${String(t)}`);
      const declared = info.shape;
      // A static batch size (dimension 0) may differ: exporters often fix it to 1.
      const ok = this.spec.inputs[i].unknownRank || (t.rank === declared.length && declared.every((d, k) => k === 0 || typeof d !== 'number' || d === t.shape[k]));
      if (!ok) throw new Error(`${where}: input '${info.name}' has shape ${formatShape(t.shape)}, but the graph declares [${declared.join(', ')}]`);
    });
    const buffers = new Map(this.namedBuffers());
    let env;
    try {
      env = this.graph.run(inputs, (name) => buffers.get(name) as Tensor);
    } catch (e) {
      // A graph exported with a static batch may have the batch size baked into constants.
      const baked = this.inputs.find((info, i) => typeof info.shape[0] === 'number' && info.shape[0] !== inputs[i].shape[0]);
      if (!baked) throw e;
      const hint = ` (input '${baked.name}' was exported with a static batch of ${baked.shape[0]}, which the graph may hold in constants: export with dynamic_axes={'${baked.name}': {0: 'batch'}} to run other batch sizes)`;
      throw new Error(`${(e as Error).message}${hint}`, { cause: e });
    }
    const out: Record<string, Tensor> = {};
    for (const name of wanted) {
      const v = env.get(name);
      if (v === undefined) throw new Error(`${where}: the graph computed no value for output '${name}'`);
      out[name] = v instanceof Tensor ? v : hostToTensor(v);
    }
    return out;
  }

  override toString(): string {
    return `OnnxModel(${this.graphName || 'graph'}: ${this.spec.nodes.length} nodes, ${this.children.size} modules, opset ${this.opset})`;
  }
}
