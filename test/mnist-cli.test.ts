// `npm start` (examples/mnist/main.ts) as a user runs it: the engine line (relaxed SIMD on
// Node 20 through the start script's flag), option errors that are usage errors and not
// stack traces, Ctrl-C mid-epoch (report, saved weights and exit status agree), epochs
// counted from 1 in history.json, and --dataset fashion-mnist.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init } from '../src/backend/registry.js';
import { loadMnist } from '../src/data/index.js';
import { FASHION_MNIST_DIR } from '../src/data/fashion-mnist.js';
import { Sequential } from '../src/nn/index.js';
import { root } from './browser/ensure-dist.js';

/** What `npm start` runs (package.json "start"), minus npm. */
const START = ['--experimental-wasm-relaxed-simd', '--import', 'tsx', 'examples/mnist/main.ts'];

let out = '';
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'simdnet-cli-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

function start(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [...START, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm start', () => {
  it('the start script runs the relaxed variant on this Node and says so', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toBe(`node ${START.join(' ')}`);
    const dir = join(out, 'script');
    const run = spawnSync('npm', ['start', '--silent', '--', '--train', '128', '--test', '64', '--epochs', '1', '--out', dir], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('engine: wasm backend, variant relaxed (relaxed-SIMD fused multiply-add, the fastest)');
    expect(run.stdout).toMatch(/\| backend wasm \(relaxed\) \|/);
    // Without the flag Node 20 has no relaxed SIMD: the line says why it is simd.
    if (process.versions.node.startsWith('20.')) {
      const plain = spawnSync(process.execPath, START.slice(1).concat(['--train', '64', '--test', '64', '--epochs', '1', '--out', join(out, 'plain')]), { cwd: root, encoding: 'utf8', timeout: 120_000 });
      expect(plain.stdout).toContain('engine: wasm backend, variant simd (this engine lacks relaxed SIMD; Node 20 needs --experimental-wasm-relaxed-simd, which npm start passes)');
    }
  });

  it('an out-of-range --train or --test is a usage error (status 2), not a stack trace', () => {
    for (const [flag, value, range] of [['--train', '70000', '1..60000'], ['--test', '10001', '1..10000'], ['--train', '0', '1..60000']]) {
      const run = start([flag, value]);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`error: ${flag} must be an integer in ${range}, got '${value}'`);
      expect(run.stderr).toContain('Usage: npm start -- [options]');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    const bad = start(['--dataset', 'cifar']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("error: --dataset must be one of mnist, fashion-mnist, got 'cifar'");
  });

  it('history.json counts epochs from 1, as the console does', () => {
    const dir = join(out, 'history');
    const run = start(['--train', '256', '--test', '128', '--epochs', '2', '--out', dir]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\nepoch 1\/2  train loss/);
    expect(run.stdout).toMatch(/\nepoch 2\/2  train loss/);
    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'));
    expect(history.history.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2]);
    expect(history.interrupted).toBeNull();
    expect(history.dataset).toBe('mnist');
    const printed = /\nepoch 2\/2 .* test acc (\d+\.\d+)%/.exec(run.stdout)?.[1];
    expect((100 * history.history[1].valAccuracy).toFixed(2)).toBe(printed);
  });

  it('Ctrl-C mid-epoch: reports the saved weights\' accuracy, saves them, says interrupted, exits 130', async () => {
    const dir = join(out, 'sigint');
    const child = spawn(process.execPath, [...START, '--train', '20000', '--test', '500', '--epochs', '2', '--batch-size', '32', '--out', dir], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const status = await new Promise<number | null>((resolve) => {
      let sent = false;
      child.stdout.on('data', (d) => {
        stdout += d;
        // The first progress line of epoch 1 (about 10% in): well inside the epoch.
        if (!sent && /epoch 1\/2 \d+\/625 /.test(stdout)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('exit', (code) => resolve(code));
    });
    expect(stderr).toBe('');
    expect(status).toBe(130);
    const line = /interrupted in epoch 1 after batch (\d+)\/625; the saved weights reach test accuracy (\d+\.\d+)% \(test loss (\d+\.\d+)\)/.exec(stdout);
    expect(line, stdout).not.toBeNull();
    const [batch, accuracy, loss] = [Number(line?.[1]), line?.[2], Number(line?.[3])];
    expect(batch).toBeGreaterThan(0);
    expect(batch).toBeLessThan(625);
    // No epoch finished, so no epoch's accuracy may pass for the result.
    expect(stdout).not.toMatch(/\nepoch 1\/2  train loss/);
    expect(stdout).toContain(`final test accuracy ${accuracy}% of the saved weights (interrupted; 0 complete epoch(s))`);
    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'));
    expect(history.interrupted).toMatchObject({ epoch: 1, batch, batches: 625 });
    expect(history.history).toEqual([]);
    // The saved file holds exactly the weights that were reported.
    await init({ backend: 'wasm' });
    const model = Sequential.load(new Uint8Array(readFileSync(join(dir, 'lenet-wide.simdnet'))));
    const data = await loadMnist({ train: 1, test: 500, normalize: true });
    const again = model.evaluate(data.testImages, data.testLabels);
    expect((100 * again.accuracy).toFixed(2)).toBe(accuracy);
    expect(again.loss).toBeCloseTo(loss, 4);
    expect(history.interrupted.testAccuracy).toBe(again.accuracy);
  });
});

describe('npm start -- --dataset fashion-mnist', () => {
  const installed = existsSync(FASHION_MNIST_DIR);
  if (!installed) console.warn(`Fashion-MNIST training test SKIPPED: ${FASHION_MNIST_DIR} not found (apt-get install -y dataset-fashion-mnist)`);

  it.skipIf(!installed)('trains on Debian\'s Fashion-MNIST (skipped without apt-get install -y dataset-fashion-mnist)', () => {
    const dir = join(out, 'fashion');
    const run = start(['--dataset', 'fashion-mnist', '--train', '1000', '--test', '500', '--epochs', '1', '--out', dir]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Fashion-MNIST: 1000 training and 500 test images loaded/m);
    // Measured 71.4% (seed 1); chance is 10%.
    const accuracy = Number(/final test accuracy (\d+\.\d+)%/.exec(run.stdout)?.[1]);
    expect(accuracy).toBeGreaterThan(55);
    expect(JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')).dataset).toBe('fashion-mnist');
    expect(readFileSync(join(dir, 'loss.svg'), 'utf8')).toContain('lenet-wide on Fashion-MNIST: loss');
  });

  it.skipIf(installed)('without Debian\'s package: one error line with the apt-get command, status 1', () => {
    const run = start(['--dataset', 'fashion-mnist', '--train', '100', '--test', '100', '--epochs', '1', '--out', join(out, 'nofashion')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`error: loadFashionMnist: Fashion-MNIST is not installed (${FASHION_MNIST_DIR} not found); install Debian's package: apt-get install -y dataset-fashion-mnist`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
