// The whole parity sweep on wasm backends whose work is split over 3 threads with every
// threshold at 0, so each kernel's split path (tasks run here, last first: no pool) is
// held to the naive ground truth, not only to the threads-1 bytes (wasm-threads-split).
import { describeBackendParity } from './support/sweep.js';
import { forcedSplitBackend } from './support/threaded.js';

for (const variant of ['simd', 'relaxed'] as const) {
  describeBackendParity(`wasm ${variant}, 3 threads (serial), every split forced`, () => forcedSplitBackend(variant), {
    gemmBlocking: forcedSplitBackend(variant).gemmBlocking,
    gemmTolerance: { rtol: 1e-6, atol: 1e-5 },
  });
}
