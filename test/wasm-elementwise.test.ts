// The wasm ReLU kernels must be bit-identical to the shared TypeScript ones
// (src/backend/elementwise.ts): NaN kept, -0 → +0, backward 0 where x ≤ 0 or NaN,
// for every length around the four-wide SIMD body, and in place (y = x, dx = dy).
import { describe, expect, it } from 'vitest';
import * as elementwise from '../src/backend/elementwise.js';
import { loadWasmBackend, supportsVariant, type WasmVariant } from '../src/backend/wasm.js';
import { Random } from '../src/random.js';

const SPECIAL = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45, 3.5, -2.25];

function sameBits(actual: Float32Array, expected: Float32Array, label: string): void {
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${label}: index ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

for (const variant of ['scalar', 'simd', 'relaxed'] as WasmVariant[]) {
  describe.skipIf(!supportsVariant(variant))(`wasm ${variant} relu`, () => {
    it('relu and reluBackward equal the TypeScript kernels bit for bit, also in place', async () => {
      const be = await loadWasmBackend({ variant });
      const rng = new Random(3);
      for (let n = 0; n <= 13; n++) {
        const x = Float32Array.from({ length: n }, (_, i) => (i < SPECIAL.length && rng.uniform() < 0.6 ? SPECIAL[(i + n) % SPECIAL.length] : rng.uniform(-2, 2)));
        const dy = Float32Array.from({ length: n }, (_, i) => (i % 5 === 4 ? NaN : rng.uniform(-1, 1)));
        const y = new Float32Array(n).fill(7);
        const yWant = new Float32Array(n);
        be.relu(x, y);
        elementwise.relu(x, yWant);
        sameBits(y, yWant, `relu n=${n}`);
        const dx = new Float32Array(n).fill(7);
        const dxWant = new Float32Array(n);
        be.reluBackward(x, dy, dx);
        elementwise.reluBackward(x, dy, dxWant);
        sameBits(dx, dxWant, `reluBackward n=${n}`);
        const inPlace = x.slice();
        be.relu(inPlace, inPlace);
        sameBits(inPlace, yWant, `relu in place n=${n}`);
        const dyInPlace = dy.slice();
        be.reluBackward(x, dyInPlace, dyInPlace);
        sameBits(dyInPlace, dxWant, `reluBackward in place n=${n}`);
      }
    });

    it('short outputs are refused', async () => {
      const be = await loadWasmBackend({ variant });
      expect(() => be.relu(new Float32Array(5), new Float32Array(4))).toThrow(/relu: y has 4 elements but the geometry needs 5/);
      expect(() => be.reluBackward(new Float32Array(5), new Float32Array(5), new Float32Array(4))).toThrow(/reluBackward: dx has 4 elements/);
    });
  });
}
