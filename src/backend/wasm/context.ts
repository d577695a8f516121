// One loaded module: its kernels, its arena, and the permanent blocks every call reuses
// (a parameter block and, per thread, a GEMM packing workspace, allocated once at load).
//
// Work that can be split is handed to parallel() as tasks: task t runs on thread t (0 is
// the calling thread), each a list of kernel calls run in order. The tasks of one call
// write disjoint memory and read nothing another task writes, and each output element is
// computed by the same instructions in the same order whatever the split (GEMMs are split
// along M or N, never along K; reductions along their outputs), so results are
// bit-identical for every thread count.
import { Arena } from './arena.js';
import { splitGemm, GEMM_SPLIT_FLOPS } from './gemm-split.js';
import { gemmBlocking, KERNEL_FUNCTIONS, PARAM_BYTES, runGemm, writeGemmParams, type GemmBlocking, type GemmCall, type KernelExports } from './kernels.js';

/** Function exports that only answer a question (sizes, addresses): no task calls them. */
const QUERIES = ['heapBase', 'gemmWorkspaceBytes', 'depthwiseWorkspaceBytes', 'packedGemmABytes', 'directConv2dWorkspaceBytes'] as const;

/** Exports a task may call: the kernels (functions of pointers and numbers). */
export type TaskKernel = Exclude<(typeof KERNEL_FUNCTIONS)[number], (typeof QUERIES)[number]>;

/** The exports a task may call, in a fixed order (a worker's pool sends them by index). */
export const TASK_KERNELS = KERNEL_FUNCTIONS.filter((name): name is TaskKernel => !(QUERIES as readonly string[]).includes(name));

/** One kernel call: the export and its arguments (addresses, counts, float32 values). */
export type TaskCall = readonly [TaskKernel, ...number[]];

/** Calls one thread runs in order. */
export type Task = readonly TaskCall[];

/** Runs tasks 1… on other threads while the caller runs task 0 (the threaded build's pool). */
export interface TaskRunner {
  run(op: string, tasks: readonly Task[], runOwn: (task: Task) => void): void;
  /** Why the runner can run nothing any more (a worker died), or null. */
  readonly failure?: string | null;
  /** Ends the runner's threads. */
  dispose?(): Promise<void>;
}

export interface WasmContextOptions {
  /** Threads tasks may be split over (default 1: the calling thread only). */
  threads?: number;
  /** Runs the tasks of other threads; without one, every task runs here, last first (the
   * order a test uses to show that tasks are independent). */
  runner?: TaskRunner;
  /** GEMMs of fewer flops (2·m·n·k) run unsplit (default GEMM_SPLIT_FLOPS; tests use 0). */
  gemmSplitFlops?: number;
}

export class WasmContext {
  readonly arena: Arena;
  readonly params: number;
  readonly threads: number;
  /** Runs tasks 1… (undefined: every task runs here). */
  runner: TaskRunner | undefined;
  private readonly workspaces: number[];
  private readonly blocking: GemmBlocking;
  private readonly gemmSplitFlops: number;
  private disposed = false;

  constructor(
    readonly kernels: KernelExports,
    options: WasmContextOptions = {},
  ) {
    this.threads = options.threads ?? 1;
    this.runner = options.runner;
    this.blocking = gemmBlocking(kernels);
    this.gemmSplitFlops = options.gemmSplitFlops ?? GEMM_SPLIT_FLOPS;
    this.arena = new Arena(kernels.memory, kernels.heapBase());
    this.params = this.arena.alloc('loadWasmBackend', PARAM_BYTES);
    this.workspaces = Array.from({ length: this.threads }, () => this.arena.alloc('loadWasmBackend', kernels.gemmWorkspaceBytes()));
  }

  /** Thread 0's GEMM workspace (the calling thread's). */
  get work(): number {
    return this.workspaces[0];
  }

  /** Thread t's GEMM packing workspace. */
  workspace(thread: number): number {
    return this.workspaces[thread];
  }

  /** Installs the runner of tasks 1… (a pool started over this context's arena), before any work. */
  useRunner(runner: TaskRunner): void {
    this.runner = runner;
  }

  /** Why this context can run nothing (disposed, or its runner failed), or null. */
  get failure(): string | null {
    if (this.disposed) return 'this wasm backend was disposed; load a new one with loadWasmBackend() or init()';
    return this.runner?.failure ?? null;
  }

  /** Throws when the context is disposed or broken (every kernel call passes here). */
  check(op: string): void {
    const failure = this.failure;
    if (failure !== null) throw new Error(`${op}: ${failure}`);
  }

  /** Ends the runner's threads; every later call throws. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.runner?.dispose?.();
  }

  /** Runs `body` with scratch allocations that are released when it returns or throws. */
  scoped<T>(body: (arena: Arena) => T): T {
    this.check('wasm backend');
    const mark = this.arena.mark();
    try {
      return body(this.arena);
    } finally {
      this.arena.release(mark);
    }
  }

  /** One SGEMM, split over the threads when it is large enough (see gemm-split.ts). */
  gemm(call: GemmCall): void {
    this.check('gemm');
    const parts = this.threads > 1 ? splitGemm(call, this.threads, this.blocking, this.gemmSplitFlops) : [call];
    if (parts.length === 1) {
      runGemm(this.kernels, this.params, this.work, call);
      return;
    }
    this.scoped(() => this.parallel('gemm', parts.map((part, t) => [this.gemmTask('gemm', t, part)])));
  }

  /** A GEMM as a task call for `thread`: its parameter block is allocated in the current scope. */
  gemmTask(op: string, thread: number, call: GemmCall): TaskCall {
    const block = this.arena.alloc(op, PARAM_BYTES);
    writeGemmParams(this.kernels, block, this.workspace(thread), call);
    return ['sgemm', block];
  }

  /** Runs tasks[t] on thread t (at most `threads` tasks) and returns when all are done.
   * Every address a task uses, parameter blocks included, is allocated before the call. */
  parallel(op: string, tasks: readonly Task[]): void {
    this.check(op);
    if (tasks.length > this.threads) throw new Error(`${op}: ${tasks.length} tasks for ${this.threads} threads`);
    if (tasks.length === 1 || this.runner === undefined) {
      for (let t = tasks.length - 1; t >= 0; t--) this.runTask(tasks[t]);
      return;
    }
    this.runner.run(op, tasks, (task) => this.runTask(task));
  }

  private runTask(task: Task): void {
    const k = this.kernels as unknown as Record<TaskKernel, (...args: number[]) => unknown>;
    for (const [kernel, ...args] of task) k[kernel](...args);
  }
}
