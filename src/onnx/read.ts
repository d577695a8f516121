// Reads and checks an ONNX file: the bytes must be a ModelProto (a wrong file is named:
// PNG, zip, a simdnet model, ...), protobuf decoding catches truncation, and what it
// cannot catch is validated here (IR version, the opset import, a graph, every node input
// defined before use, initializer sizes, outputs produced). The result is the graph as
// plain data: node specs with JSON attributes and the constants (initializers and
// Constant nodes) as decoded tensors.
import { readAttribute } from './attributes.js';
import type { ConstInput } from './exec.js';
import { DataType, decodeModel, type IGraphProto, type INodeProto, type IValueInfoProto, int64, type ModelProto } from './proto.js';
import type { AttrValue, NodeSpec, OnnxMetadata, ValueInfoSpec } from './spec.js';
import { dtypeName, readTensorProto } from './tensor-proto.js';

export const MIN_OPSET = 11;
export const MAX_OPSET = 17;
const MIN_IR = 3;
const MAX_IR = 10;
const OP = 'loadOnnx';

export interface RawGraph {
  readonly opset: number;
  readonly metadata: OnnxMetadata;
  readonly inputs: ValueInfoSpec[];
  readonly outputs: ValueInfoSpec[];
  readonly nodes: NodeSpec[];
  readonly constants: Map<string, ConstInput>;
}

function fail(message: string): never {
  throw new Error(`${OP}: ${message}`);
}

/** What the first bytes say a file is, when it is something known other than ONNX. */
function knownFormat(b: Uint8Array): string | null {
  const ascii = (s: string) => s.split('').every((ch, i) => b[i] === ch.charCodeAt(0));
  if (b[0] === 0x89 && ascii('\x89PNG')) return 'a PNG image';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'a JPEG image';
  if (ascii('GIF8')) return 'a GIF image';
  if (ascii('SIMDNET\0')) return 'a simdnet model file (load it with loadModel)';
  if (ascii('PK\x03\x04')) return 'a zip archive (a PyTorch .pt/.pth checkpoint is one: export the model with torch.onnx.export)';
  if (b[0] === 0x1f && b[1] === 0x8b) return 'a gzip file (decompress it first)';
  if (b[0] === 0x7b || b[0] === 0x5b) return 'JSON text';
  return null;
}

function bytesOf(input: unknown): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  return fail(`expected the bytes of an .onnx file (a Uint8Array or ArrayBuffer), got ${input === null ? 'null' : typeof input === 'object' ? (input.constructor?.name ?? 'object') : typeof input}`);
}

function decode(bytes: Uint8Array): ModelProto {
  if (bytes.length === 0) fail('the input is empty (0 bytes), not an ONNX model');
  const known = knownFormat(bytes);
  if (known) fail(`the bytes are ${known}, not an ONNX model`);
  // Protobuf writers emit fields in number order: a ModelProto starts with field 1, ir_version (a varint: tag byte 0x08).
  if (bytes[0] !== 0x08) fail(`the bytes are not an ONNX model: it starts with its ir_version field (byte 0x08), this file with 0x${bytes[0].toString(16).padStart(2, '0')}`);
  return decodeModel(OP, bytes);
}

function str(v: string | null | undefined): string {
  return v ?? '';
}

