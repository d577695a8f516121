// Builds what is missing or older than its sources, and nothing else: the wasm variants
// (build/, from assembly/) and the bundles (dist/, from src/ and build/). `npm test` (a
// vitest global setup), `npm start`, `npm run demo` and the benchmarks run it first, so a
// fresh clone needs only `npm ci`: the package has no install script (a consumer of the
// tarball must run nothing), and `npm pack` / `npm publish` build in `prepack`.
//
//   tsx scripts/ensure-build.ts          wasm, then dist, each if stale
//   tsx scripts/ensure-build.ts wasm     only the wasm variants
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Read at run time by the Node bundles (the browser bundle inlines them). */
export const WASM_FILES = [
  'build/simdnet.scalar.wasm', 'build/simdnet.simd.wasm', 'build/simdnet.relaxed.wasm',
  'build/simdnet.simd-threads.wasm', 'build/simdnet.relaxed-threads.wasm',
];

export const DIST_FILES = [
  'dist/simdnet.js',
  'dist/simdnet.cjs',
  'dist/simdnet.browser.js',
  'dist/simdnet.d.ts',
  'dist/simdnet.d.cts',
  'dist/simdnet-cli.js',
  'dist/onnx-conformance.json',
];

const WASM_INPUTS = ['assembly', 'asconfig.json', 'scripts/build-wasm.mjs'];
const DIST_INPUTS = [
  'src', 'build', 'rollup.config.mjs', 'scripts/rollup-wasm.mjs', 'scripts/rollup-ts.mjs', 'scripts/rollup-conformance.mjs', 'test/fixtures/onnx', 'package.json',
];

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when an output is missing or any input is newer than the oldest output. */
function isStale(outputs: string[], inputs: string[]): boolean {
  const out = outputs.map((f) => join(root, f));
  if (out.some((f) => !existsSync(f))) return true;
  const oldestOutput = Math.min(...out.map((f) => statSync(f).mtimeMs));
  return Math.max(...inputs.map((p) => join(root, p)).filter(existsSync).map(newestMtime)) > oldestOutput;
}

export const wasmStale = (): boolean => isStale(WASM_FILES, WASM_INPUTS);
export const distStale = (): boolean => wasmStale() || isStale(DIST_FILES, DIST_INPUTS);

function run(what: string, args: string[]): void {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ensure-build: ${what} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/** Builds what is stale: 'wasm' the variants only, 'all' the variants and then dist/.
 * Returns what it built; throws with the build's output when a build fails. */
export function ensureBuild(what: 'wasm' | 'all' = 'all'): string[] {
  if (what !== 'wasm' && what !== 'all') throw new Error(`ensureBuild: what must be 'wasm' or 'all', got '${String(what)}'`);
  const built: string[] = [];
  if (wasmStale()) {
    run('npm run build:wasm', [join(root, 'scripts', 'build-wasm.mjs')]);
    built.push('build/ (wasm variants)');
  }
  if (what === 'all' && isStale(DIST_FILES, DIST_INPUTS)) {
    run('rollup -c', [join(root, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), '-c', '--silent']);
    built.push('dist/');
  }
  return built;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const arg = process.argv[2] ?? 'all';
  try {
    if (arg !== 'wasm' && arg !== 'all') throw new Error(`ensure-build: unknown target '${arg}' (expected wasm or all)`);
    const built = ensureBuild(arg);
    if (built.length > 0) console.error(`ensure-build: built ${built.join(' and ')}`);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
