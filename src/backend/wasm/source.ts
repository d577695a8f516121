// Where a variant's .wasm comes from, and turning that into an instance.
//
// A source is a URL or string (fetched in a browser; read from disk in Node when it is a
// path or a file: URL), bytes (ArrayBuffer / typed array), a fetch Response (compiled
// while streaming when served as application/wasm), a compiled WebAssembly.Module, or a
// function of the build name returning any of those (or a promise of one). Build names
// are the variants and the shared-memory builds 'simd-threads' / 'relaxed-threads'.
//
// With no source: Node reads build/simdnet.<build>.wasm from the package root, found
// relative to this module (it works from src/backend/wasm/ and from a bundle in dist/);
// node:fs is imported dynamically on that path only, so browser bundles never pull it
// in. A browser fetches new URL('../build/simdnet.<variant>.wasm', import.meta.url), i.e.
// the package layout next to dist/; bundles that move the files pass `source`.
import type { WasmVariant } from './features.js';

/** A .wasm file of the package: a variant, or the shared-memory (threads) build of one. */
export type WasmBuild = WasmVariant | 'simd-threads' | 'relaxed-threads';

// The public types below are structural on purpose: a Node-only project compiles without
// the DOM lib, where BufferSource, Response and the WebAssembly namespace do not exist.

/** The part of a fetch `Response` the loader reads; a real `Response` is one. */
export interface WasmResponseLike {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A compiled `WebAssembly.Module`. The DOM lib declares it as an empty interface, so
 * `object` accepts exactly what it does; the loader checks `instanceof` at run time. */
export type WasmModuleLike = object;

/** Bytes of a .wasm file: an ArrayBuffer or any typed array / DataView over one. */
export type WasmBytes = ArrayBuffer | ArrayBufferView;

export type WasmSourceValue = URL | string | WasmBytes | WasmResponseLike | WasmModuleLike;
export type WasmSource = WasmSourceValue | ((build: WasmBuild) => WasmSourceValue | Promise<WasmSourceValue>);

const OP = 'loadWasmBackend';

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Candidate locations of build/<file> relative to this module: from src/backend/wasm/
 * (three levels up), from dist/ (one up). */
function defaultUrls(variant: WasmBuild): URL[] {
  const file = `build/simdnet.${variant}.wasm`;
  return [new URL(`../${file}`, import.meta.url), new URL(`../../../${file}`, import.meta.url)];
}

async function readNodeFile(url: URL | string): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  return new Uint8Array(await fs.readFile(url));
}

/** Default source: first existing file among the candidates in Node, a fetch in browsers. */
async function defaultSource(variant: WasmBuild): Promise<WasmSourceValue> {
  const urls = defaultUrls(variant);
  if (!isNode()) return urls[0];
  const tried: string[] = [];
  for (const url of urls) {
    try {
      return await readNodeFile(url);
    } catch (cause) {
      tried.push(`${decodeURIComponent(url.pathname)} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`);
    }
  }
  throw new Error(`${OP}: cannot find simdnet.${variant}.wasm; tried ${tried.join(', ')}. Run \`npm run build:wasm\` or pass options.source`);
}

/** A Response, or an object with the members of one that the loader reads. */
function isResponseLike(value: unknown): value is WasmResponseLike {
  if (typeof Response !== 'undefined' && value instanceof Response) return true;
  const r = value as Partial<WasmResponseLike> | null;
  return typeof r === 'object' && r !== null && typeof r.ok === 'boolean' && typeof r.arrayBuffer === 'function' && typeof r.headers?.get === 'function';
}

async function fromResponse(response: WasmResponseLike, what: string): Promise<WebAssembly.Instance> {
  if (!response.ok) throw new Error(`${OP}: fetching ${what} failed with HTTP ${response.status} ${response.statusText}`);
  const type = response.headers.get('content-type') ?? '';
  const streamable = typeof Response !== 'undefined' && response instanceof Response;
  if (streamable && typeof WebAssembly.instantiateStreaming === 'function' && type.startsWith('application/wasm')) {
    return (await WebAssembly.instantiateStreaming(response, {})).instance;
  }
  return instantiateBytes(await response.arrayBuffer());
}

async function instantiateBytes(bytes: BufferSource | Uint8Array): Promise<WebAssembly.Instance> {
  const source = (await WebAssembly.instantiate(bytes as BufferSource, {})) as WebAssembly.WebAssemblyInstantiatedSource;
  return source.instance;
}

