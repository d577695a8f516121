// The demo's ONNX page (examples/browser/onnx.html) in real Chromium: a committed PyTorch
// export chosen through the file input (and one dropped on the page) shows what the file
// declares, and Run gives, eager and compiled, the outputs Node computes with the sources
// (src/index.ts) on the same seeded input; a truncated file shows loadOnnx's error on the
// page. The digit page's "Export as .onnx" downloads a file that Node loads back with the
// model's own outputs. Skipped or required exactly as the demo's suite (test/browser/chromium.ts).
import { describe, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type StartedServer } from '../examples/browser/serve.mjs';
import { ensureDist, root } from './browser/ensure-dist.js';
import { CHROMIUM_INSTALL, currentBrowserSuite } from './browser/chromium.js';
import { browserTest } from './browser/browser-test.js';
import * as simdnet from '../src/index.js';

const suite = currentBrowserSuite();
if (!suite.run) console.warn(suite.message);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const FIXTURES = join(root, 'test', 'fixtures', 'onnx-models');
/** Page (wasm in Chromium) vs Node (the same wasm variant in Node's V8): the same kernels
 * on the same input, so float32 rounding at most (the plan also folds and fuses). */
const RELATIVE_TOLERANCE = 1e-5;

interface RunOutcome { shape: number[] | null; values: number[] | null; ms: number | null; runs: number; error: string | null }
interface OnnxPageState {
  engine: { backend: string; variant: string | null } | null;
  file: string | null;
  loadMs: number | null;
  loadError: string | null;
  model: { producer: string; opset: number; irVersion: number; inputs: { name: string; shape: (number | string)[]; dtype: string }[]; outputs: { name: string; shape: (number | string)[]; dtype: string }[]; parameters: number; bufferValues: number } | null;
  run: { seed: number; inputShapes: number[][]; eager: RunOutcome; compiled: RunOutcome & { compileMs: number | null } } | null;
  runError: string | null;
  loads: number;
  runs: number;
}
type OnnxWindow = Window & { simdnetOnnx: { ready: Promise<unknown>; state: OnnxPageState } };

let server: StartedServer;
let browser: Browser;
let modelsDir: string;
const pageErrors: string[] = [];

const test = browserTest(suite);

const pageState = (page: Page): Promise<OnnxPageState> => page.evaluate(() => {
  const s = (window as unknown as OnnxWindow).simdnetOnnx.state;
  const plain = (o: { values: Float32Array | null } | undefined) => (o ? { ...o, values: o.values && Array.from(o.values) } : o);
  return { ...s, run: s.run && { ...s.run, eager: plain(s.run.eager as never), compiled: plain(s.run.compiled as never) } } as unknown as OnnxPageState;
});

