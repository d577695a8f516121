// Fine-tuning an imported model as in PyTorch (freeze the backbone, replace the head,
// fit), and the model file: an imported, fine-tuned model saves and loads with its
// graph, its modules (the new head included), parameters, buffers and metadata.
import { describe, expect, it } from 'vitest';
import { Adam, Conv2d, Linear, Module, OnnxModel, ReLU, Sequential, Tensor, loadModel, loadOnnx, randn } from '../src/index.js';
import { attr, floats, lenetGraph, modelBytes, node, value } from './support/onnx-graph.js';
import { randomTensor } from './support/random.js';

/** features.0 (Conv 1→4) → ReLU → GlobalAveragePool → Flatten → fc (Gemm 4→5), batch symbolic. */
function backboneAndHead(): Uint8Array {
  return modelBytes({
    nodes: [
      node('Conv', ['image', 'features.0.weight', 'features.0.bias'], ['c'], [attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1])], '/features/features.0/Conv'),
      node('Relu', ['c'], ['r'], [], '/features/features.1/Relu'),
      node('BatchNormalization', ['r', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'], ['b'], [attr.float('epsilon', 1e-5), attr.float('momentum', 0.9)], '/bn/BatchNormalization'),
      node('GlobalAveragePool', ['b'], ['g'], [], '/pool/GlobalAveragePool'),
      node('Flatten', ['g'], ['f'], [attr.int('axis', 1)], '/Flatten'),
      node('Gemm', ['f', 'fc.weight', 'fc.bias'], ['logits'], [attr.int('transB', 1)], '/fc/Gemm'),
    ],
    inputs: [value('image', ['batch', 1, 6, 6])],
    outputs: [value('logits', ['batch', 5])],
    initializers: [
      floats('features.0.weight', [4, 1, 3, 3], randomTensor([36], 1).data), floats('features.0.bias', [4], [0, 0.1, -0.1, 0.2]),
      floats('bn.weight', [4], [1, 1, 1, 1]), floats('bn.bias', [4], [0, 0, 0, 0]), floats('bn.running_mean', [4], [0.1, 0.2, 0.3, 0.4]), floats('bn.running_var', [4], [1, 2, 3, 4]),
      floats('fc.weight', [5, 4], randomTensor([20], 2).data), floats('fc.bias', [5], [0, 0, 0, 0, 0]),
    ],
    docString: 'backbone and head', producerName: 'pytorch', producerVersion: '1.13.0',
  });
}

/** 2 classes of 6×6 images: mostly positive (0) or mostly negative (1). */
function data(n: number, seed: number): { x: Tensor; y: number[] } {
  const x = randn([n, 1, 6, 6], { seed, std: 0.5 });
  const y = Array.from({ length: n }, (_, i) => i % 2);
  for (let i = 0; i < n; i++) for (let k = 0; k < 36; k++) x.data[i * 36 + k] += y[i] === 0 ? 1 : -1;
  return { x, y };
}

describe('fine-tuning an imported model', () => {
  it('freeze the backbone, replace the head, fit: the loss goes down and frozen parameters stay put', async () => {
    const model = loadOnnx(backboneAndHead());
    expect(model.namedChildren().map(([k]) => k)).toEqual(['features.0', 'bn', 'fc']);
    for (const [key, child] of model.namedChildren()) if (key !== 'fc') child.requiresGrad = false;
    const head = new Linear({ inFeatures: 4, outFeatures: 2 });
    model.setSubmodule('fc', head);
    expect(model.getSubmodule('fc')).toBe(head);
    const frozen = model.namedParameters().filter(([k]) => !k.startsWith('fc.')).map(([k, p]) => [k, p.data.slice()] as const);
    expect(frozen.map(([k]) => k)).toEqual(['features.0.weight', 'features.0.bias', 'bn.weight', 'bn.bias']);
    const headBefore = head.weight.data.slice();
    const { x, y } = data(32, 3);
    expect(model.forward(x).shape).toEqual([32, 2]);
    // The optimizer gets only the trainable parameters, as one would write it in PyTorch.
    const optimizer = new Adam(model.parameters().filter((p) => p.requiresGrad), { lr: 0.05 });
    const history = await model.fit(x, y, { epochs: 12, batchSize: 8, optimizer, loss: 'crossEntropy', seed: 1 });
    expect(history.loss[history.loss.length - 1]).toBeLessThan(history.loss[0] * 0.7);
    for (const [k, before] of frozen) expect(Array.from(model.stateDict()[k].data), k).toEqual(Array.from(before));
    expect(Array.from(head.weight.data)).not.toEqual(Array.from(headBefore));
    // In train mode the frozen BatchNorm still tracks the batch statistics, as PyTorch's does.
    expect(model.stateDict()['bn.num_batches_tracked'].item()).toBe(48);
    expect(model.evaluate(x, y).accuracy).toBeGreaterThan(0.9);
  });

  it('a head of another shape or type runs too (the sizes after it are found by running it)', () => {
    const model = loadOnnx(backboneAndHead());
    model.setSubmodule('fc', new Sequential([new Linear({ inFeatures: 4, outFeatures: 3 }), new ReLU()]));
    expect(model.forward(randn([2, 1, 6, 6])).shape).toEqual([2, 3]);
    expect(Object.keys(model.stateDict())).toContain('fc.0.weight');
  });
});

