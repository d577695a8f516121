import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, GlobalAvgPool2d, LeakyReLU, Linear, MaxPool2d, Module, ReLU, Sequential, Sigmoid, Tanh,
  registerModule,
} from '../src/nn/index.js';
import { MODEL_FORMAT_VERSION, loadCheckpoint, loadModel, readModelHeader } from '../src/serialize/index.js';
import { crc32, fileChecksum } from '../src/serialize/format.js';
import { setSeed, globalRandom } from '../src/init.js';
import { SGD, Adam } from '../src/train/optim/index.js';
import { CrossEntropyLoss } from '../src/losses.js';
import { add, relu } from '../src/ops/index.js';
import { Tensor } from '../src/tensor.js';
import { randomTensor } from './support/random.js';

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

/** A residual block with a projection shortcut: a user Module with config(). */
class Residual extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  readonly shortcut: Sequential;

  constructor(readonly options: { channels: number }) {
    super();
    const c = options.channels;
    this.conv = new Conv2d({ inChannels: 2, outChannels: c, kernelSize: 3, padding: 1, bias: false });
    this.bn = new BatchNorm2d({ numFeatures: c });
    this.shortcut = new Sequential([new Conv2d({ inChannels: 2, outChannels: c, kernelSize: 1 })]);
  }

  override config(): Record<string, unknown> {
    return { ...this.options };
  }

  forward(x: Tensor): Tensor {
    return relu(add(this.bn.forward(this.conv.forward(x)), this.shortcut.forward(x)));
  }
}

const values = (m: Module): number[][] => Object.values(m.stateDict()).map((t) => Array.from(t.data));

