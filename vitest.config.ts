import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds build/*.wasm and dist/ when missing or stale (a fresh `npm ci` builds nothing).
    globalSetup: ['./test/support/build.ts'],
    // The default report, then one plain 'N passed, N failed, N skipped' line for CI.
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Node 20 ships relaxed SIMD behind a flag; pass it so the 'relaxed' wasm variant is tested too.
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--experimental-wasm-relaxed-simd'] } },
  },
});
