// ONNX models built in TypeScript for tests (no Python): ModelProtos through the
// onnx-proto package's types and encoder, from compact node, value and initializer specs.
import { AttributeType, DataType, encodeModel, type IAttributeProto, type IModelProto, type INodeProto, type ITensorProto, type IValueInfoProto } from '../../src/onnx/proto.js';
import { floatTensorProto, int64TensorProto } from '../../src/onnx/tensor-proto.js';

export type Attr = IAttributeProto;

/** Typed attribute builders (ONNX keeps ints and floats apart). */
export const attr = {
  int: (name: string, i: number): Attr => ({ name, type: AttributeType.INT, i }),
  float: (name: string, f: number): Attr => ({ name, type: AttributeType.FLOAT, f }),
  string: (name: string, s: string): Attr => ({ name, type: AttributeType.STRING, s: new TextEncoder().encode(s) }),
  ints: (name: string, ints: number[]): Attr => ({ name, type: AttributeType.INTS, ints }),
  floats: (name: string, floats: number[]): Attr => ({ name, type: AttributeType.FLOATS, floats }),
  tensor: (name: string, t: ITensorProto): Attr => ({ name, type: AttributeType.TENSOR, t }),
};

export interface NodeDef {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Attr[];
  name?: string;
  domain?: string;
}

export function node(op: string, inputs: string[], outputs: string[], attrs: Attr[] = [], name?: string): NodeDef {
  return { op, inputs, outputs, attrs, name };
}

/** A tensor value info; shape entries are sizes or names of symbolic dimensions. */
export function value(name: string, shape: (number | string)[] | null, elemType: number = DataType.FLOAT): IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, ...(shape ? { shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}) } },
  };
}

export const floats = (name: string, dims: number[], data: ArrayLike<number>): ITensorProto => floatTensorProto(name, dims, Float32Array.from(data));
export const int64s = (name: string, dims: number[], data: number[]): ITensorProto => int64TensorProto(name, dims, data);

export interface GraphDef {
  nodes: NodeDef[];
  inputs: IValueInfoProto[];
  outputs: IValueInfoProto[];
  initializers?: ITensorProto[];
  opset?: number;
  irVersion?: number;
  /** Extra opset imports (other domains). */
  imports?: { domain: string; version: number }[];
  docString?: string;
  producerName?: string;
  producerVersion?: string;
  graphName?: string;
}

export function modelProto(g: GraphDef): IModelProto {
  const nodes: INodeProto[] = g.nodes.map((n) => ({
    opType: n.op, input: n.inputs, output: n.outputs, attribute: n.attrs ?? [], ...(n.name !== undefined ? { name: n.name } : {}), ...(n.domain !== undefined ? { domain: n.domain } : {}),
  }));
  return {
    irVersion: g.irVersion ?? 8,
    opsetImport: [{ domain: '', version: g.opset ?? 13 }, ...(g.imports ?? [])],
    producerName: g.producerName ?? 'simdnet-test',
    producerVersion: g.producerVersion ?? '1',
    docString: g.docString ?? '',
    graph: { name: g.graphName ?? 'test', node: nodes, input: g.inputs, output: g.outputs, initializer: g.initializers ?? [] },
  };
}

export function modelBytes(g: GraphDef): Uint8Array {
  return encodeModel(modelProto(g));
}