describe('model files (version 2)', () => {
  it('round trip is bit-exact: module tree, parameters, BatchNorm running statistics, predictions', () => {
    setSeed(3);
    const m = everyLayerModel();
    m.forward(randomTensor([3, 2, 7, 8], 1)); // moves the running statistics off their defaults
    const bytes = m.save();
    const loaded = Sequential.load(bytes);
    expect(loaded.layers.map((l) => l.type)).toEqual(m.layers.map((l) => l.type));
    expect(loaded.config()).toEqual(m.config());
    expect(Object.keys(loaded.stateDict())).toEqual(Object.keys(m.stateDict()));
    expect(Object.keys(m.stateDict())).toContain('1.running_mean');
    expect(values(loaded)).toEqual(values(m));
    const x = randomTensor([4, 2, 7, 8], 2);
    expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    expect(Array.from(loaded.save())).toEqual(Array.from(bytes));
  });

  it('has the documented layout: magic, version, header length, CRC-32, JSON header, aligned float32 data', () => {
    const m = new Sequential([new Linear({ inFeatures: 3, outFeatures: 2 })]);
    m.parameters()[0].data.set([1, 2, 3, 4, 5, 6]);
    const bytes = m.save();
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('SIMDNET\0');
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(8, true)).toBe(MODEL_FORMAT_VERSION);
    expect(MODEL_FORMAT_VERSION).toBe(2);
    expect(view.getUint32(16, true)).toBe(fileChecksum(bytes));
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926); // the standard check value
    const file = readModelHeader(bytes);
    expect(file.dataStart % 4).toBe(0);
    expect(file.spec).toEqual({ type: 'Sequential', config: { layers: [{ type: 'Linear', config: { inFeatures: 3, outFeatures: 2, bias: true } }] } });
    expect(file.modules).toEqual([{ path: '', type: 'Sequential' }, { path: '0', type: 'Linear' }]);
    expect(file.tensors.map((t) => [t.name, t.kind, t.shape, t.dtype])).toEqual([['0.weight', 'parameter', [2, 3], 'float32'], ['0.bias', 'parameter', [2], 'float32']]);
    expect(view.getFloat32(file.dataStart + 4 * 5, true)).toBe(6);
    expect(bytes.length).toBe(file.dataStart + 8 * 4);
  });

  it('a custom Module saves and loads once registered; unregistered it is refused by name', () => {
    setSeed(5);
    const m = new Sequential([new Residual({ channels: 3 }), new GlobalAvgPool2d(), new Flatten(), new Linear({ inFeatures: 3, outFeatures: 2 })]);
    m.forward(randomTensor([2, 2, 5, 5], 3));
    expect(() => m.save()).toThrow(/save: module '0' is a Residual, which load cannot rebuild: call registerModule\(Residual\) first/);
    registerModule(Residual);
    const bytes = m.save();
    setSeed(5);
    const draw = globalRandom().next();
    setSeed(5);
    const loaded = loadModel(bytes) as Sequential;
    // Loading draws nothing from the global random stream (constructors get a throwaway one).
    expect(globalRandom().next()).toBe(draw);
    expect(loaded.layers[0]).toBeInstanceOf(Residual);
    expect(Object.keys(loaded.stateDict())).toEqual(Object.keys(m.stateDict()));
    expect(Object.keys(m.stateDict())).toContain('0.shortcut.0.weight');
    expect(values(loaded)).toEqual(values(m));
    const x = randomTensor([3, 2, 5, 5], 4);
    expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    expect(() => registerModule(class Residual extends Module { forward(x: Tensor): Tensor { return x; } })).toThrow(/already registered/);
    expect(() => registerModule(Linear)).toThrow(/built-in/);
    // A file naming a class this program has not registered.
    const header = readModelHeader(bytes);
    const renamed = rewriteHeader(bytes, (h) => {
      (h.module as { config: { layers: { type: string }[] } }).config.layers[0].type = 'Bottleneck';
      (h.modules as { type: string }[])[1].type = 'Bottleneck';
    });
    expect(header.spec.type).toBe('Sequential');
    expect(() => loadModel(renamed)).toThrow(/unknown module type 'Bottleneck': register the class first with registerModule\(Bottleneck\)/);
  });

  it('a checkpoint carries the optimizer state: a resumed run matches an uninterrupted one exactly', () => {
    const data = randomTensor([6, 2, 5, 5], 7);
    const labels = [0, 1, 1, 0, 1, 0];
    const build = (): Sequential => {
      setSeed(9);
      return new Sequential([new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3 }), new BatchNorm2d({ numFeatures: 3 }), new ReLU(), new Flatten(), new Linear({ inFeatures: 27, outFeatures: 2 })]);
    };
    const step = (m: Module, opt: SGD | Adam): void => {
      m.zeroGrad();
      new CrossEntropyLoss().forward(m.forward(data), labels).backward();
      opt.step();
    };
    for (const make of [(m: Module) => new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 }), (m: Module) => new Adam(m.parameters(), { lr: 0.01 })]) {
      const straight = build();
      const o1 = make(straight);
      for (let i = 0; i < 4; i++) step(straight, o1);
      const first = build();
      const o2 = make(first);
      for (let i = 0; i < 2; i++) step(first, o2);
      const { model, optimizer } = loadCheckpoint(first.save({ optimizer: o2 }));
      expect(optimizer?.iterations).toBe(2);
      const o3 = make(model);
      o3.loadStateDict(optimizer as NonNullable<typeof optimizer>);
      for (let i = 0; i < 2; i++) step(model, o3);
      expect(values(model)).toEqual(values(straight));
      expect(o3.iterations).toBe(4);
      // A plain load ignores the optimizer part; a mismatched optimizer is refused unchanged.
      expect(values(loadModel(first.save({ optimizer: o2 })))).toEqual(values(first));
      // lr is restored (as PyTorch's load_state_dict); the other settings must match.
      const restored = make(build());
      restored.lr = 0.5;
      restored.loadStateDict(optimizer as NonNullable<typeof optimizer>);
      expect(restored.lr).toBe(optimizer?.type === 'SGD' ? 0.1 : 0.01);
      const other = new SGD(build().parameters(), { lr: 0.2, momentum: 0.5 });
      if (optimizer?.type === 'SGD') expect(() => other.loadStateDict(optimizer)).toThrow(/saved with momentum = 0.9, this optimizer has 0.5/);
      else expect(() => other.loadStateDict(optimizer as never)).toThrow(/state is of a Adam, not a SGD/);
      expect(other.iterations).toBe(0);
      expect(other.lr).toBe(0.2);
    }
  });

  it('bad files are clear errors: truncated, corrupt (any flipped bit), non-finite, mismatched', () => {
    const bytes = new Sequential([new Linear({ inFeatures: 3, outFeatures: 2 }), new ReLU()]).save();
    expect(Sequential.load(rewriteHeader(bytes, () => {})).layers).toHaveLength(2);
    expect(() => Sequential.load(bytes.subarray(0, bytes.length - 1))).toThrow(/loadModel: checksum mismatch/);
    expect(() => Sequential.load(bytes.subarray(0, 10))).toThrow(/loadModel: file is truncated/);
    expect(() => Sequential.load(bytes.subarray(0, 40))).toThrow(/loadModel: file is truncated|checksum/);
    // A flipped bit anywhere (header or weights) is refused.
    for (const at of [3, 9, 30, bytes.length - 5]) {
      const flipped = bytes.slice();
      flipped[at] ^= 0x10;
      expect(() => Sequential.load(flipped), `bit flipped at byte ${at}`).toThrow(/loadModel: (checksum mismatch|not a simdnet|unsupported format version)/);
    }
    const version = bytes.slice();
    new DataView(version.buffer).setUint32(8, 3, true);
    expect(() => Sequential.load(version)).toThrow(/loadModel: unsupported format version 3/);
    const nan = bytes.slice();
    const dataStart = readModelHeader(bytes).dataStart;
    new DataView(nan.buffer).setFloat32(dataStart + 4, NaN, true);
    new DataView(nan.buffer).setUint32(16, fileChecksum(nan), true);
    expect(() => Sequential.load(nan)).toThrow(/tensor '0.weight' holds a non-finite value \(NaN\) at index 1/);
    expect(() => Sequential.load(rewriteHeader(bytes, (h) => { (h.tensors as { shape: number[] }[])[0].shape = [3, 2]; }))).toThrow(
      /loadModel: tensor '0.weight' has shape \[3, 2\] but the module needs \[2, 3\]/,
    );
    expect(() => Sequential.load(rewriteHeader(bytes, (h) => { (h.module as { config: { layers: { type: string }[] } }).config.layers[1].type = 'NoSuchLayer'; }))).toThrow(
      /the module tree cannot be built: createModule: unknown module type 'NoSuchLayer'/,
    );
    expect(() => Sequential.load(rewriteHeader(bytes, (h) => void (h.tensors as unknown[]).pop()))).toThrow(/tensor '0.bias' is missing/);
    expect(() => Sequential.load(rewriteHeader(bytes, (h) => { (h.tensors as { offset: number }[])[1].offset = 28; }))).toThrow(/tensor '0.bias' has a bad offset 28/);
    expect(() => Sequential.load(rewriteHeader(bytes, (h) => { (h.tensors as { dtype: string }[])[0].dtype = 'float16'; }))).toThrow(/dtype float16/);
    expect(() => Sequential.load(new Uint8Array(0))).toThrow(/truncated/);
    expect(() => Sequential.load('SIMDNET' as never)).toThrow(/expected a Uint8Array/);
    expect(() => Sequential.load(rewriteHeader(bytes, (h) => void delete (h.tensors as { shape?: number[] }[])[0].shape))).toThrow(/loadModel: tensor '0.weight' has shape undefined but the module needs \[2, 3\]/);
    const lone = new Linear({ inFeatures: 2, outFeatures: 1 }).save();
    expect(loadModel(lone)).toBeInstanceOf(Linear);
    expect(() => Sequential.load(lone)).toThrow(/Sequential.load: the file holds a Linear, not a Sequential; use loadModel/);
  });
});

