// The worker pool: threads 1… of a threaded backend. Each worker holds its own instance of
// the module over the one shared memory; a job is written into that memory and the
// workers are woken through the control block (protocol.ts). The caller runs task 0
// itself and then waits, synchronously, for the others: Atomics.wait in slices where the
// thread may block (Node's main thread, workers), a spin on Atomics.load on a page's main
// thread, where Atomics.wait throws.
//
// Worker w (1…) runs task w; the calling thread runs task 0.
//
// Reliability: a task that throws in a worker (a wasm trap) is reported by the worker and
// re-thrown here naming the op, the worker and the message; the pool stays usable. A worker
// that dies (its 'error'/'exit' event), or that does not pick up a job in time, or does not
// finish it long after the caller has finished its own part, breaks the pool: every worker
// is terminated at once (so none can write into memory later) and that call, and every
// later one, throws the reason. Such a backend stays broken until a new one is loaded.
import type { Arena } from '../arena.js';
import type { Task, TaskRunner } from '../context.js';
import { canBlock, startWorker, type WorkerHandle } from './environment.js';
import {
  CONTROL_BYTES, CONTROL_SLOTS, DONE, ERROR, GENERATION, GO, JOB, jobLength, MAX_WORKERS, PENDING, PICKED, readError, workerSlot, writeJob,
} from './protocol.js';

export interface PoolDeadlines {
  /** A started worker must answer 'ready' within this (default 30 s). */
  startMs: number;
  /** A woken worker must pick its task up within this (default 10 s). */
  pickupMs: number;
  /** After the caller finished its own task, a worker may take max(finishMs, 100 × the
   * caller's time) more (default 60 s). */
  finishMs: number;
}

export const DEFAULT_DEADLINES: PoolDeadlines = { startMs: 30_000, pickupMs: 10_000, finishMs: 60_000 };

export interface PoolOptions {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  arena: Arena;
  /** Workers to start: threads − 1. */
  workers: number;
  /** Export names in the order job tables refer to them by index. */
  kernels: readonly string[];
  deadlines?: Partial<PoolDeadlines>;
}

/** Waits in Atomics.wait slices of this length, so the watchdog runs between them. */
const SLICE_MS = 20;
const FINISH_FACTOR = 100;

const now = (): number => (typeof performance === 'object' ? performance.now() : Date.now());

export class WorkerPool implements TaskRunner {
  failure: string | null = null;
  /** Jobs run so far (tests check that work really went to the workers). */
  jobs = 0;
  private disposed = false;
  private readonly ids: ReadonlyMap<string, number>;
  private readonly blocking: boolean;
  private view: Int32Array | null = null;

  private constructor(
    private readonly options: PoolOptions,
    private readonly control: number,
    /** The started workers, thread t + 1 at index t (tests terminate one to see it handled). */
    readonly workers: readonly WorkerHandle[],
    private readonly deadlines: PoolDeadlines,
  ) {
    this.ids = new Map(options.kernels.map((name, i) => [name, i]));
    this.blocking = canBlock(this.words());
    workers.forEach((worker, t) => {
      worker.onDeath((reason) => {
        if (!this.disposed && this.failure === null) this.break(`worker ${t + 1} of ${this.workers.length} ${reason}`);
      });
    });
  }

