// matmul (numpy / ONNX MatMul semantics): values against a float64 loop over the
// broadcast batch, gradients through the tape by central differences on naive (LINEAR:
// h 0.05, tol 1e-4, as test/autograd-ops.test.ts: matmul is bilinear, so only float32
// rounding of y remains), js and wasm against naive (rtol 1e-4, atol 1e-5 relative to
// Σ|a·b|, the parity sweep's tolerance), and errors naming the op and the shapes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend/backend.js';
import { naiveBackend } from '../src/backend/naive.js';
import { jsBackend } from '../src/backend/js.js';
import { loadWasmBackend } from '../src/backend/wasm.js';
import { setBackend } from '../src/backend/registry.js';
import { matmul } from '../src/ops/index.js';
import { Tensor, shapeSize, zeros, type Shape } from '../src/tensor.js';
import { expectClose, type Tolerance } from './support/compare.js';
import { expectTapeGradients } from './support/gradcheck.js';
import { randomTensor } from './support/random.js';

const LINEAR = { h: 0.05, tol: 1e-4 };
const PARITY: Tolerance = { rtol: 1e-4, atol: 1e-5 };

/** numpy's matmul in float64 by the definition: shapes, broadcasting and the 1-D rules. */
function reference(a: Tensor, b: Tensor): { shape: number[]; data: Float64Array } {
  const as = a.rank === 1 ? [1, a.shape[0]] : [...a.shape];
  const bs = b.rank === 1 ? [b.shape[0], 1] : [...b.shape];
  const [m, k] = as.slice(-2);
  const n = bs[bs.length - 1];
  const ba = as.slice(0, -2);
  const bb = bs.slice(0, -2);
  const rank = Math.max(ba.length, bb.length);
  const pad = (s: number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const [pa, pb] = [pad(ba), pad(bb)];
  const batch = pa.map((d, i) => Math.max(d, pb[i]));
  const data = new Float64Array(shapeSize(batch) * m * n);
  for (let i = 0; i < shapeSize(batch); i++) {
    // Unravel i over batch, then ravel into each operand's batch (index 0 where it is 1).
    let rest = i;
    const idx = batch.map(() => 0);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = rest % batch[d];
      rest = Math.floor(rest / batch[d]);
    }
    const ravel = (p: number[]) => idx.reduce((acc, v, d) => acc * p[d] + (p[d] === 1 ? 0 : v), 0);
    const [ia, ib] = [ravel(pa), ravel(pb)];
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a.data[ia * m * k + r * k + q] * b.data[ib * k * n + q * n + c];
        data[(i * m + r) * n + c] = s;
      }
    }
  }
  return { shape: [...batch, ...(a.rank === 1 ? [] : [m]), ...(b.rank === 1 ? [] : [n])], data };
}

const PAIRS: [Shape, Shape][] = [
  [[3, 4], [4, 5]],
  [[2, 3, 4], [2, 4, 5]],
  [[2, 3, 4], [4, 5]], // b shared: one GEMM over a's folded rows
  [[2, 3, 4], [1, 4, 5]],
  [[3, 4], [2, 4, 5]], // a broadcast: dA summed over the batch
  [[1, 2, 3, 4], [3, 1, 4, 2]], // both broadcast
  [[2, 1, 3, 4], [5, 4, 2]],
  [[4], [2, 4, 3]],
  [[2, 3, 4], [4]],
  [[4], [4]],
  [[4], [4, 1]],
  [[1, 4], [4]],
];

let wasm: Backend;
let before: Backend;
beforeAll(async () => {
  wasm = await loadWasmBackend();
  before = setBackend('naive');
});
afterAll(() => {
  setBackend(before);
});

describe('matmul values (numpy semantics)', () => {
  for (const [sa, sb] of PAIRS) {
    it(`[${sa}] · [${sb}]`, () => {
      const a = randomTensor(sa, 1);
      const b = randomTensor(sb, 2);
      const want = reference(a, b);
      const y = matmul(a, b);
      expect(y.shape).toEqual(want.shape);
      expectClose(y.data, want.data, { rtol: 1e-6, atol: 1e-6 }, 'y');
    });
  }
});

