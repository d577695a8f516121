// The wasm max-pool paths on data built to catch them: small integers (so windows tie
// often and "first max wins" decides argmax) with NaNs sprinkled in (a NaN must win
// at once and stick), on widths that exercise the four-wide 2×2/stride-2 SIMD body and
// the four-wide column-stride-2 body of other windows (ResNet's 3×3 / 2 / pad 1), their
// scalar remainders, bottom/right padding, ceilMode and dilation. Everything must equal
// naive exactly.
import { describe, it } from 'vitest';
import { naiveBackend } from '../src/backend/naive.js';
import { loadWasmBackend, supportsVariant, type WasmVariant } from '../src/backend/wasm.js';
import { pool2dGeometry, type MaxPool2dOptions } from '../src/ops/geometry.js';
import { Random } from '../src/random.js';
import { expectEqual } from './support/compare.js';

// The last four: ceilMode on the 2×2 SIMD path (a partial last window on odd sizes, which
// the SIMD body must leave to the scalar loop), and dilated windows (their own scalar loop).
const OPTIONS: MaxPool2dOptions[] = [
  { kernelSize: 2 },
  { kernelSize: 2, padding: [0, 1, 0, 1] },
  { kernelSize: 3, stride: 2 },
  { kernelSize: [2, 3], stride: [2, 1], padding: [1, 0, 0, 2] },
  { kernelSize: 2, ceilMode: true },
  { kernelSize: 3, stride: 2, padding: 1, ceilMode: true },
  { kernelSize: 2, stride: 1, dilation: 2 },
  { kernelSize: [3, 2], stride: [1, 2], padding: [2, 1], dilation: [2, 3], ceilMode: true },
  // Column stride 2, other windows: ResNet's stem pool, and uneven windows and padding.
  { kernelSize: 3, stride: 2, padding: 1 },
  { kernelSize: [2, 5], stride: [1, 2], padding: [1, 0, 3, 1] },
];

for (const variant of ['scalar', 'simd', 'relaxed'] as WasmVariant[]) {
  describe.skipIf(!supportsVariant(variant))(`wasm ${variant} max pooling`, () => {
    it('ties and NaNs: y and argmax equal naive for widths 2..29, and the backward too', async () => {
      const be = await loadWasmBackend({ variant });
      const rng = new Random(5);
      for (const options of OPTIONS) {
        for (let width = 2; width <= 29; width++) {
          const shape = [2, 3, 5, width];
          let g;
          try {
            g = pool2dGeometry('test', shape, options);
          } catch {
            continue; // the window does not fit this width
          }
          const x = Float32Array.from({ length: 2 * 3 * 5 * width }, () => (rng.uniform() < 0.05 ? NaN : rng.int(4)));
          const ny = g.batch * g.channels * g.outHeight * g.outWidth;
          const y = new Float32Array(ny).fill(-7);
          const argmax = new Int32Array(ny).fill(-7);
          const yWant = new Float32Array(ny);
          const argWant = new Int32Array(ny);
          be.maxPool2d(g, x, y, argmax);
          naiveBackend.maxPool2d(g, x, yWant, argWant);
          const label = `${JSON.stringify(options)} width ${width}`;
          expectEqual(y, yWant, `${label}: y`);
          expectEqual(argmax, argWant, `${label}: argmax`);
          const dy = Float32Array.from({ length: ny }, () => rng.int(5) - 2);
          const dx = new Float32Array(x.length).fill(NaN);
          const dxWant = new Float32Array(x.length);
          be.maxPool2dBackward(g, dy, argmax, dx);
          naiveBackend.maxPool2dBackward(g, dy, argWant, dxWant);
          expectEqual(dx, dxWant, `${label}: dx`);
        }
      }
    });
  });
}
