// Helpers for the layer/model tests: seeded tensors and central finite differences of a
// scalar L = Σ y·r (r a fixed projection, so dL/dy = r), summed in float64.
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

export function dot(y: Tensor, r: Tensor): number {
  let s = 0;
  for (let i = 0; i < y.size; i++) s += y.data[i] * r.data[i];
  return s;
}

/** dL/dt by central differences, dividing by the step actually stored in float32. */
export function numericGradient(t: Tensor, loss: () => number, h: number): Float64Array {
  const g = new Float64Array(t.size);
  for (let i = 0; i < t.size; i++) {
    const v = t.data[i];
    t.data[i] = v + h;
    const hi = t.data[i];
    const up = loss();
    t.data[i] = v - h;
    const lo = t.data[i];
    const down = loss();
    t.data[i] = v;
    g[i] = (up - down) / (hi - lo);
  }
  return g;
}

/** max |numeric − analytic| / max(1, max |analytic|). */
export function relativeError(numeric: ArrayLike<number>, analytic: ArrayLike<number>): number {
  if (numeric.length !== analytic.length) return Infinity;
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < numeric.length; i++) {
    worst = Math.max(worst, Math.abs(numeric[i] - analytic[i]));
    scale = Math.max(scale, Math.abs(analytic[i]));
  }
  return worst / scale;
}
