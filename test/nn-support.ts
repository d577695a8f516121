// Helpers for the layer/model tests: seeded tensors, plus the central finite differences of
// a scalar L = Σ y·r (r a fixed projection, so dL/dy = r) from test/support/gradcheck.ts.
import { Random } from '../src/random.js';
import { Tensor } from '../src/tensor.js';

export function randomTensor(shape: number[], seed: number, scale = 1): Tensor {
  const rng = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, () => scale * rng.uniform(-1, 1)), shape);
}

/** Distinct values at least `gap` apart and away from 0 (no finite-difference step of
 * less than gap/2 crosses a max or ReLU kink). */
export function spreadTensor(shape: number[], seed: number, gap = 0.1): Tensor {
  const rng = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (i - Math.floor(n / 2) + 0.5) * gap);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return new Tensor(Float32Array.from(values), shape);
}

// The finite-difference pieces are the gradient-check helpers the op tests use.
export { project as dot, numericGradient, gradientError as relativeError } from './support/gradcheck.js';
