import { describe, expect, it } from 'vitest';
import {
  AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, GlobalAvgPool2d, LeakyReLU, Linear, MaxPool2d, ReLU, Sequential, Sigmoid, Tanh,
} from '../src/nn/index.js';
import { MODEL_FORMAT_VERSION, readModelHeader } from '../src/serialize.js';
import { setSeed } from '../src/init.js';
import { randomTensor } from './nn-support.js';

function everyLayerModel(): Sequential {
  return new Sequential([
    new Conv2d({ inChannels: 2, outChannels: 4, kernelSize: [3, 2], stride: [1, 2], padding: [1, 0, 1, 1], dilation: 1, groups: 2 }),
    new BatchNorm2d({ numFeatures: 4, eps: 1e-3, momentum: 0.2 }),
    new LeakyReLU({ slope: 0.1 }),
    new MaxPool2d({ kernelSize: 2, stride: 1 }),
    new AvgPool2d({ kernelSize: 2, padding: 1 }),
    new Tanh(),
    new Conv2d({ inChannels: 4, outChannels: 3, kernelSize: 1, bias: false, padding: 'same' }),
    new Sigmoid(),
    new GlobalAvgPool2d(),
    new Flatten(),
    new Dropout({ p: 0.3 }),
    new Linear({ inFeatures: 3, outFeatures: 5 }),
    new ReLU(),
    new Linear({ inFeatures: 5, outFeatures: 2, bias: false }),
  ]);
}

describe('model files', () => {
  it('round trip is bit-exact: architecture, parameters, BatchNorm running statistics, predictions', () => {
    setSeed(3);
    const m = everyLayerModel();
    m.forward(randomTensor([3, 2, 7, 8], 1)); // moves the running statistics off their defaults
    const bytes = m.save();
    const loaded = Sequential.load(bytes);
    expect(loaded.layers.map((l) => l.type)).toEqual(m.layers.map((l) => l.type));
    expect(loaded.layers.map((l) => l.config())).toEqual(m.layers.map((l) => l.config()));
    m.parameters().forEach((p, i) => {
      expect(loaded.parameters()[i].name).toBe(p.name);
      expect(Array.from(loaded.parameters()[i].value.data)).toEqual(Array.from(p.value.data));
    });
    m.buffers().forEach((b, i) => expect(Array.from(loaded.buffers()[i].value.data)).toEqual(Array.from(b.value.data)));
    const x = randomTensor([4, 2, 7, 8], 2);
    expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    expect(Array.from(loaded.save())).toEqual(Array.from(bytes));
  });

  it('has the documented layout: magic, version, header length, JSON header, 4-byte aligned float32 data', () => {
    const m = new Sequential([new Linear({ inFeatures: 3, outFeatures: 2 })]);
    m.parameters()[0].value.data.set([1, 2, 3, 4, 5, 6]);
    const bytes = m.save();
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('SIMDNET\0');
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(8, true)).toBe(MODEL_FORMAT_VERSION);
    const { header, dataStart } = readModelHeader(bytes);
    expect(dataStart % 4).toBe(0);
    expect(header.layers).toEqual([{ type: 'Linear', config: { inFeatures: 3, outFeatures: 2, bias: true } }]);
    expect(header.tensors.map((t) => [t.name, t.shape, t.dtype])).toEqual([['0.weight', [2, 3], 'float32'], ['0.bias', [2], 'float32']]);
    expect(view.getFloat32(dataStart + 4 * 5, true)).toBe(6);
    expect(bytes.length).toBe(dataStart + 8 * 4);
  });

  it('bad files are clear errors', () => {
    const bytes = new Sequential([new Linear({ inFeatures: 3, outFeatures: 2 }), new ReLU()]).save();
    const headerLength = new DataView(bytes.buffer).getUint32(12, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength)));
    const rebuild = (h: unknown, data = new Uint8Array(32)): Uint8Array => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const start = (16 + json.length + 3) & ~3;
      const out = new Uint8Array(start + data.length);
      out.set(bytes.subarray(0, 12));
      new DataView(out.buffer).setUint32(12, json.length, true);
      out.set(json, 16);
      out.set(data, start);
      return out;
    };
    expect(Sequential.load(rebuild(header)).layers).toHaveLength(2);

    expect(() => Sequential.load(bytes.subarray(0, bytes.length - 1))).toThrow(/loadModel: file has .* bytes but its header describes .* \(truncated\)/);
    expect(() => Sequential.load(bytes.subarray(0, 10))).toThrow(/loadModel: file is truncated/);
    expect(() => Sequential.load(bytes.subarray(0, 40))).toThrow(/loadModel: file is truncated/);
    const magic = bytes.slice();
    magic[0] = 0x50;
    expect(() => Sequential.load(magic)).toThrow(/loadModel: not a simdnet model file/);
    const version = bytes.slice();
    new DataView(version.buffer).setUint32(8, 2, true);
    expect(() => Sequential.load(version)).toThrow(/loadModel: unsupported format version 2/);
    const garbled = bytes.slice();
    garbled[17] = 0x7b;
    expect(() => Sequential.load(garbled)).toThrow(/loadModel: header is not valid JSON/);
    const shape = structuredClone(header);
    shape.tensors[0].shape = [3, 2];
    expect(() => Sequential.load(rebuild(shape))).toThrow(/loadModel: tensor '0.weight' has shape \[3, 2\] but the architecture needs \[2, 3\]/);
    const arch = structuredClone(header);
    arch.layers[0].config.inFeatures = 4;
    expect(() => Sequential.load(rebuild(arch))).toThrow(/tensor '0.weight' has shape \[2, 3\] but the architecture needs \[2, 4\]/);
    const unknown = structuredClone(header);
    unknown.layers[1].type = 'Softplus';
    expect(() => Sequential.load(rebuild(unknown))).toThrow(/layer 1 \(Softplus\) cannot be built: .*unknown layer type/);
    const missing = structuredClone(header);
    missing.tensors.pop();
    expect(() => Sequential.load(rebuild(missing))).toThrow(/file has 1 tensors but its architecture needs 2/);
    const offset = structuredClone(header);
    offset.tensors[1].offset = 28;
    expect(() => Sequential.load(rebuild(offset))).toThrow(/tensor '0.bias' has a bad offset 28/);
    const dtype = structuredClone(header);
    dtype.tensors[0].dtype = 'float16';
    expect(() => Sequential.load(rebuild(dtype))).toThrow(/dtype float16/);
    expect(() => Sequential.load(new Uint8Array(0))).toThrow(/truncated/);
    expect(() => Sequential.load('SIMDNET' as never)).toThrow(/expected a Uint8Array/);
  });
});
