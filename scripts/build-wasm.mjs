// Builds every wasm variant named in asconfig.json (scalar, simd, relaxed, and the
// shared-memory builds simd-threads and relaxed-threads) from the same assembly/ sources.
// `npm run build` runs it; scripts/ensure-build.ts runs it when stale.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = JSON.parse(readFileSync(join(root, 'asconfig.json'), 'utf8'));
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
for (const target of Object.keys(config.targets)) {
  const run = spawnSync(process.execPath, [asc, ...config.entries, '--target', target], {
    cwd: root,
    stdio: 'inherit',
  });
  if (run.status !== 0) {
    console.error(`build-wasm: asc failed for target '${target}'`);
    process.exit(run.status ?? 1);
  }
  console.log(`build-wasm: ${config.targets[target].outFile}`);
}
