// Tests of the built package need a dist/ that matches the sources. `npm ci` builds it
// (prepare); during development src/ moves on, so rebuild (rollup -c) when any input is
// newer than any output. Test files run in parallel workers: a lock directory makes one
// of them build while the others wait.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const DIST_FILES = [
  'dist/simdnet.js',
  'dist/simdnet.cjs',
  'dist/simdnet.browser.js',
  'dist/simdnet.d.ts',
  'dist/simdnet.d.cts',
];

/** Read at run time by the Node bundles (the browser bundle inlines them). */
export const WASM_FILES = ['build/simdnet.scalar.wasm', 'build/simdnet.simd.wasm', 'build/simdnet.relaxed.wasm'];

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function isStale(): boolean {
  const outputs = DIST_FILES.map((f) => join(root, f));
  if (outputs.some((f) => !existsSync(f))) return true;
  const oldestOutput = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const inputs = ['src', 'build', 'rollup.config.mjs', 'scripts/rollup-wasm.mjs', 'package.json'].map((p) => join(root, p));
  return Math.max(...inputs.filter(existsSync).map(newestMtime)) > oldestOutput;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Makes sure dist/ is built and fresh; throws with rollup's output if the build fails. */
export function ensureDist(): void {
  if (!isStale()) return;
  const lock = join(tmpdir(), `simdnet-dist-${createHash('sha1').update(root).digest('hex').slice(0, 12)}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker is building; a lock older than 3 minutes is a crashed build.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`ensureDist: timed out waiting for ${lock}`);
      sleep(200);
    }
  }
  try {
    if (!isStale()) return;
    const rollup = join(root, 'node_modules', 'rollup', 'dist', 'bin', 'rollup');
    const run = spawnSync(process.execPath, [rollup, '-c', '--silent'], { cwd: root, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`ensureDist: \`rollup -c\` failed:\n${run.stdout}\n${run.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
