// The one place that knows every backend: which one is current, and how to load wasm.
// Nothing registers itself by side effect; the three backends are imported here.
import type { Backend, BackendName } from './backend.js';
import { naiveBackend } from './naive.js';
import { jsBackend } from './js.js';
import { checkOptionKeys, loadWasmBackend, type WasmBackend, type WasmLoadOptions, type WasmVariant } from './wasm.js';

export type { WasmLoadOptions, WasmVariant };

let current: Backend = jsBackend;
let wasm: WasmBackend | null = null;
/** The threads option the loaded 'wasm' backend was asked for (undefined: the default). */
let wasmThreads: number | undefined;

/** The backend ops use when none is passed explicitly. */
export function currentBackend(): Backend {
  return current;
}

/** A loaded backend by name; 'wasm' must have been loaded by init() or loadBackend() first. */
export function getBackend(name: BackendName): Backend {
  switch (name) {
    case 'naive':
      return naiveBackend;
    case 'js':
      return jsBackend;
    case 'wasm':
      if (!wasm) throw new Error("getBackend: the 'wasm' backend is not loaded yet; await init({ backend: 'wasm' }) first");
      return wasm;
    default:
      throw new Error(`getBackend: unknown backend '${String(name)}' (expected 'naive', 'js' or 'wasm')`);
  }
}

/** Loads a backend (instantiating WebAssembly for 'wasm') without making it current.
 * 'wasm' is loaded once and reused, unless `variant` or `threads` asks for something else
 * than the loaded one, or it was disposed (or broke), or `source` is given: a source names
 * particular bytes, so it is always loaded, fresh, and becomes the 'wasm' backend that
 * getBackend returns. A backend replaced this way is not disposed (it may still be in use). */
export async function loadBackend(name: BackendName, options: WasmLoadOptions = {}): Promise<Backend> {
  if (options === null || typeof options !== 'object') throw new Error(`loadBackend: options must be an object, got ${String(options)}`);
  checkOptionKeys('loadBackend', options, LOAD_KEYS);
  if (name === 'wasm') {
    const { variant: wanted, source, threads } = options;
    const loaded = wasm;
    const sameThreads = threads === undefined || threads === wasmThreads || threads === loaded?.threads;
    if (loaded && loaded.failure === null && source === undefined && (wanted === undefined || loaded.variant === wanted) && sameThreads) return loaded;
    const fresh = await loadWasmBackend(options);
    wasm = fresh;
    wasmThreads = threads;
    return fresh;
  }
  const backend = getBackend(name);
  for (const key of ['variant', 'source', 'threads'] as const) {
    if (options[key] !== undefined) throw new Error(`loadBackend: options.${key} applies to the 'wasm' backend only, not '${name}'`);
  }
  return backend;
}

const LOAD_KEYS = ['variant', 'source', 'threads'];

/** Makes an already loaded backend current. */
export function setBackend(backend: Backend | BackendName): Backend {
  current = typeof backend === 'string' ? getBackend(backend) : backend;
  return current;
}

export interface InitOptions extends WasmLoadOptions {
  /** Defaults to 'wasm' where WebAssembly exists, else 'js'. */
  backend?: BackendName;
}

/** Loads and selects a backend: by default the fastest the engine supports. */
export async function init(options: InitOptions = {}): Promise<Backend> {
  if (options === null || typeof options !== 'object') throw new Error(`init: options must be an object, got ${String(options)}`);
  checkOptionKeys('init', options, ['backend', ...LOAD_KEYS]);
  const { backend, ...load } = options;
  const name = backend ?? (typeof WebAssembly === 'object' ? 'wasm' : 'js');
  if (name !== 'naive' && name !== 'js' && name !== 'wasm') {
    throw new Error(`init: unknown backend '${String(name)}' (expected 'naive', 'js' or 'wasm')`);
  }
  return setBackend(await loadBackend(name, load));
}
