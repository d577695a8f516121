// The shared activation kernels (src/backend/activation-kernels.ts) and the float64 erfc
// under the exact GELU, against values computed in float64 by C's libm (Python's math
// module: erfc, exp, expm1, log1p, tanh), and their documented behaviour at the kinks.
// A float32 result must be the float64 value rounded once more: |got − want| ≤ 2^-23·|want|
// (one float32 ulp, covering the kernels' own float64 rounding before the store).
import { describe, expect, it } from 'vitest';
import * as k from '../src/backend/activation-kernels.js';
import { erf, erfc } from '../src/backend/erf.js';

const F32_ULP = 2 ** -23;

/** [z, erfc(z)] from Python 3's math.erfc (C libm), printed with repr. */
const ERFC: [number, number][] = [
  [-26, 2.0], [-6.5, 2.0], [-3, 1.9999779095030015], [-2.0000001, 1.9953222670856507], [-2, 1.9953222650189528],
  [-1.9999999, 1.9953222629522538], [-1, 1.842700792949715], [-0.3, 1.3286267594591274], [-1e-8, 1.0000000112837917],
  [0, 1.0], [1e-8, 0.9999999887162083], [0.3, 0.6713732405408726], [0.8, 0.2578990352923395], [1, 0.15729920705028513],
  [1.5, 0.033894853524689274], [1.9999999, 0.004677737047746216], [2, 0.004677734981047265], [2.0000001, 0.004677732914349147],
  [3, 2.2090496998585438e-5], [5, 1.5374597944280351e-12], [10, 2.088487583762545e-45], [20, 5.3958656116079005e-176],
  [26, 5.663192408856143e-296],
];

function run1(kernel: (x: Float32Array, y: Float32Array) => void, values: number[]): Float32Array {
  const x = Float32Array.from(values);
  const y = new Float32Array(x.length);
  kernel(x, y);
  return y;
}

function grad(kernel: (x: Float32Array, dy: Float32Array, dx: Float32Array) => void, values: number[], dyValue = 1): Float32Array {
  const x = Float32Array.from(values);
  const dx = new Float32Array(x.length);
  kernel(x, new Float32Array(x.length).fill(dyValue), dx);
  return dx;
}

function expectF32(got: ArrayLike<number>, want: number[], label: string): void {
  want.forEach((w, i) => {
    const err = Math.abs(got[i] - w);
    expect(err, `${label}[${i}]: ${got[i]} vs ${w}`).toBeLessThanOrEqual(F32_ULP * Math.abs(w) + 1e-45);
  });
}

describe('erfc and erf (float64)', () => {
  it('match C libm to 1e-13 relative at reference points, across the z = ±2 switch and in both tails', () => {
    for (const [z, want] of ERFC) {
      expect(Math.abs(erfc(z) - want) / want, `erfc(${z})`).toBeLessThan(1e-13);
      const e = 1 - want;
      if (Math.abs(e) > 1e-3) expect(Math.abs(erf(z) - e) / Math.abs(e), `erf(${z})`).toBeLessThan(1e-13);
    }
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(NaN)).toBeNaN();
    expect(erf(1e-300) / 1.1283791670955126e-300).toBeCloseTo(1, 14); // 2/√π · z near 0
    expect(erf(-0.5)).toBe(-erf(0.5));
  });
});

describe('activation kernels: values (float64 references from C libm)', () => {
  const xs = [1, -1, 0.5, -2.5, 3];
  it('gelu exact and tanh, silu, elu, softplus', () => {
    expectF32(run1((x, y) => k.gelu(x, 'none', y), xs), [0.8413447460685429, -0.15865525393145707, 0.34573123063700656, -0.015524163314440348, 2.99595030590511], 'gelu');
    expectF32(run1((x, y) => k.gelu(x, 'tanh', y), xs), [0.8411919906082768, -0.15880800939172324, 0.34571400982514394, -0.015084266089998577, 2.996362607918227], 'gelu tanh');
    expectF32(run1(k.silu, xs), [0.7310585786300049, -0.2689414213699951, 0.3112296656009273, -0.18964545005310887, 2.8577223804672998], 'silu');
    expectF32(run1((x, y) => k.elu(x, 1, y), xs), [1, -0.6321205588285577, 0.5, -0.9179150013761013, 3], 'elu');
    expectF32(run1((x, y) => k.softplus(x, 1, 20, y), xs), [1.3132616875182228, 0.31326168751822286, 0.9740769841801067, 0.07888973429254963, 3.048587351573742], 'softplus');
  });

  it('the lower tails are accurate, not 0 by cancellation, and −∞ gives 0 (not NaN)', () => {
    // Φ(−10)·(−10) = −7.619853024160593e-23: 1 + erf(−10/√2) would cancel to 0.
    expectF32(run1((x, y) => k.gelu(x, 'none', y), [-10]), [-7.619853024160593e-23], 'gelu(−10)');
    expect(Array.from(run1((x, y) => k.gelu(x, 'none', y), [-Infinity, Infinity]))).toEqual([0, Infinity]);
    expect(Array.from(run1((x, y) => k.gelu(x, 'tanh', y), [-Infinity, Infinity]))).toEqual([0, Infinity]);
    expect(Array.from(run1(k.silu, [-Infinity, Infinity]))).toEqual([0, Infinity]);
    expect(Array.from(grad(k.siluBackward, [-Infinity, Infinity]))).toEqual([0, 1]);
    expect(Array.from(grad((x, dy, dx) => k.geluBackward(x, 'none', dy, dx), [-Infinity, Infinity]))).toEqual([0, 1]);
    expect(Array.from(grad((x, dy, dx) => k.geluBackward(x, 'tanh', dy, dx), [-Infinity, Infinity]))).toEqual([0, 1]);
    // softplus never overflows, whatever the threshold: log(1 + e^100) = 100 + log1p(e^-100).
    expect(Array.from(run1((x, y) => k.softplus(x, 1, 1e9, y), [100, -100]))).toEqual([100, Math.fround(Math.log1p(Math.exp(-100)))]);
  });

  it('NaN propagates through every forward', () => {
    const fwd: ((x: Float32Array, y: Float32Array) => void)[] = [
      (x, y) => k.clip(x, 0, 6, y), (x, y) => k.hardSigmoid(x, 0.2, 0.5, y), k.hardSwish, k.silu,
      (x, y) => k.gelu(x, 'none', y), (x, y) => k.gelu(x, 'tanh', y), (x, y) => k.elu(x, 1, y), (x, y) => k.softplus(x, 1, 20, y),
      (x, y) => k.prelu(x, Float32Array.of(0.25), 1, 1, x.length, y),
    ];
    for (const f of fwd) expect(run1(f, [NaN])[0]).toBeNaN();
  });
});

