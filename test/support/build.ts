// vitest global setup: build the wasm variants and dist/ when missing or stale, once,
// before any test file runs (a fresh clone has neither: `npm ci` runs no build). Its
// teardown repeats the browser suite's skip notice at the end of the run, where it is seen.
import { ensureDist } from '../browser/ensure-dist.js';
import { currentBrowserSuite } from '../browser/chromium.js';

export default function setup(): () => void {
  const built = ensureDist();
  if (built.length > 0) console.log(`test setup: built ${built.join(' and ')}`);
  const suite = currentBrowserSuite();
  return () => {
    if (!suite.run && !suite.required) console.warn(`\n${suite.message}`);
  };
}
