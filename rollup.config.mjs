// Builds dist/ from src/index.ts:
//   dist/simdnet.js          ESM for Node (node: builtins stay imports)
//   dist/simdnet.cjs         CommonJS for Node
//   dist/simdnet.browser.js  ESM for browsers and workers: one self-contained file, no
//                            node: imports, no bare imports, the wasm variants inlined
//   dist/simdnet.d.ts        bundled declarations (dist/simdnet.d.cts: the same, for require)
//   dist/simdnet-cli.js      the `simdnet` bin (src/cli.ts); imports ./simdnet.js
//   dist/onnx-conformance.json  the ONNX conformance fixtures of test/fixtures/onnx/ in one
//                            file, for `simdnet parity` and the browser parity page
// The Node bundles read build/simdnet.<variant>.wasm (shipped in the package) at run time,
// found relative to dist/ by src/backend/wasm/source.ts.
// Run with `npm run build` (wasm first, then rollup -c).
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { dts } from 'rollup-plugin-dts';
import { browserWasmPlugin } from './scripts/rollup-wasm.mjs';
import { conformancePack } from './scripts/rollup-conformance.mjs';
import { typescriptStrip } from './scripts/rollup-ts.mjs';

const input = 'src/index.ts';
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
// Runtime dependencies and optional peers stay imports; devDependencies the library uses
// (onnx-proto and protobufjs) are bundled, so the package installs with no dependencies.
const dependencies = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Node bundles leave builtins and runtime dependencies to Node's resolver. */
const nodeExternal = (id) => builtins.has(id) || id.startsWith('node:') || dependencies.some((d) => id === d || id.startsWith(`${d}/`));

/** Type-strips src/ file by file; `npm run typecheck` (tsc) is what checks types. */
const ts = () => typescriptStrip();

/** The first import that is not relative, dynamic import, or require() call in an ESTree
 * program (walked, so comments and strings in bundled libraries do not count). */
function findExternalImport(node) {
  if (!node || typeof node.type !== 'string') return null;
  if ((node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration' || node.type === 'ExportNamedDeclaration') && node.source && !/^\.\.?\//.test(node.source.value)) return `from '${node.source.value}'`;
  if (node.type === 'ImportExpression') return 'import()';
  if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'require') return 'require()';
  for (const value of Object.values(node)) {
    const children = Array.isArray(value) ? value : [value];
    for (const child of children) {
      if (child && typeof child === 'object') {
        const found = findExternalImport(child);
        if (found) return found;
      }
    }
  }
  return null;
}

/** Fails the browser build if anything Node-only slipped into it. */
function assertBrowserClean() {
  return {
    name: 'simdnet-assert-browser-clean',
    generateBundle(_, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const bad = findExternalImport(this.parse(chunk.code));
        if (bad) this.error(`browser bundle ${chunk.fileName} still has ${bad}: it must be self-contained`);
      }
    },
  };
}

/** Writes dist/THIRD_PARTY_LICENSES.txt: the licence of every package bundled into a chunk. */
function thirdPartyLicenses() {
  return {
    name: 'simdnet-third-party-licenses',
    generateBundle(_, bundle) {
      const packages = new Map();
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        for (const id of Object.keys(chunk.modules).filter((m) => !m.startsWith('\0'))) {
          const m = id.match(/node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/);
          if (m) packages.set(m[1].replace(/\\/g, '/'), id.slice(0, m.index + m[0].length));
        }
      }
      const sections = [...packages].sort().map(([name, dir]) => {
        const meta = JSON.parse(readFileSync(`${dir}package.json`, 'utf8'));
        const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
        if (!file) this.error(`bundled package ${name} ships no licence file`);
        return `${name}@${meta.version} (${meta.license})\n\n${readFileSync(`${dir}${file}`, 'utf8').trim()}\n`;
      });
      if (sections.length > 0) {
        const source = `simdnet's bundles include these packages, under their own licences:\n\n${sections.join(`\n${'-'.repeat(72)}\n\n`)}`;
        this.emitFile({ type: 'asset', fileName: 'THIRD_PARTY_LICENSES.txt', source });
      }
    },
  };
}

/** src/cli.ts imports the library as './index.js': the bin imports the ESM bundle instead. */
const isLibrary = (id) => /[\\/]src[\\/]index\.(ts|js)$/.test(id) || id === './index.js';

export default [
  {
    input: 'src/cli.ts',
    external: (id) => nodeExternal(id) || isLibrary(id),
    plugins: [ts(), conformancePack('test/fixtures/onnx')],
    output: { file: 'dist/simdnet-cli.js', format: 'es', banner: '#!/usr/bin/env node', paths: (id) => (isLibrary(id) ? './simdnet.js' : id) },
  },
  {
    input,
    external: nodeExternal,
    plugins: [ts(), nodeResolve({ preferBuiltins: true }), commonjs(), thirdPartyLicenses()],
    output: [
      { file: 'dist/simdnet.js', format: 'es', inlineDynamicImports: true },
      { file: 'dist/simdnet.cjs', format: 'cjs', exports: 'named', inlineDynamicImports: true },
    ],
  },
  {
    input,
    plugins: [browserWasmPlugin(), ts(), nodeResolve({ browser: true, preferBuiltins: false }), commonjs(), assertBrowserClean()],
    output: { file: 'dist/simdnet.browser.js', format: 'es', inlineDynamicImports: true },
  },
  {
    input,
    external: nodeExternal,
    plugins: [dts({ tsconfig: 'tsconfig.json', compilerOptions: { noEmit: false } })],
    // The same declarations twice: .d.ts for import (the package is "type": "module") and
    // .d.cts for require, so TypeScript sees the CommonJS bundle as CommonJS (before 5.8 a
    // require() of ESM-typed declarations is an error).
    output: [{ file: 'dist/simdnet.d.ts', format: 'es' }, { file: 'dist/simdnet.d.cts', format: 'es' }],
  },
];