describe('activation kernels: kinks', () => {
  it('clip: bounds pass no gradient; min > max gives max everywhere; NaN stays', () => {
    expect(Array.from(run1((x, y) => k.clip(x, -1, 6, y), [-2, -1, 0, 6, 7, NaN]))).toEqual([-1, -1, 0, 6, 6, NaN]);
    expect(Array.from(grad((x, dy, dx) => k.clipBackward(x, -1, 6, dy, dx), [-2, -1, 0, 6, 7, NaN]))).toEqual([0, 0, 1, 0, 0, 0]);
    expect(Array.from(run1((x, y) => k.clip(x, 2, 1, y), [0, 1.5, 3]))).toEqual([1, 1, 1]);
    expect(Array.from(grad((x, dy, dx) => k.clipBackward(x, 2, 1, dy, dx), [0, 1.5, 3]))).toEqual([0, 0, 0]);
  });

  it('hardSigmoid: ONNX defaults saturate at ±2.5; PyTorch constants (1/6) at ±3 exactly, the kinks passing 0', () => {
    expect(Array.from(run1((x, y) => k.hardSigmoid(x, 0.2, 0.5, y), [-3, -2.5, 0, 2.5, 3]))).toEqual([0, 0, 0.5, 1, 1]);
    expectF32(grad((x, dy, dx) => k.hardSigmoidBackward(x, 0.2, 0.5, dy, dx), [-2.5, -2.4, 0, 2.4, 2.5]), [0, 0.2, 0.2, 0.2, 0], 'hardSigmoid dx');
    expect(Array.from(run1((x, y) => k.hardSigmoid(x, 1 / 6, 0.5, y), [-3, 0, 3]))).toEqual([0, 0.5, 1]);
    expect(Array.from(grad((x, dy, dx) => k.hardSigmoidBackward(x, 1 / 6, 0.5, dy, dx), [-3, 3]))).toEqual([0, 0]);
  });

  it("hardSwish: 0 below −3, x above 3; the derivative is PyTorch's (−1/2 at −3, 3/2 at 3)", () => {
    expectF32(run1(k.hardSwish, [-4, -3, -1.5, 0, 1, 3, 4]), [0, 0, -0.375, 0, 2 / 3, 3, 4], 'hardSwish');
    expectF32(grad(k.hardSwishBackward, [-4, -3, -1.5, 0, 1, 3, 3.5]), [0, -0.5, 0, 0.5, 5 / 6, 1.5, 1], 'hardSwish dx');
  });

  it('elu and prelu: x = 0 takes the negative side (gradient alpha, slope); softplus switches to x above the threshold', () => {
    expect(Array.from(grad((x, dy, dx) => k.eluBackward(x, 0.5, dy, dx), [0, 1e-30, -1e-30]))).toEqual([0.5, 1, 0.5]);
    const x = Float32Array.of(0, 2, -2, -0.5, 1, -1);
    const slope = Float32Array.of(0.25, -3);
    const y = new Float32Array(6);
    k.prelu(x, slope, 1, 2, 3, y);
    expect(Array.from(y)).toEqual([0, 2, -0.5, 1.5, 1, 3]);
    const dx = new Float32Array(6);
    const dslope = new Float32Array(2);
    k.preluBackward(x, slope, new Float32Array(6).fill(2), 1, 2, 3, dx, dslope);
    expect(Array.from(dx)).toEqual([0.5, 2, 0.5, -6, 2, -6]);
    expect(Array.from(dslope)).toEqual([-4, -3]);
    expect(Array.from(run1((v, out) => k.softplus(v, 2, 10, out), [5, 5.000001]))).toEqual([Math.fround(Math.log1p(Math.exp(10)) / 2), Math.fround(5.000001)]);
    expect(Array.from(grad((v, dy, dx2) => k.softplusBackward(v, 2, 10, dy, dx2), [5.000001]))).toEqual([1]);
  });
});
