// The pooling options of issue 10 — avgPool2d countIncludePad, ceilMode for max and average
// pooling, maxPool2d dilation, globalMaxPool2d, adaptiveAvgPool2d — and their layers:
// - PyTorch 1.13 float64 values (test/fixtures/pool-torch.json, written by
//   scripts/fixtures/pool_torch.py) on every backend, forward and backward through the tape;
// - small examples computed by hand;
// - gradients through the tape against central differences on naive;
// - bad input: errors naming the op (or layer) and the values;
// - the layers: options, config() and model files, gradients.
// The every-backend-against-naive sweep of these options is in test/support/sweep.ts.
//
// Tolerances. x holds multiples of 1/16 and dy multiples of 1/8 (exact in float32), so max
// pooling's y and dx must equal PyTorch's exactly. An average is a float32 sum of at most
// 25 such values (exact) times the reciprocal of the divisor, so y and dx are within about
// two float32 roundings of PyTorch's float64 value: rtol 1e-6 (2⁻²⁴ ≈ 6e-8 per rounding),
// atol 1e-7 for values near 0. A wrong divisor is off by at least 1/25 = 4e-2.
// Gradients: LINEAR = h 0.05, tol 1e-4 as in autograd-ops.test.ts (the poolings are linear
// or piecewise linear; inputs of max are spread 0.25 apart so no step crosses a tie).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Pool2dGeometry } from '../src/backend/backend.js';
import { naiveBackend } from '../src/backend/naive.js';
import { jsBackend } from '../src/backend/js.js';
import { setBackend } from '../src/backend/registry.js';
import { loadWasmBackend, supportsVariant, type WasmVariant } from '../src/backend/wasm.js';
import {
  adaptiveAvgPool2d, adaptiveAvgPool2dBackward, avgPool2d, avgPool2dBackward, globalMaxPool2d, maxPool2d, maxPool2dBackward,
  maxPool2dWithIndices,
} from '../src/ops/index.js';
import { pool2dGeometry, type AvgPool2dOptions, type MaxPool2dOptions, type Size2 } from '../src/ops/geometry.js';
import {
  AdaptiveAvgPool2d, AvgPool2d, Flatten, GlobalMaxPool2d, Linear, MaxPool2d, Sequential, createModule,
} from '../src/nn/index.js';
import { Tensor, tensor, zeros } from '../src/tensor.js';
import { expectClose, expectEqual } from './support/compare.js';
import { expectTapeGradients } from './support/gradcheck.js';
import { randomTensor, spreadTensor } from './support/random.js';

const AVERAGE_TOL = { rtol: 1e-6, atol: 1e-7 };
const LINEAR = { h: 0.05, tol: 1e-4 };

interface FixtureTensor {
  shape: number[];
  data: number[];
}

