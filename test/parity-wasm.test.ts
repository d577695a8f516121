// The wasm backend against the naive ground truth on the whole parity sweep, once per
// variant this engine runs (relaxed needs --experimental-wasm-relaxed-simd on Node 20,
// which vitest.config.ts passes), on one thread, and once per threads build on 2 threads
// with every GEMM split that has room for a split (gemmSplitFlops 0), so the sweep's small
// shapes cross the split too. Tolerances are the sweep's defaults (rtol 1e-4,
// atol 1e-5 relative to Σ|terms|): the relaxed build's fused multiply-add rounds once
// per step instead of twice, a difference far inside that bound.
// The SGEMM is held tighter, |got − want| ≤ 1e-6·|want| + 1e-5·(Σ|alpha·a·b| + |beta·c|):
// float32 accumulation over k ≤ 600 terms errs by about √k·2⁻²⁴·Σ|terms| ≈ 1.5e-6·Σ|terms|,
// and the relaxed build's fused multiply-add only removes roundings.
// (Bit-identity across thread counts is test/wasm-threads.test.ts's job.)
import { describe, expect, it } from 'vitest';
import { loadWasmBackend, supportsVariant, type WasmVariant } from '../src/backend/wasm.js';
import { describeBackendParity } from './support/sweep.js';
import { loadThreadedBackend } from './support/threads.js';

const variants: WasmVariant[] = ['scalar', 'simd', 'relaxed'];

for (const variant of variants) {
  if (!supportsVariant(variant)) {
    describe.skip(`wasm ${variant} (not supported by this engine)`, () => {});
    continue;
  }
  const blocking = (await loadWasmBackend({ variant, threads: 1 })).gemmBlocking;
  describeBackendParity(`wasm ${variant}`, () => loadWasmBackend({ variant, threads: 1 }), {
    gemmBlocking: blocking,
    gemmTolerance: { rtol: 1e-6, atol: 1e-5 },
  });
  if (variant === 'scalar') continue;
  describeBackendParity(`wasm ${variant}-threads on 2 threads`, () => loadThreadedBackend(variant, 2, { gemmSplitFlops: 0 }), {
    gemmBlocking: blocking,
    gemmTolerance: { rtol: 1e-6, atol: 1e-5 },
  });
}

describe('wasm parity setup', () => {
  it('runs every variant in Node 20 with the relaxed-SIMD flag (so none of the above was skipped)', () => {
    expect(variants.filter((v) => !supportsVariant(v))).toEqual([]);
  });

  it('the threads builds run on 2 threads here (Node shares memory with no flags)', async () => {
    const backend = await loadWasmBackend({ variant: 'simd', threads: 2 });
    expect([backend.threads, backend.threadsFallback]).toEqual([2, null]);
    await backend.dispose();
  });
});
