// The 'wasm' backend: AssemblyScript kernels (assembly/) compiled to three variants of the
// same source — 'scalar' (no SIMD), 'simd' (f32x4 mul+add) and 'relaxed' (relaxed-SIMD
// fused multiply-add) — loaded here, with an arena in linear memory owned by TypeScript.
//
// Loading (for Node, browsers and bundles):
//   await loadWasmBackend()                          best variant the engine validates
//   await loadWasmBackend({ variant: 'simd' })       force one (throws if unsupported)
//   await loadWasmBackend({ source: new URL('./simdnet.simd.wasm', import.meta.url), variant: 'simd' })
//   await loadWasmBackend({ source: (v) => fetch(`/assets/simdnet.${v}.wasm`) })
// `source` is a URL or string (fetched in browsers; a path or file: URL is read from disk
// in Node), bytes (ArrayBuffer or typed array), a fetch Response (streamed when served
// as application/wasm), a WebAssembly.Module, or a function of the variant returning any
// of those, or a promise of one. Only the function form knows which variant is wanted, so
// a fixed source should come with an explicit `variant` saying what it holds.
// Without `source`, Node reads build/simdnet.<variant>.wasm from the package root (found
// via import.meta.url; node:fs is imported dynamically only on that path) and a browser
// fetches new URL('../build/simdnet.<variant>.wasm', import.meta.url).
//
// Threads: `threads` (default: the available cores, at most 8) loads the shared-memory
// build <variant>-threads and starts threads − 1 workers; `threads: 1` loads the plain
// build exactly as before. Where threads cannot run (no SharedArrayBuffer, a page that is
// not cross-origin isolated, no shared memory, no workers, the scalar variant, a fixed
// single-thread `source`) the backend runs on one thread and says why in threadsFallback.
// See docs/threads.md.
//
// Instantiation uses plain WebAssembly.instantiate(Streaming), not @assemblyscript/loader:
// the module has the stub runtime and no imports, and every export takes raw pointers and
// numbers, so the loader's object lifting has nothing to do; going direct keeps streaming
// compilation and keeps the loader out of browser bundles.
import { createWasmBackend, type WasmBackend } from './wasm/create.js';
import { bestVariant, supportsVariant, WASM_VARIANTS, type WasmVariant } from './wasm/features.js';
import { kernelExports, type GemmBlocking } from './wasm/kernels.js';
import {
  compileBuild, instantiateVariant, type WasmBuild, type WasmBytes, type WasmModuleLike, type WasmResponseLike, type WasmSource, type WasmSourceValue,
} from './wasm/source.js';
import { availableCores, DEFAULT_THREADS_CAP } from './wasm/threads/environment.js';
import { importsMemory, loadThreaded } from './wasm/threads/load.js';
import { MAX_WORKERS } from './wasm/threads/protocol.js';

export type { WasmVariant, WasmBuild, WasmSource, WasmSourceValue, WasmBytes, WasmModuleLike, WasmResponseLike, WasmBackend, GemmBlocking };
export { bestVariant, supportsVariant };

/** Most threads a backend may be asked for (the calling thread and its workers). */
export const MAX_THREADS = MAX_WORKERS + 1;

export interface WasmLoadOptions {
  /** Force a variant; default: the best of 'relaxed' > 'simd' > 'scalar' that WebAssembly.validate accepts. */
  variant?: WasmVariant;
  /** Where the .wasm comes from (see the file header); default: build/simdnet.<build>.wasm. */
  source?: WasmSource;
  /** Threads to run the kernels on (default: the available cores, at most 8; 1: no workers). */
  threads?: number;
}

const LOAD_KEYS: readonly string[] = ['variant', 'source', 'threads'];

