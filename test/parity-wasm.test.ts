// The wasm backend against the naive ground truth on the whole parity sweep, once per
// variant this engine runs (relaxed needs --experimental-wasm-relaxed-simd on Node 20,
// which vitest.config.ts passes). Tolerances are the sweep's defaults (rtol 1e-4,
// atol 1e-5 relative to Σ|terms|): the relaxed build's fused multiply-add rounds once
// per step instead of twice, a difference far inside that bound.
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
    gemmTile: { mr: blocking.mr, nr: blocking.nr },
    gemmBlocks: { mc: blocking.mc, nc: blocking.nc, kc: blocking.kc },
  });
}

describe('wasm parity setup', () => {
  it('runs every variant in Node 20 with the relaxed-SIMD flag (so none of the above was skipped)', () => {
    expect(variants.filter((v) => !supportsVariant(v))).toEqual([]);
  });
});
