// `it` for the browser suite (test/browser/chromium.ts decides whether it runs): a file of
// its own, since chromium.ts is also read outside vitest's test context (support/build.ts).
import { it } from 'vitest';
import type { BrowserSuite } from './chromium.js';
/** `it` for the browser suite: skipped with it, and failing with its message where the
 * browser is required but missing. `timeout` (ms) per test, or vitest's default. */
export function browserTest(suite: BrowserSuite, defaultTimeout?: number): (name: string, body: () => Promise<void> | void, timeout?: number) => void {
  return (name, body, timeout = defaultTimeout) => {
    if (!suite.run && !suite.required) {
      it.skip(name, body);
      return;
    }
    const run = async (): Promise<void> => {
      if (!suite.run) throw new Error(suite.message);
      await body();
    };
    if (timeout === undefined) it(name, run);
    else it(name, { timeout }, run);
  };
}
