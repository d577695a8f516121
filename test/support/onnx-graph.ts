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

/** The serialized model as a plain Uint8Array (protobufjs hands out a Node Buffer, whose
 * slice() is a view: tests that flip bytes need real copies). */
export function modelBytes(g: GraphDef): Uint8Array {
  return new Uint8Array(encodeModel(modelProto(g)));
}

/** A small LeNet as PyTorch exports one: weights named by state_dict key (conv1, fc1,
 * fc2) or, as after BatchNorm folding, 'onnx::Conv_7' with a scoped node name; the
 * flatten written as x.view(x.size(0), -1), i.e. Shape → Gather → Unsqueeze → Concat →
 * Reshape. x [batch, 1, 12, 12] → [batch, 3]. */
export interface LeNetWeights {
  conv1: { weight: Float32Array; bias: Float32Array };
  conv2: { weight: Float32Array; bias: Float32Array };
  fc1: { weight: Float32Array; bias: Float32Array };
  /** Stored [in, out] (Gemm with transB = 0). */
  fc2: { weight: Float32Array; bias: Float32Array };
}

export function lenetGraph(w: LeNetWeights, batch: number | string = 'batch', extra: Partial<GraphDef> = {}): GraphDef {
  return {
    nodes: [
      node('Conv', ['input', 'conv1.weight', 'conv1.bias'], ['c1'], [attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1])], '/conv1/Conv'),
      node('Relu', ['c1'], ['r1'], [], '/relu/Relu'),
      node('MaxPool', ['r1'], ['p1'], [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2])], '/pool/MaxPool'),
      node('Conv', ['p1', 'onnx::Conv_7', 'onnx::Conv_8'], ['c2'], [attr.ints('kernel_shape', [3, 3])], '/features/features.3/Conv'),
      node('Relu', ['c2'], ['r2'], [], '/features/features.4/Relu'),
      node('MaxPool', ['r2'], ['p2'], [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2])], '/features/features.5/MaxPool'),
      node('Shape', ['p2'], ['s'], [], '/Shape'),
      node('Constant', [], ['zero'], [attr.tensor('value', int64s('', [], [0]))], '/Constant'),
      node('Gather', ['s', 'zero'], ['n'], [attr.int('axis', 0)], '/Gather'),
      node('Unsqueeze', ['n', 'axes'], ['n1'], [], '/Unsqueeze'),
      node('Concat', ['n1', 'minus_one'], ['shape'], [attr.int('axis', 0)], '/Concat'),
      node('Reshape', ['p2', 'shape'], ['flat'], [], '/Reshape'),
      node('Gemm', ['flat', 'fc1.weight', 'fc1.bias'], ['h'], [attr.float('alpha', 1), attr.float('beta', 1), attr.int('transB', 1)], '/fc1/Gemm'),
      node('Relu', ['h'], ['hr'], [], '/relu_1/Relu'),
      node('Gemm', ['hr', 'fc2.weight', 'fc2.bias'], ['logits'], [], '/fc2/Gemm'),
    ],
    inputs: [value('input', [batch, 1, 12, 12])],
    outputs: [value('logits', [batch, 3])],
    initializers: [
      floats('conv1.weight', [4, 1, 3, 3], w.conv1.weight), floats('conv1.bias', [4], w.conv1.bias),
      floats('onnx::Conv_7', [6, 4, 3, 3], w.conv2.weight), floats('onnx::Conv_8', [6], w.conv2.bias),
      floats('fc1.weight', [8, 24], w.fc1.weight), floats('fc1.bias', [8], w.fc1.bias),
      floats('fc2.weight', [8, 3], w.fc2.weight), floats('fc2.bias', [3], w.fc2.bias),
      int64s('axes', [1], [0]), int64s('minus_one', [1], [-1]),
    ],
    ...extra,
  };
}
