// Central finite differences for gradient checks (seeded tensors: ./random.ts).
// The loss is Σ y·r for a fixed random projection r, summed in float64; the step divides
// by the perturbation actually stored in the Float32Array (fl(x+h) − fl(x−h)), so float32
// rounding of x adds no error.
import { expect } from 'vitest';
import { noGrad } from '../../src/autograd/graph.js';
import { Tensor, formatShape } from '../../src/tensor.js';
import { randomTensor } from './random.js';

/** Σ y·r in float64. */
export function project(y: Tensor, r: Tensor): number {
  let s = 0;
  for (let i = 0; i < y.size; i++) s += y.data[i] * r.data[i];
  return s;
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

export interface StepTolerance {
  /** Finite-difference step. */
  h: number;
  /** Largest gradientError accepted. */
  tol: number;
}

/** Gradients through the tape: each tensor of `wrt` (leaves; made to require a gradient,
 * their .grad cleared) gets dL/dt from one backward of L = Σ f()·r (r fixed and random,
 * so the seed of backward is r), checked against central differences of L evaluated
 * under noGrad. f must be deterministic. Returns the error per tensor. */
export function expectTapeGradients(name: string, f: () => Tensor, wrt: readonly Tensor[], step: StepTolerance, seed = 99): number[] {
  for (const t of wrt) {
    if (!t.requiresGrad) t.requiresGrad = true;
    t.grad = null;
  }
  const y = f();
  expect(y.requiresGrad, `${name}: the output is not on the tape`).toBe(true);
  const r = randomTensor(y.shape, seed);
  y.backward(r);
  const analytic = wrt.map((t, k) => {
    expect(t.grad, `${name}: input ${k} got no gradient`).not.toBeNull();
    return Float64Array.from((t.grad as Tensor).data);
  });
  const loss = (): number => noGrad(() => project(f(), r));
  return wrt.map((t, k) => {
    const err = gradientError(numericGradient(t, loss, step.h), analytic[k]);
    expect(err, `${name}: input ${k} ${formatShape(t.shape)}: relative gradient error ${err.toExponential(2)} exceeds ${step.tol}`).toBeLessThan(step.tol);
    return err;
  });
}
