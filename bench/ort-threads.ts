// onnxruntime-web on several threads, in a worker thread of its own. A process holds one
// onnxruntime-web, whose thread count is fixed when its first session starts (and a second
// copy cannot register its backends beside the first), so the numThreads-2 column runs
// in a worker that loads its own copy. The worker exposes what the rows use of the Ort API
// (InferenceSession.create / run / release, Tensor), each call a message round trip; a
// run's input is copied over once per call (about 0.3 ms for a 224² image), which the
// column pays.
import { Worker } from 'node:worker_threads';
import type * as OrtWeb from 'onnxruntime-web';
import type { Ort, OrtSetup } from './ort.js';

// An eval'd worker is CommonJS; the package is imported by its resolved URL.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const ort = await import(workerData.url);
  ort.env.wasm.numThreads = workerData.threads;
  const sessions = new Map();
  let next = 0;
  parentPort.on('message', async (m) => {
    try {
      if (m.kind === 'create') {
        const s = await ort.InferenceSession.create(m.bytes, m.options);
        const id = next++;
        sessions.set(id, s);
        parentPort.postMessage({ call: m.call, id, inputNames: s.inputNames, outputNames: s.outputNames });
      } else if (m.kind === 'run') {
        const s = sessions.get(m.id);
        const feed = {};
        for (const [name, t] of Object.entries(m.feed)) feed[name] = new ort.Tensor(t.type, t.data, t.dims);
        const out = await s.run(feed);
        const result = {};
        for (const [name, t] of Object.entries(out)) result[name] = { type: t.type, data: t.data, dims: t.dims };
        parentPort.postMessage({ call: m.call, result });
      } else if (m.kind === 'release') {
        await sessions.get(m.id)?.release();
        sessions.delete(m.id);
        parentPort.postMessage({ call: m.call });
      }
    } catch (e) {
      parentPort.postMessage({ call: m.call, error: String(e && e.stack || e) });
    }
  });
  parentPort.postMessage({ ready: ort.env.versions.web ?? ort.env.versions.common ?? '?' });
})().catch((e) => parentPort.postMessage({ failed: String(e && e.stack || e) }));
`;

interface WireTensor {
  type: string;
  data: Float32Array;
  dims: readonly number[];
}

/** The worker's Ort calls as promises. */
class OrtWorker {
  private calls = 0;
  private readonly pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: Record<string, unknown>) => {
      const p = this.pending.get(m.call as number);
      if (!p) return;
      this.pending.delete(m.call as number);
      if (typeof m.error === 'string') p.reject(new Error(`onnxruntime-web worker: ${m.error}`));
      else p.resolve(m);
    });
    worker.on('error', (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
  }

  static start(threads: number): Promise<{ worker: OrtWorker; version: string }> {
    const worker = new Worker(WORKER, { eval: true, workerData: { url: import.meta.resolve('onnxruntime-web'), threads } });
    return new Promise((resolve, reject) => {
      const first = (m: Record<string, unknown>): void => {
        worker.off('message', first);
        if (typeof m.ready === 'string') resolve({ worker: new OrtWorker(worker), version: m.ready });
        else reject(new Error(`onnxruntime-web worker: ${String(m.failed)}`));
      };
      worker.on('message', first);
      worker.once('error', reject);
    });
  }

  call(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Record<string, unknown>> {
    const call = this.calls++;
    return new Promise((resolve, reject) => {
      this.pending.set(call, { resolve, reject });
      this.worker.postMessage({ ...message, call }, transfer);
    });
  }
}

/** onnxruntime-web with `threads` threads, behind the Ort interface the rows use. */
export async function setupOrtWebThreads(threads: number): Promise<OrtSetup> {
  const { worker, version } = await OrtWorker.start(threads);
  class Tensor implements WireTensor {
    constructor(
      readonly type: string,
      readonly data: Float32Array,
      readonly dims: readonly number[],
    ) {}
  }
  const InferenceSession = {
    async create(bytes: Uint8Array, options: OrtWeb.InferenceSession.SessionOptions) {
      const made = await worker.call({ kind: 'create', bytes, options });
      const id = made.id as number;
      return {
        inputNames: made.inputNames as string[],
        outputNames: made.outputNames as string[],
        async run(feed: Record<string, WireTensor>) {
          const wire = Object.fromEntries(Object.entries(feed).map(([k, t]) => [k, { type: t.type, data: t.data, dims: t.dims }]));
          return (await worker.call({ kind: 'run', id, feed: wire })).result as Record<string, WireTensor>;
        },
        release: () => worker.call({ kind: 'release', id }),
      };
    },
  };
  const ort = { InferenceSession, Tensor, env: {} } as unknown as Ort;
  return { ort, version: `${version} (${threads} threads, in a worker)` };
}
