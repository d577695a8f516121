// The demo's parity page (examples/browser/parity.html) in real Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core): the op sweep, the small CNN and ONNX's
// conformance tests run in the page on js, every wasm variant Chromium validates and both
// threads builds on 2 threads (the demo server makes the page cross-origin isolated; the
// conformance tests on naive too) and finish with no failure, the tables show every op
// and backend, and the counts are Node's. Served without COOP/COEP, the threads builds
// are listed as skipped with the reason, and the rest still runs. Leaves a screenshot in
// test-artifacts/browser-parity.png. Without Chromium the suite is skipped and prints the
// install command; with SIMDNET_REQUIRE_BROWSER=1 (CI) it fails instead
// (test/browser/chromium.ts).
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type StartedServer } from '../examples/browser/serve.mjs';
import { ensureDist, root } from './browser/ensure-dist.js';
import { CHROMIUM_INSTALL, currentBrowserSuite } from './browser/chromium.js';
import { browserTest } from './browser/browser-test.js';
import { defaultSweep } from '../src/index.js';

const suite = currentBrowserSuite();
if (!suite.run) console.warn(suite.message);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

interface Counts {
  tests: number;
  pass: number;
  fail: number;
  unsupported: number;
  exceptions: number;
}
interface ParityState {
  phase: string;
  isolated: boolean;
  skipped: { label: string; reason: string }[];
  error: string | null;
  ok: boolean | null;
  ms: number | null;
  variants: { variant: string; unavailable: string | null }[];
  sweep: { ok: boolean; backends: string[]; ops: string[]; failures: number };
  cnn: { ok: boolean; backends: string[] };
  conformance: { ok: boolean; backends: string[]; ops: string[]; counts: Record<string, Counts>; failures: string[] };
}
type ParityWindow = Window & { simdnetParity: { done: Promise<ParityState>; state: ParityState } };

let server: StartedServer;
let plainServer: StartedServer;
let browser: Browser;

const test = browserTest(suite, 180_000);