interface FixtureCase {
  name: string;
  op: 'maxPool2d' | 'avgPool2d' | 'adaptiveAvgPool2d' | 'globalMaxPool2d';
  options: Record<string, unknown>;
  x: FixtureTensor;
  y: FixtureTensor;
  dy: FixtureTensor;
  dx: FixtureTensor;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/pool-torch.json', import.meta.url), 'utf8')) as { torch: string; cases: FixtureCase[] };

/** The gradient backward() left in t. */
function gradOf(t: Tensor): Float32Array {
  if (!t.grad) throw new Error('no gradient');
  return t.grad.data;
}

function run(c: FixtureCase, x: Tensor, be: Backend): Tensor {
  switch (c.op) {
    case 'maxPool2d': return maxPool2d(x, c.options as unknown as MaxPool2dOptions, be);
    case 'avgPool2d': return avgPool2d(x, c.options as unknown as AvgPool2dOptions, be);
    case 'adaptiveAvgPool2d': return adaptiveAvgPool2d(x, c.options.outputSize as Size2, be);
    case 'globalMaxPool2d': return globalMaxPool2d(x, be);
  }
}

const backends: { name: string; supported: boolean; load: () => Backend | Promise<Backend> }[] = [
  { name: 'naive', supported: true, load: () => naiveBackend },
  { name: 'js', supported: true, load: () => jsBackend },
  ...(['scalar', 'simd', 'relaxed'] as WasmVariant[]).map((v) => ({ name: `wasm ${v}`, supported: supportsVariant(v), load: () => loadWasmBackend({ variant: v }) })),
];

describe(`PyTorch ${fixture.torch} pooling values (${fixture.cases.length} cases)`, () => {
  it('covers every new option', () => {
    const options = fixture.cases.map((c) => c.options);
    expect(options.some((o) => o.ceilMode === true && o.countIncludePad === false)).toBe(true);
    expect(options.some((o) => o.dilation !== undefined && o.ceilMode === true)).toBe(true);
    expect(new Set(fixture.cases.map((c) => c.op))).toEqual(new Set(['maxPool2d', 'avgPool2d', 'adaptiveAvgPool2d', 'globalMaxPool2d']));
  });

  for (const b of backends) {
    it.skipIf(!b.supported)(`${b.name}: y and dx (through the tape) equal PyTorch's`, async () => {
      const be = await b.load();
      for (const c of fixture.cases) {
        const x = new Tensor(Float32Array.from(c.x.data), c.x.shape);
        x.requiresGrad = true;
        const y = run(c, x, be);
        expect(y.shape, `${c.name}: y shape`).toEqual(c.y.shape);
        y.backward(new Tensor(Float32Array.from(c.dy.data), c.dy.shape));
        const dx = gradOf(x);
        if (c.op === 'maxPool2d' || c.op === 'globalMaxPool2d') {
          expectEqual(y.data, c.y.data, `${c.name}: y`);
          expectEqual(dx, c.dx.data, `${c.name}: dx`);
        } else {
          expectClose(y.data, c.y.data, AVERAGE_TOL, `${c.name}: y`);
          expectClose(dx, c.dx.data, AVERAGE_TOL, `${c.name}: dx`);
        }
      }
    });
  }
});

describe('pooling options by hand', () => {
  // 1 2 3
  // 4 5 6
  // 7 8 9
  const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);

  it('countIncludePad: false divides by the elements inside the input', () => {
    const pool = { kernelSize: 2, padding: [0, 1, 0, 1] } as const;
    expect(avgPool2d(x, pool, naiveBackend).toArray()).toEqual([3, 2.25, 3.75, 2.25]); // (3+6)/4, (7+8)/4, 9/4
    expect(avgPool2d(x, { ...pool, countIncludePad: false }, naiveBackend).toArray()).toEqual([3, 4.5, 7.5, 9]);
    const dx = avgPool2dBackward(tensor([4, 4, 4, 4], [1, 1, 2, 2]), [1, 1, 3, 3], { ...pool, countIncludePad: false }, naiveBackend);
    expect(dx.toArray()).toEqual([1, 1, 2, 1, 1, 2, 2, 2, 4]);
  });

  it('ceilMode keeps the partial last window; its divisor stops at the padded input', () => {
    // floor: one 2×2 window; ceil: four, the last ones partial. No padding, so a partial
    // window divides by its part inside the input whether padding counts or not.
    expect(avgPool2d(x, { kernelSize: 2 }, naiveBackend).toArray()).toEqual([3]);
    expect(avgPool2d(x, { kernelSize: 2, ceilMode: true }, naiveBackend).toArray()).toEqual([3, 4.5, 7.5, 9]);
    expect(maxPool2d(x, { kernelSize: 2, ceilMode: true }, naiveBackend).toArray()).toEqual([5, 6, 8, 9]);
    // Padding 1 and kernel 2, stride 2: windows start at -1 and 1; ceil adds none, because a
    // window starting at 3 would start past the input and the top/left padding.
    const g = pool2dGeometry('avgPool2d', [1, 1, 3, 3], { kernelSize: 2, padding: 1, ceilMode: true });
    expect([g.outHeight, g.outWidth]).toEqual([2, 2]);
    // 3×3 windows at stride 2 with padding 1 over 4×4: ceil gives 3 outputs (starts -1, 1, 3);
    // the last one covers rows 3, 4 (4 is padding) and would cover 5, past the padded input.
    const x4 = tensor(Array.from({ length: 16 }, (_, i) => i + 1), [1, 1, 4, 4]);
    const y = avgPool2d(x4, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }, naiveBackend);
    expect(y.shape).toEqual([1, 1, 3, 3]);
    expect(y.toArray()[8]).toBe(16 / 4); // x[3][3] over the 2×2 part inside the padded input
    expect(y.toArray()[0]).toBe(Math.fround((1 + 2 + 5 + 6) / 9));
  });

