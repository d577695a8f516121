// What loadOnnx refuses, each with an Error that names the node (index and name), its op
// type, the attribute or input, and the opset: unsupported ops, attribute values, unknown
// attributes, data types, external data, other domains and opsets, broken graphs, and
// files that are not ONNX models (truncated, bit-flipped, another format, random bytes).
import { describe, expect, it } from 'vitest';
import { Linear, Sequential, loadOnnx, randn } from '../src/index.js';
import { Random } from '../src/random.js';
import { DataType, encodeModel, type IModelProto } from '../src/onnx/proto.js';
import { attr, floats, int64s, lenetGraph, modelBytes, modelProto, node, value, type GraphDef } from './support/onnx-graph.js';
import { randomTensor } from './support/random.js';

/** Conv → Relu → Gemm on x [1, 1, 4, 4]: small enough to truncate and flip everywhere. */
function small(): GraphDef {
  return {
    nodes: [
      node('Conv', ['x', 'conv.weight'], ['c'], [attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1])], '/conv/Conv'),
      node('Relu', ['c'], ['r'], [], '/relu/Relu'),
      node('Flatten', ['r'], ['f'], [attr.int('axis', 1)], '/Flatten'),
      node('Gemm', ['f', 'fc.weight', 'fc.bias'], ['y'], [attr.int('transB', 1)], '/fc/Gemm'),
    ],
    inputs: [value('x', [1, 1, 4, 4])],
    outputs: [value('y', [1, 2])],
    initializers: [floats('conv.weight', [1, 1, 3, 3], randomTensor([9], 1).data), floats('fc.weight', [2, 16], randomTensor([32], 2).data), floats('fc.bias', [2], [0.5, -0.5])],
  };
}

const load = (g: GraphDef) => () => loadOnnx(modelBytes(g));
const oneNode = (op: string, attrs: ReturnType<typeof attr.int>[], x: (number | string)[] = [1, 2, 4, 4], extra: Partial<GraphDef> = {}): GraphDef => ({
  nodes: [node(op, ['x'], ['y'], attrs, 'n')], inputs: [value('x', x)], outputs: [value('y', null)], ...extra,
});

