// The threads variant in real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core), on the demo server's threads page (examples/browser/threads.html):
// - a crossOriginIsolated page: init({ backend: 'wasm', threads: 2 }) runs on 2 threads
//   with no fallback; a 512³ GEMM, a conv2d forward and backward and three SGD steps of a
//   small CNN give byte-identical outputs on 1 and 2 threads; the same in a dedicated
//   worker the page starts (the backend's workers are then nested workers); and the
//   outputs are Node's (dist/simdnet.js on 2 threads) byte for byte when the variant is the
//   same (the same wasm on the same CPU), else within 1e-4 of the largest value;
// - a page served without COOP/COEP (startServer({ isolate: false })): 1 thread, and
//   threadsFallback names cross-origin isolation and the two headers, in the page and in
//   its worker; the digit demo says so under its title;
// - after dispose() a call throws a clear Error; a backend worker terminated from outside
//   (a page gets no event for it) makes the next call throw within the pickup deadline
//   (10 s), not hang, and a new backend works again.
// Leaves a screenshot in test-artifacts/browser-threads.png. Skipped without Chromium,
// required with SIMDNET_REQUIRE_BROWSER=1 (test/browser/chromium.ts).
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type StartedServer } from '../examples/browser/serve.mjs';
import { threadsCheck, WORKLOAD_NAMES, type ThreadsReport } from '../examples/browser/threads-check.js';
import { ensureDist, root } from './browser/ensure-dist.js';
import { CHROMIUM_INSTALL, currentBrowserSuite } from './browser/chromium.js';
import { browserTest } from './browser/browser-test.js';
import type * as Simdnet from '../src/index.js';

const suite = currentBrowserSuite();
if (!suite.run) console.warn(suite.message);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const NOT_ISOLATED = /^threads: 2 was asked for, but the page is not cross-origin isolated \(serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp\); running on 1 thread$/;
/** Another variant than Node's: float32 sums with or without fused multiply-add. */
const RELATIVE_TOLERANCE = 1e-4;

interface ThreadsState {
  phase: string;
  error: string | null;
  isolated: boolean;
  page: ThreadsReport;
  worker: ThreadsReport;
}
type ThreadsWindow = Window & {
  simdnetThreads: {
    done: Promise<ThreadsState>;
    disposeCheck(): Promise<{ before: { threads: number; failure: string | null }; message: string | null; failure: string | null }>;
    killCheck(): Promise<{ threads: number; workersStarted: number; message: string | null; ms: number; failure: string | null; next: string | null; reloaded: number; reloadedFinite: boolean }>;
  };
};

let isolated: StartedServer;
let open: StartedServer;
let browser: Browser;
let simdnet: typeof Simdnet;
const pageErrors: string[] = [];

const test = browserTest(suite, 120_000);

beforeAll(async () => {
  if (!suite.run) return;
  ensureDist();
  simdnet = (await import(pathToFileURL(join(root, 'dist', 'simdnet.js')).href)) as typeof Simdnet;
  isolated = await startServer({ port: 0, train: 100, test: 10 });
  open = await startServer({ port: 0, train: 100, test: 10, isolate: false });
  browser = await chromium.launch({ executablePath: suite.executablePath, args: ARGS });
});

afterAll(async () => {
  await browser?.close();
  await isolated?.close();
  await open?.close();
});

