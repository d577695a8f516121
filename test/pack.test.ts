// The published package: what `npm pack` would ship, and whether the built bundles work
// when Node loads them the way a user's project would (import and require by name).
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_FILES, WASM_FILES, ensureDist, root } from './browser/ensure-dist.js';

interface PackEntry {
  path: string;
}

let files: string[] = [];

beforeAll(() => {
  ensureDist();
  // --ignore-scripts: dist/ is already fresh; packing must not rebuild it.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const [report] = JSON.parse(out) as { files: PackEntry[] }[];
  files = report.files.map((f) => f.path);
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
    expect(files.filter((f) => !/^(dist\/|build\/simdnet\.\w+\.wasm$|README\.md$|package\.json$|LICEN[CS]E)/.test(f))).toEqual([]);
  });

  it('package.json routes import, require, types and browsers to the right bundles', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const dot = pkg.exports['.'];
    expect(dot.types).toBe('./dist/simdnet.d.ts');
    expect(dot.browser).toBe('./dist/simdnet.browser.js');
    expect(dot.import).toBe('./dist/simdnet.js');
    expect(dot.require).toBe('./dist/simdnet.cjs');
    // `browser` must come before import/require: the first matching condition wins.
    const keys = Object.keys(dot);
    expect(keys.indexOf('browser')).toBeLessThan(keys.indexOf('import'));
    expect(pkg.browser).toBe('./dist/simdnet.browser.js');
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
    expect(code).not.toMatch(/\bfrom\s*['"]node:|\bimport\s*\(\s*['"]|\brequire\s*\(/);
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

  it('a TypeScript project type-checks against them, by import and by require', () => {
    // A consumer project with simdnet in its node_modules, strict, no skipLibCheck.
    const project = mkdtempSync(join(tmpdir(), 'simdnet-consumer-'));
    try {
      mkdirSync(join(project, 'node_modules'));
      symlinkSync(root, join(project, 'node_modules', 'simdnet'));
      writeFileSync(join(project, 'use.mts'), `import { init, Sequential, Tensor, Conv2d, ReLU, Flatten, Linear, softmax, type WasmVariant } from 'simdnet';
const variant: WasmVariant = 'simd';
export async function run(): Promise<number> {
  await init({ backend: 'wasm', variant });
  const model = new Sequential([new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 }), new ReLU(), new Flatten(), new Linear({ inFeatures: 2 * 26 * 26, outFeatures: 10 })]);
  const bytes: Uint8Array = model.save();
  return softmax(Sequential.load(bytes).predict(new Tensor(new Float32Array(784), [1, 1, 28, 28]))).data[0];
}
// @ts-expect-error Sequential.load takes bytes, not a number: the declarations must say so.
Sequential.load(42);
`);
      writeFileSync(join(project, 'use.cts'), `import simdnet = require('simdnet');
export const t: simdnet.Tensor = simdnet.zeros([1, 2]);
`);
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom',
        '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types'), 'use.mts', 'use.cts'];
      const run = spawnSync(process.execPath, [tsc, ...args], { cwd: project, encoding: 'utf8' });
      expect(run.stdout + run.stderr).toBe('');
      expect(run.status).toBe(0);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