describe('unsupported ops, attribute values, attributes and types', () => {
  it('an op type simdnet does not import', () => {
    expect(load({ ...small(), nodes: [...small().nodes, node('NonMaxSuppression', ['y'], ['z'], [], 'nms')], outputs: [value('z', null)] }))
      .toThrow(/^loadOnnx: node 4 'nms' \(NonMaxSuppression, opset 13\): op type 'NonMaxSuppression' is not supported \(simdnet imports .*Conv, ConvTranspose/);
    expect(load(oneNode('Upsample', [], [1, 1, 2, 2]))).toThrow(/node 0 'n' \(Upsample, opset 13\): op type 'Upsample' is not supported/);
  });

  it('attribute values simdnet does not implement', () => {
    expect(load(oneNode('MaxPool', [attr.ints('kernel_shape', [2, 2]), attr.string('auto_pad', 'SAME')])))
      .toThrow(/^loadOnnx: node 0 'n' \(MaxPool, opset 13\): attribute 'auto_pad' is 'SAME'; simdnet supports 'NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'$/);
    expect(load(oneNode('MaxPool', [attr.ints('kernel_shape', [2, 2]), attr.int('storage_order', 2)]))).toThrow(/\(MaxPool, opset 13\): attribute 'storage_order' is 2; simdnet supports 0 or 1/);
    expect(load(oneNode('Pad', [attr.string('mode', 'wrap')], [1, 2], { nodes: [node('Pad', ['x', 'p'], ['y'], [attr.string('mode', 'wrap')], 'n')], initializers: [int64s('p', [4], [0, 1, 0, 1])] })))
      .toThrow(/\(Pad, opset 13\): attribute 'mode' is 'wrap'; simdnet supports 'constant', 'reflect', 'edge'/);
    const resize = (mode: string) => ({ ...oneNode('Resize', []), nodes: [node('Resize', ['x', '', 's'], ['y'], [attr.string('mode', mode)], 'n')], initializers: [floats('s', [4], [1, 1, 2, 2])] });
    expect(load(resize('cubic'))).toThrow(/\(Resize, opset 13\): attribute 'mode' is 'cubic'; simdnet resizes with 'nearest' and 'linear' \(bilinear\) only/);
    expect(load(resize('linear'))).not.toThrow();
    const bn = { ...oneNode('BatchNormalization', []), opset: 15 };
    bn.nodes = [node('BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y'], [attr.int('training_mode', 1)], 'bn')];
    bn.initializers = ['s', 'b', 'm', 'v'].map((n) => floats(n, [2], [1, 1]));
    expect(load(bn)).toThrow(/^loadOnnx: node 0 'bn' \(BatchNormalization, opset 15\): attribute 'training_mode' is 1 \(the batch statistics of a training graph\); export the model in eval mode$/);
    const conv3d = { nodes: [node('Conv', ['x', 'w'], ['y'], [], 'c3')], inputs: [value('x', [1, 1, 3, 3, 3])], outputs: [value('y', null)], initializers: [floats('w', [1, 1, 1, 1, 1], [1])] };
    expect(load(conv3d)).toThrow(/^loadOnnx: node 0 'c3' \(Conv, opset 13\): 3-D Conv \(5-D input \[1, 1, 3, 3, 3\]\) is not supported: simdnet images are NCHW, 2-D$/);
  });

  it('attributes an op does not have, and attributes of the wrong type', () => {
    expect(load(oneNode('Relu', [attr.int('foo', 1)]))).toThrow(/^loadOnnx: node 0 'n' \(Relu, opset 13\): attribute 'foo' is not part of Relu as simdnet implements it$/);
    expect(load(oneNode('MaxPool', [attr.ints('kernel_shape', [2, 2]), attr.int('dilation', 2)]))).toThrow(/attribute 'dilation' is not part of MaxPool/);
    expect(load(oneNode('LeakyRelu', [attr.int('alpha', 1)]))).toThrow(/\(LeakyRelu, opset 13\): attribute 'alpha' should be a float, got \{"i":1\}/);
    expect(load(oneNode('Flatten', [attr.float('axis', 1)]))).toThrow(/\(Flatten, opset 13\): attribute 'axis' should be an int, got \{"f":1\}/);
    const g = oneNode('Relu', []);
    g.nodes[0].attrs = [{ name: 'body', type: 5, g: { name: 'sub' } }];
    expect(load(g)).toThrow(/\(Relu, opset 13\): attribute 'body' has type GRAPH \(graph, sparse-tensor and type attributes are not supported\)/);
  });

  it('data types simdnet does not hold', () => {
    expect(load({ ...oneNode('Relu', []), inputs: [value('x', [2], DataType.INT64)] }))
      .toThrow(/^loadOnnx: graph input 'x' is int64; simdnet's tensors are float32, so graph inputs must be float \(integer inputs are not supported\)$/);
    expect(load({ ...oneNode('Relu', []), inputs: [value('x', [2], DataType.BFLOAT16)] })).toThrow(/graph input 'x' has ONNX data type 16 \(BFLOAT16\), which simdnet does not support/);
    expect(load({ ...small(), initializers: [...(small().initializers ?? []), { name: 'names', dims: [1], dataType: DataType.STRING, stringData: [new Uint8Array([65])] }] }))
      .toThrow(/loadOnnx: initializer 'names': tensor 'names' has ONNX data type 8 \(STRING\)/);
    expect(load(oneNode('Cast', [attr.int('to', DataType.STRING)]))).toThrow(/Cast: attribute 'to' has ONNX data type 8 \(STRING\)/);
  });

  it('external data', () => {
    const g = small();
    g.initializers = [{ name: 'conv.weight', dims: [1, 1, 3, 3], dataType: DataType.FLOAT, dataLocation: 1, externalData: [{ key: 'location', value: 'weights.bin' }] }, ...(g.initializers ?? []).slice(1)];
    expect(load(g)).toThrow(/^loadOnnx: initializer 'conv\.weight': tensor 'conv\.weight' keeps its data in an external file; simdnet reads only self-contained ONNX files/);
  });

  it('other domains, opsets and IR versions', () => {
    const g = small();
    g.nodes[1] = { ...g.nodes[1], domain: 'com.microsoft' };
    expect(load(g)).toThrow(/^loadOnnx: node 1 '\/relu\/Relu' \(Relu, opset 13\): op domain 'com\.microsoft' is not supported: simdnet imports the default ONNX domain \(ai\.onnx\) only$/);
    expect(load({ ...small(), opset: 10 })).toThrow(/^loadOnnx: opset 10 of the default domain is not supported: simdnet reads opsets 11 to 17/);
    expect(load({ ...small(), opset: 18 })).toThrow(/opset 18 of the default domain is not supported/);
    const other: IModelProto = { ...modelProto(small()), opsetImport: [{ domain: 'ai.onnx.ml', version: 3 }] };
    expect(() => loadOnnx(encodeModel(other))).toThrow(/^loadOnnx: the model imports no ai\.onnx opset \(opset_import: 'ai\.onnx\.ml' 3\)$/);
    expect(load({ ...small(), irVersion: 2 })).toThrow(/^loadOnnx: IR version 2 is not supported \(simdnet reads IR versions 3 to 10\)$/);
    // An import of another domain that no node uses is harmless.
    expect(loadOnnx(modelBytes({ ...small(), imports: [{ domain: 'ai.onnx.ml', version: 3 }] })).forward(randn([1, 1, 4, 4])).shape).toEqual([1, 2]);
  });
});

describe('broken graphs', () => {
  it('no graph, nodes out of order, undefined or twice-defined values, outputs nobody makes', () => {
    expect(() => loadOnnx(encodeModel({ ...modelProto(small()), graph: null }))).toThrow(/^loadOnnx: the model has no graph$/);
    const swapped = small();
    [swapped.nodes[1], swapped.nodes[2]] = [swapped.nodes[2], swapped.nodes[1]];
    expect(load(swapped)).toThrow(/^loadOnnx: node 1 '\/Flatten' \(Flatten, opset 13\): input 0 'r' is produced by node 2, later in the file: the nodes are not in topological order$/);
    const undefinedInput = small();
    undefinedInput.nodes[1] = node('Relu', ['nothing'], ['r'], [], '/relu/Relu');
    expect(load(undefinedInput)).toThrow(/node 1 '\/relu\/Relu' \(Relu, opset 13\): input 0 'nothing' is not defined \(not a graph input, an initializer or an earlier node's output\)/);
    const twice = small();
    twice.nodes[2] = node('Flatten', ['r'], ['c'], [], '/Flatten');
    expect(load(twice)).toThrow(/node 2 '\/Flatten' \(Flatten, opset 13\): output 'c' is defined twice/);
    expect(load({ ...small(), outputs: [value('z', null)] })).toThrow(/^loadOnnx: graph output 'z' is not produced by any node, input or initializer$/);
  });

  it('initializers whose data does not fit their dims, repeated, sparse; local functions; non-tensor inputs', () => {
    const short = small();
    short.initializers = [{ name: 'conv.weight', dims: [1, 1, 3, 3], dataType: DataType.FLOAT, floatData: [1, 2, 3] }, ...(short.initializers ?? []).slice(1)];
    expect(load(short)).toThrow(/^loadOnnx: initializer 'conv\.weight': tensor 'conv\.weight' holds 3 values, but \[1, 1, 3, 3\] needs 9$/);
    const raw = small();
    raw.initializers = [{ name: 'conv.weight', dims: [1, 1, 3, 3], dataType: DataType.FLOAT, rawData: new Uint8Array(35) }, ...(raw.initializers ?? []).slice(1)];
    expect(load(raw)).toThrow(/tensor 'conv\.weight' holds 35 bytes of raw data, but float32 \[1, 1, 3, 3\] needs 36/);
    const repeated = small();
    repeated.initializers?.push(floats('fc.bias', [2], [0, 0]));
    expect(load(repeated)).toThrow(/^loadOnnx: initializer 'fc\.bias' is defined twice$/);
    const sparse = modelProto(small());
    (sparse.graph as { sparseInitializer: unknown[] }).sparseInitializer = [{ values: floats('s', [1], [1]), indices: int64s('i', [1], [0]), dims: [4] }];
    expect(() => loadOnnx(encodeModel(sparse))).toThrow(/^loadOnnx: the graph has sparse initializers \('s'\), which simdnet does not support$/);
    expect(() => loadOnnx(encodeModel({ ...modelProto(small()), functions: [{ name: 'MyOp', domain: 'custom' }] }))).toThrow(/the model defines local functions \('MyOp'\)/);
    expect(load({ ...small(), inputs: [{ name: 'x', type: { sequenceType: { elemType: { tensorType: { elemType: 1 } } } } }] })).toThrow(/^loadOnnx: graph input 'x' is a sequence, not a tensor/);
  });

  it('an integer value flowing into a float op, and shapes computed from tensor data', () => {
    const intIntoFloat: GraphDef = { nodes: [node('Shape', ['x'], ['s'], [], 'shape'), node('Add', ['x', 's'], ['y'], [], 'add')], inputs: [value('x', [4])], outputs: [value('y', null)] };
    expect(load(intIntoFloat)).toThrow(/^loadOnnx: node 1 'add' \(Add, opset 13\): input 1 \('s'\) is a int64 tensor, but Add takes float data there/);
    // Symbolic sizes: the same refusal at the first run.
    const dynamic = loadOnnx(modelBytes({ ...intIntoFloat, inputs: [value('x', ['n'])] }));
    expect(() => dynamic.forward(randn([4]))).toThrow(/^OnnxModel: node 1 'add' \(Add, opset 13\): input 1 \('s'\) is a int64 tensor/);
    const castData: GraphDef = { nodes: [node('Cast', ['x'], ['i'], [attr.int('to', DataType.INT64)], 'cast'), node('Reshape', ['x', 'i'], ['y'], [], 'reshape')], inputs: [value('x', [2])], outputs: [value('y', null)] };
    expect(load(castData)).toThrow(/node 1 'reshape' \(Reshape, opset 13\): input 1 \('i'\) must be a constant or computed from shapes \(simdnet reads it on the host\), but it is computed from tensor data/);
    const castOut = loadOnnx(modelBytes({ ...castData, nodes: [castData.nodes[0]], outputs: [value('i', null)], inputs: [value('x', ['n'])] }));
    expect(() => castOut.forward(randn([2]))).toThrow(/node 0 'cast' \(Cast, opset 13\): casting a tensor computed from data to int64 is not supported/);
  });
});

describe('files that are not ONNX models', () => {
  const good = modelBytes(small());

  it('the small model itself loads, from a Uint8Array, an ArrayBuffer or a Node Buffer inside a larger pool', () => {
    const y = loadOnnx(good).forward(randn([1, 1, 4, 4], { seed: 1 }));
    expect(y.shape).toEqual([1, 2]);
    expect(loadOnnx(good.buffer.slice(good.byteOffset, good.byteOffset + good.byteLength) as ArrayBuffer).inputs[0].name).toBe('x');
    // As fs.readFileSync gives it: the file's bytes at an offset of a shared ArrayBuffer.
    const pooled = Buffer.concat([Buffer.alloc(13, 7), Buffer.from(good)]).subarray(13);
    expect(loadOnnx(pooled).forward(randn([1, 1, 4, 4], { seed: 1 })).toArray()).toEqual(y.toArray());
  });

  it('every truncation of the small model, and of the LeNet every 61 bytes, is refused', () => {
    for (let n = 0; n < good.length; n++) expect(() => loadOnnx(good.subarray(0, n)), `first ${n} of ${good.length} bytes`).toThrow(/^loadOnnx: /);
    const w = { weight: new Float32Array(36), bias: new Float32Array(4) };
    const lenet = modelBytes(lenetGraph({ conv1: { weight: w.weight.subarray(0, 36), bias: w.bias }, conv2: { weight: new Float32Array(216), bias: new Float32Array(6) }, fc1: { weight: new Float32Array(192), bias: new Float32Array(8) }, fc2: { weight: new Float32Array(24), bias: new Float32Array(3) } }));
    for (let n = 0; n < lenet.length; n += 61) expect(() => loadOnnx(lenet.subarray(0, n)), `first ${n} of ${lenet.length} bytes`).toThrow(/^loadOnnx: /);
  });

  it('bit flips: refused with a loadOnnx error, or (float data, names) a model that loads and runs or refuses to run', () => {
    let refused = 0;
    let loaded = 0;
    const x = randn([1, 1, 4, 4], { seed: 3 });
    for (let bit = 0; bit < good.length * 8; bit++) {
      const bytes = Uint8Array.from(good);
      bytes[bit >> 3] ^= 1 << (bit & 7);
      let model;
      try {
        model = loadOnnx(bytes);
      } catch (e) {
        expect(e, `bit ${bit}`).toBeInstanceOf(Error);
        expect((e as Error).message, `bit ${bit}`).toMatch(/^loadOnnx: /);
        refused++;
        continue;
      }
      loaded++;
      try {
        model.forward(x);
      } catch (e) {
        expect((e as Error).message, `bit ${bit}`).toMatch(/^OnnxModel\.forward: |^OnnxModel: /);
      }
    }
    // Most bytes are float data (any value is a valid weight); the structure is checked.
    expect(refused).toBeGreaterThan(good.length);
    expect(refused + loaded).toBe(good.length * 8);
  });

  it('bit flips the checks name: an op type, a dimension, the IR version', () => {
    const text = new TextDecoder('latin1').decode(good);
    const flip = (at: number, mask: number) => {
      const b = Uint8Array.from(good);
      b[at] ^= mask;
      return () => loadOnnx(b);
    };
    // The op type 'Relu' (after the node name '/relu/Relu') becomes 'Rglu'.
    expect(flip(text.indexOf('Relu', text.indexOf('/relu/Relu') + 10) + 1, 0x02)).toThrow(/^loadOnnx: node 1 '\/relu\/Relu' \(Rglu, opset 13\): op type 'Rglu' is not supported/);
    expect(flip(1, 0x40)).toThrow(/^loadOnnx: IR version 72 is not supported/);
    // x's channels (its dims are 1, 1, 4, 4) become 3: the conv's weight has 1.
    const dims = text.indexOf('\x0a\x02\x08\x01\x0a\x02\x08\x01\x0a\x02\x08\x04');
    expect(dims).toBeGreaterThan(0);
    expect(flip(dims + 7, 0x02)).toThrow(/^loadOnnx: node 0 '\/conv\/Conv' \(Conv, opset 13\): Conv: weight \[1, 1, 3, 3\].* input \[1, 3, 4, 4\]/);
    // The input name of Relu 'c' becomes 'a': no such value.
    expect(flip(text.indexOf('\x0a\x01c\x12\x01r'), 0x00)).not.toThrow();
    expect(flip(text.indexOf('\x0a\x01c\x12\x01r') + 2, 0x02)).toThrow(/^loadOnnx: node 1 '\/relu\/Relu' \(Relu, opset 13\): input 0 'a' is not defined/);
  });

  it('other formats, random bytes, empty input and non-bytes are named', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(() => loadOnnx(png)).toThrow(/^loadOnnx: the bytes are a PNG image, not an ONNX model$/);
    const simdnetFile = new Sequential([new Linear({ inFeatures: 2, outFeatures: 1 })]).save();
    expect(() => loadOnnx(simdnetFile)).toThrow(/^loadOnnx: the bytes are a simdnet model file \(load it with loadModel\), not an ONNX model$/);
    expect(() => loadOnnx(Uint8Array.from([0x50, 0x4b, 3, 4, 0]))).toThrow(/a zip archive \(a PyTorch \.pt\/\.pth checkpoint is one/);
    expect(() => loadOnnx(new TextEncoder().encode('{"graph": 1}'))).toThrow(/the bytes are JSON text, not an ONNX model/);
    expect(() => loadOnnx(new Uint8Array(0))).toThrow(/^loadOnnx: the input is empty \(0 bytes\), not an ONNX model$/);
    expect(() => loadOnnx(Uint8Array.from([0x12, 0x34]))).toThrow(/^loadOnnx: the bytes are not an ONNX model: it starts with its ir_version field \(byte 0x08\), this file with 0x12$/);
    const rng = new Random(5);
    for (let k = 0; k < 200; k++) {
      const bytes = Uint8Array.from({ length: 16 + k * 7 }, () => Math.floor(rng.uniform(0, 256)));
      if (k % 2 === 0) bytes[0] = 0x08; // past the first check, into the decoder and the validation
      expect(() => loadOnnx(bytes), `random bytes ${k}`).toThrow(/^loadOnnx: /);
    }
    expect(() => loadOnnx('model.onnx' as never)).toThrow(/^loadOnnx: expected the bytes of an \.onnx file \(a Uint8Array or ArrayBuffer\), got string$/);
    expect(() => loadOnnx(null as never)).toThrow(/got null/);
  });
});
