// Loading a threads build: one shared memory, the caller's instance over it, a context
// whose tasks the worker pool runs. Every reason it cannot be done here comes back as a
// `fallback` string (the loader then runs on one thread and reports it); only a module
// that is not simdnet's (missing exports) throws.
import { createWasmBackend, type WasmBackend } from '../create.js';
import { TASK_KERNELS, WasmContext } from '../context.js';
import type { WasmVariant } from '../features.js';
import { kernelExports } from '../kernels.js';
import { sharedMemoryUnavailable } from './environment.js';
import { WorkerPool, type PoolDeadlines } from './pool.js';

/** wasm32's whole address space, then smaller reservations for engines that refuse it. */
const MAXIMUM_PAGES = [65536, 16384, 4096];
/** Enough for the static data (about 1 KiB) and the first per-thread GEMM workspaces. */
const INITIAL_PAGES = 64;

/** Whether a compiled module is a threads build (it imports its memory). */
export function importsMemory(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === 'memory' && i.module === 'env' && i.name === 'memory');
}

function sharedMemory(): WebAssembly.Memory | string {
  let last = '';
  for (const maximum of MAXIMUM_PAGES) {
    try {
      return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum, shared: true } as WebAssembly.MemoryDescriptor);
    } catch (e) {
      last = (e as Error).message;
    }
  }
  return `a shared WebAssembly.Memory cannot be created (${last})`;
}

export interface ThreadedLoad {
  module: WebAssembly.Module;
  /** The .wasm file name, for messages. */
  file: string;
  variant: WasmVariant;
  threads: number;
  /** Reported by the backend when threads is fewer than asked (null: as asked). */
  threadsFallback: string | null;
  deadlines?: Partial<PoolDeadlines>;
  /** GEMMs below this many flops run unsplit (tests pass 0 to split every one that can). */
  gemmSplitFlops?: number;
}

/** The backend over a threads build, or the reason it cannot run here. */
export async function loadThreaded(load: ThreadedLoad): Promise<WasmBackend | { fallback: string }> {
  const started = await threadedContext(load);
  if ('fallback' in started) return started;
  return createWasmBackend(started.kernels, load.variant, started, { threadsFallback: load.threadsFallback });
}

/** The context over a threads build with its pool started (what loadThreaded wraps). */
export async function threadedContext(load: ThreadedLoad): Promise<WasmContext | { fallback: string }> {
  const unavailable = sharedMemoryUnavailable();
  if (unavailable !== null) return { fallback: unavailable };
  const memory = sharedMemory();
  if (typeof memory === 'string') return { fallback: memory };
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(load.module, { env: { memory } });
  } catch (e) {
    return { fallback: `${load.file} cannot be instantiated over shared memory (${(e as Error).message})` };
  }
  const kernels = kernelExports(instance, load.file);
  const ctx = new WasmContext(kernels, { threads: load.threads, gemmSplitFlops: load.gemmSplitFlops });
  if (load.threads > 1) {
    try {
      ctx.useRunner(await WorkerPool.start({ module: load.module, memory, arena: ctx.arena, workers: load.threads - 1, kernels: TASK_KERNELS, deadlines: load.deadlines }));
    } catch (e) {
      return { fallback: `workers cannot start (${(e as Error).message})` };
    }
  }
  return ctx;
}
