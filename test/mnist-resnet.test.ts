// `npm start -- --model resnet` in small: the options it implies, the residual network
// it builds, one epoch of four steps on 256 MNIST images (wasm backend, seeded, with the
// example's shifts), and a model file that loadModel rebuilds into the same class with
// the same predictions. The full run and its accuracy are in docs/mnist.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, setBackend } from '../src/backend/registry.js';
import { loadMnist } from '../src/data/index.js';
import { setSeed } from '../src/init.js';
import { CosineLR, SGD } from '../src/train/index.js';
import { Random } from '../src/random.js';
import { loadModel } from '../src/serialize/index.js';
import { DEFAULTS, MODEL_DEFAULTS, USAGE, parseArgs } from '../examples/mnist/args.js';
import { shiftImages } from '../examples/mnist/augment.js';
import { MnistResNet, resnet } from '../examples/mnist/resnet.js';

beforeAll(async () => {
  await init({ backend: 'wasm' });
});

afterAll(() => {
  setBackend('js');
});

describe('--model resnet', () => {
  it('brings its own epochs, shift, schedule and lr; options given on the command line win; lenet-wide keeps its defaults', () => {
    expect(parseArgs(['--model', 'resnet'])).toMatchObject({ model: 'resnet', epochs: 10, shift: 2, schedule: 'cosine', lr: 0.1, decay: undefined, optimizer: 'sgd', batchSize: DEFAULTS.batchSize });
    expect(parseArgs(['--model=resnet', '--epochs', '3', '--shift', '0', '--lr', '0.2', '--schedule', 'decay', '--decay', '0'])).toMatchObject({ epochs: 3, shift: 0, schedule: 'decay', lr: 0.2, decay: 0 });
    // Adam has no resnet-specific rate: main falls back to DEFAULTS.lr.adam.
    expect(parseArgs(['--model', 'resnet', '--optimizer', 'adam'])).toMatchObject({ lr: undefined, decay: undefined, schedule: 'cosine', epochs: 10, shift: 2 });
    expect(parseArgs([])).toMatchObject({ model: 'lenet-wide', epochs: DEFAULTS.epochs, shift: 0, schedule: 'decay', lr: undefined, decay: undefined });
    expect(parseArgs(['--schedule', 'cosine'])).toMatchObject({ model: 'lenet-wide', schedule: 'cosine', decay: undefined });
    expect(() => parseArgs(['--model', 'resnet', '--decay', '1e-3'])).toThrow(/--decay applies to --schedule decay/);
    expect(() => parseArgs(['--schedule', 'step'])).toThrow(/--schedule must be one of decay, cosine, got 'step'/);
    expect(MODEL_DEFAULTS['lenet-wide']).toBeUndefined();
    expect(USAGE).toMatch(/or resnet \(a\s+residual network/);
    expect(() => parseArgs(['--model', 'resnet50'])).toThrow(/--model must be one of lenet, lenet-bn, lenet-wide, resnet/);
  });

  it('builds the residual network with torchvision parameter names, trains an epoch, and its model file loads back predicting the same', async () => {
    const args = parseArgs(['--model', 'resnet']);
    const data = await loadMnist({ train: 256, test: 100, normalize: true });
    setSeed(args.seed);
    const model = resnet();
    const names = model.namedParameters().map(([name]) => name);
    expect(names.slice(0, 3)).toEqual(['conv1.weight', 'bn1.weight', 'bn1.bias']);
    expect(names).toContain('layer2.0.downsample.0.weight');
    expect(names.at(-1)).toBe('fc.bias');
    expect(model.parameters().reduce((n, p) => n + p.size, 0)).toBe(172_458);
    expect(Object.keys(model.stateDict())).toContain('layer1.0.bn2.running_var');

    const before = model.parameters().map((p) => p.data.slice());
    // As main does for --model resnet --train 256 --epochs 1: cosine over the epoch's 4 steps.
    const optimizer = new SGD(model.parameters(), { lr: args.lr as number, momentum: 0.9 });
    const lrSchedule = new CosineLR({ lr: args.lr as number, total: 4, by: 'step' });
    const random = new Random(args.seed + 1);
    const losses: number[] = [];
    const history = await model.fit(data.trainImages, data.trainLabels, {
      epochs: 1, batchSize: 64, optimizer, lrSchedule, seed: args.seed, augment: (x) => shiftImages(x, args.shift, random),
      onBatchEnd: (b) => void losses.push(b.loss),
    });
    expect(optimizer.iterations).toBe(4);
    expect(Number.isFinite(history.loss[0])).toBe(true);
    expect(losses).toHaveLength(4);
    expect(losses[3]).toBeLessThan(losses[0] - 0.1); // it learns: measured 2.64, 2.46, 2.35, 2.21
    model.parameters().forEach((p, k) => expect(Array.from(p.data), p.name).not.toEqual(Array.from(before[k])));

    const bytes = model.save();
    const loaded = loadModel(bytes);
    expect(loaded).toBeInstanceOf(MnistResNet);
    expect(loaded.type).toBe('MnistResNet');
    expect(loaded.config()).toEqual({ stem: 16, widths: [24, 48, 96], strides: [2, 2, 2], blocks: 1, classes: 10 });
    expect(loaded.namedModules().map(([path, m]) => `${path}:${m.type}`)).toEqual(model.namedModules().map(([path, m]) => `${path}:${m.type}`));
    const expected = model.predict(data.testImages);
    expect(expected.shape).toEqual([100, 10]);
    expect(Array.from(loaded.predict(data.testImages).data)).toEqual(Array.from(expected.data));
    expect(Array.from(loaded.save())).toEqual(Array.from(bytes));
  });
});
