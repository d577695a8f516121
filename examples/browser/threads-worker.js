// The threads check inside a dedicated module worker: the backend's own workers are then
// nested workers (started by this one), and this thread may block in Atomics.wait.
// Message in: { threads }. Message out: { type: 'done', report } or { type: 'error', message }.
import * as simdnet from '../../dist/simdnet.browser.js';
import { threadsCheck } from './threads-check.js';

self.onmessage = ({ data }) => {
  threadsCheck(simdnet, { threads: data.threads, where: 'worker' }).then(
    (report) => self.postMessage({ type: 'done', report }),
    (error) => self.postMessage({ type: 'error', message: error?.message ?? String(error) }),
  );
};
