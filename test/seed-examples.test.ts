// The worked examples of the seed tutorials (docs/background.md), reproduced exactly (all values are small
// integers or exact binary fractions, so float32 results must match to the bit).
import { beforeAll, describe, expect, it as itAlways } from 'vitest';
import type { Backend } from '../src/backend/backend.js';
import { naiveBackend } from '../src/backend/naive.js';
import { jsBackend } from '../src/backend/js.js';
import { loadWasmBackend, supportsVariant, type WasmVariant } from '../src/backend/wasm.js';
import { tensor, zeros } from '../src/tensor.js';
import { avgPool2d, avgPool2dBackward, conv2d, conv2dBackward, gemm, im2col, maxPool2dWithIndices, maxPool2dBackward } from '../src/ops/index.js';

interface BackendCase {
  name: string;
  load: () => Backend | Promise<Backend>;
  supported: boolean;
}

const wasmVariants: WasmVariant[] = ['scalar', 'simd', 'relaxed'];
const backends: BackendCase[] = [
  { name: 'naive', load: () => naiveBackend, supported: true },
  { name: 'js', load: () => jsBackend, supported: true },
  // A variant the engine cannot validate (e.g. relaxed SIMD on Node 20) is skipped, not passed.
  ...wasmVariants.map((v) => ({ name: `wasm ${v}`, load: () => loadWasmBackend({ variant: v }), supported: supportsVariant(v) })),
];

// seed 000: a (1, 3, 4, 4), w (2, 3, 2, 2), b = [1, 2], stride 1.
const a000 = tensor(
  [
    [
      [[1, 6, 6, 2], [4, 3, 4, 3], [3, 6, 7, 7], [1, 5, 1, 2]],
      [[9, 1, 6, 7], [5, 3, 2, 6], [5, 7, 1, 7], [6, 8, 5, 8]],
      [[8, 6, 9, 5], [4, 6, 1, 6], [2, 3, 3, 8], [3, 5, 3, 6]],
    ],
  ],
);
const w000 = tensor([
  [[[5, 9], [5, 8]], [[1, 1], [8, 8]], [[7, 1], [2, 8]]],
  [[[5, 6], [9, 3]], [[2, 1], [9, 1]], [[8, 4], [3, 6]]],
]);
const b000 = tensor([1, 2]);
const z000 = [
  [296, 250, 288, 277, 280, 294, 302, 297, 315],
  [291, 252, 263, 230, 267, 239, 223, 283, 257],
];
// seed 000's a_t[0]: one row per output position, one column per (c, kh, kw).
const at000 = [
  [1, 6, 4, 3, 9, 1, 5, 3, 8, 6, 4, 6],
  [6, 6, 3, 4, 1, 6, 3, 2, 6, 9, 6, 1],
  [6, 2, 4, 3, 6, 7, 2, 6, 9, 5, 1, 6],
  [4, 3, 3, 6, 5, 3, 5, 7, 4, 6, 2, 3],
  [3, 4, 6, 7, 3, 2, 7, 1, 6, 1, 3, 3],
  [4, 3, 7, 7, 2, 6, 1, 7, 1, 6, 3, 8],
  [3, 6, 1, 5, 5, 7, 6, 8, 2, 3, 3, 5],
  [6, 7, 5, 1, 7, 1, 8, 5, 3, 3, 5, 3],
  [7, 7, 1, 2, 1, 7, 5, 8, 3, 8, 3, 6],
];

// seed 003: the 3×3 input 0..8, the 2×2 kernel 0..3.
const x003 = tensor([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 3, 3]);
const k003 = tensor([0, 1, 2, 3], [1, 1, 2, 2]);

