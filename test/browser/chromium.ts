// Whether the browser suite runs. It needs a real Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core). On a machine with only Node the suite is SKIPPED, and says
// how to install the browser; CI sets SIMDNET_REQUIRE_BROWSER=1 (.ci/run), which turns the
// skip into a failure, so the suite cannot silently stop running there.
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_INSTALL = 'apt-get install -y chromium';
export const REQUIRE_BROWSER_VAR = 'SIMDNET_REQUIRE_BROWSER';
/** Test-only: another executable path, so the skip and the failure can be shown on a
 * machine that has Chromium (test/browser-skip.test.ts). Nothing else reads it. */
export const TEST_PATH_VAR = 'SIMDNET_TEST_CHROMIUM_PATH';

export type BrowserSuite =
  | { run: true; executablePath: string }
  | { run: false; required: boolean; message: string };

/** Decides from whether `executablePath` exists (and whether the environment requires the
 * browser): run, skip with the install command, or fail with it. */
export function browserSuite(executablePath: string, env: Record<string, string | undefined>): BrowserSuite {
  const requiredValue = env[REQUIRE_BROWSER_VAR];
  if (requiredValue !== undefined && requiredValue !== '' && requiredValue !== '0' && requiredValue !== '1') {
    throw new Error(`browserSuite: ${REQUIRE_BROWSER_VAR} must be 1 or 0, got '${requiredValue}'`);
  }
  if (existsSync(executablePath)) return { run: true, executablePath };
  const required = requiredValue === '1';
  const message = required
    ? `browser suite FAILED: ${executablePath} not found and ${REQUIRE_BROWSER_VAR}=1 requires it. Install Chromium: ${CHROMIUM_INSTALL}`
    : `browser suite SKIPPED: ${executablePath} not found. To run it, install Chromium: ${CHROMIUM_INSTALL} (CI sets ${REQUIRE_BROWSER_VAR}=1 to make this a failure)`;
  return { run: false, required, message };
}

/** The suite's decision for this process: the real path, unless the test-only variable names another. */
export function currentBrowserSuite(): BrowserSuite {
  return browserSuite(process.env[TEST_PATH_VAR] || CHROMIUM, process.env);
}

