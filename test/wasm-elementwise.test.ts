// The wasm ReLU kernels must be bit-identical to the shared TypeScript ones
// (src/backend/elementwise.ts): NaN kept, -0 → +0, backward 0 where x ≤ 0 or NaN,
// for every length around the four-wide SIMD body, and in place (y = x, dx = dy).
// Clip and hard-swish (their parity with naive is in activation-parity.test.ts) run in
// wasm too; float32 arithmetic per lane makes the scalar and SIMD builds agree exactly.
import { describe, expect, it } from 'vitest';
import * as activations from '../src/backend/activation-kernels.js';
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
      expect(() => be.clip(new Float32Array(5), 0, 6, new Float32Array(4))).toThrow(/clip: y has 4 elements/);
      expect(() => be.clipBackward(new Float32Array(5), 0, 6, new Float32Array(3), new Float32Array(5))).toThrow(/clipBackward: dy has 3 elements/);
      expect(() => be.hardSwish(new Float32Array(5), new Float32Array(4))).toThrow(/hardSwish: y has 4 elements/);
      expect(() => be.hardSwishBackward(new Float32Array(5), new Float32Array(5), new Float32Array(4))).toThrow(/hardSwishBackward: dx has 4 elements/);
    });

    it('clip and hardSwish are wasm kernels; clip bounds float32 cannot hold are refused', async () => {
      const be = await loadWasmBackend({ variant });
      for (const name of ['clip', 'clipBackward', 'hardSwish', 'hardSwishBackward'] as const) expect(be[name]).not.toBe(activations[name]);
      expect(() => be.clip(new Float32Array(4), 0.1, 6, new Float32Array(4))).toThrow(/clip: min must be a float32 value \(±Infinity allowed\), got 0\.1/);
      expect(() => be.clipBackward(new Float32Array(4), 0, NaN, new Float32Array(4), new Float32Array(4))).toThrow(/clipBackward: max must be a float32 value/);
      const y = new Float32Array(3);
      be.clip(Float32Array.of(-1, 0.5, 9), -Infinity, Infinity, y);
      expect(Array.from(y)).toEqual([-1, 0.5, 9]);
    });
  });
}

describe.skipIf(!supportsVariant('simd'))('wasm hardSwish: scalar and SIMD builds', () => {
  it('agree bit for bit (float32 per lane, no fused operations), forward and backward', async () => {
    const [scalar, simd] = await Promise.all([loadWasmBackend({ variant: 'scalar' }), loadWasmBackend({ variant: 'simd' })]);
    const rng = new Random(8);
    const n = 4099;
    const x = Float32Array.from({ length: n }, (_, i) => (i % 9 === 0 ? SPECIAL[i % SPECIAL.length] : rng.uniform(-5, 5)));
    const dy = Float32Array.from({ length: n }, () => rng.uniform(-2, 2));
    const a = new Float32Array(n);
    const b = new Float32Array(n);
    scalar.hardSwish(x, a);
    simd.hardSwish(x, b);
    sameBits(b, a, 'hardSwish');
    scalar.hardSwishBackward(x, dy, a);
    simd.hardSwishBackward(x, dy, b);
    sameBits(b, a, 'hardSwishBackward');
  });
});
