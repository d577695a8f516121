// vitest global setup: build the wasm variants and dist/ when missing or stale, once,
// before any test file runs (a fresh clone has neither: `npm ci` runs no build).
import { ensureDist } from '../browser/ensure-dist.js';

export default function setup(): void {
  const built = ensureDist();
  if (built.length > 0) console.log(`test setup: built ${built.join(' and ')}`);
}
