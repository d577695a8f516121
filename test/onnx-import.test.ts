// loadOnnx on graphs built in TypeScript (test/support/onnx-graph.ts): a mini LeNet with
// PyTorch's flatten chain (modules, names, outputs against the same network written with
// simdnet's ops, any batch size), metadata, the ops and opset forms torchvision exports
// use, and gradients through an imported graph.
import { describe, expect, it } from 'vitest';
import {
  BatchNorm2d, Conv2d, Linear, OnnxModel, Tensor, conv2d, gelu, layerNorm, linear, loadOnnx, matmul, add, maxPool2d, mean,
  randn, relu, reshape, setBackend, softmax, tensor,
} from '../src/index.js';
import { prefixOfWeight, pathOfScope, sanitize } from '../src/onnx/naming.js';
import { DataType } from '../src/onnx/proto.js';
import { expectTapeGradients } from './support/gradcheck.js';
import { attr, floats, int64s, lenetGraph, modelBytes, node, value, type GraphDef, type LeNetWeights } from './support/onnx-graph.js';
import { randomTensor } from './support/random.js';

function lenetWeights(seed: number): LeNetWeights {
  const r = (shape: number[], k: number) => randomTensor(shape, seed * 10 + k, 0.5).data;
  return {
    conv1: { weight: r([4, 1, 3, 3], 1), bias: r([4], 2) },
    conv2: { weight: r([6, 4, 3, 3], 3), bias: r([6], 4) },
    fc1: { weight: r([8, 24], 5), bias: r([8], 6) },
    fc2: { weight: r([8, 3], 7), bias: r([3], 8) },
  };
}

/** The same LeNet written with simdnet's ops. */
function lenetReference(w: LeNetWeights, x: Tensor): Tensor {
  const t = (data: Float32Array, shape: number[]) => new Tensor(data, shape);
  let y = maxPool2d(relu(conv2d(x, t(w.conv1.weight, [4, 1, 3, 3]), t(w.conv1.bias, [4]), { padding: 1 })), { kernelSize: 2, stride: 2 });
  y = maxPool2d(relu(conv2d(y, t(w.conv2.weight, [6, 4, 3, 3]), t(w.conv2.bias, [6]))), { kernelSize: 2, stride: 2 });
  const h = relu(linear(reshape(y, [x.shape[0], 24]), t(w.fc1.weight, [8, 24]), t(w.fc1.bias, [8])));
  return add(matmul(h, t(w.fc2.weight, [8, 3])), t(w.fc2.bias, [3]));
}

