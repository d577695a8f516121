// The ONNX graph under construction: value names for tensors, nodes, initializers, and
// the helpers export rules use to emit nodes. Names follow PyTorch's exporter: a
// parameter keeps its state_dict key, a node is named by its module path and op type
// ('layer1.0.conv1/Conv'), and its outputs by the node ('layer1.0.conv1/Conv_output_0').
import type { TracedOp } from '../../autograd/trace.js';
import type { Tensor } from '../../tensor.js';
import { AttributeType, type IAttributeProto, type INodeProto, type ITensorProto } from '../proto.js';
import { floatTensorProto, int64TensorProto } from '../tensor-proto.js';

const utf8 = new TextEncoder();

/** Typed attribute values: an ONNX attribute's type is not a JS number's (alpha 1 is a float). */
export const attr = {
  int: (name: string, i: number): IAttributeProto => ({ name, type: AttributeType.INT, i }),
  ints: (name: string, ints: readonly number[]): IAttributeProto => ({ name, type: AttributeType.INTS, ints: [...ints] }),
  float: (name: string, f: number): IAttributeProto => ({ name, type: AttributeType.FLOAT, f }),
  string: (name: string, s: string): IAttributeProto => ({ name, type: AttributeType.STRING, s: utf8.encode(s) }),
};

/** Where a tensor the graph reads comes from, when no traced op made it. */
export interface Sources {
  /** Graph inputs and their names. */
  readonly inputs: ReadonlyMap<Tensor, string>;
  /** Parameters and buffers by their state_dict key (the first key of a shared one). */
  readonly state: ReadonlyMap<Tensor, string>;
  /** The graph outputs and the names they must have (the first occurrence of each). */
  readonly outputs: ReadonlyMap<Tensor, string>;
  /** The axes of each tensor whose size follows the batch (empty without dynamicBatch). */
  readonly batchAxes: ReadonlyMap<Tensor, readonly number[]>;
}

export class GraphBuilder {
  readonly nodes: INodeProto[] = [];
  readonly initializers: ITensorProto[] = [];
  private readonly names = new Map<Tensor, string>();
  private readonly taken = new Set<string>();
  private readonly counts = new Map<string, number>();
  /** The op being emitted, for node names and errors. */
  private op: TracedOp | null = null;

  constructor(
    readonly opset: number,
    private readonly sources: Sources,
    /** Describes where an op ran ("layer 'layer1.0.conv1' (Conv2d)"), for errors. */
    private readonly where: (op: TracedOp) => string,
  ) {
    for (const name of sources.inputs.values()) this.taken.add(name);
    for (const name of sources.state.values()) this.taken.add(name);
    for (const name of sources.outputs.values()) this.taken.add(name);
    for (const [t, name] of sources.inputs) this.names.set(t, name);
  }

  /** Sets the op whose nodes follow. */
  begin(op: TracedOp): void {
    this.op = op;
  }

  /** An Error naming the op being exported and where it ran. */
  fail(message: string): Error {
    const op = this.op;
    return new Error(op ? `toOnnx: '${op.op}' in ${this.where(op)}: ${message}` : `toOnnx: ${message}`);
  }

  /** A name no other value or node has, from `base`. */
  unique(base: string): string {
    let name = base;
    let n = this.counts.get(base) ?? 0;
    while (this.taken.has(name)) name = `${base}_${++n}`;
    this.counts.set(base, n);
    this.taken.add(name);
    return name;
  }

  /** The prefix of generated names: the op's module path. */
  private prefix(): string {
    const scope = this.op?.scope ?? '';
    return scope === '' ? '' : `${scope}/`;
  }

  /** Whether the graph has a value for t yet (an input, a produced value, or an initializer made). */
  has(t: Tensor): boolean {
    return this.names.has(t);
  }

  /** The value name of a tensor the graph reads: an input, a traced op's output, or a
   * parameter/buffer (its initializer is made on first use). */
  nameOf(t: Tensor, what: string): string {
    const known = this.names.get(t);
    if (known !== undefined) return known;
    const key = this.sources.state.get(t);
    if (key === undefined) throw this.fail(`${what} is not an input, parameter, buffer or traced result of the model`);
    this.initializers.push(floatTensorProto(key, t.shape, t.data));
    this.names.set(t, key);
    return key;
  }

  /** Input i of op as a value name ('' for a null optional input). A scalar operand (a
   * number the op turned into a 0-d tensor) becomes a constant. */
  input(op: TracedOp, i: number): string {
    const t = op.inputs[i];
    if (t === null) return '';
    if (!this.names.has(t)) {
      const scalars = op.attrs.scalars as readonly (number | null)[] | undefined;
      if (scalars?.[i] != null) return this.floatConst(t.data, t.shape, 'scalar');
    }
    return this.nameOf(t, `input ${i} (${t.shape.length === 0 ? 'a scalar' : `[${t.shape.join(', ')}]`})`);
  }

