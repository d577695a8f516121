// Rollup helpers for the wasm side of the build (used by rollup.config.mjs).
// - wasmVariants(): the build/simdnet.<variant>.wasm files named in asconfig.json.
// - browserWasmPlugin(): makes the browser bundle self-contained: every node: builtin
//   becomes a stub that throws if a Node-only path is ever taken, and the wasm variants
//   are inlined as base64, used when loadWasmBackend/init get no `source`, so a page or
//   worker needs no bundler configuration and no file beside the script. It does so by
//   wrapping src/backend/wasm/source.ts (the one place that picks a default source):
//   every import of it gets instantiateVariant / compileBuild(build, source ?? inlined bytes).
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** [{ variant, path }] for each asconfig.json target; fails if a binary is missing. */
export function wasmVariants() {
  const config = JSON.parse(readFileSync(join(root, 'asconfig.json'), 'utf8'));
  return Object.entries(config.targets).map(([variant, target]) => {
    const path = join(root, target.outFile);
    if (!existsSync(path)) throw new Error(`build: ${target.outFile} is missing: run \`npm run build:wasm\` first`);
    return { variant, path };
  });
}

const STUB = '\0simdnet-node-stub:';
const INLINE = '\0simdnet-inline-wasm';
const WRAPPED = '\0simdnet-wasm-source-inline';
const SOURCE_MODULE = join(root, 'src', 'backend', 'wasm', 'source.ts');

/** The virtual module `simdnet:inline-wasm`: { [variant]: () => Uint8Array }. */
function inlineWasmModule() {
  const lines = ['const decode = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));'];
  lines.push('export const inlineWasm = {');
  for (const { variant, path } of wasmVariants()) {
    lines.push(`  ${JSON.stringify(variant)}: () => decode(${JSON.stringify(readFileSync(path).toString('base64'))}),`);
  }
  lines.push('};');
  return lines.join('\n');
}

/** source.ts with the inlined bytes as its default (the real module is imported by path). */
function wrappedSourceModule() {
  const real = JSON.stringify(SOURCE_MODULE);
  return `export * from ${real};
import { instantiateVariant as instantiateFrom, compileBuild as compileFrom } from ${real};
import { inlineWasm } from ${JSON.stringify(INLINE)};
export function instantiateVariant(variant, source) {
  return instantiateFrom(variant, source === undefined ? inlineWasm[variant]() : source);
}
export function compileBuild(build, source) {
  return compileFrom(build, source === undefined ? inlineWasm[build]() : source);
}`;
}

export function browserWasmPlugin() {
  return {
    name: 'simdnet-browser-wasm',
    async resolveId(id, importer, options) {
      if (builtins.has(id) || id.startsWith('node:')) return STUB + id;
      if (id === INLINE) return INLINE;
      if (importer === WRAPPED || importer === SOURCE_MODULE || !importer) return null;
      const resolved = await this.resolve(id, importer, { ...options, skipSelf: true });
      return resolved?.id === SOURCE_MODULE ? WRAPPED : resolved;
    },
    buildEnd() {
      if (!Array.from(this.getModuleIds()).includes(WRAPPED)) {
        this.error('browser build: src/backend/wasm/source.ts was not imported, so the inlined wasm is unused; update scripts/rollup-wasm.mjs');
      }
    },
    load(id) {
      if (id === INLINE) return inlineWasmModule();
      if (id === WRAPPED) return wrappedSourceModule();
      if (!id.startsWith(STUB)) return null;
      const name = JSON.stringify(id.slice(STUB.length));
      // Any property is a function that throws: the Node-only branch fails loudly, and
      // merely importing the module (as the bundle does) costs nothing.
      return {
        code: `const fail = (key) => () => { throw new Error('simdnet: ' + ${name} + '.' + String(key) + ' is not available in a browser'); };
export default new Proxy({}, { get: (_, key) => (key === '__esModule' || key === 'then' ? undefined : fail(key)) });`,
        syntheticNamedExports: true,
      };
    },
  };
}
