// The threads page: the threads check (threads-check.js) on this page's thread and in a
// dedicated worker, shown side by side; whether the page is cross-origin isolated and, if
// not, the fallback simdnet reports. ?threads=N asks for N threads (default 2).
// window.simdnetThreads.done resolves with { isolated, page, worker } (the Chromium test
// reads it); disposeCheck() and killCheck() are the reliability checks the test runs.
import { WORKLOAD_NAMES, threadsCheck } from './threads-check.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const threads = Number(params.get('threads') ?? 2);

const state = { phase: 'starting', error: null, isolated: globalThis.crossOriginIsolated === true, page: null, worker: null };

const ms = (v) => `${v.toFixed(1)} ms`;

function show() {
  const table = $('results');
  table.replaceChildren();
  const runs = [state.page, state.worker].filter(Boolean);
  const row = (cells, tag) => {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const cell = document.createElement(tag);
      const value = typeof c === 'object' ? c : { text: String(c) };
      cell.textContent = value.text;
      if (value.ok === true) cell.className = 'ok';
      if (value.ok === false) cell.className = 'fail';
      tr.append(cell);
    }
    return tr;
  };
  const head = document.createElement('thead');
  head.append(row(['Work', ...runs.map((r) => `${r.where}: wasm ${r.variant} ×${r.threads}`)], 'th'));
  const body = document.createElement('tbody');
  for (const name of WORKLOAD_NAMES) {
    body.append(row([name, ...runs.map((r) => {
      const w = r.workloads.find((x) => x.name === name);
      if (!w) return '–';
      const same = r.threads > 1 ? (w.identical ? 'identical to 1 thread' : 'DIFFERS from 1 thread') : 'ran on 1 thread';
      return { text: `${ms(w.ms1)} → ${ms(w.msN)} · ${same}`, ok: r.threads > 1 ? w.identical : undefined };
    })], 'td'));
  }
  body.append(row(['threadsFallback', ...runs.map((r) => r.threadsFallback ?? 'none')], 'td'));
  table.append(head, body);
}

function inWorker() {
  const worker = new Worker(new URL('./threads-worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      worker.terminate();
      if (data.type === 'done') resolve(data.report);
      else reject(new Error(`in the worker: ${data.message}`));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`the worker failed: ${event.message}`));
    };
    worker.postMessage({ threads });
  });
}

let simdnet = null;

async function run() {
  $('isolation').textContent = state.isolated
    ? 'crossOriginIsolated: true (the server sends COOP/COEP): threads can share memory'
    : 'crossOriginIsolated: false (the server sends no COOP/COEP): simdnet runs on one thread';
  try {
    simdnet = await import('../../dist/simdnet.browser.js');
  } catch (error) {
    throw new Error(`cannot load ../../dist/simdnet.browser.js (run \`npm run build\`): ${error.message}`);
  }
  window.simdnetThreads.simdnet = simdnet;
  state.phase = 'page';
  $('status').textContent = `Running on this page's thread (threads: ${threads})…`;
  state.page = await threadsCheck(simdnet, { threads, where: 'page' });
  show();
  state.phase = 'worker';
  $('status').textContent = `Running in a worker (threads: ${threads})…`;
  state.worker = await inWorker();
  show();
  state.phase = 'done';
  const all = [state.page, state.worker];
  const ok = all.every((r) => r.workloads.every((w) => w.identical));
  $('status').textContent = `${ok ? 'PASS' : 'FAIL'}: page on ${state.page.threads} thread(s), worker on ${state.worker.threads} thread(s)${state.page.threadsFallback ? ` — ${state.page.threadsFallback}` : ''}`;
  $('status').className = `engine ${ok ? 'ok' : 'fail'}`;
  return state;
}

/** After dispose(), a call on the backend throws: resolves to the message. */
async function disposeCheck() {
  const backend = await simdnet.loadWasmBackend({ threads });
  const before = { threads: backend.threads, failure: backend.failure };
  await backend.dispose();
  const a = simdnet.randn([128, 128], { seed: 1 });
  let message = null;
  try {
    simdnet.gemm(a, a, {}, backend);
  } catch (error) {
    message = error.message;
  }
  return { before, message, failure: backend.failure };
}

/**
 * A worker killed from outside (here: terminate() on the Web Worker simdnet started,
 * caught by wrapping the Worker constructor) turns the next call into an Error, not a
 * hang. Resolves to { threads, message, ms, failure, next, reloaded }: the error, how long
 * the call took to give it, the backend's failure, a later call's error, and the thread
 * count of a backend loaded afterwards (which works again).
 */
async function killCheck() {
  const started = [];
  const RealWorker = globalThis.Worker;
  globalThis.Worker = class extends RealWorker {
    constructor(...args) {
      super(...args);
      started.push(this);
    }
  };
  let backend;
  try {
    backend = await simdnet.loadWasmBackend({ threads });
  } finally {
    globalThis.Worker = RealWorker;
  }
  const a = simdnet.randn([512, 512], { seed: 1 });
  simdnet.gemm(a, a, {}, backend); // runs on every thread
  started[0].terminate(); // a page is told nothing when a worker ends
  // Chromium ends a worker that is running script (ours waits in Atomics.wait) about 2 s
  // after terminate(); until then it still answers. Then it is gone without an event.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const t0 = performance.now();
  let message = null;
  try {
    simdnet.gemm(a, a, {}, backend);
  } catch (error) {
    message = error.message;
  }
  const elapsed = performance.now() - t0;
  let next = null;
  try {
    simdnet.gemm(a, a, {}, backend);
  } catch (error) {
    next = error.message;
  }
  const fresh = await simdnet.loadWasmBackend({ threads });
  const c = simdnet.gemm(a, a, {}, fresh).data;
  await fresh.dispose();
  return { threads: backend.threads, workersStarted: started.length, message, ms: elapsed, failure: backend.failure, next, reloaded: fresh.threads, reloadedFinite: c.every(Number.isFinite) };
}

window.simdnetThreads = { state, disposeCheck, killCheck, simdnet: null };
window.simdnetThreads.done = run().catch((error) => {
  state.phase = 'error';
  state.error = error.message;
  $('status').textContent = `The threads check failed: ${error.message}`;
  throw error;
});
window.simdnetThreads.done.catch(() => {}); // shown on the page; tests still see the rejection
