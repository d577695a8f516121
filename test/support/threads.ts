// Threaded wasm backends for tests: a threads build on `threads` threads with the split
// thresholds a test wants (gemmSplitFlops 0 splits every GEMM that has room for it, so the
// small shapes of a sweep go through the split too). Null when this engine cannot run it.
import type { WasmBackend, WasmVariant } from '../../src/backend/wasm.js';
import { compileBuild } from '../../src/backend/wasm/source.js';
import { loadThreaded } from '../../src/backend/wasm/threads/load.js';
import type { PoolDeadlines } from '../../src/backend/wasm/threads/pool.js';

export interface ThreadedTestOptions {
  gemmSplitFlops?: number;
  deadlines?: Partial<PoolDeadlines>;
}

export async function loadThreadedBackend(variant: Exclude<WasmVariant, 'scalar'>, threads: number, options: ThreadedTestOptions = {}): Promise<WasmBackend> {
  const module = await compileBuild(`${variant}-threads`, undefined);
  const loaded = await loadThreaded({ module, file: `simdnet.${variant}-threads.wasm`, variant, threads, threadsFallback: null, ...options });
  if ('fallback' in loaded) throw new Error(`loadThreadedBackend: ${loaded.fallback}`);
  return loaded;
}