  it('dilation spaces the taps; argmax points at the tap taken', () => {
    const x4 = tensor([1, 9, 2, 0, 3, 4, 8, 5, 6, 7, 0, 1, 2, 3, 4, 5], [1, 1, 4, 4]);
    const { y, argmax } = maxPool2dWithIndices(x4, { kernelSize: 2, stride: 1, dilation: 2 }, naiveBackend);
    // taps (0,0),(0,2),(2,0),(2,2) → 1 2 6 0; (0,1),(0,3),(2,1),(2,3) → 9 0 7 1; ...
    expect(y.toArray()).toEqual([6, 9, 8, 5]);
    expect(Array.from(argmax)).toEqual([8, 1, 6, 7]);
  });

  it('globalMaxPool2d and adaptiveAvgPool2d', () => {
    expect(globalMaxPool2d(tensor([3, 1, 4, 1, 5, 9, 2, 6], [1, 2, 2, 2]), naiveBackend).toArray()).toEqual([4, 9]);
    // rows [0, 2) and [1, 3), columns alike
    expect(adaptiveAvgPool2d(x, 2, naiveBackend).toArray()).toEqual([3, 4, 6, 7]);
    expect(adaptiveAvgPool2d(x, [1, 3], naiveBackend).toArray()).toEqual([4, 5, 6]);
    expect(adaptiveAvgPool2d(x, [3, 3], naiveBackend).toArray()).toEqual(x.toArray());
    const dx = adaptiveAvgPool2dBackward(tensor([4, 8, 12, 16], [1, 1, 2, 2]), [1, 1, 3, 3], 2, naiveBackend);
    expect(dx.toArray()).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });
});

describe('pooling option gradients through the tape (naive)', () => {
  let before: Backend;
  beforeAll(() => {
    before = setBackend('naive');
  });
  afterAll(() => {
    setBackend(before);
  });

  const maxCases: { name: string; x: number[]; options: MaxPool2dOptions }[] = [
    { name: 'ceilMode, padding 1', x: [2, 2, 6, 7], options: { kernelSize: 3, stride: 2, padding: 1, ceilMode: true } },
    { name: 'dilation [2, 3], stride 2, padding', x: [1, 2, 7, 8], options: { kernelSize: 3, stride: 2, padding: [1, 2], dilation: [2, 3] } },
    { name: 'dilation 2 and ceilMode, asymmetric padding', x: [1, 1, 8, 7], options: { kernelSize: 2, stride: 3, padding: [1, 0, 0, 1], dilation: 2, ceilMode: true } },
  ];
  for (const c of maxCases) {
    it(`maxPool2d ${c.name}`, () => {
      const x = spreadTensor(c.x, 11, 0.25);
      expectTapeGradients(`maxPool2d ${c.name}`, () => maxPool2d(x, c.options), [x], LINEAR);
      // The explicit backward op gives the same dx as the tape.
      const { y, argmax } = maxPool2dWithIndices(x, c.options);
      const dy = randomTensor(y.shape, 3);
      x.grad = null;
      maxPool2d(x, c.options).backward(dy);
      expectEqual(maxPool2dBackward(dy, argmax, c.x, c.options).data, gradOf(x), `${c.name}: maxPool2dBackward`);
    });
  }

  const avgCases: { name: string; x: number[]; options: AvgPool2dOptions }[] = [
    { name: 'ceilMode, padding counted (a window past the padding)', x: [1, 2, 6, 6], options: { kernelSize: 3, stride: 2, padding: 1, ceilMode: true } },
    { name: 'ceilMode, countIncludePad false', x: [2, 1, 7, 5], options: { kernelSize: [3, 2], stride: [2, 3], padding: [1, 1], ceilMode: true, countIncludePad: false } },
    { name: 'countIncludePad false, asymmetric padding', x: [1, 2, 5, 6], options: { kernelSize: 3, stride: 1, padding: [2, 0, 1, 2], countIncludePad: false } },
  ];
  for (const c of avgCases) {
    it(`avgPool2d ${c.name}`, () => {
      const x = randomTensor(c.x, 12);
      expectTapeGradients(`avgPool2d ${c.name}`, () => avgPool2d(x, c.options), [x], LINEAR);
      const dy = randomTensor(avgPool2d(x, c.options).shape, 4);
      x.grad = null;
      avgPool2d(x, c.options).backward(dy);
      expectClose(avgPool2dBackward(dy, c.x, c.options).data, gradOf(x), AVERAGE_TOL, `${c.name}: avgPool2dBackward`);
    });
  }

  for (const [shape, size] of [[[2, 2, 7, 5], [3, 4]], [[1, 2, 3, 4], [5, 6]], [[1, 3, 6, 6], 1]] as [number[], Size2][]) {
    it(`adaptiveAvgPool2d [${shape.join(', ')}] to ${JSON.stringify(size)}`, () => {
      const x = randomTensor(shape, 13);
      expectTapeGradients('adaptiveAvgPool2d', () => adaptiveAvgPool2d(x, size), [x], LINEAR);
    });
  }

  it('globalMaxPool2d', () => {
    const x = spreadTensor([2, 3, 4, 5], 14, 0.25);
    expectTapeGradients('globalMaxPool2d', () => globalMaxPool2d(x), [x], LINEAR);
  });
});

