// toOnnx's file contents (names, opset, IR version, value infos) and its refusals: each
// thing ONNX cannot express, and each bad option, is an Error naming the op, the layer or
// the option; the model's train/eval mode survives every failure.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Identity, Linear, Module, ReLU, Sequential, Tensor, VERSION, add, batchNorm2d, chunk,
  concat, conv2dBackward, crossEntropy, dropout, exportableOps, gemm, im2col, mul, randn, refusedOps, relu, split, tensor, toOnnx, zeros,
} from '../src/index.js';
import { record } from '../src/autograd/graph.js';
import { currentBackend } from '../src/backend/registry.js';
import { checkGraph } from '../src/onnx/export/check.js';
import { DataType, decodeModel } from '../src/onnx/proto.js';
import { readTensorProto } from '../src/onnx/tensor-proto.js';
import { calibrate } from './support/export-models.js';

function fn(forward: (x: Tensor) => Tensor): Module {
  return new (class Lambda extends Module {
    forward(x: Tensor): Tensor {
      return forward(x);
    }
  })();
}

class Net extends Module {
  readonly conv1 = new Conv2d({ inChannels: 2, outChannels: 4, kernelSize: 3, bias: false });
  readonly bn1 = new BatchNorm2d({ numFeatures: 4 });
  readonly head = new Sequential([new Flatten(), new Linear({ inFeatures: 36, outFeatures: 3 })]);

  forward(x: Tensor): Tensor {
    return this.head.forward(relu(this.bn1.forward(this.conv1.forward(x))));
  }
}