/** Refuses option keys that are not in `known` (a typo would otherwise be ignored). */
export function checkOptionKeys(op: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${op}: unknown option '${key}' (expected ${known.map((k) => `'${k}'`).join(', ')})`);
  }
}

/** The thread count asked for (validated), or the default for this machine. */
async function threadsWanted(threads: unknown): Promise<{ threads: number; explicit: boolean }> {
  if (threads === undefined) return { threads: Math.max(1, Math.min(await availableCores(), DEFAULT_THREADS_CAP)), explicit: false };
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new Error(`loadWasmBackend: threads must be an integer from 1 to ${MAX_THREADS}, got ${String(threads)}`);
  }
  return { threads, explicit: true };
}

export async function loadWasmBackend(options: WasmLoadOptions = {}): Promise<WasmBackend> {
  if (options === null || typeof options !== 'object') throw new Error(`loadWasmBackend: options must be an object, got ${String(options)}`);
  checkOptionKeys('loadWasmBackend', options, LOAD_KEYS);
  if (typeof WebAssembly !== 'object') throw new Error('loadWasmBackend: this engine has no WebAssembly; use the js backend');
  const { variant: forced, source } = options;
  if (forced !== undefined && !WASM_VARIANTS.includes(forced)) {
    throw new Error(`loadWasmBackend: unknown variant '${String(forced)}' (expected 'scalar', 'simd' or 'relaxed')`);
  }
  if (forced !== undefined && !supportsVariant(forced)) {
    const hint = forced === 'relaxed' ? ' (Node 20 needs --experimental-wasm-relaxed-simd)' : '';
    throw new Error(`loadWasmBackend: this engine does not support the '${forced}' variant${hint}; the best it supports is '${bestVariant()}'`);
  }
  const variant = forced ?? bestVariant();
  const { threads, explicit } = await threadsWanted(options.threads);
  const fallback = (why: string): string => `${explicit ? `threads: ${threads} was asked for, but ` : ''}${why}; running on 1 thread`;
  const fixed = source !== undefined && typeof source !== 'function';
  if (fixed && threads > 1) return loadFixed(variant, source, threads, fallback);
  if (threads > 1) {
    if (variant === 'scalar') return single(variant, source, fallback("the 'scalar' variant has no threads build (it needs SIMD)"));
    const build: WasmBuild = `${variant}-threads`;
    let module: WebAssembly.Module;
    try {
      module = await compileBuild(build, source);
    } catch (e) {
      return single(variant, source, fallback(`simdnet.${build}.wasm cannot be loaded (${(e as Error).message})`));
    }
    const threaded = await loadThreaded({ module, file: `simdnet.${build}.wasm`, variant, threads, threadsFallback: null });
    if ('fallback' in threaded) return single(variant, source, fallback(threaded.fallback));
    return threaded;
  }
  return single(variant, source, null);
}

/** Today's single-thread load: the plain build, its own unshared memory, no workers. */
async function single(variant: WasmVariant, source: WasmSource | undefined, threadsFallback: string | null): Promise<WasmBackend> {
  const instance = await instantiateVariant(variant, source);
  return createWasmBackend(kernelExports(instance, `simdnet.${variant}.wasm`), variant, {}, { threadsFallback });
}

/** A fixed source is one module: threaded if it is a threads build (it imports its memory),
 * else run on one thread, saying that a function source would let the threads build load. */
async function loadFixed(variant: WasmVariant, source: WasmSource, threads: number, fallback: (why: string) => string): Promise<WasmBackend> {
  const module = await compileBuild(variant, source);
  const file = `simdnet.${variant}.wasm (options.source)`;
  if (!importsMemory(module)) {
    const instance = await WebAssembly.instantiate(module, {});
    const why = 'options.source is one fixed single-thread module (pass a function of the build name to let the threads build load)';
    return createWasmBackend(kernelExports(instance, file), variant, {}, { threadsFallback: fallback(why) });
  }
  const threaded = await loadThreaded({ module, file, variant, threads, threadsFallback: null });
  if (!('fallback' in threaded)) return threaded;
  // The one module given needs shared memory: without workers it still runs, on this thread.
  const alone = await loadThreaded({ module, file, variant, threads: 1, threadsFallback: fallback(threaded.fallback) });
  if ('fallback' in alone) throw new Error(`loadWasmBackend: options.source is a threads build, and ${alone.fallback}`);
  return alone;
}
