// Seeded random test data, one helper for every test file. Each takes a seed (a fresh
// stream) or a Random (a stream shared with the caller, so one test draws several arrays
// in a fixed order), so a failure reproduces bit for bit.
//
//   const x = randomArray(100, 7);                          // U[-1, 1)
//   const rng = new Random(3);
//   const dy = randomArray(n, rng, { low: -0.5, high: 0.5 });
//   const w = randomTensor([4, 3, 3, 3], rng, 0.1);         // 0.1·U[-1, 1)
//   const x = spreadTensor([2, 3, 5], 7, 0.25);             // ±0.125, ±0.375, … shuffled
import { Random } from '../../src/random.js';
import { Tensor, shapeSize, type Shape } from '../../src/tensor.js';

/** A seed for a fresh stream, or a stream to keep drawing from. */
export type Seed = number | Random;

export function randomStream(seed: Seed): Random {
  return typeof seed === 'number' ? new Random(seed) : seed;
}

/** `n` values uniform in [low, high), by default [-1, 1). */
export function randomArray(n: number, seed: Seed, { low = -1, high = 1 }: { low?: number; high?: number } = {}): Float32Array {
  const rng = randomStream(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(low, high);
  return a;
}

/** A tensor of values scale·U[-1, 1). */
export function randomTensor(shape: Shape, seed: Seed, scale = 1): Tensor {
  const rng = randomStream(seed);
  const data = new Float32Array(shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = scale * rng.uniform(-1, 1);
  return new Tensor(data, shape);
}

/** Distinct values on a shuffled grid of odd multiples of gap/2 (never 0), so a step of
 * less than gap/2 never changes which element a max picks or which side of 0 it is. */
export function spreadTensor(shape: Shape, seed: Seed, gap = 0.1): Tensor {
  const rng = randomStream(seed);
  const n = shapeSize(shape);
  const values = Array.from({ length: n }, (_, i) => (i - Math.floor(n / 2) + 0.5) * gap);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return new Tensor(Float32Array.from(values), shape);
}
