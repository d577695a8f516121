// The shape layers: ZeroPad2d, ConstantPad2d, ReflectionPad2d, ReplicationPad2d,
// ChannelShuffle, Unflatten. PyTorch's documented examples, gradients through the tape by
// central finite differences on the naive backend, and the model file rebuilding them.
//
// Tolerance: 1e-6 relative to max(1, max|gradient|), h = 0.25 — the layers only move
// values (the reflect/edge backward also adds copies), so L = Σ y·r is linear in x and
// both sides are exact but for float32 storage of the gradient (see shape-ops.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentBackend, setBackend } from '../src/backend/registry.js';
import {
  ChannelShuffle, ConstantPad2d, Conv2d, Flatten, Linear, ReflectionPad2d, ReplicationPad2d, Sequential, Unflatten, ZeroPad2d,
} from '../src/nn/index.js';
import type { Module } from '../src/nn/module.js';
import { Tensor, tensor } from '../src/tensor.js';
import { expectTapeGradients } from './support/gradcheck.js';
import { randomTensor } from './support/random.js';

const arange = (n: number, shape: number[], from = 0): Tensor => tensor(Array.from({ length: n }, (_, i) => i + from), shape);

let before: ReturnType<typeof currentBackend>;
beforeAll(() => {
  before = currentBackend();
  setBackend('naive');
});
afterAll(() => {
  setBackend(before.name);
});

function checkLayerGradient(layer: Module, x: Tensor, seed: number): void {
  const leaf = x.detach();
  expectTapeGradients(layer.type, () => layer.forward(leaf), [leaf], { h: 0.25, tol: 1e-6 }, seed);
}

describe('pad layers', () => {
  const x = arange(9, [1, 1, 3, 3]);

  it("PyTorch's examples (padding in simdnet's [top, bottom, left, right] order)", () => {
    expect(new ReflectionPad2d({ padding: 2 }).forward(x).toArray().slice(0, 14)).toEqual([8, 7, 6, 7, 8, 7, 6, 5, 4, 3, 4, 5, 4, 3]);
    expect(new ReplicationPad2d({ padding: 2 }).forward(x).toArray().slice(0, 14)).toEqual([0, 0, 0, 1, 2, 2, 2, 0, 0, 0, 1, 2, 2, 2]);
    // nn.ZeroPad2d((1, 1, 2, 0)) (left, right, top, bottom) is padding [2, 0, 1, 1] here.
    const z = new ZeroPad2d({ padding: [2, 0, 1, 1] }).forward(x);
    expect(z.shape).toEqual([1, 1, 5, 5]);
    expect(z.toArray()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 5, 0, 0, 6, 7, 8, 0]);
    expect(new ConstantPad2d({ padding: [1, 0], value: 3.5 }).forward(arange(2, [1, 2])).toArray()).toEqual([3.5, 3.5, 0, 1, 3.5, 3.5]);
    expect(new ZeroPad2d({ padding: [-1, 0, 0, -1] }).forward(x).toArray()).toEqual([3, 4, 6, 7]); // negative crops
    expect(new ReflectionPad2d({ padding: [1, 1] }).forward(randomTensor([3, 4, 5], 1)).shape).toEqual([3, 6, 7]); // CHW
  });

  it('gradients (naive, finite differences)', () => {
    const input = randomTensor([2, 3, 4, 5], 2);
    checkLayerGradient(new ZeroPad2d({ padding: [1, 2, 0, 3] }), input, 3);
    checkLayerGradient(new ConstantPad2d({ padding: 1, value: -2 }), input, 4);
    checkLayerGradient(new ReflectionPad2d({ padding: [3, 2, 4, 1] }), input, 5);
    checkLayerGradient(new ReplicationPad2d({ padding: [2, 5] }), input, 6);
  });

  it('bad options and inputs are refused by name', () => {
    expect(() => new ZeroPad2d({} as never)).toThrow(/ZeroPad2d: padding is required/);
    expect(() => new ZeroPad2d({ padding: [1, 2, 3] as never })).toThrow(/ZeroPad2d: padding must be a number, \[h, w\] or \[top, bottom, left, right\] of integers, got \[1, 2, 3\]/);
    expect(() => new ReflectionPad2d({ padding: -1 })).toThrow(/ReflectionPad2d: padding must be .* of non-negative integers, got -1/);
    expect(() => new ReplicationPad2d({ padding: 1, mode: 'edge' } as never)).toThrow(/ReplicationPad2d: unknown option 'mode'/);
    expect(() => new ConstantPad2d({ padding: 1, value: NaN })).toThrow(/ConstantPad2d: value must be a number \(not NaN\), got NaN/);
    expect(() => new ReflectionPad2d({ padding: 3 }).forward(x)).toThrow(/pad: reflect pads \[3, 3\] on axis 2 of input \[1, 1, 3, 3\] must be at most the axis size − 1 \(2\)/);
    expect(() => new ZeroPad2d({ padding: 1 }).forward(tensor([1, 2]))).toThrow(/ZeroPad2d: expected an input of rank ≥ 2 \(\[N, C, H, W\] or \[C, H, W\]\), got \[2\]/);
  });
});