async function openOnnxPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${server.url}onnx.html`);
  await page.evaluate(() => (window as unknown as OnnxWindow).simdnetOnnx.ready);
  return page;
}

/** Node's wasm backend on the page's variant, so both run the same kernels. */
async function nodeOnPageVariant(page: Page): Promise<string> {
  const engine = (await pageState(page)).engine;
  expect(engine?.backend).toBe('wasm');
  await simdnet.init({ backend: 'wasm', variant: engine?.variant as simdnet.WasmVariant });
  return engine?.variant as string;
}

function expectClose(actual: number[], expected: Float32Array, what: string): number {
  expect(actual, what).toHaveLength(expected.length);
  const scale = Math.max(...Array.from(expected, Math.abs));
  const diff = Math.max(...actual.map((v, i) => Math.abs(v - expected[i])));
  expect(diff, `${what}: largest difference ${diff} against largest output ${scale}`).toBeLessThanOrEqual(RELATIVE_TOLERANCE * scale);
  return diff;
}

beforeAll(async () => {
  if (!suite.run) return;
  ensureDist();
  modelsDir = mkdtempSync(join(tmpdir(), 'simdnet-onnx-models-'));
  server = await startServer({ port: 0, train: 64, test: 16, models: modelsDir });
  browser = await chromium.launch({ executablePath: suite.executablePath, args: ARGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (modelsDir) rmSync(modelsDir, { recursive: true, force: true });
});

describe(suite.run || suite.required ? 'browser ONNX page (Chromium)' : `browser ONNX page (Chromium) — SKIPPED, install Chromium: ${CHROMIUM_INSTALL}`, () => {
  let page: Page;

  test('the digit page links to it', async () => {
    const digits = await browser.newPage();
    digits.on('pageerror', (error) => pageErrors.push(error.message));
    await digits.goto(server.url);
    await digits.click('a[href="onnx.html"]');
    await digits.waitForURL(/onnx\.html$/);
    await digits.evaluate(() => (window as unknown as OnnxWindow).simdnetOnnx.ready);
    expect(await digits.textContent('#engine')).toMatch(/^backend: wasm · wasm variant: (simd|relaxed)$/);
    await digits.close();
  });

  test('a PyTorch LeNet chosen through the file input shows its producer, opset, inputs, outputs and parameter count', async () => {
    page = await openOnnxPage();
    const bytes = readFileSync(join(FIXTURES, 'lenet.onnx'));
    const node = simdnet.loadOnnx(new Uint8Array(bytes));
    await page.setInputFiles('#onnx-file', join(FIXTURES, 'lenet.onnx'));
    await page.waitForFunction(() => (window as unknown as OnnxWindow).simdnetOnnx.state.loads === 1);
    const s = await pageState(page);
    expect(s.loadError).toBeNull();
    const parameters = node.parameters().reduce((n, p) => n + p.size, 0);
    expect(s.model).toMatchObject({
      producer: `${node.producerName} ${node.producerVersion}`,
      opset: node.opset,
      irVersion: node.irVersion,
      inputs: node.inputs.map((i) => ({ ...i, shape: [...i.shape] })),
      outputs: node.outputs.map((o) => ({ ...o, shape: [...o.shape] })),
      parameters,
    });
    expect(s.model?.inputs[0].shape).toEqual(['batch', 1, 28, 28]); // the fixture's dynamic batch
    // What the page shows, as text.
    const meta = (await page.textContent('#meta')) ?? '';
    expect(meta).toContain(`producer${node.producerName} ${node.producerVersion}`);
    expect(meta).toContain(`opset${node.opset} (IR version ${node.irVersion})`);
    expect(meta).toContain(`parameters${parameters.toLocaleString('en')}`);
    expect(meta).toMatch(/load time\d+\.\d ms/);
    const io = (await page.textContent('#io')) ?? '';
    expect(io).toContain('inputinput[batch, 1, 28, 28]float32');
    expect(io).toContain('outputoutput[batch, 10]float32');
    expect(await page.isEnabled('#run')).toBe(true);
    expect(await page.isHidden('#load-error')).toBe(true);
  });

  test('Run gives, eager and compiled, the outputs Node computes on the same seeded input', async () => {
    const variant = await nodeOnPageVariant(page);
    await page.fill('#seed', '7');
    await page.click('#run');
    await page.waitForFunction(() => (window as unknown as OnnxWindow).simdnetOnnx.state.runs === 1);
    const s = await pageState(page);
    expect(s.runError).toBeNull();
    const run = s.run;
    if (!run) throw new Error('no run recorded');
    expect(run.inputShapes).toEqual([[1, 1, 28, 28]]); // symbolic batch → 1
    const node = simdnet.loadOnnx(new Uint8Array(readFileSync(join(FIXTURES, 'lenet.onnx'))));
    const expected = node.forward(simdnet.randn([1, 1, 28, 28], { seed: 7 }));
    expect(run.eager.error).toBeNull();
    expect(run.compiled.error).toBeNull();
    expect(run.eager.shape).toEqual([1, 10]);
    expect(run.compiled.shape).toEqual([1, 10]);
    const eagerDiff = expectClose(run.eager.values as number[], expected.data, 'eager');
    const compiledDiff = expectClose(run.compiled.values as number[], expected.data, 'compiled');
    expect(run.eager.ms).toBeGreaterThan(0);
    expect(run.compiled.ms).toBeGreaterThan(0);
    expect(run.compiled.compileMs).toBeGreaterThan(0);
    // The table shows both columns: the shape, the first values, the times.
    const table = (await page.textContent('#results')) ?? '';
    expect(table).toContain(`Eager (model.forward) on wasm (${variant})`);
    expect(table).toContain(`Compiled (model.compile) on wasm (${variant})`);
    expect(table).toContain('output shape[1, 10][1, 10]');
    expect(table).toContain(Number(expected.data[0].toPrecision(5)).toString());
    expect(table).toMatch(/time per run\d+\.\d{3} ms \(mean of \d+\)\d+\.\d{3} ms \(mean of \d+\)/);
    console.log(`browser ONNX page: LeNet on wasm ${variant}: eager ${run.eager.ms?.toFixed(3)} ms, compiled ${run.compiled.ms?.toFixed(3)} ms (compile ${run.compiled.compileMs?.toFixed(1)} ms, load ${s.loadMs?.toFixed(1)} ms); page vs Node: eager ${eagerDiff.toExponential(2)}, compiled ${compiledDiff.toExponential(2)}`);
    mkdirSync(join(root, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-artifacts', 'browser-onnx.png'), fullPage: true });
  });

  test('a truncated file shows loadOnnx\'s error on the page and leaves no model', async () => {
    const bytes = readFileSync(join(FIXTURES, 'lenet.onnx'));
    const truncated = bytes.subarray(0, Math.floor(bytes.length / 2));
    let nodeError = '';
    try {
      simdnet.loadOnnx(new Uint8Array(truncated));
    } catch (e) {
      nodeError = (e as Error).message;
    }
    expect(nodeError).toMatch(/^loadOnnx: /);
    await page.setInputFiles('#onnx-file', { name: 'truncated.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from(truncated) });
    await page.waitForFunction(() => (window as unknown as OnnxWindow).simdnetOnnx.state.loads === 2);
    const s = await pageState(page);
    expect(s.loadError).toBe(nodeError);
    expect(s.model).toBeNull();
    expect(s.run).toBeNull();
    expect(await page.isVisible('#load-error')).toBe(true);
    expect(await page.textContent('#load-error')).toBe(nodeError);
    expect(await page.textContent('#load-status')).toBe('Could not load truncated.onnx (no model loaded):');
    // The previous model's figures are gone and Run is off.
    expect(await page.isHidden('#meta')).toBe(true);
    expect(await page.isHidden('#results')).toBe(true);
    expect(await page.isEnabled('#run')).toBe(false);
  });

  test('a file dropped on the page loads too (a residual net with BatchNorm buffers and a static batch)', async () => {
    const bytes = readFileSync(join(FIXTURES, 'resnet.onnx'));
    const dataTransfer = await page.evaluateHandle((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'resnet.onnx', { type: 'application/octet-stream' }));
      return dt;
    }, Array.from(bytes));
    await page.dispatchEvent('#drop', 'drop', { dataTransfer });
    await page.waitForFunction(() => (window as unknown as OnnxWindow).simdnetOnnx.state.loads === 3);
    const node = simdnet.loadOnnx(new Uint8Array(bytes));
    let s = await pageState(page);
    expect(s.loadError).toBeNull();
    expect(s.model?.inputs).toEqual(node.inputs.map((i) => ({ ...i, shape: [...i.shape] })));
    expect(s.model?.bufferValues).toBe(node.namedBuffers().reduce((n, [, b]) => n + b.size, 0));
    expect(s.model?.bufferValues).toBeGreaterThan(0);
    await page.fill('#seed', '3');
    await page.click('#run');
    await page.waitForFunction(() => (window as unknown as OnnxWindow).simdnetOnnx.state.runs === 2);
    s = await pageState(page);
    const shape = node.inputs[0].shape as number[];
    const expected = node.forward(simdnet.randn(shape, { seed: 3 }));
    expect(s.run?.inputShapes).toEqual([shape]);
    expectClose(s.run?.eager.values as number[], expected.data, 'eager');
    // The plan folds BatchNorm into the convolutions: a few more float32 roundings.
    expectClose(s.run?.compiled.values as number[], expected.data, 'compiled');
  });

  test('an unsupported op shows loadOnnx\'s error naming the node and op type', async () => {
    // The LeNet fixture with every 'Relu' spelled 'Relx' (same length: still valid protobuf).
    const bytes = Buffer.from(readFileSync(join(FIXTURES, 'lenet.onnx')));
    const from = Buffer.from('Relu');
    let replaced = 0;
    for (let at = bytes.indexOf(from); at >= 0; at = bytes.indexOf(from, at + 4), replaced++) bytes.write('Relx', at, 'latin1');
    expect(replaced).toBeGreaterThan(0);
    let nodeError = '';
    try {
      simdnet.loadOnnx(new Uint8Array(bytes));
    } catch (e) {
      nodeError = (e as Error).message;
    }
    expect(nodeError).toContain('Relx');
    await page.setInputFiles('#onnx-file', { name: 'unsupported.onnx', mimeType: 'application/octet-stream', buffer: bytes });
    await page.waitForFunction(() => (window as unknown as OnnxWindow).simdnetOnnx.state.loads === 4);
    expect(await page.textContent('#load-error')).toBe(nodeError);
    expect(await page.isVisible('#load-error')).toBe(true);
    expect(await page.isEnabled('#run')).toBe(false);
    console.log(`browser ONNX page: unsupported op shown as: ${nodeError}`);
  });

  test('the digit page exports its model as .onnx; Node loads the download and gets the model\'s outputs', async () => {
    const digits = await browser.newPage({ acceptDownloads: true });
    digits.on('pageerror', (error) => pageErrors.push(error.message));
    await digits.goto(server.url);
    await digits.evaluate(() => (window as unknown as { simdnetDemo: { modelReady: Promise<void> } }).simdnetDemo.modelReady);
    expect(await digits.isEnabled('#export-onnx')).toBe(false); // no model yet
    // A LeNet with BatchNorm (its running statistics must travel), made and saved in Node.
    const random = new simdnet.Random(5);
    const model = new simdnet.Sequential([
      new simdnet.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 5, padding: 2, random }),
      new simdnet.BatchNorm2d({ numFeatures: 4 }),
      new simdnet.ReLU(),
      new simdnet.MaxPool2d({ kernelSize: 2 }),
      new simdnet.Flatten(),
      new simdnet.Linear({ inFeatures: 4 * 14 * 14, outFeatures: 10, random }),
    ]);
    model.train();
    model.forward(simdnet.randn([8, 1, 28, 28], { seed: 9 })); // non-trivial running statistics
    model.eval();
    const saved = model.save();
    await digits.evaluate((data) => (window as unknown as { simdnetDemo: { loadModelBytes(b: Uint8Array, n: string): Promise<void> } }).simdnetDemo.loadModelBytes(new Uint8Array(data), 'bn lenet.simdnet'), Array.from(saved));
    expect(await digits.isEnabled('#export-onnx')).toBe(true);
    const [download] = await Promise.all([digits.waitForEvent('download'), digits.click('#export-onnx')]);
    expect(download.suggestedFilename()).toBe('bn-lenet.onnx');
    const file = await download.path();
    const exported = simdnet.loadOnnx(new Uint8Array(readFileSync(file)));
    expect(exported.inputs[0].shape).toEqual(['batch', 1, 28, 28]); // runs any batch
    expect(await digits.textContent('#export-status')).toBe(`Exported bn-lenet.onnx (${readFileSync(file).length.toLocaleString('en')} bytes).`);
    const x = simdnet.randn([2, 1, 28, 28], { seed: 11 });
    const expected = simdnet.Sequential.load(saved).predict(x);
    expectClose(Array.from(exported.forward(x).data), expected.data, 'exported');
    await digits.close();
  });

  test('raised no uncaught errors in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