beforeAll(async () => {
  if (!suite.run) return;
  ensureDist();
  server = await startServer({ port: 0, train: 100, test: 10 });
  plainServer = await startServer({ port: 0, train: 100, test: 10, isolate: false });
  browser = await chromium.launch({ executablePath: suite.executablePath, args: ARGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await plainServer?.close();
});

async function open(query: string, at: StartedServer = server): Promise<{ page: Page; state: ParityState; errors: string[]; failed: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const failed: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${at.url}parity.html${query}`);
  const state = await page.evaluate(() => (window as unknown as ParityWindow).simdnetParity.done);
  return { page, state, errors, failed };
}

describe(suite.run || suite.required ? 'browser parity page (Chromium)' : `browser parity page (Chromium) — SKIPPED, install Chromium: ${CHROMIUM_INSTALL}`, () => {
  test('runs the sweep, the CNN and the ONNX conformance tests on every backend and variant, threads builds included, with no failure', async () => {
    const { page, state, errors, failed } = await open('');
    expect(errors).toEqual([]);
    expect(failed).toEqual([]);
    expect(state.phase).toBe('done');
    expect(state.error).toBeNull();
    // Chromium validates every variant, relaxed SIMD included.
    expect(state.variants.map((v) => [v.variant, v.unavailable])).toEqual(expect.arrayContaining([['scalar', null], ['simd', null], ['relaxed', null]]));
    // Cross-origin isolated, so both threads builds ran on 2 threads: a threads backend that
    // falls back to one thread is skipped by the parity tools, never run under that label.
    expect(state.isolated).toBe(true);
    expect(state.skipped).toEqual([]);
    const wasm = ['wasm:scalar', 'wasm:simd', 'wasm:relaxed', 'wasm:simd-threads', 'wasm:relaxed-threads'];
    expect([...state.sweep.backends].sort()).toEqual(['js', ...wasm].sort());
    expect(state.sweep.ops).toEqual([...new Set(defaultSweep().map((c) => c.op))]);
    expect(state.sweep.failures).toBe(0);
    expect(state.sweep.ok).toBe(true);
    expect(state.cnn.ok).toBe(true);
    expect([...state.cnn.backends].sort()).toEqual(['js', ...wasm].sort());
    // The counts `simdnet parity` prints in Node (test/parity-user.test.ts): on every backend.
    expect(state.conformance.failures).toEqual([]);
    expect(state.conformance.ok).toBe(true);
    expect(state.conformance.ops).toHaveLength(35);
    expect(Object.keys(state.conformance.counts).sort()).toEqual(['js', 'naive', ...wasm].sort());
    for (const c of Object.values(state.conformance.counts)) expect(c).toEqual({ tests: 231, pass: 222, fail: 0, unsupported: 0, exceptions: 9 });
    expect(state.ok).toBe(true);
    // What the page shows: the verdict, a row per op and per ONNX operator, a column per backend.
    expect(await page.textContent('#status')).toMatch(/^PASS: \d+ op outputs, 6 backend\(s\) on the CNN, ONNX conformance 231 tests on 7 backend\(s\), \d+ ms$/);
    expect(await page.textContent('#engine')).toMatch(/crossOriginIsolated: true \(threads builds run on 2 threads\)$/);
    expect(await page.locator('#sweep thead th').allTextContents()).toEqual(['Op', 'Cases', ...state.sweep.backends]);
    expect(await page.locator('#sweep tbody tr').count()).toBe(state.sweep.ops.length);
    expect(await page.locator('#conformance thead th').allTextContents()).toEqual(['Operator', 'Tests', 'Pass', 'Fail', 'Unsupported', ...state.conformance.backends]);
    expect(await page.locator('#conformance tbody tr').count()).toBe(35);
    expect(await page.locator('td.fail').count()).toBe(0);
    expect(await page.locator('#conformance tbody tr', { hasText: 'Resize' }).locator('td').allTextContents()).toEqual(['Resize', '22', '22', '0', '0', ...state.conformance.backends.map(() => expect.stringMatching(/ ok$/))]);
    expect(await page.locator('#exceptions li').count()).toBe(9);
    expect(await page.textContent('#text')).toMatch(/^Op parity against naive/);
    console.log(`browser parity page: ${state.sweep.ops.length} ops on ${state.sweep.backends.join(', ')}; ONNX conformance 222 pass, 9 listed exceptions on each of ${state.conformance.backends.join(', ')}; ${state.ms} ms`);
    mkdirSync(join(root, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-artifacts', 'browser-parity.png'), fullPage: true, animations: 'disabled' });
    await page.close();
  });

  test('?backends=wasm:scalar limits the run to that variant (and naive for the conformance tests)', async () => {
    const { page, state, errors } = await open('?backends=wasm:scalar');
    expect(errors).toEqual([]);
    expect(state.ok).toBe(true);
    expect(state.sweep.backends).toEqual(['wasm:scalar']);
    expect(Object.keys(state.conformance.counts)).toEqual(['naive', 'wasm:scalar']);
    await page.close();
  });

  test('served without COOP/COEP, the threads builds are skipped with the reason and the rest passes', async () => {
    const { page, state, errors } = await open('?backends=wasm:simd,wasm:threads', plainServer);
    expect(errors).toEqual([]);
    expect(state.isolated).toBe(false);
    expect(state.ok).toBe(true);
    expect(state.sweep.backends).toEqual(['wasm:simd']);
    expect(Object.keys(state.conformance.counts)).toEqual(['naive', 'wasm:simd']);
    const reason = 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
    expect(state.skipped).toEqual([{ label: 'wasm:simd-threads', reason }, { label: 'wasm:relaxed-threads', reason }]);
    expect(await page.locator('#skipped li').allTextContents()).toEqual([`skipped wasm:simd-threads: ${reason}`, `skipped wasm:relaxed-threads: ${reason}`]);
    expect(await page.textContent('#engine')).toMatch(/crossOriginIsolated: false \(threads builds cannot share memory here\)$/);
    await page.close();
  });

  test('an unknown backend is reported on the page', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}parity.html?backends=gpu`);
    const message = await page.evaluate(() => (window as unknown as ParityWindow).simdnetParity.done.then(() => 'resolved', (e: Error) => e.message));
    expect(message).toMatch(/paritySweep: unknown backend 'gpu'/);
    expect(await page.textContent('#status')).toMatch(/^The parity run failed: paritySweep: unknown backend 'gpu'/);
    await page.close();
  });
});