describe('replacing a module in the middle', () => {
  it('the shape arithmetic after it is computed from the new sizes at run time', () => {
    const model = loadOnnx(modelBytes(lenetGraph({
      conv1: { weight: randomTensor([36], 1).data, bias: new Float32Array(4) }, conv2: { weight: randomTensor([216], 2).data, bias: new Float32Array(6) },
      fc1: { weight: randomTensor([192], 3).data, bias: new Float32Array(8) }, fc2: { weight: randomTensor([24], 4).data, bias: new Float32Array(3) },
    })));
    // 8 channels instead of 6: the flatten (Shape → Gather → Concat → Reshape) now gives 32 features.
    model.setSubmodule('features.3', new Conv2d({ inChannels: 4, outChannels: 8, kernelSize: 3 }));
    model.setSubmodule('fc1', new Linear({ inFeatures: 32, outFeatures: 8 }));
    expect(model.forward(randn([3, 1, 12, 12])).shape).toEqual([3, 3]);
    expect(model.forward(randn([1, 1, 12, 12])).shape).toEqual([1, 3]);
  });
});

describe('saving an imported model', () => {
  it('loadModel(model.save()) gives the same graph, modules, state, metadata and outputs', () => {
    const model = loadOnnx(backboneAndHead());
    const copy = loadModel(model.save());
    expect(copy).toBeInstanceOf(OnnxModel);
    const c = copy as OnnxModel;
    expect([c.docString, c.producerName, c.producerVersion, c.opset, c.irVersion]).toEqual(['backbone and head', 'pytorch', '1.13.0', 13, 8]);
    expect(c.inputs).toEqual(model.inputs);
    expect(c.training).toBe(false);
    const a = model.stateDict();
    const b = c.stateDict();
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) expect(Array.from(b[k].data), k).toEqual(Array.from(a[k].data));
    const x = randn([3, 1, 6, 6], { seed: 5 });
    expect(c.forward(x).toArray()).toEqual(model.forward(x).toArray());
  });

  it('after fine-tuning with a new head: the head, its weights and the running statistics come back', async () => {
    const model = loadOnnx(backboneAndHead());
    model.setSubmodule('fc', new Linear({ inFeatures: 4, outFeatures: 2 }));
    const { x, y } = data(16, 4);
    await model.fit(x, y, { epochs: 2, batchSize: 8, seed: 2 });
    model.eval();
    const copy = loadModel(model.save());
    expect(copy.getSubmodule('fc')).toBeInstanceOf(Linear);
    expect((copy.getSubmodule('fc') as Linear).outFeatures).toBe(2);
    copy.eval();
    expect(copy.forward(x).toArray()).toEqual(model.forward(x).toArray());
    expect(copy.stateDict()['bn.running_mean'].toArray()).toEqual(model.stateDict()['bn.running_mean'].toArray());
  });

  it('constants that JSON cannot write (±Infinity, NaN) come back', () => {
    const model = loadOnnx(modelBytes({
      nodes: [node('Clip', ['x', 'lo', 'hi'], ['c']), node('Max', ['c', 'floor'], ['y'])],
      inputs: [value('x', [4])], outputs: [value('y', [4])],
      initializers: [floats('lo', [], [-Infinity]), floats('hi', [], [6]), floats('floor', [4], [-Infinity, Number.NaN, 0, 7])],
    }));
    const input = randn([4], { seed: 9, std: 10 });
    const want = model.forward(input).toArray();
    expect(Number.isNaN(want[1])).toBe(true);
    expect(loadModel(model.save()).forward(input).toArray()).toEqual(want);
  });

  it('large float constants are buffers and round-trip; a head load cannot rebuild is refused at save', () => {
    const scale = randomTensor([80], 6);
    const model = loadOnnx(modelBytes({
      nodes: [node('Mul', ['x', 'onnx::Mul_3'], ['y'], [], '/Mul')],
      inputs: [value('x', ['n', 80])], outputs: [value('y', ['n', 80])], initializers: [floats('onnx::Mul_3', [80], scale.data)],
    }));
    expect(Object.keys(model.stateDict())).toEqual(['onnx_Mul_3']);
    const x = randn([2, 80], { seed: 7 });
    expect(loadModel(model.save()).forward(x).toArray()).toEqual(model.forward(x).toArray());
    class Custom extends Module {
      forward(t: Tensor): Tensor {
        return t;
      }
    }
    const other = loadOnnx(backboneAndHead());
    other.setSubmodule('fc', new Custom());
    expect(() => other.save()).toThrow(/save: module 'fc' is a Custom, which load cannot rebuild: call registerModule\(Custom\) first/);
  });
});