describe('pooling option errors name the op', () => {
  const x = zeros([1, 3, 4, 4]);
  const bad = <T>(v: unknown) => v as T;

  it('ceilMode and countIncludePad must be booleans', () => {
    expect(() => maxPool2d(x, bad({ kernelSize: 2, ceilMode: 'yes' }), naiveBackend)).toThrow(/maxPool2d: ceilMode must be true or false, got yes/);
    expect(() => avgPool2d(x, bad({ kernelSize: 2, countIncludePad: 0 }), naiveBackend)).toThrow(/avgPool2d: countIncludePad must be true or false, got 0/);
    expect(() => avgPool2dBackward(zeros([1, 3, 2, 2]), [1, 3, 4, 4], bad({ kernelSize: 2, ceilMode: 1 }), naiveBackend)).toThrow(/avgPool2dBackward: ceilMode must be true or false, got 1/);
  });

  it('dilation: positive integers, windows that reach the input', () => {
    expect(() => maxPool2d(x, { kernelSize: 2, dilation: 0 }, naiveBackend)).toThrow(/maxPool2d: dilation must be a positive integer or \[h, w\].*got 0/);
    expect(() => maxPool2d(x, { kernelSize: 2, dilation: [2, 1.5] }, naiveBackend)).toThrow(/maxPool2d: dilation .*got \[2, 1\.5\]/);
    expect(() => maxPool2d(x, { kernelSize: 2, dilation: 2, padding: 3 }, naiveBackend)).toThrow(
      /maxPool2d: padding \[3, 3, 3, 3\] must be smaller than the dilated kernel \[3, 3\] on each side \(input \[1, 3, 4, 4\]\)/,
    );
    // taps at -1 and 2 of a 2-row input: both outside.
    expect(() => maxPool2d(zeros([1, 1, 2, 2]), { kernelSize: 2, dilation: 3, padding: 1 }, naiveBackend)).toThrow(
      /maxPool2d: window row 0 holds no input element \(input \[1, 1, 2, 2\], kernel 2, dilation 3, stride 2, padding before 1\)/,
    );
    expect(() => maxPool2d(x, { kernelSize: 3, dilation: 2 }, naiveBackend)).toThrow(/maxPool2d: output height would be empty \(input 4, padding 0\+0, kernel 3, dilation 2/);
  });

  it('ceilMode cannot rescue an empty output', () => {
    expect(() => avgPool2d(x, { kernelSize: 5, ceilMode: true }, naiveBackend)).toThrow(/avgPool2d: output height would be empty/);
  });

  it('maxPool2dBackward checks dy against the ceil-mode and dilated output', () => {
    const options = { kernelSize: 3, stride: 2, ceilMode: true };
    const { argmax } = maxPool2dWithIndices(x, options, naiveBackend);
    expect(() => maxPool2dBackward(zeros([1, 3, 1, 1]), argmax, [1, 3, 4, 4], options, naiveBackend)).toThrow(
      /maxPool2dBackward: dy has shape \[1, 3, 1, 1\] but max pooling of \[1, 3, 4, 4\] needs \[1, 3, 2, 2\]/,
    );
  });

  it('globalMaxPool2d and adaptiveAvgPool2d', () => {
    expect(() => globalMaxPool2d(zeros([3, 4, 4]), naiveBackend)).toThrow(/globalMaxPool2d: input must have rank 4, got shape \[3, 4, 4\]/);
    expect(() => globalMaxPool2d(bad([1, 2]), naiveBackend)).toThrow(/globalMaxPool2d: input must be a Tensor/);
    expect(() => adaptiveAvgPool2d(zeros([3, 4, 4]), 2, naiveBackend)).toThrow(/adaptiveAvgPool2d: input must have rank 4, got shape \[3, 4, 4\]/);
    expect(() => adaptiveAvgPool2d(x, 0, naiveBackend)).toThrow(/adaptiveAvgPool2d: outputSize must be a positive integer or \[h, w\] of positive integers, got 0/);
    expect(() => adaptiveAvgPool2d(x, bad([2, NaN]), naiveBackend)).toThrow(/adaptiveAvgPool2d: outputSize .*got \[2, NaN\]/);
    expect(() => adaptiveAvgPool2d(x, bad(undefined), naiveBackend)).toThrow(/adaptiveAvgPool2d: outputSize is required/);
    expect(() => adaptiveAvgPool2dBackward(zeros([1, 3, 2, 3]), [1, 3, 4, 4], 2, naiveBackend)).toThrow(
      /adaptiveAvgPool2dBackward: dy has shape \[1, 3, 2, 3\] but adaptive average pooling of \[1, 3, 4, 4\] needs \[1, 3, 2, 2\]/,
    );
  });

  it.skipIf(!supportsVariant('simd'))('the wasm backend refuses an inconsistent geometry instead of trapping', async () => {
    const be = await loadWasmBackend({ variant: 'simd' });
    const g = pool2dGeometry('test', [1, 1, 5, 5], { kernelSize: 2, ceilMode: true });
    const y = new Float32Array(9);
    const arg = new Int32Array(9);
    const x5 = new Float32Array(25);
    expect(() => be.maxPool2d({ ...g, ceilMode: false }, x5, y, arg)).toThrow(/maxPool2d: inconsistent pool geometry/);
    const gapped: Pool2dGeometry = { ...pool2dGeometry('test', [1, 1, 5, 5], { kernelSize: 2, stride: 1 }), dilationHeight: 9, outHeight: 4 };
    expect(() => be.maxPool2d(gapped, x5, y, arg)).toThrow(/maxPool2d: inconsistent pool geometry/);
    const adaptive = { batch: 1, channels: 1, inHeight: 5, inWidth: 5, outHeight: 0, outWidth: 2 };
    expect(() => be.adaptiveAvgPool2d(adaptive, x5, y)).toThrow(/adaptiveAvgPool2d: inconsistent adaptive pool geometry/);
  });
});

describe('pooling layers with the new options', () => {
  it('options are checked at construction, by name', () => {
    expect(() => new MaxPool2d({ kernelSize: 2, ceilMode: 1 } as never)).toThrow(/MaxPool2d: ceilMode must be true or false, got 1/);
    expect(() => new MaxPool2d({ kernelSize: 2, dilation: 0 })).toThrow(/MaxPool2d: dilation must be a positive integer/);
    expect(() => new AvgPool2d({ kernelSize: 2, countIncludePad: 'no' } as never)).toThrow(/AvgPool2d: countIncludePad must be true or false, got no/);
    expect(() => new AdaptiveAvgPool2d({} as never)).toThrow(/AdaptiveAvgPool2d: outputSize is required/);
    expect(() => new AdaptiveAvgPool2d({ outputSize: [2, 0] })).toThrow(/AdaptiveAvgPool2d: outputSize must be a positive integer/);
    expect(() => new AdaptiveAvgPool2d({ outputSize: 2, size: 2 } as never)).toThrow(/AdaptiveAvgPool2d: unknown option 'size' \(known: outputSize\)/);
    expect(() => new AdaptiveAvgPool2d(undefined as never)).toThrow(/AdaptiveAvgPool2d: options must be an object/);
    expect(() => new GlobalMaxPool2d({ keep: 1 } as never)).toThrow(/GlobalMaxPool2d: unknown option 'keep'/);
  });

  it('config() keeps only the options given, and createModule rebuilds each layer', () => {
    expect(new MaxPool2d({ kernelSize: 2 }).config()).toEqual({ kernelSize: [2, 2], stride: [2, 2] });
    const layers = [
      new MaxPool2d({ kernelSize: 3, stride: 2, padding: 1, dilation: [2, 1], ceilMode: true }),
      new AvgPool2d({ kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
      new GlobalMaxPool2d(),
      new AdaptiveAvgPool2d({ outputSize: [3, 2] }),
    ];
    expect(layers.map((l) => l.config())).toEqual([
      { kernelSize: [3, 3], stride: [2, 2], padding: 1, dilation: [2, 1], ceilMode: true },
      { kernelSize: [3, 3], stride: [2, 2], padding: 1, ceilMode: true, countIncludePad: false },
      {},
      { outputSize: [3, 2] },
    ]);
    const x = randomTensor([2, 3, 9, 8], 21);
    for (const layer of layers) {
      const copy = createModule({ type: layer.type, config: layer.config() });
      expect(copy.type).toBe(layer.type);
      expect(Array.from(copy.forward(x).data)).toEqual(Array.from(layer.forward(x).data));
    }
  });

  it('layers call their op: shapes, values, and a model file round trip', () => {
    const x = randomTensor([2, 3, 9, 8], 22);
    expect(new MaxPool2d({ kernelSize: 3, stride: 2, ceilMode: true }).forward(x).shape).toEqual([2, 3, 4, 4]);
    expect(new AvgPool2d({ kernelSize: 2, ceilMode: true, countIncludePad: false }).forward(x).toArray())
      .toEqual(avgPool2d(x, { kernelSize: 2, ceilMode: true, countIncludePad: false }).toArray());
    expect(new GlobalMaxPool2d().forward(x).toArray()).toEqual(globalMaxPool2d(x).toArray());
    expect(new AdaptiveAvgPool2d({ outputSize: 4 }).forward(x).shape).toEqual([2, 3, 4, 4]);
    const model = new Sequential([
      new MaxPool2d({ kernelSize: 2, stride: 1, dilation: 2, ceilMode: true }),
      new AvgPool2d({ kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
      new AdaptiveAvgPool2d({ outputSize: [2, 3] }),
      new Flatten(),
      new Linear({ inFeatures: 18, outFeatures: 2 }),
    ]);
    const loaded = Sequential.load(model.save());
    expect(loaded.config()).toEqual(model.config());
    expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(model.predict(x).data));
    const withMax = Sequential.load(new Sequential([new GlobalMaxPool2d(), new Flatten()]).save());
    expect(withMax.layers.map((l) => l.type)).toEqual(['GlobalMaxPool2d', 'Flatten']);
  });

  it('gradients through the layers (naive)', () => {
    const before = setBackend('naive');
    try {
      const xs = spreadTensor([1, 2, 7, 6], 23, 0.25);
      const max = new MaxPool2d({ kernelSize: 2, stride: 2, dilation: 2, ceilMode: true });
      expectTapeGradients('MaxPool2d', () => max.forward(xs), [xs], LINEAR);
      const g = new GlobalMaxPool2d();
      expectTapeGradients('GlobalMaxPool2d', () => g.forward(xs), [xs], LINEAR);
      const x = randomTensor([1, 2, 7, 6], 24);
      const avg = new AvgPool2d({ kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false });
      expectTapeGradients('AvgPool2d', () => avg.forward(x), [x], LINEAR);
      const adaptive = new AdaptiveAvgPool2d({ outputSize: [3, 4] });
      expectTapeGradients('AdaptiveAvgPool2d', () => adaptive.forward(x), [x], LINEAR);
    } finally {
      setBackend(before);
    }
  });
});
