// The op trace (src/autograd/trace.ts): which ops a function ran, in order, with the
// attributes that reproduce each, whether or not gradients are recorded; and traceModule's
// module scopes.
import { describe, expect, it } from 'vitest';
import {
  BatchNorm2d, Conv2d, Module, ReLU, Sequential, Tensor, add, batchNorm2d, chunk, conv2d, dropout, gemm, layerNormWithStats, mul, noGrad,
  randn, relu, reshape, softmax, split, sub, traceModule, traceOps, traceScope, zeros, type TracedOp,
} from '../src/index.js';
import { record } from '../src/autograd/graph.js';
import { tracing } from '../src/autograd/trace.js';
import { currentBackend } from '../src/backend/registry.js';

function names(ops: readonly TracedOp[]): string[] {
  return ops.map((o) => o.op);
}

describe('traceOps', () => {
  const x = randn([1, 2, 5, 5], { seed: 1 });
  const w = randn([3, 2, 3, 3], { seed: 2 });
  const b = randn([3], { seed: 3 });

  it('lists the ops of a small graph in order, with their inputs, outputs and attrs', () => {
    const { result, ops } = traceOps(() => {
      const c = conv2d(x, w, b, { padding: [1, 0], stride: 2 });
      const r = relu(c);
      const s = add(r, 2);
      const p = softmax(s, 1);
      return reshape(p, [1, -1]);
    });
    expect(names(ops)).toEqual(['conv2d', 'relu', 'add', 'softmax', 'reshape']);
    const [conv, act, plus, soft, view] = ops;
    expect(conv.inputs).toEqual([x, w, b]);
    expect(conv.attrs).toMatchObject({ padTop: 1, padBottom: 1, padLeft: 0, padRight: 0, strideHeight: 2, strideWidth: 2, groups: 1, outHeight: 3, outWidth: 2 });
    expect(act.inputs[0]).toBe(conv.output);
    expect(act.attrs).toEqual({});
    // The scalar operand is a 0-d tensor the op made, named as such in attrs.
    expect(plus.inputs[0]).toBe(act.output);
    expect(plus.inputs[1]?.shape).toEqual([]);
    expect(plus.inputs[1]?.data[0]).toBe(2);
    expect(plus.attrs).toEqual({ scalars: [null, 2] });
    expect(soft.attrs).toEqual({ axis: 1 });
    expect(view.attrs).toEqual({ shape: [1, 18] });
    expect(view.output).toBe(result);
    expect(ops.every((o) => o.scope === '')).toBe(true);
  });

  it('records under noGrad and on inputs that need no gradient, the same ops as with the tape', () => {
    const run = () => sub(3, mul(relu(x), x));
    const withTape = traceOps(run).ops;
    const without = traceOps(() => noGrad(run)).ops;
    expect(names(without)).toEqual(['relu', 'mul', 'sub']);
    expect(names(withTape)).toEqual(names(without));
    expect(without[2].attrs).toEqual({ scalars: [3, null] });
  });

  it('records nothing when no trace is active, and an inner trace adds to the outer one', () => {
    expect(tracing()).toBe(false);
    const { ops } = traceOps(() => {
      relu(x);
      const inner = traceOps(() => relu(relu(x))).ops;
      expect(names(inner)).toEqual(['relu', 'relu']);
      return null;
    });
    expect(names(ops)).toEqual(['relu', 'relu', 'relu']);
    expect(tracing()).toBe(false);
  });

  it('gives each part of a split its index and all the parts (one Split node)', () => {
    const { result, ops } = traceOps(() => split(x, [1, 1], 1));
    expect(names(ops)).toEqual(['split', 'split']);
    ops.forEach((o, i) => {
      expect(o.output).toBe(result[i]);
      expect(o.attrs).toMatchObject({ axis: 1, sizes: [1, 1], index: i });
      expect(o.attrs.parts).toEqual(result);
    });
    const chunked = traceOps(() => chunk(x, 3, 2)).ops;
    expect(chunked.map((o) => o.attrs.sizes)).toEqual([[2, 2, 1], [2, 2, 1], [2, 2, 1]]);
  });

  it("passes batchNorm2d's running statistics, which are not inputs, in attrs", () => {
    const mean = randn([2], { seed: 4 });
    const variance = zeros([2]).onesLike();
    const { ops } = traceOps(() => batchNorm2d(x, mean, variance, null, null, { eps: 1e-3 }));
    expect(ops[0].inputs).toEqual([x, null, null]);
    expect(ops[0].attrs).toMatchObject({ training: false, eps: 1e-3, momentum: 0.1 });
    expect(ops[0].attrs.runningMean).toBe(mean);
    expect(ops[0].attrs.runningVar).toBe(variance);
  });

  it('eval-mode dropout returns its input and records nothing; train mode records the mask', () => {
    const evalRun = traceOps(() => dropout(x, { training: false }));
    expect(evalRun.result).toBe(x);
    expect(evalRun.ops).toEqual([]);
    const trainRun = traceOps(() => dropout(x, { p: 0.25 }));
    expect(names(trainRun.ops)).toEqual(['dropout']);
    expect(trainRun.ops[0].attrs).toMatchObject({ p: 0.25, training: true });
    expect((trainRun.ops[0].attrs.mask as Float32Array).length).toBe(x.size);
  });

  it('records detach, copyDetached and the stats of layerNormWithStats, which are off the tape', () => {
    const { ops } = traceOps(() => {
      x.detach();
      x.copyDetached();
      return layerNormWithStats(x, [5, 5]);
    });
    expect(names(ops)).toEqual(['detach', 'copyDetached', 'layerNorm', 'layerNormMean', 'layerNormInvStdDev']);
    expect(ops[3].attrs).toEqual({ eps: 1e-5, normalizedShape: [5, 5] });
  });

  it('refuses gemm writing into c (an in-place result) while tracing', () => {
    const a = randn([2, 3], { seed: 5 });
    const c = zeros([2, 2]);
    expect(() => traceOps(() => gemm(a, a, { transB: true, c }))).toThrow(/gemm: c is written in place, which an op trace \(ONNX export\) cannot record/);
    expect(() => gemm(a, a, { transB: true, c })).not.toThrow();
  });

  it('passes attrs to record only while a trace is active', () => {
    const seen: unknown[] = [];
    const op = () => record('probe', zeros([1]), [x], currentBackend(), () => [null], tracing() ? { built: seen.push(1) } : undefined);
    op();
    expect(seen).toEqual([]);
    const { ops } = traceOps(op);
    expect(seen).toEqual([1]);
    expect(ops[0]).toMatchObject({ op: 'probe', attrs: { built: 1 } });
  });

  it('refuses a function that is not one, or returns a promise', () => {
    expect(() => traceOps(42 as never)).toThrow(/traceOps: expected a function, got 42/);
    expect(() => traceOps(() => Promise.resolve(1))).toThrow(/traceOps: the function returned a promise/);
    expect(tracing()).toBe(false);
  });

  it('tags ops with the scope active when they ran', () => {
    const { ops } = traceOps(() => traceScope('block', () => relu(traceScope('block.inner', () => relu(x)))));
    expect(ops.map((o) => o.scope)).toEqual(['block.inner', 'block']);
  });
});

