// The code every worker runs, as plain JavaScript text (not a stringified function, which
// a bundler or tsx could rewrite with helpers the worker does not have). One body serves
// Node's worker_threads and pages' Web Workers; a two-line adapter per environment says how
// messages arrive and leave.
//
// The worker gets { module, memory, control, index, kernels } once, instantiates the module
// over the shared memory, answers 'ready' (or 'failed'), and then never returns to its event
// loop: it waits on its GO word, runs its part of each job, and counts itself done.
import { DONE, ERROR, ERROR_CHARS, ERROR_LENGTH, ERROR_TEXT, GENERATION, GO, JOB, PENDING, PICKED, WORKER_BASE, WORKER_SLOTS } from './protocol.js';

const NODE_ADAPTER = `const { parentPort } = require('node:worker_threads');
const onStart = (f) => parentPort.once('message', f);
const post = (m) => parentPort.postMessage(m);
`;

const PAGE_ADAPTER = `const onStart = (f) => { self.onmessage = (e) => { self.onmessage = null; f(e.data); }; };
const post = (m) => self.postMessage(m);
`;

const BODY = `'use strict';
onStart((start) => {
  const { module, memory, control, index, kernels } = start;
  let exports;
  try {
    exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  } catch (e) {
    post({ type: 'failed', message: String((e && e.message) || e) });
    return;
  }
  const fns = kernels.map((name) => exports[name]);
  const i32 = new Int32Array(memory.buffer, control, ${ERROR_TEXT + ERROR_CHARS / 2});
  const go = ${WORKER_BASE} + ${WORKER_SLOTS} * index + ${GO};
  const picked = go - ${GO} + ${PICKED};
  const done = go - ${GO} + ${DONE};
  let f64 = new Float64Array(memory.buffer);
  let seen = Atomics.load(i32, go);
  post({ type: 'ready', generation: Atomics.load(i32, ${GENERATION}) });
  const args = [];
  for (;;) {
    let g = Atomics.load(i32, go);
    while (g === seen) {
      Atomics.wait(i32, go, seen);
      g = Atomics.load(i32, go);
    }
    seen = g;
    Atomics.store(i32, picked, g);
    try {
      // The caller may have grown the memory since: the old view would be too short.
      if (f64.buffer.byteLength !== memory.buffer.byteLength) f64 = new Float64Array(memory.buffer);
      const base = Atomics.load(i32, ${JOB}) / 8;
      let at = base + f64[base + index];
      const calls = f64[at++];
      for (let c = 0; c < calls; c++) {
        const fn = fns[f64[at++]];
        const count = f64[at++];
        args.length = count;
        for (let i = 0; i < count; i++) args[i] = f64[at++];
        fn.apply(null, args);
      }
    } catch (e) {
      if (Atomics.compareExchange(i32, ${ERROR}, 0, index + 1) === 0) {
        const text = String((e && e.message) || e).slice(0, ${ERROR_CHARS});
        const units = new Uint16Array(memory.buffer, control + ${4 * ERROR_TEXT}, ${ERROR_CHARS});
        for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
        Atomics.store(i32, ${ERROR_LENGTH}, text.length);
      }
    }
    Atomics.store(i32, done, g);
    if (Atomics.sub(i32, ${PENDING}, 1) === 1) Atomics.notify(i32, ${PENDING});
  }
});
`;

export const NODE_WORKER_SOURCE = NODE_ADAPTER + BODY;
export const PAGE_WORKER_SOURCE = PAGE_ADAPTER + BODY;
