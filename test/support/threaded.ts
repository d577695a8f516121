// A wasm backend whose work is split over 3 threads with every split threshold at 0 (no
// pool: parallel() runs the tasks here, last first), so parity tests hold every split path
// to the naive reference on their small shapes.
import { readFileSync } from 'node:fs';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/create.js';
import { kernelExports } from '../../src/backend/wasm/kernels.js';

export function forcedSplitBackend(variant: 'simd' | 'relaxed', threads = 3): WasmBackend {
  const bytes = readFileSync(new URL(`../../build/simdnet.${variant}.wasm`, import.meta.url));
  const kernels = kernelExports(new WebAssembly.Instance(new WebAssembly.Module(bytes), {}), `simdnet.${variant}.wasm`);
  return createWasmBackend(kernels, variant, { threads, splitThresholds: { flops: 0, elements: 0 }, gemmSplitFlops: 0 });
}
