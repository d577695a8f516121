// The whole parity sweep on wasm backends whose work is split over 3 threads with every
// threshold at 0, so each kernel's split path (tasks run here, last first: no pool) is
// held to the naive ground truth, not only to the threads-1 bytes (wasm-threads-split).
import { readFileSync } from 'node:fs';
import { createWasmBackend } from '../src/backend/wasm/create.js';
import { kernelExports } from '../src/backend/wasm/kernels.js';
import { describeBackendParity } from './support/sweep.js';

for (const variant of ['simd', 'relaxed'] as const) {
  const load = () => {
    const bytes = readFileSync(new URL(`../build/simdnet.${variant}.wasm`, import.meta.url));
    const kernels = kernelExports(new WebAssembly.Instance(new WebAssembly.Module(bytes), {}), `simdnet.${variant}.wasm`);
    return createWasmBackend(kernels, variant, { threads: 3, splitThresholds: { flops: 0, elements: 0 } });
  };
  describeBackendParity(`wasm ${variant}, 3 threads (serial), every split forced`, load, {
    gemmBlocking: load().gemmBlocking,
    gemmTolerance: { rtol: 1e-6, atol: 1e-5 },
  });
}