describe('toOnnx: the file', () => {
  it('names initializers by state_dict key and holds the calibrated running statistics', () => {
    const model = calibrate(new Net(), [[4, 2, 5, 5]]);
    const mean = model.bn1.runningMean.data;
    expect(mean.some((v) => Math.abs(v) > 0.05)).toBe(true);
    expect(model.bn1.runningVar.data.some((v) => Math.abs(v - 1) > 0.05)).toBe(true);
    const file = decodeModel('test', toOnnx(model, { inputShape: [1, 2, 5, 5], docString: 'a test net' }));
    const graph = file.graph!;
    const inits = new Map((graph.initializer ?? []).map((t) => [t.name, t]));
    // num_batches_tracked is read by no node: not exported (as PyTorch). Flatten's shape is a generated constant.
    expect([...inits.keys()].sort()).toEqual([
      'bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'bn1.weight', 'conv1.weight', 'head.0/shape', 'head.1.bias', 'head.1.weight',
    ]);
    expect(Array.from(readTensorProto('test', inits.get('bn1.running_mean')!).floats!)).toEqual(Array.from(mean));
    expect(inits.get('conv1.weight')!.dims!.map(Number)).toEqual([4, 2, 3, 3]);
    expect(graph.node!.map((n) => n.opType)).toEqual(['Conv', 'BatchNormalization', 'Relu', 'Reshape', 'Gemm']);
    expect(graph.node!.map((n) => n.name)).toEqual(['conv1/Conv', 'bn1/BatchNormalization', 'Relu', 'head.0/Reshape', 'head.1/Gemm']);
    expect(graph.node![1].input).toEqual(['conv1/Conv_output_0', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var']);
    expect(graph.input!.map((v) => v.name)).toEqual(['input']);
    expect(graph.output!.map((v) => v.name)).toEqual(['output']);
    expect(graph.output![0].type!.tensorType!.elemType).toBe(DataType.FLOAT);
    expect(graph.output![0].type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([1, 3]);
    expect(graph.name).toBe('Net');
    expect(file).toMatchObject({ producerName: 'simdnet', producerVersion: '0.1.0', docString: 'a test net' });
    expect(Number(file.irVersion)).toBe(8);
    expect(file.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    // Eval mode: the calibrated statistics are not changed by the export.
    expect(Array.from(model.bn1.runningMean.data)).toEqual(Array.from(mean));
  });

  it("writes simdnet's version, the one package.json has", () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  });

  it('writes IR 7 for opsets 13 and 14, IR 8 for 15 to 17', () => {
    const model = new Sequential([new ReLU()]);
    for (const [opset, ir] of [[13, 7], [14, 7], [15, 8], [16, 8], [17, 8]]) {
      const file = decodeModel('test', toOnnx(model, { inputShape: [1, 2], opset }));
      expect([Number(file.irVersion), Number(file.opsetImport![0].version)]).toEqual([ir, opset]);
    }
  });

  it('takes input and output names, and aliases an output that is an input, a parameter or repeated', () => {
    const model = new Sequential([new Identity()]);
    const file = decodeModel('test', toOnnx(model, { inputShape: [2, 3], inputNames: ['x'], outputNames: ['y'] }));
    expect(file.graph!.node!.map((n) => [n.opType, n.input, n.output])).toEqual([['Identity', ['x'], ['y']]]);
    const twice = fn((x) => {
      const y = relu(x);
      return [y, y, x] as unknown as Tensor;
    });
    const g = decodeModel('test', toOnnx(twice, { inputShape: [2, 3] })).graph!;
    expect(g.output!.map((v) => v.name)).toEqual(['output0', 'output1', 'output2']);
    expect(g.node!.map((n) => [n.opType, n.input, n.output])).toEqual([['Relu', ['input'], ['output0']], ['Identity', ['output0'], ['output1']], ['Identity', ['input'], ['output2']]]);
  });

  it('leaves out ops whose results reach no output', () => {
    const model = fn((x) => {
      relu(x);
      crossEntropy(x, [0, 1]);
      return mul(x, 2);
    });
    const g = decodeModel('test', toOnnx(model, { inputShape: [2, 3] })).graph!;
    expect(g.node!.map((n) => n.opType)).toEqual(['Mul']);
    expect(g.initializer!.map((t) => [t.name, t.dims])).toEqual([['scalar', []]]);
  });

  it('puts back every module’s train/eval mode, after success and after failure', () => {
    const model = new Net();
    model.bn1.training = false;
    toOnnx(model, { inputShape: [1, 2, 5, 5] });
    expect(model.namedModules().map(([, m]) => m.training)).toEqual([true, true, false, true, true, true]);
    expect(() => toOnnx(model, { inputShape: [1, 3, 5, 5] })).toThrow(/Conv2d: expected input \[N, 2, H, W\], got \[1, 3, 5, 5\]/);
    expect(model.namedModules().map(([, m]) => m.training)).toEqual([true, true, false, true, true, true]);
  });

  it('exports an eval-mode Dropout as nothing', () => {
    const model = new Sequential([new Dropout({ p: 0.3 }), new ReLU()]);
    const g = decodeModel('test', toOnnx(model, { inputShape: [2, 3] })).graph!;
    expect(g.node!.map((n) => n.opType)).toEqual(['Relu']);
    expect(model.training).toBe(true);
  });

  it('lists the ops it exports and the ones it refuses', () => {
    expect(exportableOps()).toEqual([
      'abs', 'adaptiveAvgPool2d', 'add', 'avgPool2d', 'batchNorm2d', 'chunk', 'clip', 'clone', 'concat', 'conv2d', 'convTranspose2d', 'copyDetached',
      'detach', 'div', 'elu', 'erf', 'exp', 'gelu', 'gemm', 'globalAvgPool2d', 'globalMaxPool2d', 'groupNorm', 'hardSigmoid', 'hardSwish',
      'instanceNorm', 'layerNorm', 'layerNormInvStdDev', 'layerNormMean', 'leakyRelu', 'linear', 'log', 'logSoftmax', 'matmul', 'max', 'maxOf',
      'maxPool2d', 'maximum', 'mean', 'meanOf', 'min', 'minOf', 'minimum', 'mul', 'narrow', 'pad', 'permute', 'pow', 'prelu', 'reciprocal', 'relu',
      'relu6', 'reshape', 'resize', 'sigmoid', 'silu', 'slice', 'softmax', 'softplus', 'split', 'sqrt', 'sub', 'sum', 'sumOf', 'tanh', 'transpose',
    ]);
    expect(Object.keys(refusedOps()).sort()).toEqual(['col2im', 'crossEntropy', 'dropout', 'im2col', 'mseLoss']);
  });
});

describe('toOnnx: what ONNX cannot express', () => {
  const shape = [2, 3, 4, 4];

  it('an op without a rule, naming it and its layer', () => {
    const custom = fn((x) => record('myOp', zeros(x.shape), [x], currentBackend(), () => [null]));
    const model = new Sequential([new ReLU(), custom]);
    expect(() => toOnnx(model, { inputShape: shape })).toThrow("toOnnx: 'myOp' in layer '1' (Lambda) has no ONNX export rule");
  });

  it('training-only ops: a loss, train-mode batch norm, train-mode dropout', () => {
    const loss = fn((x) => crossEntropy(x, [0, 1]));
    expect(() => toOnnx(loss, { inputShape: [2, 3] })).toThrow(/toOnnx: 'crossEntropy' in the forward of the model itself \(Lambda\): a loss is training-only/);
    const mean = zeros([3]);
    const variance = zeros([3]).onesLike();
    class Stats extends Module {
      readonly m = this.registerBuffer('m', mean);
      readonly v = this.registerBuffer('v', variance);

      forward(x: Tensor): Tensor {
        return batchNorm2d(x, this.m, this.v, null, null, { training: true });
      }
    }
    expect(() => toOnnx(new Stats(), { inputShape: shape })).toThrow(/'batchNorm2d' in the forward of the model itself \(Stats\): train mode .* is training-only/);
    // The failed export leaves the buffers as they were (the op had updated them while tracing).
    expect(Array.from(mean.data)).toEqual([0, 0, 0]);
    expect(Array.from(variance.data)).toEqual([1, 1, 1]);
    const drop = new Sequential([fn((x) => dropout(x, { p: 0.5, training: true }))]);
    expect(() => toOnnx(drop, { inputShape: shape })).toThrow(/'dropout' in layer '0' \(Lambda\): a training-mode dropout .* has no ONNX inference form/);
  });

  it('an op ONNX ≤ 17 lacks', () => {
    const model = fn((x) => im2col(x, { kernelSize: 2 }));
    expect(() => toOnnx(model, { inputShape: shape })).toThrow(/'im2col' in the forward of the model itself \(Lambda\): ONNX has no im2col/);
  });

  it('a tensor made outside the trace: raw data, a backward function, an unregistered state tensor', () => {
    const raw = fn((x) => mul(x, tensor([1, 2, 3, 4])));
    expect(() => toOnnx(raw, { inputShape: shape })).toThrow(
      "toOnnx: input 1 of 'mul' in the forward of the model itself (Lambda) is a tensor [4] that is not a model input, parameter, buffer or the result of a traced op",
    );
    const w = randn([3, 3, 1, 1]);
    const backward = new Sequential([new ReLU(), fn((x) => relu(conv2dBackward(x, x, w).dx as Tensor))]);
    expect(() => toOnnx(backward, { inputShape: shape })).toThrow(/input 0 of 'relu' in layer '1' \(Lambda\) is a tensor \[2, 3, 4, 4\] that is not/);
    const loose = zeros([3]);
    const unregistered = fn((x) => batchNorm2d(x, loose, loose, null, null));
    expect(() => toOnnx(unregistered, { inputShape: shape })).toThrow(/'batchNorm2d' .*: runningMean is not a parameter or buffer of the model \(register it with registerBuffer/);
    const out = fn(() => zeros([1]));
    expect(() => toOnnx(out, { inputShape: shape })).toThrow('toOnnx: output 0 [1] is not a model input, parameter, buffer or the result of a traced op');
  });

  it('gemm writing into c, and a forward that does not return tensors', () => {
    const inPlace = fn((x) => gemm(x, x, { transB: true, c: zeros([2, 2]) }));
    expect(() => toOnnx(inPlace, { inputShape: [2, 3] })).toThrow(/gemm: c is written in place, which an op trace \(ONNX export\) cannot record/);
    expect(() => toOnnx(fn(() => 42 as unknown as Tensor), { inputShape: [2, 3] })).toThrow('toOnnx: forward must return a Tensor (or an array of them), got 42');
  });

  it('a batch that cannot be symbolic: a split along it, a graph that depends on it, a reshape with two batch axes', () => {
    const byBatch = fn((x) => concat(chunk(x, 2, 0), 0));
    expect(() => toOnnx(byBatch, { inputShape: [2, 3], dynamicBatch: true })).toThrow(/'chunk' in .*: it splits along axis 0, whose size follows the batch; export with dynamicBatch: false/);
    const odd = fn((x) => concat(split(x, 2, 0), 1));
    expect(() => toOnnx(odd, { inputShape: [2, 3], dynamicBatch: true })).toThrow(
      /^toOnnx: with dynamicBatch, forward also runs at batch 3, and failed there: split: count must be a positive integer dividing axis 0 \(size 3\)/,
    );
    expect(() => toOnnx(byBatch, { inputShape: [2, 3] })).not.toThrow();
    const branching = fn((x) => (x.shape[0] > 2 ? relu(x) : x));
    expect(() => toOnnx(branching, { inputShape: [2, 3], dynamicBatch: true })).toThrow(/with dynamicBatch, forward must run the same ops at every batch size, but it ran 0 ops/);
    const outer = fn((x) => {
      const col = x.reshape([x.shape[0], 1]);
      return mul(col, col.reshape([1, x.shape[0]])).reshape([1, x.shape[0], x.shape[0]]);
    });
    expect(() => toOnnx(outer, { inputShape: [3], dynamicBatch: true })).toThrow(/'reshape' .*: the output \[1, 3, 3\] has 2 axes that follow the batch/);
  });

  it('adaptive pooling to any size is exact (no refusal): a 3×3 input to 2×2', () => {
    const g = decodeModel('test', toOnnx(new Sequential([new AdaptiveAvgPool2d({ outputSize: 2 })]), { inputShape: [1, 1, 3, 3] })).graph!;
    expect(g.node!.map((n) => n.opType)).toEqual(['MatMul', 'MatMul']);
  });
});

describe('toOnnx: options', () => {
  const model = new Sequential([new Linear({ inFeatures: 3, outFeatures: 2 })]);

  it('refuses bad options, naming them', () => {
    const bad: [unknown, RegExp | string][] = [
      [undefined, /toOnnx: options must be an object/],
      [{}, 'toOnnx: inputShape is required'],
      [{ inputShape: [1, 3], opsets: 13 }, "toOnnx: unknown option 'opsets' (known: inputShape, opset, inputNames, outputNames, dynamicBatch, docString)"],
      [{ inputShape: [1, 0] }, /toOnnx: inputShape must be a shape of positive integers/],
      [{ inputShape: [] }, /toOnnx: inputShape must be a shape/],
      [{ inputShape: [[1, 3], [2]] , inputNames: ['a'] }, 'toOnnx: inputNames has 1 name for 2 inputs'],
      [{ inputShape: [1, 3], opset: 12 }, 'toOnnx: opset must be an integer from 13 to 17, got 12'],
      [{ inputShape: [1, 3], opset: 18 }, 'toOnnx: opset must be an integer from 13 to 17, got 18'],
      [{ inputShape: [1, 3], dynamicBatch: 'yes' }, "toOnnx: dynamicBatch must be true or false, got 'yes'"],
      [{ inputShape: [1, 3], docString: 3 }, 'toOnnx: docString must be a string, got 3'],
      [{ inputShape: [1, 3], inputNames: ['a', 'a'] }, /toOnnx: inputNames \['a', 'a'\] repeat a name/],
      [{ inputShape: [1, 3], inputNames: [''] }, /toOnnx: inputNames must be an array of non-empty strings/],
      [{ inputShape: [1, 3], outputNames: ['y', 'z'] }, 'toOnnx: outputNames has 2 names for 1 output'],
      [{ inputShape: [1, 3], inputNames: ['x'], outputNames: ['x'] }, "toOnnx: 'x' is both an input and an output name"],
      [{ inputShape: [1, 3], outputNames: ['0.weight'] }, "toOnnx: '0.weight' is the name of a parameter or buffer; choose another input or output name"],
    ];
    for (const [options, message] of bad) expect(() => toOnnx(model, options as never)).toThrow(message);
    expect(() => toOnnx({} as Module, { inputShape: [1, 3] })).toThrow('toOnnx: expected a Module, got Object');
  });

  it('takes several inputs', () => {
    const two = new (class Two extends Module {
      forward(a: Tensor, b: Tensor): Tensor {
        return add(a, b);
      }
    })();
    expect(() => toOnnx(two, { inputShape: [[2, 3], [1, 3]], dynamicBatch: true })).toThrow(
      'toOnnx: with dynamicBatch, axis 0 of every input is the batch, but inputShape gives [2, 3] and [1, 3]',
    );
    const g = decodeModel('test', toOnnx(two, { inputShape: [[2, 3], [2, 3]], dynamicBatch: true })).graph!;
    expect(g.input!.map((v) => [v.name, v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))])).toEqual([
      ['input0', ['batch', 3]],
      ['input1', ['batch', 3]],
    ]);
    expect(g.node!.map((n) => [n.opType, n.input])).toEqual([['Add', ['input0', 'input1']]]);
  });
});

describe('toOnnx: the self-check', () => {
  it('refuses a graph that reads an undefined value, an op type outside the opset, an unread initializer', () => {
    const input = [{ name: 'x' }];
    const output = [{ name: 'y' }];
    expect(() => checkGraph({ input, output, node: [{ name: 'n', opType: 'Relu', input: ['z'], output: ['y'] }] }, 17)).toThrow(
      "toOnnx: internal error (a bug in an export rule): node 'n' (Relu) reads 'z', which no graph input, initializer or earlier node defines",
    );
    expect(() => checkGraph({ input, output, node: [{ name: 'n', opType: 'HardSwish', input: ['x'], output: ['y'] }] }, 13)).toThrow(
      "node 'n' (HardSwish) needs opset 14 or later, exporting opset 13",
    );
    expect(() => checkGraph({ input, output, node: [{ name: 'n', opType: 'LayerNormalization', input: ['x'], output: ['y'] }] }, 16)).toThrow(/needs opset 17 or later/);
    expect(() => checkGraph({ input, output, node: [{ name: 'n', opType: 'Relu', input: ['x'], output: ['x'] }] }, 17)).toThrow(/defines 'x', which is already defined/);
    expect(() => checkGraph({ input, output, initializer: [{ name: 'w' }], node: [{ name: 'n', opType: 'Relu', input: ['x'], output: ['y'] }] }, 17)).toThrow(
      "initializer 'w' is never read",
    );
    expect(() => checkGraph({ input, output: [{ name: 'q' }], node: [] }, 17)).toThrow("graph output 'q' is not defined by any node");
    expect(() => checkGraph({ input, output, node: [{ name: 'n', opType: 'Relu', input: ['x'], output: ['y'] }] }, 17)).not.toThrow();
  });
});