function valueInfo(v: IValueInfoProto, what: string, floatOnly: boolean): ValueInfoSpec {
  const name = str(v.name);
  if (!name) fail(`${what} has no name`);
  const t = v.type;
  if (!t || !t.tensorType) {
    const kind = !t ? null : t.sequenceType ? 'a sequence' : t.mapType ? 'a map' : t.optionalType ? 'an optional' : t.sparseTensorType ? 'a sparse tensor' : null;
    fail(`${what} '${name}' is ${kind ?? 'of no declared type'}, not a tensor; simdnet's inputs and outputs are tensors`);
  }
  const dtype = dtypeName(OP, `${what} '${name}'`, t.tensorType.elemType);
  if (floatOnly && dtype !== 'float32' && dtype !== 'float16' && dtype !== 'float64') {
    fail(`${what} '${name}' is ${dtype}; simdnet's tensors are float32, so graph inputs must be float (integer inputs are not supported)`);
  }
  const shape = t.tensorType.shape;
  if (!shape) return { name, shape: [], dtype, unknownRank: true };
  const dims = (shape.dim ?? []).map((d, i): number | string => {
    if (d.dimValue !== null && d.dimValue !== undefined) {
      const n = int64(OP, `${what} '${name}' dimension ${i}`, d.dimValue);
      if (n < 0) fail(`${what} '${name}' has a negative dimension ${n}`);
      return n;
    }
    if (d.dimParam) return d.dimParam;
    return '?';
  });
  return { name, shape: dims, dtype };
}

/** The default-domain opset, refusing versions outside 11–17 and missing imports. */
function opsetOf(model: ModelProto): number {
  const imports = model.opsetImport ?? [];
  const own = imports.filter((o) => !o.domain || o.domain === 'ai.onnx');
  if (own.length === 0) fail(`the model imports no ai.onnx opset (opset_import: ${imports.map((o) => `'${o.domain}' ${int64(OP, 'opset version', o.version)}`).join(', ') || 'empty'})`);
  if (own.length > 1) fail('the model imports the ai.onnx opset twice');
  const v = int64(OP, 'opset version', own[0].version);
  if (v < MIN_OPSET || v > MAX_OPSET) fail(`opset ${v} of the default domain is not supported: simdnet reads opsets ${MIN_OPSET} to ${MAX_OPSET} (torch.onnx.export(..., opset_version=${Math.min(Math.max(v, MIN_OPSET), MAX_OPSET)}) writes one)`);
  return v;
}

/** The value of a Constant node: its one value attribute as a tensor. */
function constantValue(node: INodeProto, where: string): Omit<ConstInput, 'name'> {
  const attrs = node.attribute ?? [];
  if (attrs.length !== 1) fail(`${where}: a Constant needs exactly one value attribute, it has ${attrs.length}`);
  const a = attrs[0];
  switch (a.name) {
    case 'value': {
      if (!a.t) fail(`${where}: attribute 'value' holds no tensor`);
      const t = readTensorProto(`${OP}: ${where}`, a.t);
      return { dtype: t.dtype, dims: t.dims, floats: t.floats, ints: t.ints };
    }
    case 'value_float': return { dtype: 'float32', dims: [], floats: Float32Array.of(a.f ?? 0), ints: null };
    case 'value_floats': return { dtype: 'float32', dims: [(a.floats ?? []).length], floats: Float32Array.from(a.floats ?? []), ints: null };
    case 'value_int': return { dtype: 'int64', dims: [], floats: null, ints: [int64(`${OP}: ${where}`, 'value_int', a.i)] };
    case 'value_ints': {
      const ints = (a.ints ?? []).map((v, k) => int64(`${OP}: ${where}`, `value_ints[${k}]`, v));
      return { dtype: 'int64', dims: [ints.length], floats: null, ints };
    }
    default: return fail(`${where}: attribute '${a.name}' is not supported (strings and sparse tensors are not simdnet values)`);
  }
}

function label(node: INodeProto, index: number, opset: number): string {
  return `node ${index}${node.name ? ` '${node.name}'` : ''} (${str(node.opType) || '?'}, opset ${opset})`;
}