describe('matmul gradients through the tape (naive, finite differences)', () => {
  for (const [sa, sb] of PAIRS) {
    it(`[${sa}] · [${sb}]: both operands`, () => {
      const a = randomTensor(sa, 3);
      const b = randomTensor(sb, 4);
      expectTapeGradients(`matmul [${sa}]·[${sb}]`, () => matmul(a, b), [a, b], LINEAR);
      expect((a.grad as Tensor).shape).toEqual(sa);
      expect((b.grad as Tensor).shape).toEqual(sb);
    });
  }
  it('one operand requiring a gradient, and the same tensor on both sides', () => {
    const a = randomTensor([2, 3, 3], 5);
    const frozen = randomTensor([3, 2], 6);
    expectTapeGradients('matmul a only', () => matmul(a, frozen), [a], LINEAR);
    expect(frozen.grad).toBeNull();
    expectTapeGradients('matmul(a, a)', () => matmul(a, a), [a], LINEAR);
  });
});

describe('matmul: js and wasm against naive', () => {
  const shapes: [Shape, Shape][] = [...PAIRS, [[3, 17, 33], [33, 9]], [[2, 2, 13, 40], [2, 1, 40, 19]], [[70, 65], [3, 65, 9]]];
  for (const name of ['js', 'wasm'] as const) {
    it(`${name}: forward and both gradients on ${shapes.length} shape pairs`, () => {
      const be = name === 'js' ? jsBackend : wasm;
      shapes.forEach(([sa, sb], i) => {
        const run = (backend: Backend, ta: Tensor, tb: Tensor, dy: (s: Shape) => Tensor) => {
          const [a, b] = [ta.detach(), tb.detach()];
          a.requiresGrad = true;
          b.requiresGrad = true;
          const y = matmul(a, b, backend);
          y.backward(dy(y.shape));
          return [y, a.grad as Tensor, b.grad as Tensor];
        };
        const a = randomTensor(sa, 10 + i);
        const b = randomTensor(sb, 20 + i);
        const dy = (s: Shape) => randomTensor(s, 30 + i);
        const abs = (t: Tensor) => new Tensor(t.data.map(Math.abs), t.shape);
        const want = run(naiveBackend, a, b, dy);
        const mag = run(naiveBackend, abs(a), abs(b), (s) => abs(dy(s)));
        const got = run(be, a, b, dy);
        ['y', 'da', 'db'].forEach((label, k) => expectClose(got[k].data, want[k].data, PARITY, `[${sa}]·[${sb}] ${label}`, mag[k].data));
      });
    });
  }
});

describe('matmul errors', () => {
  it('names the op and both shapes', () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(/matmul: inner dimensions differ \(3 vs 4\) in a \[2, 3\] · b \[4, 5\]/);
    expect(() => matmul(zeros([2, 3, 4]), zeros([3, 4, 5]))).toThrow(/matmul: batch dimensions \[2\] and \[3\] do not broadcast in a \[2, 3, 4\] · b \[3, 4, 5\]/);
    expect(() => matmul(new Tensor(Float32Array.of(1), []), zeros([1, 2]))).toThrow(/matmul: operands must have at least one dimension, got a \[\] · b \[1, 2\]/);
    expect(() => matmul(zeros([0, 3]), zeros([3, 2]))).toThrow(/matmul: matrix sizes must be positive, got m=0, n=2, k=3 in a \[0, 3\] · b \[3, 2\]/);
    expect(() => matmul(zeros([0, 2, 3]), zeros([3, 2]))).toThrow(/matmul: batch dimensions \[0\] are empty/);
    expect(() => matmul([1, 2] as never, zeros([2]))).toThrow(/matmul: a must be a Tensor, got \[1, 2\]/);
  });
});