function describe(value: unknown): string {
  return typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : `${typeof value} ${String(value)}`;
}

async function instantiateValue(value: WasmSourceValue, what: string): Promise<WebAssembly.Instance> {
  if (value instanceof WebAssembly.Module) return WebAssembly.instantiate(value, {});
  if (isResponseLike(value)) return fromResponse(value, what);
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return instantiateBytes(value as BufferSource);
  if (typeof value === 'string' || value instanceof URL) {
    const text = String(value);
    const remote = /^(https?|blob|data):/i.test(text);
    if (isNode() && !remote) {
      let bytes: Uint8Array;
      try {
        bytes = await readNodeFile(typeof value === 'string' && /^file:/i.test(value) ? new URL(value) : value);
      } catch (cause) {
        throw new Error(`${OP}: cannot read ${what} from ${text}: ${(cause as Error).message}`);
      }
      return instantiateBytes(bytes);
    }
    return fromResponse(await fetch(value), `${what} from ${text}`);
  }
  throw new Error(`${OP}: options.source must be a URL, string, ArrayBuffer, typed array, Response, WebAssembly.Module or a function returning one; got ${describe(value)}`);
}

/** Instantiates the variant from `source` (or the default location), turning every failure
 * into an Error that names the variant and the reason. */
export async function instantiateVariant(variant: WasmVariant, source: WasmSource | undefined): Promise<WebAssembly.Instance> {
  const what = `simdnet.${variant}.wasm`;
  const value = await sourceValue(variant, source);
  try {
    return await instantiateValue(value, what);
  } catch (cause) {
    if (cause instanceof WebAssembly.CompileError || cause instanceof WebAssembly.LinkError) {
      throw new Error(`${OP}: ${what} is not a WebAssembly module this engine can run (corrupt file or unsupported features): ${cause.message}`);
    }
    throw cause;
  }
}

/** The build's source value: the default file, the fixed value, or the function's answer. */
async function sourceValue(build: WasmBuild, source: WasmSource | undefined): Promise<WasmSourceValue> {
  return source === undefined ? defaultSource(build) : typeof source === 'function' ? source(build) : source;
}

async function compileValue(value: WasmSourceValue, what: string): Promise<WebAssembly.Module> {
  if (value instanceof WebAssembly.Module) return value;
  if (isResponseLike(value)) {
    if (!value.ok) throw new Error(`${OP}: fetching ${what} failed with HTTP ${value.status} ${value.statusText}`);
    const streamable = typeof Response !== 'undefined' && value instanceof Response;
    if (streamable && typeof WebAssembly.compileStreaming === 'function' && (value.headers.get('content-type') ?? '').startsWith('application/wasm')) {
      return WebAssembly.compileStreaming(value);
    }
    return WebAssembly.compile(await value.arrayBuffer());
  }
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return WebAssembly.compile(value as BufferSource);
  if (typeof value === 'string' || value instanceof URL) {
    const text = String(value);
    if (isNode() && !/^(https?|blob|data):/i.test(text)) {
      let bytes: Uint8Array;
      try {
        bytes = await readNodeFile(typeof value === 'string' && /^file:/i.test(value) ? new URL(value) : value);
      } catch (cause) {
        throw new Error(`${OP}: cannot read ${what} from ${text}: ${(cause as Error).message}`);
      }
      return WebAssembly.compile(bytes as BufferSource);
    }
    return compileValue(await fetch(value), `${what} from ${text}`);
  }
  throw new Error(`${OP}: options.source must be a URL, string, ArrayBuffer, typed array, Response, WebAssembly.Module or a function returning one; got ${describe(value)}`);
}

/** Compiles a build from `source` (or the default location) without instantiating it: the
 * threads builds are instantiated over one shared memory, once per thread. */
export async function compileBuild(build: WasmBuild, source: WasmSource | undefined): Promise<WebAssembly.Module> {
  const what = `simdnet.${build}.wasm`;
  const value = await sourceValue(build, source);
  try {
    return await compileValue(value, what);
  } catch (cause) {
    if (cause instanceof WebAssembly.CompileError) {
      throw new Error(`${OP}: ${what} is not a WebAssembly module this engine can run (corrupt file or unsupported features): ${cause.message}`);
    }
    throw cause;
  }
}
