// What differs between Node and pages for threads: whether shared memory is allowed, how
// many cores there are, how a worker starts and how its death is seen, and whether the
// calling thread may block in Atomics.wait (a page's main thread may not).
// node:os and node:worker_threads are imported dynamically, on Node only, so browser
// bundles never pull them in.
import { NODE_WORKER_SOURCE, PAGE_WORKER_SOURCE } from './worker-source.js';

/** Threads a default load uses at most (beyond that a CNN's layers rarely split well). */
export const DEFAULT_THREADS_CAP = 8;

export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Logical cores: os.availableParallelism() in Node, navigator.hardwareConcurrency in pages
 * (and where node:os is not available, e.g. the browser bundle run by Node); else 1. */
export async function availableCores(): Promise<number> {
  if (isNode()) {
    try {
      const os = await import('node:os');
      if (typeof os.availableParallelism === 'function') return os.availableParallelism();
      return os.cpus().length;
    } catch {
      // a bundle without node:os: ask navigator below
    }
  }
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n >= 1 ? Math.floor(n) : 1;
}

/** Why this engine cannot share memory between threads, or null when it can. */
export function sharedMemoryUnavailable(): string | null {
  if (typeof SharedArrayBuffer !== 'function') return 'this engine has no SharedArrayBuffer';
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (g.crossOriginIsolated === false) {
    return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (typeof Atomics !== 'object' || typeof Atomics.wait !== 'function') return 'this engine has no Atomics.wait';
  if (!isNode() && typeof (globalThis as { Worker?: unknown }).Worker !== 'function') return 'this context cannot start Web Workers';
  return null;
}

/** Whether this thread may block in Atomics.wait (false on a page's main thread). */
export function canBlock(i32: Int32Array): boolean {
  try {
    Atomics.wait(i32, 0, ~Atomics.load(i32, 0), 0); // a value that differs: returns at once
    return true;
  } catch {
    return false;
  }
}

/** A started worker, the same shape in Node and in pages. */
export interface WorkerHandle {
  post(message: unknown): void;
  /** Ends the thread; resolves when it has stopped (Node) or at once (pages). `expected`
   * false makes it a death like a crash (onDeath listeners are told; tests use it). */
  terminate(expected?: boolean): Promise<void>;
  onMessage(listener: (message: { type: string; message?: string }) => void): void;
  /** Called once with the reason when the worker errs or exits. */
  onDeath(listener: (reason: string) => void): void;
}

export async function startWorker(): Promise<WorkerHandle> {
  return isNode() ? startNodeWorker() : startPageWorker();
}

/** Death listeners of one worker: each is told once, the first time it errs or exits
 * (not after terminate(), which is asked for). */
class Deaths {
  private listeners: ((reason: string) => void)[] = [];
  private over = false;
  add(listener: (reason: string) => void): void {
    this.listeners.push(listener);
  }
  expected(): void {
    this.over = true;
  }
  die(reason: string): void {
    if (this.over) return;
    this.over = true;
    for (const listener of this.listeners) listener(reason);
  }
}

let live = 0;

/** Workers started and not yet exited in this process (Node; tests check for leaks). */
export function liveWorkers(): number {
  return live;
}

async function startNodeWorker(): Promise<WorkerHandle> {
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(NODE_WORKER_SOURCE, { eval: true });
  live++;
  worker.once('exit', () => live--);
  // A process that never disposes its backend still exits: idle workers do not hold it.
  // (Adding a 'message' listener refs the worker's port again, so unref after each one.)
  worker.unref();
  const deaths = new Deaths();
  worker.on('error', (e: Error) => deaths.die(`threw ${e.message}`));
  worker.on('exit', (code: number) => deaths.die(`exited with code ${code}`));
  return {
    post: (message) => worker.postMessage(message),
    terminate: async (expected = true) => {
      if (expected) deaths.expected();
      await worker.terminate();
    },
    onMessage: (listener) => {
      worker.on('message', listener);
      worker.unref();
    },
    onDeath: (listener) => deaths.add(listener),
  };
}

interface PageWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { message?: string }) => void) | null;
  onmessageerror: ((e: unknown) => void) | null;
}

async function startPageWorker(): Promise<WorkerHandle> {
  const g = globalThis as unknown as {
    Worker: new (url: string) => PageWorker;
    Blob: new (parts: string[], options: { type: string }) => object;
    URL: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
  };
  const url = g.URL.createObjectURL(new g.Blob([PAGE_WORKER_SOURCE], { type: 'text/javascript' }));
  let worker: PageWorker;
  try {
    worker = new g.Worker(url);
  } finally {
    // Revoked once the worker has surely fetched its script.
    setTimeout(() => g.URL.revokeObjectURL(url), 10_000);
  }
  const deaths = new Deaths();
  const listeners: ((message: { type: string; message?: string }) => void)[] = [];
  worker.onmessage = (e) => {
    for (const listener of listeners) listener(e.data as { type: string; message?: string });
  };
  worker.onerror = (e) => deaths.die(`threw ${e.message ?? 'an error'}`);
  worker.onmessageerror = () => deaths.die('could not receive its start message');
  return {
    post: (message) => worker.postMessage(message),
    terminate: async (expected = true) => {
      if (expected) deaths.expected();
      worker.terminate();
      // A page is told nothing when a worker is terminated: report it as a death ourselves.
      if (!expected) deaths.die('was terminated');
    },
    onMessage: (listener) => listeners.push(listener),
    onDeath: (listener) => deaths.add(listener),
  };
}