async function openThreads(server: StartedServer): Promise<{ page: Page; state: ThreadsState; failed: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
  const failed: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${server.url}threads.html`);
  const state = await page.evaluate(() => (window as unknown as ThreadsWindow).simdnetThreads.done);
  return { page, state, failed };
}

const bytes = (base64: string): Buffer => Buffer.from(base64, 'base64');
const floats = (base64: string, name: string): Float32Array | Float64Array => {
  const b = bytes(base64);
  const copy = new Uint8Array(b).buffer;
  return name === 'losses' ? new Float64Array(copy) : new Float32Array(copy);
};

function summary(r: ThreadsReport): string {
  return r.workloads.map((w) => `${w.name}: ${w.ms1.toFixed(1)} → ${w.msN.toFixed(1)} ms`).join('; ');
}

describe(suite.run || suite.required ? 'threads in the browser (Chromium)' : `threads in the browser (Chromium) — SKIPPED, install Chromium: ${CHROMIUM_INSTALL}`, () => {
  let page: Page;
  let state: ThreadsState;

  test('a cross-origin isolated page and its worker run on 2 threads, byte-identical to 1 thread', async () => {
    ({ page, state } = await openThreads(isolated));
    expect(state.phase).toBe('done');
    expect(state.error).toBeNull();
    expect(state.isolated).toBe(true);
    for (const r of [state.page, state.worker]) {
      expect(r.crossOriginIsolated).toBe(true);
      expect([r.threads, r.threadsFallback, r.singleThreads]).toEqual([2, null, 1]);
      expect(['simd', 'relaxed']).toContain(r.variant);
      expect(r.workloads.map((w) => w.name)).toEqual(WORKLOAD_NAMES);
      for (const w of r.workloads) {
        for (const [name, o] of Object.entries(w.outputs)) expect(o.identical, `${r.where}: ${w.name}: ${name} on 2 threads vs 1`).toBe(true);
      }
    }
    expect(state.worker.where).toBe('worker');
    // The page's thread (spinning while the workers finish) and a worker (Atomics.wait): the same bytes.
    expect(state.worker.variant).toBe(state.page.variant);
    for (const [i, w] of state.page.workloads.entries()) {
      for (const [name, o] of Object.entries(w.outputs)) expect(state.worker.workloads[i].outputs[name].base64 === o.base64, `${w.name}: ${name}, page vs worker`).toBe(true);
    }
    expect(await page.textContent('#status')).toBe('PASS: page on 2 thread(s), worker on 2 thread(s)');
    expect(await page.locator('#results thead th').allTextContents()).toEqual(['Work', `page: wasm ${state.page.variant} ×2`, `worker: wasm ${state.worker.variant} ×2`]);
    expect(await page.locator('#results td.fail').count()).toBe(0);
    console.log(`browser threads: hardwareConcurrency ${state.page.hardwareConcurrency}, wasm ${state.page.variant}, 1 → 2 threads; page: ${summary(state.page)}; worker: ${summary(state.worker)}`);
    mkdirSync(join(root, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-artifacts', 'browser-threads.png'), fullPage: true, animations: 'disabled' });
  });

  test('the page\'s outputs are Node\'s (dist/simdnet.js on 2 threads)', async () => {
    const node = await threadsCheck(simdnet, { threads: 2, where: 'node' });
    try {
      expect([node.threads, node.threadsFallback]).toEqual([2, null]);
      for (const w of node.workloads) expect(w.identical, `Node: ${w.name} on 2 threads vs 1`).toBe(true);
      const same = node.variant === state.page.variant;
      let worst = 0;
      for (const [i, w] of state.page.workloads.entries()) {
        for (const [name, o] of Object.entries(w.outputs)) {
          const want = node.workloads[i].outputs[name].base64;
          if (same) {
            expect(o.base64 === want, `${w.name}: ${name}, page vs Node (both ${node.variant})`).toBe(true);
            continue;
          }
          const a = floats(o.base64, name);
          const b = floats(want, name);
          expect(a.length).toBe(b.length);
          let scale = 0;
          for (const v of b) scale = Math.max(scale, Math.abs(v));
          for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]) / scale);
        }
      }
      expect(worst).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
      console.log(`browser threads: page (${state.page.variant}) vs Node (${node.variant}): ${same ? 'byte-identical' : `largest difference ${worst.toExponential(2)} of the largest value`}; Node: ${summary(node)}`);
    } finally {
      await (simdnet.currentBackend() as Simdnet.WasmBackend).dispose();
    }
  });

  test('after dispose() every call throws a clear Error', async () => {
    const r = await page.evaluate(() => (window as unknown as ThreadsWindow).simdnetThreads.disposeCheck());
    expect(r.before).toEqual({ threads: 2, failure: null });
    // The op's first backend call is allocating its output (resident tensors), so that call names it.
    expect(r.message).toBe('allocate: this wasm backend was disposed; load a new one with loadWasmBackend() or init()');
    expect(r.failure).toMatch(/^this wasm backend was disposed/);
  });

  test('a backend worker terminated from outside gives an Error within the pickup deadline, not a hang', async () => {
    const r = await page.evaluate(() => (window as unknown as ThreadsWindow).simdnetThreads.killCheck());
    expect(r.threads).toBe(2);
    expect(r.workersStarted).toBe(1);
    const reason = 'worker 1 of 1 did not pick up its task within 10000 ms; its workers were terminated and this backend cannot run any more: load a new one with loadWasmBackend() or init()';
    expect(r.message).toBe(`gemm: ${reason}`);
    // The 10 s pickup deadline, measured on the page's thread (which spins meanwhile).
    expect(r.ms).toBeGreaterThanOrEqual(9_900);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.failure).toBe(reason);
    // The next op's first backend call, allocating its output, is the one that finds the failure.
    expect(r.next).toBe(`allocate: ${reason}`);
    // A backend loaded afterwards runs on 2 threads again.
    expect(r.reloaded).toBe(2);
    expect(r.reloadedFinite).toBe(true);
    console.log(`browser threads: a terminated worker gave an Error after ${r.ms.toFixed(0)} ms`);
    await page.close();
  }, 60_000);

  test('a page served without COOP/COEP runs on 1 thread and says it is not cross-origin isolated', async () => {
    const { page: plain, state: s, failed } = await openThreads(open);
    expect(failed).toEqual([]);
    expect(s.phase).toBe('done');
    expect(s.isolated).toBe(false);
    for (const r of [s.page, s.worker]) {
      expect(r.crossOriginIsolated).toBe(false);
      expect(r.threads).toBe(1);
      expect(r.threadsFallback).toMatch(NOT_ISOLATED);
      // Still runs, on one thread.
      expect(r.workloads.map((w) => w.name)).toEqual(WORKLOAD_NAMES);
    }
    expect(await plain.textContent('#isolation')).toMatch(/^crossOriginIsolated: false/);
    expect(await plain.textContent('#status')).toMatch(/^PASS: page on 1 thread\(s\), worker on 1 thread\(s\) — threads: 2 was asked for, but the page is not cross-origin isolated/);
    await plain.close();
  });

  test('the digit demo says how many threads it runs on, and why not more', async () => {
    for (const server of [isolated, open]) {
      const demo = await browser.newPage();
      demo.on('pageerror', (e) => pageErrors.push(e.message));
      await demo.goto(server.url);
      const engine = await demo.evaluate(() => (window as unknown as { simdnetDemo: { ready: Promise<{ variant: string; threads: number; threadsFallback: string | null }> } }).simdnetDemo.ready);
      // The demo asks for simdnet's default: the cores, at most 8.
      const cores = Math.min(await demo.evaluate(() => navigator.hardwareConcurrency), 8);
      const text = await demo.textContent('#engine');
      if (server === isolated || cores === 1) {
        expect([engine.threads, engine.threadsFallback]).toEqual([cores, null]);
        expect(text).toBe(`backend: wasm · wasm variant: ${engine.variant} ×${cores}`);
      } else {
        expect(engine.threads).toBe(1);
        expect(engine.threadsFallback).toBe('the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp); running on 1 thread');
        expect(text).toBe(`backend: wasm · wasm variant: ${engine.variant} ×1 (threads: ${engine.threadsFallback})`);
      }
      await demo.close();
    }
  });

  test('raised no uncaught errors in any page', async () => {
    expect(pageErrors).toEqual([]);
  });
});
