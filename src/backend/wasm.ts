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
// Instantiation uses plain WebAssembly.instantiate(Streaming), not @assemblyscript/loader:
// the module has the stub runtime and no imports, and every export takes raw pointers and
// numbers, so the loader's object lifting has nothing to do; going direct keeps streaming
// compilation and keeps the loader out of browser bundles.
import { createWasmBackend, type WasmBackend } from './wasm/create.js';
import { bestVariant, supportsVariant, WASM_VARIANTS, type WasmVariant } from './wasm/features.js';
import { kernelExports, type GemmBlocking } from './wasm/kernels.js';
import { instantiateVariant, type WasmBytes, type WasmModuleLike, type WasmResponseLike, type WasmSource, type WasmSourceValue } from './wasm/source.js';

export type { WasmVariant, WasmSource, WasmSourceValue, WasmBytes, WasmModuleLike, WasmResponseLike, WasmBackend, GemmBlocking };
export { bestVariant, supportsVariant };

export interface WasmLoadOptions {
  /** Force a variant; default: the best of 'relaxed' > 'simd' > 'scalar' that WebAssembly.validate accepts. */
  variant?: WasmVariant;
  /** Where the .wasm comes from (see the file header); default: build/simdnet.<variant>.wasm. */
  source?: WasmSource;
}

export async function loadWasmBackend(options: WasmLoadOptions = {}): Promise<WasmBackend> {
  if (options === null || typeof options !== 'object') throw new Error(`loadWasmBackend: options must be an object, got ${String(options)}`);
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
  const instance = await instantiateVariant(variant, source);
  return createWasmBackend(kernelExports(instance, `simdnet.${variant}.wasm`), variant);
}