class Twice extends Module {
  readonly body = new Sequential([new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 1 }), new BatchNorm2d({ numFeatures: 2 }), new ReLU()]);

  forward(x: Tensor): Tensor {
    return add(this.body.forward(x), x);
  }
}

describe('traceModule', () => {
  const x = randn([2, 2, 3, 3], { seed: 6 });

  it("tags each op with its module's path, '' for the root's own forward", () => {
    const model = new Twice().eval();
    const { ops, modules, result } = traceModule(model, [x]);
    expect(ops.map((o) => [o.op, o.scope])).toEqual([['conv2d', 'body.0'], ['batchNorm2d', 'body.1'], ['relu', 'body.2'], ['add', '']]);
    expect(modules.get('body.1')).toBe(model.body.layers[1]);
    expect(result).toBe(ops[3].output);
  });

  it('puts every forward back afterwards, also when forward throws', () => {
    const model = new Twice();
    const before = model.body.layers.map((m) => Object.getOwnPropertyDescriptor(m, 'forward'));
    expect(() => traceModule(model, [randn([1, 3, 3, 3])])).toThrow(/Conv2d: expected input \[N, 2, H, W\]/);
    traceModule(model, [x]);
    expect(model.body.layers.map((m) => Object.getOwnPropertyDescriptor(m, 'forward'))).toEqual(before);
    expect(Object.keys(model.body.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
  });
});
