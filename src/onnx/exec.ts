// What an ONNX op becomes once compiled: an ExecNode that knows which of its inputs are
// host values (shapes, axes, pads, scales), how to evaluate itself on the host when all
// its inputs are host values (shape arithmetic), its output sizes from its input sizes
// (so shapes fold without running the network), and how to run on tensors through ops.
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import type { AttrReader } from './attributes.js';
import type { HostValue } from './host.js';
import type { NodeSpec } from './spec.js';
import type { OnnxDType } from './tensor-proto.js';

export type Dims = readonly number[];

/** What planning knows of a value: its sizes and, for host values, the value itself. */
export interface Known {
  readonly dims: Dims | null;
  readonly host: HostValue | null;
  /** A tensor (an input, a buffer, a tensor op's output), never a host value. */
  readonly device?: boolean;
}

export const UNKNOWN: Known = Object.freeze({ dims: null, host: null });

/** A node's inputs at run time: a Tensor at a tensor position, a HostValue at a host
 * position, undefined where an optional input is omitted. */
export type RunInput = Tensor | HostValue | undefined;
export type RunOutput = Tensor | HostValue;

export interface ExecNode {
  /** Input positions read as host values (an int64 shape, a float scalar bound, ...). */
  readonly hostInputs: readonly number[];
  /** Output positions that run() returns as host values (Shape's, MaxPool's indices). */
  readonly hostOutputs?: readonly number[];
  /** The outputs computed on the host, or null when an input is not a known host value
   * (then the node runs on tensors). Absent for ops that never run on the host. */
  host?(inputs: readonly (Known | undefined)[]): HostValue[] | null;
  /** Output sizes from what is known of the inputs (null where it cannot be told). */
  infer(inputs: readonly (Known | undefined)[]): (Dims | null)[];
  /** The outputs from tensors and host values, through simdnet's ops. */
  run(inputs: readonly RunInput[]): RunOutput[];
}

/** The child module a module node runs, looked up by key at every call, so a module put
 * in its place with setSubmodule is the one that runs. */
export interface ModuleRef {
  readonly key: string;
  get(): Module;
  /** Whether the child is still the module the node was compiled with (sizes of a
   * replaced module's output cannot be inferred). */
  isOriginal(): boolean;
  /** The original module when it is still the child and of this type, else null. */
  typed(type: string): Module | null;
  /** The module the node was compiled with. */
  readonly original: Module;
}

/** What compile and import both know of a node. */
export interface NodeContext {
  readonly node: NodeSpec;
  readonly opset: number;
  readonly attrs: AttrReader;
  /** Throws an Error naming the node (name and index), its op type and the opset. */
  fail(message: string): never;
  /** Whether input i is given (not omitted with '' and not past the end). */
  has(i: number): boolean;
  hasOutput(i: number): boolean;
}

export interface CompileContext extends NodeContext {
  /** The node's child module, for module nodes (see import.ts); null otherwise. */
  readonly module: ModuleRef | null;
  /** Input i's value when it is a host constant of the graph (known at compile time). */
  constant(i: number): HostValue | undefined;
}

/** A constant input as import sees it: an initializer or a Constant node's value. */
export interface ConstInput {
  readonly name: string;
  readonly dtype: OnnxDType;
  readonly dims: readonly number[];
  /** Float values (float dtypes), else null. */
  readonly floats: Float32Array | null;
  /** Integer values, else null. */
  readonly ints: readonly number[] | null;
}

export interface ImportContext extends NodeContext {
  /** Input i when it is a constant of the graph, else undefined. */
  constant(i: number): ConstInput | undefined;
}

/** A node whose parameters are constants, turned into a child module (Conv → Conv2d). */
export interface ModuleBinding {
  readonly type: string;
  readonly config: Record<string, unknown>;
  /** The module's state by its own keys ('weight', 'bias', 'running_mean', ...). */
  readonly state: Readonly<Record<string, Float32Array>>;
  /** The input positions that are now inside the module. */
  readonly absorbs: readonly number[];
  /** The initializer whose name gives the module its key ('layer1.0.conv1.weight'). */
  readonly weightName: string;
  /** See NodeSpec.inputRank. */
  readonly inputRank?: number;
}

export interface OpDef {
  compile(c: CompileContext): ExecNode;
  /** Import: the module this node becomes when its parameters are constants, or null. */
  toModule?(c: ImportContext): ModuleBinding | null;
}