function expectClose(a: Tensor, b: Tensor, tol = 1e-5): void {
  expect(a.shape).toEqual(b.shape);
  a.data.forEach((v, i) => expect(Math.abs(v - b.data[i]), `element ${i}: ${v} vs ${b.data[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(b.data[i]))));
}

/** A one-node graph on x [shape] (float input) with initializers. */
function oneNode(op: string, inputs: string[], attrs: ReturnType<typeof attr.int>[], xShape: (number | string)[], init: GraphDef['initializers'] = [], opset = 13, outputs = ['y']): Uint8Array {
  return modelBytes({
    nodes: [node(op, inputs, outputs, attrs, `/${op}`)],
    inputs: [value('x', xShape)],
    outputs: outputs.map((o) => value(o, null)),
    initializers: init,
    opset,
  });
}

describe('a mini LeNet exported the way PyTorch does', () => {
  const w = lenetWeights(1);
  const model = loadOnnx(modelBytes(lenetGraph(w)));

  it('becomes child modules named by their PyTorch state_dict prefix', () => {
    expect(model).toBeInstanceOf(OnnxModel);
    expect(model.namedChildren().map(([k, m]) => `${k}:${m.type}`)).toEqual(['conv1:Conv2d', 'features.3:Conv2d', 'fc1:Linear', 'fc2:Linear']);
    expect(Object.keys(model.stateDict())).toEqual([
      'conv1.weight', 'conv1.bias', 'features.3.weight', 'features.3.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias',
    ]);
    // Gemm with transB = 0 stores B [in, out]; Linear holds [out, in].
    const fc2 = model.getSubmodule('fc2') as Linear;
    expect(fc2.weight.shape).toEqual([3, 8]);
    expect(fc2.weight.get(2, 5)).toBe(w.fc2.weight[5 * 3 + 2]);
    expect(model.getSubmodule('features.3')).toBeInstanceOf(Conv2d);
  });

  it('computes what the same network written with ops computes, for any batch size', () => {
    for (const batch of [1, 2, 5]) {
      const x = randn([batch, 1, 12, 12], { seed: batch });
      expectClose(model.forward(x), lenetReference(w, x));
    }
  });

  it('is in eval mode, and run() returns every output by name', () => {
    expect(model.training).toBe(false);
    const x = randn([2, 1, 12, 12], { seed: 3 });
    const out = model.run({ input: x });
    expect(Object.keys(out)).toEqual(['logits']);
    expectClose(out.logits, model.forward(x), 0);
    expectClose(model.run([x]).logits, out.logits, 0);
  });

  it('refuses inputs that do not fit the declared ones', () => {
    expect(() => model.forward(randn([2, 1, 10, 12]))).toThrow(/OnnxModel\.forward: input 'input' has shape \[2, 1, 10, 12\], but the graph declares \[batch, 1, 12, 12\]/);
    expect(() => model.forward()).toThrow(/OnnxModel\.forward: the graph takes 1 input \('input'\), got 0/);
    expect(() => model.run({ image: randn([1, 1, 12, 12]) })).toThrow(/OnnxModel\.run: unknown input 'image' \(the graph's inputs: 'input'\)/);
    expect(() => model.forward([1, 2] as never)).toThrow(/input 'input' must be a Tensor/);
  });
});

describe('metadata', () => {
  it('names, shapes (symbolic dimensions by name), doc string, producer, IR version and opset', () => {
    const g = lenetGraph(lenetWeights(2), 'N', { docString: 'A LeNet.', producerName: 'pytorch', producerVersion: '1.13.0', graphName: 'torch_jit', opset: 14, irVersion: 7 });
    // Older exporters list initializers among the graph inputs too: they are not inputs.
    g.inputs.push(value('fc1.weight', [8, 24]));
    const m = loadOnnx(modelBytes(g));
    expect(m.inputs).toEqual([{ name: 'input', shape: ['N', 1, 12, 12], dtype: 'float32' }]);
    expect(m.outputs).toEqual([{ name: 'logits', shape: ['N', 3], dtype: 'float32' }]);
    expect([m.docString, m.producerName, m.producerVersion, m.graphName, m.irVersion, m.opset]).toEqual(['A LeNet.', 'pytorch', '1.13.0', 'torch_jit', 7, 14]);
    expect(String(m)).toBe('OnnxModel(torch_jit: 14 nodes, 4 modules, opset 14)');
  });
});

describe('inputs without a declared shape', () => {
  it('take any shape', () => {
    const m = loadOnnx(modelBytes({ nodes: [node('Relu', ['x'], ['y'])], inputs: [value('x', null)], outputs: [value('y', null)] }));
    expect(m.inputs[0].shape).toEqual([]);
    expect(m.forward(tensor([[-1, 2], [3, -4]])).toArray()).toEqual([0, 2, 3, 0]);
    expect(m.forward(tensor([-5, 5])).toArray()).toEqual([0, 5]);
  });
});

describe('dynamic batch', () => {
  const w = lenetWeights(3);
  it('a static batch of 1 still runs other batch sizes: the flatten chain is recomputed per input size', () => {
    const m = loadOnnx(modelBytes(lenetGraph(w, 1)));
    const x = randn([4, 1, 12, 12], { seed: 4 });
    expectClose(m.forward(x), lenetReference(w, x));
    expectClose(m.forward(reshape(x, [4, 1, 12, 12])), lenetReference(w, x));
  });

  it('a batch of 1 baked into a constant Reshape fails loudly at the next op, naming it', () => {
    const g = lenetGraph(w, 1);
    g.nodes.splice(6, 5);
    g.nodes[6] = node('Reshape', ['p2', 'baked'], ['flat'], [], '/Reshape');
    g.initializers?.push(int64s('baked', [2], [1, -1]));
    const m = loadOnnx(modelBytes(g));
    expect(m.forward(randn([1, 1, 12, 12])).shape).toEqual([1, 3]);
    expect(() => m.forward(randn([2, 1, 12, 12]))).toThrow(/OnnxModel: node 7 '\/fc1\/Gemm' \(Gemm, opset 13\): inner dimensions differ: A \[1, 48\].* \(input 'input' was exported with a static batch of 1, which the graph may hold in constants: export with dynamic_axes=\{'input': \{0: 'batch'\}\} to run other batch sizes\)$/);
  });

  it('inputShapes replaces the declared sizes', () => {
    const g = lenetGraph(w, 1);
    g.inputs = [value('input', [1, 1, 16, 16])];
    expect(() => loadOnnx(modelBytes(g))).toThrow(/loadOnnx: node 12 '\/fc1\/Gemm' \(Gemm, opset 13\): inner dimensions differ/);
    const m = loadOnnx(modelBytes(g), { inputShapes: { input: ['batch', 1, 12, 12] } });
    expect(m.inputs[0].shape).toEqual(['batch', 1, 12, 12]);
    expect(m.forward(randn([3, 1, 12, 12])).shape).toEqual([3, 3]);
    expect(() => loadOnnx(modelBytes(g), { inputShapes: { image: [1] } })).toThrow(/loadOnnx: inputShapes names 'image', which is not a graph input \(inputs: 'input'\)/);
    expect(() => loadOnnx(modelBytes(g), { batch: 1 } as never)).toThrow(/loadOnnx: unknown option 'batch' \(known: inputShapes\)/);
  });
});

describe('naming children', () => {
  it('from weight names, PyTorch scopes, sanitized node names', () => {
    expect(prefixOfWeight('layer1.0.conv1.weight')).toBe('layer1.0.conv1');
    expect(prefixOfWeight('onnx::Conv_193')).toBeNull();
    expect(prefixOfWeight('fc.bias')).toBeNull();
    expect(pathOfScope('/layer2/layer2.0/downsample/downsample.0/Conv')).toBe('layer2.0.downsample.0');
    expect(pathOfScope('/features/features.0/features.0.0/Conv')).toBe('features.0.0');
    expect(pathOfScope('/fc/Gemm')).toBe('fc');
    expect(pathOfScope('/classifier/classifier.1/Gemm_1')).toBe('classifier.1');
    expect(pathOfScope('/Flatten')).toBeNull();
    expect(pathOfScope('Conv_0')).toBeNull();
    expect(sanitize('conv 1/weird::name')).toBe('conv_1_weird_name');
  });

  it('repeats get a suffix; nodes without a usable name are <OpType>_<index>', () => {
    const bytes = modelBytes({
      nodes: [
        node('Conv', ['x', 'w1'], ['a'], [], 'same'),
        node('Conv', ['a', 'w2'], ['b'], [], 'same'),
        node('Conv', ['b', 'w3'], ['y'], []),
      ],
      inputs: [value('x', [1, 1, 3, 3])], outputs: [value('y', [1, 1, 3, 3])],
      initializers: [floats('w1', [1, 1, 1, 1], [2]), floats('w2', [1, 1, 1, 1], [3]), floats('w3', [1, 1, 1, 1], [4])],
    });
    const m = loadOnnx(bytes);
    expect(m.namedChildren().map(([k]) => k)).toEqual(['same', 'same_1', 'Conv_2']);
    expect(m.forward(tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]])).toArray()).toEqual([24, 48, 72, 96, 120, 144, 168, 192, 216]);
  });
});

describe('ops and opset forms', () => {
  it('Identity and eval-mode Dropout are removed; Dropout with training_mode true runs dropout', () => {
    const bytes = modelBytes({
      nodes: [node('Identity', ['x'], ['a']), node('Dropout', ['a', 'ratio'], ['b', 'mask']), node('Relu', ['b'], ['y'])],
      inputs: [value('x', [2, 3])], outputs: [value('y', [2, 3])], initializers: [floats('ratio', [], [0.3])],
    });
    const m = loadOnnx(bytes);
    expect((m.config() as { nodes: { op: string }[] }).nodes.map((n) => n.op)).toEqual(['Relu']);
    expect(m.forward(tensor([[-1, 2, 3], [4, -5, 6]])).toArray()).toEqual([0, 2, 3, 4, 0, 6]);
    const train = modelBytes({
      nodes: [node('Dropout', ['x', 'ratio', 'on'], ['y'])], inputs: [value('x', [1000])], outputs: [value('y', [1000])],
      initializers: [floats('ratio', [], [0.5]), { name: 'on', dims: [], dataType: DataType.BOOL, int32Data: [1] }],
    });
    const y = loadOnnx(train).forward(randn([1000], { seed: 1 }));
    const zeros = y.toArray().filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(400);
    expect(zeros).toBeLessThan(600);
    // Opset 11: the ratio is an attribute and Dropout is the identity at inference.
    const old = modelBytes({ nodes: [node('Dropout', ['x'], ['a'], [attr.float('ratio', 0.2)]), node('Relu', ['a'], ['y'])], inputs: [value('x', [2])], outputs: [value('y', [2])], opset: 11 });
    expect(loadOnnx(old).forward(tensor([-1, 1])).toArray()).toEqual([0, 1]);
  });

  it('Squeeze / Unsqueeze axes: attribute at opset 11, input at 13', () => {
    const at11 = modelBytes({
      nodes: [node('Unsqueeze', ['x'], ['u'], [attr.ints('axes', [0, 3])]), node('Squeeze', ['u'], ['y'], [attr.ints('axes', [0])])],
      inputs: [value('x', [2, 3])], outputs: [value('y', [2, 3, 1])], opset: 11,
    });
    expect(loadOnnx(at11).forward(randn([2, 3])).shape).toEqual([2, 3, 1]);
    const at13 = modelBytes({
      nodes: [node('Unsqueeze', ['x', 'a'], ['u']), node('Squeeze', ['u', 'b'], ['y'])],
      inputs: [value('x', [2, 3])], outputs: [value('y', [2, 3, 1])], initializers: [int64s('a', [2], [0, -1]), int64s('b', [1], [0])],
    });
    expect(loadOnnx(at13).forward(randn([2, 3])).shape).toEqual([2, 3, 1]);
    // At 13 the attribute is no longer part of the op.
    const wrong = modelBytes({ nodes: [node('Unsqueeze', ['x'], ['y'], [attr.ints('axes', [0])])], inputs: [value('x', [2])], outputs: [value('y', [1, 2])] });
    expect(() => loadOnnx(wrong)).toThrow(/\(Unsqueeze, opset 13\): attribute 'axes' is not part of Unsqueeze as simdnet implements it/);
  });

  it('Split sizes: attribute at opset 11, input at 13, equal parts without', () => {
    const x = randn([2, 6], { seed: 2 });
    const at11 = loadOnnx(modelBytes({ nodes: [node('Split', ['x'], ['a', 'b'], [attr.int('axis', 1), attr.ints('split', [2, 4])])], inputs: [value('x', [2, 6])], outputs: [value('a', null), value('b', null)], opset: 11 }));
    const out11 = at11.run([x]);
    expect([out11.a.shape, out11.b.shape]).toEqual([[2, 2], [2, 4]]);
    expect(out11.b.toArray()).toEqual([...x.toArray().slice(2, 6), ...x.toArray().slice(8, 12)]);
    const at13 = loadOnnx(modelBytes({ nodes: [node('Split', ['x', 's'], ['a', 'b'], [attr.int('axis', 1)])], inputs: [value('x', [2, 6])], outputs: [value('a', null), value('b', null)], initializers: [int64s('s', [2], [2, 4])] }));
    expect(at13.run([x]).b.toArray()).toEqual(out11.b.toArray());
    const equal = loadOnnx(modelBytes({ nodes: [node('Split', ['x'], ['a', 'b', 'c'], [attr.int('axis', 1)])], inputs: [value('x', [2, 6])], outputs: [value('a', null), value('b', null), value('c', null)] }));
    expect(equal.run([x]).c.shape).toEqual([2, 2]);
  });

  it('Softmax: opset 11 coerces to 2-D at axis, opset 13 normalizes one axis', () => {
    const x = randn([2, 3, 4], { seed: 3 });
    const at11 = loadOnnx(oneNode('Softmax', ['x'], [attr.int('axis', 1)], [2, 3, 4], [], 11)).forward(x);
    expectClose(at11, reshape(softmax(reshape(x, [2, 12]), -1), [2, 3, 4]), 1e-6);
    const at13 = loadOnnx(oneNode('Softmax', ['x'], [attr.int('axis', 1)], [2, 3, 4])).forward(x);
    expectClose(at13, softmax(x, 1), 1e-6);
    expect(Math.abs(at11.data[0] - at13.data[0])).toBeGreaterThan(1e-3);
  });

  it('Clip (min and max as constant inputs, one omitted) and ReLU6 as torch writes it', () => {
    const m = loadOnnx(oneNode('Clip', ['x', '', 'max'], [], [4], [floats('max', [], [6])]));
    expect(m.forward(tensor([-3, 2, 7, 6.5])).toArray()).toEqual([-3, 2, 6, 6]);
    const both = loadOnnx(oneNode('Clip', ['x', 'min', 'max'], [], [4], [floats('min', [], [0]), floats('max', [], [6])]));
    expect(both.forward(tensor([-3, 2, 7, 6.5])).toArray()).toEqual([0, 2, 6, 6]);
  });

  it('Resize to the size of another tensor, computed with Shape → Slice → Concat (torchvision segmentation heads)', () => {
    const bytes = modelBytes({
      nodes: [
        node('Shape', ['image'], ['s']),
        node('Slice', ['s', 'from2', 'to4'], ['hw']),
        node('Shape', ['x'], ['sx']),
        node('Slice', ['sx', 'from0', 'to2'], ['nc']),
        node('Concat', ['nc', 'hw'], ['size'], [attr.int('axis', 0)]),
        node('Resize', ['x', '', '', 'size'], ['y'], [attr.string('mode', 'linear'), attr.string('coordinate_transformation_mode', 'half_pixel'), attr.float('cubic_coeff_a', -0.75), attr.string('nearest_mode', 'floor')]),
      ],
      inputs: [value('x', ['N', 2, 'h', 'w']), value('image', ['N', 3, 'H', 'W'])],
      outputs: [value('y', null)],
      initializers: [int64s('from0', [1], [0]), int64s('to2', [1], [2]), int64s('from2', [1], [2]), int64s('to4', [1], [4])],
    });
    const m = loadOnnx(bytes);
    expect(m.forward(randn([1, 2, 4, 5]), randn([1, 3, 16, 20])).shape).toEqual([1, 2, 16, 20]);
    expect(m.forward(randn([2, 2, 3, 3]), randn([2, 3, 7, 9])).shape).toEqual([2, 2, 7, 9]);
  });

  it('ShuffleNet channel shuffle: Shape → Gather → Div → Reshape → Transpose → Reshape', () => {
    const bytes = modelBytes({
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'i0'], ['n'], [attr.int('axis', 0)]),
        node('Gather', ['s', 'i1'], ['c'], [attr.int('axis', 0)]),
        node('Div', ['c', 'two'], ['cg']),
        node('Unsqueeze', ['n', 'ax'], ['n1']),
        node('Unsqueeze', ['cg', 'ax'], ['cg1']),
        node('Concat', ['n1', 'two1', 'cg1', 'minus1'], ['shape5'], [attr.int('axis', 0)]),
        node('Reshape', ['x', 'shape5'], ['r']),
        node('Transpose', ['r'], ['t'], [attr.ints('perm', [0, 2, 1, 3])]),
        node('Concat', ['n1', 'minus1'], ['back'], [attr.int('axis', 0)]),
        node('Reshape', ['t', 'back'], ['y']),
      ],
      inputs: [value('x', ['N', 4, 3])], outputs: [value('y', null)],
      initializers: [int64s('i0', [], [0]), int64s('i1', [], [1]), int64s('two', [], [2]), int64s('ax', [1], [0]), int64s('two1', [1], [2]), int64s('minus1', [1], [-1])],
    });
    // channels [a, b, c, d] in 2 groups → [a, c, b, d]
    const y = loadOnnx(bytes).forward(tensor([[[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3]], [[4, 4, 4], [5, 5, 5], [6, 6, 6], [7, 7, 7]]]));
    expect(y.toArray()).toEqual([0, 0, 0, 2, 2, 2, 1, 1, 1, 3, 3, 3, 4, 4, 4, 6, 6, 6, 5, 5, 5, 7, 7, 7]);
  });

  it('Expand through ConstantOfShape → Mul → Equal → Where (as torch writes x.expand), and Range, Cast', () => {
    const bytes = modelBytes({
      nodes: [
        node('ConstantOfShape', ['len'], ['ones'], [attr.tensor('value', int64s('', [1], [1]))]),
        node('Mul', ['ones', 'minus1s'], ['neg']),
        node('Equal', ['target', 'neg'], ['eq']),
        node('Where', ['eq', 'ones', 'target'], ['shape']),
        node('Expand', ['x', 'shape'], ['e']),
        node('Range', ['r0', 'r3', 'r1'], ['idx']),
        node('Cast', ['idx'], ['fidx'], [attr.int('to', DataType.FLOAT)]),
        node('Add', ['e', 'fidx'], ['y']),
      ],
      inputs: [value('x', [2, 1])], outputs: [value('y', [2, 3])],
      initializers: [
        int64s('len', [1], [2]), int64s('minus1s', [], [-1]), int64s('target', [2], [-1, 3]),
        int64s('r0', [], [0]), int64s('r3', [], [3]), int64s('r1', [], [1]),
      ],
    });
    const m = loadOnnx(bytes);
    // Everything but Expand and Add folded at load.
    expect((m.config() as { nodes: { op: string }[] }).nodes.map((n) => n.op)).toEqual(['Expand', 'Add']);
    expect(m.forward(tensor([[10], [20]])).toArray()).toEqual([10, 11, 12, 20, 21, 22]);
  });

  it('GELU as torch decomposes it (Div, Erf, Add, Mul) equals the gelu op', () => {
    const bytes = modelBytes({
      nodes: [
        node('Div', ['x', 'sqrt2'], ['a']), node('Erf', ['a'], ['b']), node('Add', ['b', 'one'], ['c']),
        node('Mul', ['x', 'c'], ['d']), node('Mul', ['d', 'half'], ['y']),
      ],
      inputs: [value('x', [3, 5])], outputs: [value('y', [3, 5])],
      initializers: [floats('sqrt2', [], [Math.SQRT2]), floats('one', [], [1]), floats('half', [], [0.5])],
    });
    const x = randn([3, 5], { seed: 5 });
    expectClose(loadOnnx(bytes).forward(x), gelu(x), 1e-6);
  });

  it('LayerNormalization with constant scale and bias becomes a LayerNorm module; Pow, Sqrt, Reciprocal, ReduceMean too', () => {
    const x = randn([2, 3, 4], { seed: 6 });
    const scale = randomTensor([4], 7);
    const bias = randomTensor([4], 8);
    const m = loadOnnx(oneNode('LayerNormalization', ['x', 'ln.weight', 'ln.bias'], [attr.int('axis', -1), attr.float('epsilon', 1e-5)], [2, 3, 4], [floats('ln.weight', [4], scale.data), floats('ln.bias', [4], bias.data)], 17));
    expect(m.namedChildren().map(([k, c]) => `${k}:${c.type}`)).toEqual(['ln:LayerNorm']);
    const expected = layerNorm(x, [4], scale, bias);
    expectClose(m.forward(x), expected, 1e-5);
    // The same normalization written out: (x − mean)·(1/√(mean((x − mean)²) + eps)).
    const manual = modelBytes({
      nodes: [
        node('ReduceMean', ['x'], ['mu'], [attr.ints('axes', [-1])]), node('Sub', ['x', 'mu'], ['d']), node('Pow', ['d', 'two'], ['d2']),
        node('ReduceMean', ['d2'], ['var'], [attr.ints('axes', [-1])]), node('Add', ['var', 'eps'], ['ve']), node('Sqrt', ['ve'], ['sd']),
        node('Reciprocal', ['sd'], ['inv']), node('Mul', ['d', 'inv'], ['n']), node('Mul', ['n', 'ln.weight'], ['s']), node('Add', ['s', 'ln.bias'], ['y']),
      ],
      inputs: [value('x', [2, 3, 4])], outputs: [value('y', [2, 3, 4])],
      initializers: [floats('two', [], [2]), floats('eps', [], [1e-5]), floats('ln.weight', [4], scale.data), floats('ln.bias', [4], bias.data)],
    });
    expectClose(loadOnnx(manual).forward(x), expected, 1e-5);
  });

  it('Gather on a tensor (x[:, 0] as GoogLeNet writes it), with a gradient', () => {
    const m = loadOnnx(oneNode('Gather', ['x', 'i'], [attr.int('axis', 1)], [2, 3, 2], [int64s('i', [], [-1])]));
    const x = randn([2, 3, 2], { seed: 9 });
    const y = m.forward(x);
    expect(y.shape).toEqual([2, 2]);
    expect(y.toArray()).toEqual([x.get(0, 2, 0), x.get(0, 2, 1), x.get(1, 2, 0), x.get(1, 2, 1)]);
    expectTapeGradients('Gather', () => m.forward(x), [x], { h: 1e-2, tol: 1e-4 });
  });

  it('BatchNormalization on a 2-D input through its BatchNorm2d module, eval semantics in eval mode', () => {
    const bytes = oneNode('BatchNormalization', ['x', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'], [attr.float('epsilon', 1e-3), attr.float('momentum', 0.8)], [4, 3], [
      floats('bn.weight', [3], [1, 2, 3]), floats('bn.bias', [3], [0, 1, 0]), floats('bn.running_mean', [3], [1, 1, 1]), floats('bn.running_var', [3], [4, 4, 4]),
    ]);
    const m = loadOnnx(bytes);
    const bn = m.getSubmodule('bn') as BatchNorm2d;
    expect([bn.eps, bn.momentum]).toEqual([Math.fround(1e-3), Math.fround(1 - Math.fround(0.8))]);
    expect(Object.keys(m.stateDict())).toEqual(['bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    const x = randn([4, 3], { seed: 10 });
    const y = m.forward(x);
    const s = Math.sqrt(4 + Math.fround(1e-3));
    expect(y.get(1, 1)).toBeCloseTo((2 * (x.get(1, 1) - 1)) / s + 1, 5);
    // Train mode normalizes with the batch's statistics and moves the running ones.
    m.train();
    const t = m.forward(x);
    expect(mean(t, { axis: 0 }).toArray().map((v) => Math.round(v * 1e4) / 1e4)).toEqual([0, 1, 0]);
    expect(bn.runningMean.get(0)).not.toBe(1);
  });

  it('ceil-mode pooling where ONNX and PyTorch disagree on the size is refused, not cut short', () => {
    // in 5, kernel 2, stride 2, pads 0/1: ONNX ceil((5+1−2)/2)+1 = 3, PyTorch's last window would start in the padding → 3 too;
    // in 6, kernel 2, stride 2, pads 0/1: ONNX ceil(5/2)+1 = 4, PyTorch 3 (window 3 would start at 6, in the trailing padding).
    const ok = loadOnnx(oneNode('MaxPool', ['x'], [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2]), attr.ints('pads', [0, 0, 1, 1]), attr.int('ceil_mode', 1)], [1, 1, 5, 5]));
    expect(ok.forward(randn([1, 1, 5, 5])).shape).toEqual([1, 1, 3, 3]);
    expect(() => loadOnnx(oneNode('MaxPool', ['x'], [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2]), attr.ints('pads', [0, 0, 1, 1]), attr.int('ceil_mode', 1)], [1, 1, 6, 6])))
      .toThrow(/loadOnnx: node 0 '\/MaxPool' \(MaxPool, opset 13\): ceil_mode 1 on input \[1, 1, 6, 6\] gives ONNX's output \[4, 4\] but PyTorch's rule .* gives \[3, 3\]/);
  });
});

describe('gradients through an imported graph', () => {
  it('reach the parameters of the LeNet (central differences, naive backend)', () => {
    const before = setBackend('naive');
    try {
      const model = loadOnnx(modelBytes(lenetGraph(lenetWeights(4))));
      const x = randn([2, 1, 12, 12], { seed: 11 });
      const params = model.parameters();
      expect(params).toHaveLength(8);
      // A step of 1e-3 rarely moves a ReLU or max-pool input across its kink.
      expectTapeGradients('LeNet', () => model.forward(x), [params[1], params[3], params[5], params[6], params[7]], { h: 1e-3, tol: 1e-3 });
    } finally {
      setBackend(before);
    }
  });
});
