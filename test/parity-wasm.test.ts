// The wasm backend against the naive ground truth on the whole parity sweep, once per
// variant this engine runs (relaxed needs --experimental-wasm-relaxed-simd on Node 20,
// which vitest.config.ts passes). Tolerances are the sweep's defaults (rtol 1e-4,
// atol 1e-5 relative to Σ|terms|): the relaxed build's fused multiply-add rounds once
// per step instead of twice, a difference far inside that bound.
// The SGEMM is held tighter, |got − want| ≤ 1e-6·|want| + 1e-5·(Σ|alpha·a·b| + |beta·c|):
// float32 accumulation over k ≤ 600 terms errs by about √k·2⁻²⁴·Σ|terms| ≈ 1.5e-6·Σ|terms|,
// and the relaxed build's fused multiply-add only removes roundings.
import { describe, expect, it } from 'vitest';
import { loadWasmBackend, supportsVariant, type WasmVariant } from '../src/backend/wasm.js';
import { describeBackendParity } from './support/sweep.js';

const variants: WasmVariant[] = ['scalar', 'simd', 'relaxed'];

for (const variant of variants) {
  if (!supportsVariant(variant)) {
    describe.skip(`wasm ${variant} (not supported by this engine)`, () => {});
    continue;
  }
  const blocking = (await loadWasmBackend({ variant })).gemmBlocking;
  describeBackendParity(`wasm ${variant}`, () => loadWasmBackend({ variant }), {
    gemmBlocking: blocking,
    gemmTolerance: { rtol: 1e-6, atol: 1e-5 },
  });
}

describe('wasm parity setup', () => {
  it('runs every variant in Node 20 with the relaxed-SIMD flag (so none of the above was skipped)', () => {
    expect(variants.filter((v) => !supportsVariant(v))).toEqual([]);
  });
});