export function readOnnx(input: Uint8Array | ArrayBuffer): RawGraph {
  const model = decode(bytesOf(input));
  const irVersion = int64(OP, 'ir_version', model.irVersion);
  if (irVersion < MIN_IR || irVersion > MAX_IR) fail(`IR version ${irVersion} is not supported (simdnet reads IR versions ${MIN_IR} to ${MAX_IR})`);
  const opset = opsetOf(model);
  const graph: IGraphProto | null | undefined = model.graph;
  if (!graph) fail('the model has no graph');
  if ((graph.sparseInitializer ?? []).length > 0) fail(`the graph has sparse initializers ('${graph.sparseInitializer?.[0]?.values?.name ?? ''}'), which simdnet does not support`);
  if ((model.functions ?? []).length > 0) fail(`the model defines local functions ('${model.functions?.[0]?.name ?? ''}'), which simdnet does not support`);

  const constants = new Map<string, ConstInput>();
  for (const [k, t] of (graph.initializer ?? []).entries()) {
    const name = str(t.name);
    if (!name) fail(`initializer ${k} has no name`);
    if (constants.has(name)) fail(`initializer '${name}' is defined twice`);
    const d = readTensorProto(`${OP}: initializer '${name}'`, t);
    constants.set(name, { name, dtype: d.dtype, dims: d.dims, floats: d.floats, ints: d.ints });
  }
  // Inputs that are initializers too (older exporters list them) are constants.
  const inputs = (graph.input ?? []).filter((v) => !constants.has(str(v.name))).map((v) => valueInfo(v, 'graph input', true));
  const outputs = (graph.output ?? []).map((v) => valueInfo(v, 'graph output', false));
  if (outputs.length === 0) fail('the graph has no outputs');

  // Every value defined once, before use; later producers name the out-of-order node.
  const producer = new Map<string, number>();
  (graph.node ?? []).forEach((n, k) => {
    for (const o of n.output ?? []) if (o && !producer.has(o)) producer.set(o, k);
  });
  const defined = new Set<string>([...inputs.map((i) => i.name), ...constants.keys()]);
  const nodes: NodeSpec[] = [];
  (graph.node ?? []).forEach((n, index) => {
    const where = label(n, index, opset);
    const failNode = (message: string): never => fail(`${where}: ${message}`);
    const op = str(n.opType);
    if (!op) failNode('has no op type');
    const domain = str(n.domain);
    if (domain && domain !== 'ai.onnx') failNode(`op domain '${domain}' is not supported: simdnet imports the default ONNX domain (ai.onnx) only`);
    const ins = (n.input ?? []).map(str);
    ins.forEach((name, i) => {
      if (!name || defined.has(name)) return;
      const later = producer.get(name);
      if (later !== undefined && later > index) failNode(`input ${i} '${name}' is produced by node ${later}, later in the file: the nodes are not in topological order`);
      failNode(`input ${i} '${name}' is not defined (not a graph input, an initializer or an earlier node's output)`);
    });
    const outs = (n.output ?? []).map(str);
    outs.forEach((name) => {
      if (!name) return;
      if (defined.has(name)) failNode(`output '${name}' is defined twice`);
      defined.add(name);
    });
    if (op === 'Constant') {
      if (outs.length !== 1 || !outs[0]) failNode('a Constant has one output');
      constants.set(outs[0], { name: outs[0], ...constantValue(n, where) });
      return;
    }
    const attrs: Record<string, AttrValue> = {};
    for (const a of n.attribute ?? []) {
      const name = str(a.name);
      if (!name) failNode('has an attribute without a name');
      if (Object.hasOwn(attrs, name)) failNode(`attribute '${name}' is given twice`);
      attrs[name] = readAttribute(a, (m) => failNode(m));
    }
    nodes.push({ name: str(n.name), index, op, inputs: ins, outputs: outs, attrs });
  });
  for (const o of outputs) if (!defined.has(o.name)) fail(`graph output '${o.name}' is not produced by any node, input or initializer`);

  const metadata: OnnxMetadata = {
    irVersion,
    producerName: str(model.producerName),
    producerVersion: str(model.producerVersion),
    domain: str(model.domain),
    modelVersion: int64(OP, 'model_version', model.modelVersion),
    docString: str(model.docString),
    graphName: str(graph.name),
    graphDocString: str(graph.docString),
  };
  return { opset, metadata, inputs, outputs, nodes, constants };
}

export { DataType };