  /** The value name an op's output gets: its graph output name, else one from the node. */
  private resultName(t: Tensor, node: string, index: number): string {
    const wanted = this.sources.outputs.get(t);
    if (wanted !== undefined && !this.names.has(t)) return wanted;
    return this.unique(`${node}_output_${index}`);
  }

  /** Appends a node; returns its output names (`outputs` fresh ones, or the given tensors'). */
  private push(opType: string, inputs: readonly string[], attributes: readonly IAttributeProto[], results: readonly (Tensor | null)[]): string[] {
    const name = this.unique(`${this.prefix()}${opType}`);
    const output = results.map((t, i) => (t ? this.resultName(t, name, i) : this.unique(`${name}_output_${i}`)));
    results.forEach((t, i) => {
      if (t) this.names.set(t, output[i]);
    });
    // Trailing empty optional inputs are dropped (ONNX allows either; this is tidier).
    const ins = [...inputs];
    while (ins.length > 0 && ins[ins.length - 1] === '') ins.pop();
    this.nodes.push({ name, opType, input: ins, output, attribute: [...attributes] });
    return output;
  }

  /** An intermediate node with one output; returns its name. */
  temp(opType: string, inputs: readonly string[], attributes: readonly IAttributeProto[] = []): string {
    return this.push(opType, inputs, attributes, [null])[0];
  }

  /** The node whose output is op's output. */
  emit(op: TracedOp, opType: string, inputs: readonly string[], attributes: readonly IAttributeProto[] = []): void {
    this.push(opType, inputs, attributes, [op.output]);
  }

  /** A node that is op's last when `last` (its output is op's output), else an
   * intermediate; returns its output name either way. For rules with optional tails. */
  step(op: TracedOp, last: boolean, opType: string, inputs: readonly string[], attributes: readonly IAttributeProto[] = []): string {
    if (!last) return this.temp(opType, inputs, attributes);
    return this.push(opType, inputs, attributes, [op.output])[0];
  }

  /** An Identity node from one value name to another (a graph output that is an input,
   * a parameter, or the same tensor as an earlier output). */
  alias(from: string, to: string): void {
    this.nodes.push({ name: this.unique(`${to}/Identity`), opType: 'Identity', input: [from], output: [to], attribute: [] });
  }

  /** A node with several outputs, each one of the given tensors. */
  emitMany(opType: string, inputs: readonly string[], attributes: readonly IAttributeProto[], outputs: readonly Tensor[]): void {
    this.push(opType, inputs, attributes, outputs);
  }

  /** A float32 initializer with a generated name. */
  floatConst(values: ArrayLike<number>, dims: readonly number[], base = 'const'): string {
    const name = this.unique(`${this.prefix()}${base}`);
    this.initializers.push(floatTensorProto(name, dims, Float32Array.from(values)));
    return name;
  }

  /** A 0-d float32 constant. */
  scalar(value: number, base = 'const'): string {
    return this.floatConst([value], [], base);
  }

  /** A 1-d int64 initializer (shapes, axes, pads, sizes). */
  int64Const(values: readonly number[], base = 'const'): string {
    const name = this.unique(`${this.prefix()}${base}`);
    this.initializers.push(int64TensorProto(name, [values.length], values));
    return name;
  }

  /** The state tensor an op reads beyond its inputs (batch norm's running statistics): it
   * must be a parameter or buffer of the model, so it is exported by its key. */
  state(t: unknown, what: string): string {
    if (t === null || t === undefined) throw this.fail(`${what} is missing`);
    const tensor = t as Tensor;
    if (!this.names.has(tensor) && !this.sources.state.has(tensor)) {
      throw this.fail(`${what} is not a parameter or buffer of the model (register it with registerBuffer so it is exported by name)`);
    }
    return this.nameOf(tensor, what);
  }

  /** The axes of t whose size follows the batch (dynamicBatch), ascending. */
  batchAxes(t: Tensor): readonly number[] {
    return this.sources.batchAxes.get(t) ?? [];
  }

  /** Refuses when one of `axes` of t follows the batch: `why` says what needs it fixed. */
  staticAxes(t: Tensor, axes: readonly number[], why: string): void {
    const dynamic = this.batchAxes(t).filter((a) => axes.includes(a));
    if (dynamic.length > 0) {
      throw this.fail(`${why} axis ${dynamic.join(', ')}, whose size follows the batch; export with dynamicBatch: false`);
    }
  }
}
