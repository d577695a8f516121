// The one place that knows every backend: which one is current, and how to load wasm.
// Nothing registers itself by side effect; the three backends are imported here.
import type { Backend, BackendName } from './backend.js';
import { naiveBackend } from './naive.js';
import { jsBackend } from './js.js';
import { loadWasmBackend, type WasmLoadOptions, type WasmVariant } from './wasm.js';

export type { WasmLoadOptions, WasmVariant };

let current: Backend = jsBackend;
let wasm: Backend | null = null;

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
 * 'wasm' is loaded once and reused, unless `variant` asks for another variant or `source`
 * is given: a source names particular bytes, so it is always loaded, fresh, and becomes
 * the 'wasm' backend that getBackend returns. */
export async function loadBackend(name: BackendName, options: WasmLoadOptions = {}): Promise<Backend> {
  if (options === null || typeof options !== 'object') throw new Error(`loadBackend: options must be an object, got ${String(options)}`);
  if (name === 'wasm') {
    const { variant: wanted, source } = options;
    const loaded = wasm as (Backend & { variant?: WasmVariant }) | null;
    if (loaded && source === undefined && (wanted === undefined || loaded.variant === wanted)) return loaded;
    const fresh = await loadWasmBackend(options);
    wasm = fresh;
    return fresh;
  }
  const backend = getBackend(name);
  for (const key of ['variant', 'source'] as const) {
    if (options[key] !== undefined) throw new Error(`loadBackend: options.${key} applies to the 'wasm' backend only, not '${name}'`);
  }
  return backend;
}

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
  const name = options.backend ?? (typeof WebAssembly === 'object' ? 'wasm' : 'js');
  if (name !== 'naive' && name !== 'js' && name !== 'wasm') {
    throw new Error(`init: unknown backend '${String(name)}' (expected 'naive', 'js' or 'wasm')`);
  }
  return setBackend(await loadBackend(name, options));
}