describe('what save refuses', () => {
  it('non-finite weights (load would refuse the file), an optimizer of another model, unknown options', () => {
    const m = new Sequential([new Linear({ inFeatures: 2, outFeatures: 1 })]);
    m.parameters()[0].data[1] = Infinity;
    expect(() => m.save()).toThrow(/save: tensor '0.weight' holds a non-finite value \(Infinity\) at index 1/);
    m.parameters()[0].data[1] = 0;
    const other = new SGD(new Linear({ inFeatures: 2, outFeatures: 1 }).parameters());
    expect(() => m.save({ optimizer: other })).toThrow(/save: the optimizer updates parameters that are not this model's/);
    expect(() => m.save({ optimiser: other } as never)).toThrow(/save: unknown option 'optimiser'/);
  });

  it('a seeded Dropout keeps its seed through a round trip', () => {
    const m = new Sequential([new Dropout({ p: 0.5, seed: 7 })]);
    const loaded = loadModel(m.save()) as Sequential;
    expect(loaded.layers[0].config()).toEqual({ p: 0.5, seed: 7 });
    const x = randomTensor([4, 8], 1);
    expect(Array.from(loaded.forward(x).data)).toEqual(Array.from(new Dropout({ p: 0.5, seed: 7 }).forward(x).data));
  });
});

describe('model files (version 1, simdnet 0.1.0)', () => {
  it('a file written by 0.1.0 still loads and predicts what it predicted then', () => {
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/model-v1.bin', import.meta.url)));
    const expected = JSON.parse(readFileSync(new URL('./fixtures/model-v1.json', import.meta.url), 'utf8'));
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true)).toBe(1);
    const m = Sequential.load(bytes);
    expect(m.layers.map((l) => l.type)).toEqual(everyLayerModel().layers.map((l) => l.type));
    expect(Object.keys(m.stateDict())).toEqual(Object.keys(everyLayerModel().stateDict()));
    const y = m.predict(new Tensor(Float32Array.from(expected.input.data), expected.input.shape));
    expect(Array.from(y.data)).toEqual(expected.predictions.data.map(Math.fround));
    const truncated = bytes.subarray(0, bytes.length - 4);
    expect(() => Sequential.load(truncated)).toThrow(/truncated/);
  });
});

/** The file with its JSON header edited (and the checksum recomputed). */
function rewriteHeader(bytes: Uint8Array, edit: (header: Record<string, unknown>) => void): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + length)));
  const oldStart = (20 + length + 3) & ~3;
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = (20 + json.length + 3) & ~3;
  const out = new Uint8Array(start + bytes.length - oldStart);
  out.set(bytes.subarray(0, 12));
  const v = new DataView(out.buffer);
  v.setUint32(12, json.length, true);
  out.set(json, 20);
  out.set(bytes.subarray(oldStart), start);
  v.setUint32(16, fileChecksum(out), true);
  return out;
}
