// Central finite differences for gradient checks. The loss is Σ y·r for a fixed random
// projection r, summed in float64; the step divides by the perturbation actually stored in
// the Float32Array (fl(x+h) − fl(x−h)), so float32 rounding of x adds no error.
import { expect } from 'vitest';
import { Random } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';

/** Σ y·r in float64. */
export function project(y: Tensor, r: Tensor): number {
  let s = 0;
  for (let i = 0; i < y.size; i++) s += y.data[i] * r.data[i];
  return s;
}

/** A random tensor with values in [-1, 1) (a seeded stream, so failures reproduce). */
export function randomTensor(shape: number[], rng: Random, scale = 1): Tensor {
  const t = new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
  for (let i = 0; i < t.size; i++) t.data[i] = scale * rng.uniform(-1, 1);
  return t;
}

/** Values at least `gap` apart (a shuffled grid plus a little noise), so that a step of
 * less than gap/2 never changes which element a max picks or which side of 0 it is. */
export function separatedTensor(shape: number[], rng: Random, gap: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (i - n / 2 + 0.5) * gap + rng.uniform(-0.1, 0.1) * gap);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return new Tensor(Float32Array.from(values), shape);
}

/** d loss / d x by central differences, perturbing x in place (restored afterwards). */
export function numericGradient(x: Tensor, loss: () => number, h: number): Float64Array {
  const g = new Float64Array(x.size);
  for (let i = 0; i < x.size; i++) {
    const v = x.data[i];
    x.data[i] = v + h;
    const up = x.data[i];
    const lossUp = loss();
    x.data[i] = v - h;
    const down = x.data[i];
    const lossDown = loss();
    x.data[i] = v;
    g[i] = (lossUp - lossDown) / (up - down);
  }
  return g;
}

/** max |numeric − analytic| / max(1, max |analytic|): an error relative to the gradient's scale. */
export function gradientError(numeric: ArrayLike<number>, analytic: ArrayLike<number>): number {
  expect(analytic.length).toBe(numeric.length);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < numeric.length; i++) {
    worst = Math.max(worst, Math.abs(numeric[i] - analytic[i]));
    scale = Math.max(scale, Math.abs(analytic[i]));
  }
  return worst / scale;
}

/** Asserts the analytic gradient matches central differences within tol (see gradientError). */
export function expectGradient(name: string, x: Tensor, loss: () => number, analytic: ArrayLike<number>, h: number, tol: number): void {
  const numeric = numericGradient(x, loss, h);
  const err = gradientError(numeric, analytic);
  expect(err, `${name}: relative gradient error ${err.toExponential(2)} exceeds ${tol}`).toBeLessThan(tol);
}