describe.each(backends.map((b) => [b.name, b] as const))('seed examples on %s', (_name, spec) => {
  let be: Backend;
  beforeAll(async () => {
    if (spec.supported) be = await spec.load();
  });
  const it = spec.supported ? itAlways : itAlways.skip;
  it('seed 000: the 1×3×4×4 ⋆ 2×3×2×2 convolution with bias [1, 2]', () => {
    const z = conv2d(a000, w000, b000, {}, be);
    expect(z.shape).toEqual([1, 2, 3, 3]);
    expect(z.toArray()).toEqual(z000.flat());
  });

  it("seed 000: im2col gives a_t[0] transposed (PyTorch unfold order)", () => {
    const cols = im2col(a000, { kernelSize: 2 }, be);
    expect(cols.shape).toEqual([1, 12, 9]);
    const transposed = at000[0].map((_, col) => at000.map((row) => row[col]));
    expect(cols.toArray()).toEqual(transposed.flat());
  });

  it('seed 000: z_t = a_t · w_t, then transposed back and biased', () => {
    const at = tensor(at000);
    const wt = w000.reshape([2, 12]);
    const zt = gemm(at, wt, { transB: true }, be); // [9, 2]
    const z = zt.toArray();
    const result = [0, 1].map((j) => z.filter((_, i) => i % 2 === j).map((v) => v + b000.data[j]));
    expect(result).toEqual(z000);
  });

  it('seed 000: input gradient equals the seed\'s symbolic 4×4 matrix', () => {
    const [w11, w12, w21, w22] = [2, -3, 5, 7];
    const [d11, d12, d13, d21, d22, d23, d31, d32, d33] = [1, -2, 3, 4, 5, -6, 7, 8, 9];
    const expected = [
      w11 * d11, w11 * d12 + w12 * d11, w12 * d12 + w11 * d13, w12 * d13,
      w21 * d11 + w11 * d21, w22 * d11 + w21 * d12 + w12 * d21 + w11 * d22, w22 * d12 + w21 * d13 + w12 * d22 + w11 * d23, w22 * d13 + w12 * d23,
      w21 * d21 + w11 * d31, w22 * d21 + w21 * d22 + w12 * d31 + w11 * d32, w22 * d22 + w21 * d23 + w12 * d32 + w11 * d33, w22 * d23 + w12 * d33,
      w21 * d31, w22 * d31 + w21 * d32, w22 * d32 + w21 * d33, w22 * d33,
    ];
    // Two entries are corrected: the seed prints w21·δ13 + w11·δ23 at (2, 4) and
    // w21·δ23 + w11·δ33 at (3, 4), but column 4 is only reached by w's right column
    // (w12, w22), as the seed's own (1, 4) = w12·δ13 and (4, 4) = w22·δ33 show.
    const x = zeros([1, 1, 4, 4]);
    const w = tensor([w11, w12, w21, w22], [1, 1, 2, 2]);
    const dy = tensor([d11, d12, d13, d21, d22, d23, d31, d32, d33], [1, 1, 3, 3]);
    const { dx } = conv2dBackward(dy, x, w, {}, be);
    expect(dx!.toArray()).toEqual(expected);
  });

  it('seed 000: dw = tensordot(a_t, δ_t) and db = Σ δ_t', () => {
    const delta = tensor([1, 0, -1, 2, 3, 1, 0, -2, 1, 4, 1, 0, 2, -1, 3, 1, 1, 2], [1, 2, 3, 3]);
    // δ_t[pos, oc] = delta[0, oc, pos]; dw_t[(c, kh, kw), oc] = Σ_pos a_t[pos, ·] δ_t[pos, oc].
    const expectedW: number[] = [];
    const expectedB: number[] = [];
    for (let oc = 0; oc < 2; oc++) {
      for (let col = 0; col < 12; col++) {
        let s = 0;
        for (let pos = 0; pos < 9; pos++) s += at000[pos][col] * delta.data[oc * 9 + pos];
        expectedW.push(s);
      }
      let sb = 0;
      for (let pos = 0; pos < 9; pos++) sb += delta.data[oc * 9 + pos];
      expectedB.push(sb);
    }
    const { dw, db } = conv2dBackward(delta, a000, w000, {}, be);
    expect(dw.shape).toEqual([2, 3, 2, 2]);
    expect(dw.toArray()).toEqual(expectedW);
    expect(db.toArray()).toEqual(expectedB);
  });

  it('seed 003: 3×3 ⋆ 2×2 cross-correlation gives 19 25 37 43', () => {
    const y = conv2d(x003, k003, null, {}, be);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(y.toArray()).toEqual([19, 25, 37, 43]);
  });

  it('seed 003: 2×2 max pooling of 0..8 gives 4 5 7 8 (stride 1, figure 3)', () => {
    const { y, argmax } = maxPool2dWithIndices(x003, { kernelSize: 2, stride: 1 }, be);
    expect(y.toArray()).toEqual([4, 5, 7, 8]);
    expect(Array.from(argmax)).toEqual([4, 5, 7, 8]);
  });

  it('seed 003 eq. 2: max(0,1,3,4) max(2,0,5,0) max(6,7,0,0) max(8,0,0,0) — stride 2, zero padding bottom/right', () => {
    const { y, argmax } = maxPool2dWithIndices(x003, { kernelSize: 2, stride: 2, padding: [0, 1, 0, 1] }, be);
    expect(y.toArray()).toEqual([4, 5, 7, 8]);
    expect(Array.from(argmax)).toEqual([4, 5, 7, 8]);
  });

  it('seed 003 eq. 2 with the padding cells counted as zeros in an average', () => {
    const y = avgPool2d(x003, { kernelSize: 2, stride: 2, padding: [0, 1, 0, 1] }, be);
    expect(y.toArray()).toEqual([(0 + 1 + 3 + 4) / 4, (2 + 5) / 4, (6 + 7) / 4, 8 / 4]);
  });

  it('seed 003 eq. 11–13: max-pool backward routes δ to the recorded maxima', () => {
    // Maxima at top-left, top-right, bottom-left, bottom-right of the four 2×2 windows.
    const x = tensor([9, 1, 2, 9, 0, 0, 1, 0, 1, 0, 0, 0, 9, 0, 0, 9], [1, 1, 4, 4]);
    const { argmax } = maxPool2dWithIndices(x, { kernelSize: 2, stride: 2 }, be);
    const dy = tensor([2, 4, 6, 8], [1, 1, 2, 2]);
    const dx = maxPool2dBackward(dy, argmax, [1, 1, 4, 4], { kernelSize: 2, stride: 2 }, be);
    expect(dx.toArray()).toEqual([2, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 8]);
  });

  it('seed 003 eq. 14: average-pool backward spreads δ / 4 over each window', () => {
    const dy = tensor([2, 4, 6, 8], [1, 1, 2, 2]);
    const dx = avgPool2dBackward(dy, [1, 1, 4, 4], { kernelSize: 2, stride: 2 }, be);
    expect(dx.toArray()).toEqual([0.5, 0.5, 1, 1, 0.5, 0.5, 1, 1, 1.5, 1.5, 2, 2, 1.5, 1.5, 2, 2]);
  });

  it('padding never wins a max, even when every input is negative', () => {
    const x = tensor([-5, -4, -3, -2, -6, -7, -8, -9, -1], [1, 1, 3, 3]);
    const { y, argmax } = maxPool2dWithIndices(x, { kernelSize: 2, stride: 2, padding: [1, 0, 1, 0] }, be);
    expect(y.toArray()).toEqual([-5, -3, -2, -1]);
    expect(Array.from(argmax)).toEqual([0, 2, 3, 8]);
  });

  it('ties go to the first maximum in the window', () => {
    const x = tensor([3, 3, 3, 3], [1, 1, 2, 2]);
    const { argmax } = maxPool2dWithIndices(x, { kernelSize: 2 }, be);
    expect(Array.from(argmax)).toEqual([0]);
  });
});

describe('default backend', () => {
  itAlways('ops without a backend argument use currentBackend()', async () => {
    const { currentBackend, setBackend } = await import('../src/backend/registry.js');
    const before = currentBackend();
    try {
      setBackend(naiveBackend);
      expect(conv2d(a000, w000, b000).toArray()).toEqual(z000.flat());
      const calls: string[] = [];
      setBackend({ ...naiveBackend, conv2d: (...args) => { calls.push('conv2d'); naiveBackend.conv2d(...args); } });
      expect(conv2d(x003, k003).toArray()).toEqual([19, 25, 37, 43]);
      expect(calls).toEqual(['conv2d']);
    } finally {
      setBackend(before);
    }
  });
});
