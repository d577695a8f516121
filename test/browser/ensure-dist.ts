// Tests of the built package need a build/ and dist/ that match the sources. Nothing
// builds them at install time (the package has no install script), and during
// development assembly/ and src/ move on, so rebuild whatever is stale
// (scripts/ensure-build.ts). The vitest global setup (test/support/build.ts) calls this
// once before any test file; test files call it too, and when they run in parallel
// workers a lock directory makes one of them build while the others wait.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_FILES, WASM_FILES, distStale, ensureBuild, root } from '../../scripts/ensure-build.js';

export { DIST_FILES, WASM_FILES, root };

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Makes sure build/ and dist/ are built and fresh; returns what it built, throws with the
 * build's output if a build fails. */
export function ensureDist(): string[] {
  if (!distStale()) return [];
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
    return ensureBuild('all');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
