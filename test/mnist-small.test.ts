// LeNet-5 trained for one epoch on the first 2,000 MNIST training images (js backend,
// seeded) and evaluated on the first 1,000 test images. Measured: 83.6% test accuracy
// and test loss 0.491 (Adam lr 0.002, batch 32, init seed 1, fit seed 3; 63 steps). The shuffle order alone
// moves it: fit seeds 1..6 gave 79.6, 86.6, 83.6, 85.2, 84.8, 86.0% (mean 84.3%), so the
// test uses a seed near the mean, not the worst one. The bar is 80%: a few points under the
// measurement, far above chance (10%), so a kernel that is subtly wrong in forward or
// backward (which slows or stops learning) fails it while rounding-level changes do not.
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../src/backend/registry.js';
import { loadMnist } from '../src/data/index.js';
import { setSeed } from '../src/init.js';
import { Adam } from '../src/train/optim/index.js';
import { lenet } from '../examples/mnist/model.js';
import { DEFAULTS, parseArgs } from '../examples/mnist/args.js';
import { lineChart } from '../examples/mnist/charts.js';

beforeAll(() => {
  setBackend('js');
});

it('LeNet-5 reaches ≥ 80% test accuracy after one epoch on 2,000 MNIST images (js)', async () => {
  const data = await loadMnist({ train: 2000, test: 1000 });
  setSeed(1);
  const model = lenet();
  const history = await model.fit(data.trainImages, data.trainLabels, {
    epochs: 1, batchSize: 32, seed: 3, optimizer: new Adam(model.parameters(), { lr: 0.002 }),
  });
  const { loss, accuracy } = model.evaluate(data.testImages, data.testLabels);
  expect(history.loss[0]).toBeLessThan(2.3); // below chance level ln 10 ≈ 2.303
  expect(loss).toBeLessThan(0.65); // measured 0.491
  expect(accuracy).toBeGreaterThanOrEqual(0.8);
});

describe('npm start options and charts', () => {
  it('parses options in both --name value and --name=value forms; unknown options and bad values are errors', () => {
    const a = parseArgs(['--epochs', '3', '--batch-size=64', '--lr', '0.1', '--optimizer', 'adam', '--backend', 'js', '--out', 'x', '--seed', '7', '--model', 'lenet']);
    expect(a).toMatchObject({ epochs: 3, batchSize: 64, lr: 0.1, optimizer: 'adam', backend: 'js', out: 'x', seed: 7, model: 'lenet', help: false });
    expect(parseArgs([])).toMatchObject({ epochs: DEFAULTS.epochs, batchSize: DEFAULTS.batchSize, out: DEFAULTS.out, backend: undefined, lr: undefined });
    expect(parseArgs(['--help']).help).toBe(true);
    expect(() => parseArgs(['--epoch', '3'])).toThrow(/unknown option '--epoch'/);
    expect(() => parseArgs(['--epochs', '0'])).toThrow(/--epochs must be an integer ≥ 1/);
    expect(() => parseArgs(['--epochs', '2.5'])).toThrow(/--epochs/);
    expect(() => parseArgs(['--lr', 'fast'])).toThrow(/--lr must be a positive number/);
    expect(() => parseArgs(['--backend', 'gpu'])).toThrow(/--backend must be naive, js or wasm/);
    expect(() => parseArgs(['--seed'])).toThrow(/--seed needs a value/);
    expect(() => parseArgs(['extra'])).toThrow(/unexpected argument 'extra'/);
  });

  it('draws an SVG line chart with one polyline per series and escaped labels', () => {
    const svg = lineChart({
      title: 'loss <test>', xLabel: 'epoch', yLabel: 'loss',
      series: [{ name: 'a', color: 'red', points: [[1, 2], [2, 1], [3, NaN]] }, { name: 'b', color: 'blue', points: [[1, 1.5]], dots: true }],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline points="[^"]*" fill="none" stroke="(red|blue)"/g)).toHaveLength(2);
    expect(svg).toContain('loss &lt;test&gt;');
    expect(svg).not.toContain('NaN');
    const logSvg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', yScale: 'log', series: [{ name: 'a', color: 'red', points: [[1, 2], [2, 0.01], [3, 0]] }] });
    expect(logSvg).toContain('>0.01<');
    expect(logSvg).toContain('>1<');
    expect(logSvg.match(/<polyline points="([^"]*)" fill="none" stroke="red"/)?.[1].split(' ')).toHaveLength(2);
  });
});