  /** Starts the workers and resolves once every one has instantiated the module. */
  static async start(options: PoolOptions): Promise<WorkerPool> {
    const { workers: count, arena, memory, module, kernels } = options;
    if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS) throw new Error(`loadWasmBackend: a pool holds 1 to ${MAX_WORKERS} workers, not ${count}`);
    const deadlines = { ...DEFAULT_DEADLINES, ...options.deadlines };
    const control = arena.pin('loadWasmBackend', CONTROL_BYTES);
    new Int32Array(memory.buffer, control, CONTROL_SLOTS).fill(0);
    const started: WorkerHandle[] = new Array(count);
    try {
      await Promise.all(
        Array.from({ length: count }, async (_, index) => {
          const worker = await startWorker();
          started[index] = worker;
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`worker ${index + 1} did not start within ${deadlines.startMs} ms`)), deadlines.startMs);
            const settle = (error: string | null): void => {
              clearTimeout(timer);
              if (error === null) resolve();
              else reject(new Error(`worker ${index + 1} ${error}`));
            };
            worker.onMessage((m) => settle(m.type === 'ready' ? null : `could not instantiate the module: ${m.message}`));
            worker.onDeath((reason) => settle(reason));
            worker.post({ type: 'start', module, memory, control, index, kernels });
          });
        }),
      );
    } catch (cause) {
      await Promise.allSettled(started.filter((w) => w !== undefined).map((w) => w.terminate()));
      arena.unpin(control, CONTROL_BYTES);
      throw cause;
    }
    return new WorkerPool(options, control, started, deadlines);
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  run(op: string, tasks: readonly Task[], runOwn: (task: Task) => void): void {
    if (this.failure !== null) throw new Error(`${op}: ${this.failure}`);
    const others = tasks.slice(1);
    if (others.length > this.workers.length) throw new Error(`${op}: ${tasks.length} tasks for ${this.threads} threads`);
    const { arena, memory } = this.options;
    const mark = arena.mark();
    try {
      const length = jobLength(others);
      const at = arena.alloc(op, 8 * length);
      writeJob(new Float64Array(memory.buffer, at, length), 0, others, this.ids);
      const i32 = this.words();
      Atomics.store(i32, ERROR, 0);
      Atomics.store(i32, JOB, at);
      Atomics.store(i32, PENDING, others.length);
      const generation = (Atomics.add(i32, GENERATION, 1) + 1) | 0;
      this.jobs++;
      for (let w = 0; w < others.length; w++) {
        Atomics.store(i32, workerSlot(w, GO), generation);
        Atomics.notify(i32, workerSlot(w, GO), 1);
      }
      const start = now();
      let ownError: unknown = null;
      try {
        runOwn(tasks[0]);
      } catch (e) {
        ownError = e;
      }
      // Even when the own task threw, the workers must be done before the arena is reused.
      this.waitFor(op, i32, generation, others.length, start, now());
      if (ownError !== null) throw ownError;
      const failed = Atomics.load(i32, ERROR);
      if (failed !== 0) throw new Error(`${op}: worker ${failed} of ${this.workers.length} failed: ${readError(i32)}`);
    } finally {
      arena.release(mark);
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.failure === null) this.failure = 'this wasm backend was disposed; load a new one with loadWasmBackend() or init()';
    await Promise.allSettled(this.workers.map((w) => w.terminate()));
    this.options.arena.unpin(this.control, CONTROL_BYTES);
  }

  /** The control block's words (re-made after memory grew: a new buffer object). */
  private words(): Int32Array {
    const buffer = this.options.memory.buffer;
    if (this.view === null || this.view.buffer !== buffer) this.view = new Int32Array(buffer, this.control, CONTROL_SLOTS);
    return this.view;
  }

  private waitFor(op: string, i32: Int32Array, generation: number, count: number, start: number, ownDone: number): void {
    const { pickupMs, finishMs } = this.deadlines;
    const finishBy = ownDone + Math.max(finishMs, FINISH_FACTOR * (ownDone - start));
    let spins = 0;
    for (;;) {
      const pending = Atomics.load(i32, PENDING);
      if (pending === 0) return;
      if (this.blocking) Atomics.wait(i32, PENDING, pending, SLICE_MS);
      else if ((++spins & 0xfff) !== 0) continue;
      const t = now();
      for (let w = 0; w < count; w++) {
        if (Atomics.load(i32, workerSlot(w, DONE)) === generation) continue;
        const picked = Atomics.load(i32, workerSlot(w, PICKED)) === generation;
        if (!picked && t - start > pickupMs) this.fail(op, w, `did not pick up its task within ${pickupMs} ms`);
        if (picked && t > finishBy) this.fail(op, w, `did not finish its task within ${Math.round(finishBy - ownDone)} ms of the calling thread's`);
      }
    }
  }

  private fail(op: string, w: number, why: string): never {
    this.break(`worker ${w + 1} of ${this.workers.length} ${why}`);
    throw new Error(`${op}: ${this.failure}`);
  }

  /** Terminates every worker (none may write into memory later) and refuses all later work. */
  private break(what: string): void {
    this.failure = `${what}; its workers were terminated and this backend cannot run any more: load a new one with loadWasmBackend() or init()`;
    for (const worker of this.workers) worker.terminate().catch(() => {});
  }
}
