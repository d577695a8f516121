// On a machine without Chromium the browser suite must be SKIPPED (and say how to install
// the browser), unless SIMDNET_REQUIRE_BROWSER=1 (CI) makes that a failure. The decision
// comes from whether the executable exists; here a test-only variable points the suite at
// a path that does not, and vitest runs it in a child process, both ways.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, CHROMIUM_INSTALL, REQUIRE_BROWSER_VAR, TEST_PATH_VAR, browserSuite } from './browser/chromium.js';
import { root } from './browser/ensure-dist.js';

const MISSING = join(tmpdir(), 'simdnet-no-such-dir', 'chromium');

describe('browserSuite decides from the executable path', () => {
  it('runs when the file exists, whatever the variable says', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-chromium-'));
    try {
      const fake = join(dir, 'chromium');
      writeFileSync(fake, '');
      expect(browserSuite(fake, {})).toEqual({ run: true, executablePath: fake });
      expect(browserSuite(fake, { [REQUIRE_BROWSER_VAR]: '1' })).toEqual({ run: true, executablePath: fake });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips a missing browser with the install command, or fails when required', () => {
    for (const env of [{}, { [REQUIRE_BROWSER_VAR]: '' }, { [REQUIRE_BROWSER_VAR]: '0' }]) {
      const skip = browserSuite(MISSING, env);
      expect(skip).toMatchObject({ run: false, required: false });
      expect(!skip.run && skip.message).toBe(`browser suite SKIPPED: ${MISSING} not found. To run it, install Chromium: ${CHROMIUM_INSTALL} (CI sets SIMDNET_REQUIRE_BROWSER=1 to make this a failure)`);
    }
    const fail = browserSuite(MISSING, { [REQUIRE_BROWSER_VAR]: '1' });
    expect(fail).toMatchObject({ run: false, required: true });
    expect(!fail.run && fail.message).toMatch(/^browser suite FAILED: .* not found and SIMDNET_REQUIRE_BROWSER=1 requires it\. Install Chromium: apt-get install -y chromium$/);
    expect(() => browserSuite(MISSING, { [REQUIRE_BROWSER_VAR]: 'yes' })).toThrow(/SIMDNET_REQUIRE_BROWSER must be 1 or 0, got 'yes'/);
  });

  it('the real path is Debian\'s Chromium', () => {
    expect(CHROMIUM).toBe('/usr/bin/chromium');
  });
});

/** `vitest run test/browser.test.ts` in a child process, with the browser path overridden. */
function runBrowserSuite(extra: Record<string, string>): { status: number | null; output: string } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('VITEST') && k !== REQUIRE_BROWSER_VAR) env[k] = v;
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const run = spawnSync(process.execPath, [vitest, 'run', 'test/browser.test.ts'], {
    cwd: root, encoding: 'utf8', env: { ...env, [TEST_PATH_VAR]: MISSING, ...extra }, timeout: 120_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the browser suite without a browser (child vitest run)', () => {
  it('is reported as skipped, prints the install command, and passes', () => {
    const { status, output } = runBrowserSuite({});
    expect(output).toContain(`browser suite SKIPPED: ${MISSING} not found`);
    expect(output).toContain(`install Chromium: ${CHROMIUM_INSTALL}`);
    expect(output).toMatch(/\n0 passed, 0 failed, (\d+) skipped\n/);
    expect(Number(/\n0 passed, 0 failed, (\d+) skipped\n/.exec(output)?.[1])).toBeGreaterThan(5);
    expect(status, output).toBe(0);
  });

  it('fails instead with SIMDNET_REQUIRE_BROWSER=1, naming the install command', () => {
    const { status, output } = runBrowserSuite({ [REQUIRE_BROWSER_VAR]: '1' });
    expect(output).toContain(`browser suite FAILED: ${MISSING} not found and SIMDNET_REQUIRE_BROWSER=1 requires it. Install Chromium: ${CHROMIUM_INSTALL}`);
    expect(output).toMatch(/\n0 passed, [1-9]\d* failed, 0 skipped\n/);
    expect(status).not.toBe(0);
  });
});