describe('ChannelShuffle and Unflatten', () => {
  it("ChannelShuffle: PyTorch's example, and its gradient", () => {
    const y = new ChannelShuffle({ groups: 2 }).forward(arange(16, [1, 4, 2, 2], 1));
    expect(y.toArray()).toEqual([1, 2, 3, 4, 9, 10, 11, 12, 5, 6, 7, 8, 13, 14, 15, 16]);
    checkLayerGradient(new ChannelShuffle({ groups: 3 }), randomTensor([2, 6, 3, 2], 7), 8);
    expect(new ChannelShuffle({ groups: 2 }).forward(arange(4, [1, 4])).toArray()).toEqual([0, 2, 1, 3]);
    expect(() => new ChannelShuffle({ groups: 4 }).forward(randomTensor([1, 6, 2, 2], 1))).toThrow(/ChannelShuffle: expected an input \[N, C, …\] with C divisible by groups 4, got \[1, 6, 2, 2\]/);
    expect(() => new ChannelShuffle({ groups: 0 })).toThrow(/ChannelShuffle: groups must be a positive integer, got 0/);
  });

  it('Unflatten: the inverse of Flatten (one size may be -1), a view', () => {
    const x = randomTensor([2, 12], 9);
    const u = new Unflatten({ dim: 1, unflattenedSize: [3, -1] }).forward(x);
    expect(u.shape).toEqual([2, 3, 4]);
    expect(u.data).toBe(x.data);
    expect(new Flatten().forward(u).shape).toEqual([2, 12]);
    expect(new Unflatten({ dim: -1, unflattenedSize: [2, 2, 3] }).forward(x).shape).toEqual([2, 2, 2, 3]);
    checkLayerGradient(new Unflatten({ dim: 1, unflattenedSize: [4, 3] }), x, 10);
    expect(() => new Unflatten({ dim: 1, unflattenedSize: [5, 2] }).forward(x)).toThrow(/Unflatten: unflattenedSize \[5, 2\] does not fit axis 1 \(size 12\) of input \[2, 12\]/);
    expect(() => new Unflatten({ dim: 1, unflattenedSize: [-1, -1] })).toThrow(/Unflatten: unflattenedSize must be a non-empty array of positive sizes \(one may be -1\), got \[-1, -1\]/);
  });
});

describe('the model file rebuilds the shape layers', () => {
  it('save → load: the same module tree, configs and predictions, on js', () => {
    setBackend('js');
    try {
      const m = new Sequential([
        new ReflectionPad2d({ padding: [1, 0, 2, 1] }),
        new Conv2d({ inChannels: 4, outChannels: 6, kernelSize: 3 }),
        new ChannelShuffle({ groups: 3 }),
        new ReplicationPad2d({ padding: 1 }),
        new ZeroPad2d({ padding: [0, 1] }),
        new ConstantPad2d({ padding: [1, 0, 0, 0], value: -1 }),
        new Flatten(),
        new Unflatten({ dim: 1, unflattenedSize: [6, -1] }),
        new Flatten(),
        new Linear({ inFeatures: 6 * 7 * 12, outFeatures: 3 }),
      ]);
      const loaded = Sequential.load(m.save());
      expect(loaded.layers.map((l) => l.type)).toEqual(m.layers.map((l) => l.type));
      expect(loaded.config()).toEqual(m.config());
      const x = randomTensor([2, 4, 5, 7], 11);
      expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    } finally {
      setBackend('naive');
    }
  });
});
