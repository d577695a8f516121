// The imported graph as plain JSON: what loadOnnx makes of a ModelProto, what an
// OnnxModel is built from, and what its config() saves in a simdnet model file (weights
// travel separately, in the state dict). Nothing in here refers to protobuf.
import type { ModuleSpec } from '../nn/module-types.js';
import type { OnnxDType } from './tensor-proto.js';

/** An attribute value: ONNX's attribute types that simdnet reads, tagged so that an int
 * and a float of the same value stay distinct. A TENSOR attribute (Constant's value,
 * ConstantOfShape's value) is stored decoded. */
export type AttrValue =
  | { readonly i: number }
  | { readonly f: number }
  | { readonly s: string }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly strings: readonly string[] }
  | { readonly t: HostTensorSpec };

/** A small tensor written out in full: integer and boolean values, and float values
 * (float32-exact numbers). */
export interface HostTensorSpec {
  readonly dtype: OnnxDType;
  readonly dims: readonly number[];
  readonly data: readonly number[];
}

/** A constant value of the graph: an initializer or a Constant node's output, either
 * kept in the spec (host: small and integer tensors) or held by the model as a buffer. */
export type ConstSpec = { readonly host: HostTensorSpec } | { readonly buffer: string; readonly dims: readonly number[] };

export interface NodeSpec {
  /** The node's name in the file ('' when it had none). */
  readonly name: string;
  /** Its position in the file's node list (kept through removals, for messages). */
  readonly index: number;
  readonly op: string;
  /** Value names; '' for an omitted optional input (and for inputs a module absorbed). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** The child module this node runs (its parameters were the node's constant inputs). */
  readonly module?: string;
  /** The rank of input 0 a module node was made for, where the ONNX semantics depend on
   * it (PRelu's slope [C, 1, 1] names the channels of a 4-D input only). */
  readonly inputRank?: number;
}

/** A graph input or output as the file declares it: sizes, or names for symbolic
 * dimensions ('batch'), or '?' where the file gives neither. */
export interface ValueInfoSpec {
  readonly name: string;
  readonly shape: readonly (number | string)[];
  readonly dtype: string;
  /** The file gives no shape at all (shape is then []). */
  readonly unknownRank?: boolean;
}

export interface OnnxMetadata {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly domain: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly graphName: string;
  /** The graph's own doc string (the model's is docString). */
  readonly graphDocString: string;
}

export interface OnnxGraphSpec {
  /** Version of this JSON layout. */
  readonly format: 1;
  /** The default-domain (ai.onnx) opset the graph imports. */
  readonly opset: number;
  readonly metadata: OnnxMetadata;
  readonly inputs: readonly ValueInfoSpec[];
  readonly outputs: readonly ValueInfoSpec[];
  readonly nodes: readonly NodeSpec[];
  readonly constants: Readonly<Record<string, ConstSpec>>;
  /** Child modules by key (their current type and config: a replaced head is saved as what it is now). */
  readonly modules: Readonly<Record<string, ModuleSpec>>;
}
