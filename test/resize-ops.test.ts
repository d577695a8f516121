// The resize op: worked examples per mode, what the coordinate and nearest modes mean,
// bad input (an Error naming the op and the value, before anything is allocated), the
// gradient through the tape against central finite differences (naive), and the Upsample
// layers (options, config, model file). PyTorch agreement: test/resize-pytorch.test.ts;
// ONNX's: the Resize and Upsample fixtures of test/onnx-conformance.test.ts; js and wasm
// against naive: test/resize-parity.test.ts.
//
// Gradient tolerance: LINEAR of test/autograd-ops.test.ts (h = 0.05, tol 1e-4): resize is
// linear in x (nearest and bilinear alike: the tables do not depend on x), so central
// differences are exact up to float32 rounding of y (≲ 2e-5 here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend, currentBackend } from '../src/backend/registry.js';
import { naiveBackend as naive } from '../src/backend/naive.js';
import {
  Sequential, Upsample, UpsamplingBilinear2d, UpsamplingNearest2d, builtinModuleTypes, createModule, loadModel,
  resize, resizeBackward, tensor, zeros, Tensor, type Backend, type ResizeOptions,
} from '../src/index.js';
import { Random } from '../src/random.js';
import { expectTapeGradients } from './support/gradcheck.js';
import { randomTensor } from './support/random.js';

const LINEAR = { h: 0.05, tol: 1e-4 };
const bad = <T>(v: unknown) => v as T;

const x12 = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
const row = (y: Tensor) => Array.from(y.data, (v) => Math.round(v * 1e6) / 1e6);

describe('resize: worked examples', () => {
  it('nearest 2× copies each element into a 2×2 block (every coordinate mode agrees)', () => {
    const want = [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4];
    expect(row(resize(x12, { scale: 2 }, naive))).toEqual(want);
    expect(row(resize(x12, { size: 4, coordinateMode: 'asymmetric', nearestMode: 'floor' }, naive))).toEqual(want);
  });

  it('bilinear 2× half_pixel clamps at the edges; align_corners keeps the corners', () => {
    expect(resize(x12, { scale: 2, mode: 'bilinear' }, naive).shape).toEqual([1, 1, 4, 4]);
    expect(row(resize(x12, { scale: 2, mode: 'bilinear' }, naive)).slice(0, 4)).toEqual([1, 1.25, 1.75, 2]);
    expect(row(resize(x12, { scale: 2, mode: 'bilinear', coordinateMode: 'align_corners' }, naive)).slice(0, 4)).toEqual([1, 1.333333, 1.666667, 2]);
    expect(row(resize(x12, { scale: 2, mode: 'bilinear', coordinateMode: 'asymmetric' }, naive)).slice(0, 4)).toEqual([1, 1.5, 2, 2]);
  });

  it('the four nearest roundings of 1 × 4 → 1 × 8 (asymmetric x = o/2, half_pixel x = o/2 − 0.25)', () => {
    const x = tensor([10, 20, 30, 40], [1, 1, 1, 4]);
    const at = (nearestMode: ResizeOptions['nearestMode'], coordinateMode: ResizeOptions['coordinateMode'] = 'asymmetric') =>
      row(resize(x, { size: [1, 8], coordinateMode, nearestMode }, naive));
    // asymmetric x = o/2: ties at every odd o
    expect(at('round_prefer_floor')).toEqual([10, 10, 20, 20, 30, 30, 40, 40]);
    expect(at('round_prefer_ceil')).toEqual([10, 20, 20, 30, 30, 40, 40, 40]);
    expect(at('floor')).toEqual([10, 10, 20, 20, 30, 30, 40, 40]);
    expect(at('ceil')).toEqual([10, 20, 20, 30, 30, 40, 40, 40]);
    expect(at('ceil', 'half_pixel')).toEqual([10, 20, 20, 30, 30, 40, 40, 40]);
    expect(at('floor', 'half_pixel')).toEqual([10, 10, 10, 20, 20, 30, 30, 40]);
    expect(at('round_prefer_floor', 'half_pixel')).toEqual([10, 10, 20, 20, 30, 30, 40, 40]);
  });

  it('downsampling, pytorch_half_pixel to one column, tf_crop_and_resize with extrapolation', () => {
    const x = tensor(Array.from({ length: 16 }, (_, i) => i + 1), [1, 1, 4, 4]);
    expect(row(resize(x, { scale: 0.5, mode: 'bilinear' }, naive))).toEqual([3.5, 5.5, 11.5, 13.5]);
    expect(row(resize(x, { size: [3, 1], mode: 'bilinear', coordinateMode: 'pytorch_half_pixel' }, naive))).toEqual([1.666667, 7, 12.333333]);
    const crop = resize(x, { size: [3, 3], mode: 'bilinear', coordinateMode: 'tf_crop_and_resize', roi: [0.4, 0.6, 1.2, 1.7], extrapolationValue: 10 }, naive);
    expect(row(crop)).toEqual([7.6, 10, 10, 12.4, 10, 10, 10, 10, 10]);
  });

  it('with scale, align_corners uses the resized length in·scale (ONNX); with size, the size', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 2, 4]);
    expect(row(resize(x, { scale: 0.6, mode: 'bilinear', coordinateMode: 'align_corners' }, naive))).toEqual([1, 3.142857]);
    expect(row(resize(x, { size: [1, 2], mode: 'bilinear', coordinateMode: 'align_corners' }, naive))).toEqual([1, 4]);
  });

  it('bicubic: Keys weights (A = −0.75), edge reads, exclude_outside, worked by hand', () => {
    // 1 × 4 → 1 × 8 half_pixel: x = o/2 − 0.25. At t = 1/4 the weights of floor(x) − 1 … + 2
    // are −0.10546875, 0.87890625, 0.26171875, −0.03515625 (sum 1); at t = 3/4 reversed.
    const x = tensor([10, 20, 40, 80], [1, 1, 1, 4]);
    const y = resize(x, { size: [1, 8], mode: 'bicubic' }, naive).data;
    // o = 3 → x = 1.25: −1.0546875 + 17.578125 + 10.46875 − 2.8125
    expect(y[3]).toBe(24.1796875);
    // o = 0 → x = −0.25: floor −1, t = 3/4; neighbours −2 … 1 read x[0], x[0], x[0], x[1].
    expect(y[0]).toBe(8.9453125);
    // exclude_outside: neighbours −2 and −1 weigh 0, the others are renormalized:
    // (0.87890625·10 − 0.10546875·20) / (0.87890625 − 0.10546875) = 6.6796875 / 0.7734375
    expect(row(resize(x, { size: [1, 8], mode: 'bicubic', excludeOutside: true }, naive))[0]).toBe(8.636364);
    // A = −0.5 at t = 1/2 (asymmetric, o = 1 → x = 0.5): −0.0625, 0.5625, 0.5625, −0.0625.
    const half = resize(x, { size: [1, 8], mode: 'bicubic', coordinateMode: 'asymmetric', cubicCoeffA: -0.5 }, naive).data;
    expect(half[1]).toBe(-0.0625 * 10 + 0.5625 * 10 + 0.5625 * 20 - 0.0625 * 40);
    // Scale 1 copies x, whatever A; a constant input stays constant (the weights sum to 1).
    expect(row(resize(x, { scale: 1, mode: 'bicubic', cubicCoeffA: -0.5 }, naive))).toEqual([10, 20, 40, 80]);
    expect(row(resize(tensor(new Array(12).fill(3), [1, 1, 3, 4]), { size: [5, 7], mode: 'bicubic' }, naive))).toEqual(new Array(35).fill(3));
  });

  it('resizeBackward is the adjoint: ⟨resize(x), dy⟩ = ⟨x, resizeBackward(dy)⟩', () => {
    const rng = new Random(1);
    for (const options of [{ scale: [1.5, 0.7] }, { size: [5, 9], mode: 'bilinear' }, { size: [2, 3], mode: 'bilinear', coordinateMode: 'align_corners' }] as ResizeOptions[]) {
      const x = randomTensor([2, 3, 4, 6], rng);
      const y = resize(x, options, naive);
      const dy = randomTensor(y.shape, rng);
      const dx = resizeBackward(dy, x.shape, options, naive);
      let a = 0;
      let b = 0;
      for (let i = 0; i < y.size; i++) a += y.data[i] * dy.data[i];
      for (let i = 0; i < x.size; i++) b += x.data[i] * dx.data[i];
      expect(Math.abs(a - b)).toBeLessThan(1e-5 * Math.max(1, Math.abs(a)));
    }
  });
});

describe('resize: bad input names the op', () => {
  const x = zeros([1, 2, 4, 4]);
  const cases: [string, () => unknown, RegExp][] = [
    ['not a tensor', () => resize(bad([1, 2]), { scale: 2 }), /resize: input must be a Tensor, got \[1, 2\]/],
    ['rank 3', () => resize(zeros([2, 4, 4]), { scale: 2 }), /resize: input must have rank 4, got shape \[2, 4, 4\]/],
    ['a zero size', () => resize(zeros([1, 0, 4, 4]), { scale: 2 }), /resize: input \[1, 0, 4, 4\] must have no zero sizes/],
    ['no options', () => resize(x, bad(undefined)), /resize: options must be an object, got undefined/],
    ['an unknown option', () => resize(x, bad({ scale: 2, align_corners: true })), /resize: unknown option 'align_corners' \(known: size, scale, mode/],
    ['neither size nor scale', () => resize(x, {}), /resize: give exactly one of size and scale, got neither/],
    ['both', () => resize(x, { size: 2, scale: 2 }), /resize: give exactly one of size and scale, got both/],
    ['a fractional size', () => resize(x, { size: [2, 2.5] }), /resize: size must be a positive integer or \[h, w\].*got \[2, 2\.5\]/],
    ['a zero scale', () => resize(x, { scale: [2, 0] }), /resize: scale must be a positive finite number or \[h, w\] of them, got \[2, 0\]/],
    ['a NaN scale', () => resize(x, { scale: NaN }), /resize: scale must be a positive finite number.*got NaN/],
    ['an empty output', () => resize(x, { scale: [1, 0.2] }), /resize: output width would be empty \(input 4 × scale 0\.2 = 0\.8 < 1, input \[1, 2, 4, 4\]\)/],
    ['a huge output', () => resize(x, { scale: 1e5 }), /resize: output \[1, 2, 400000, 400000\] of input \[1, 2, 4, 4\] has more than 2\^31 − 1 elements/],
    ['mode cubic', () => resize(x, { scale: 2, mode: bad('cubic') }), /resize: mode must be 'nearest', 'bilinear', 'bicubic', got 'cubic'/],
    ['mode linear', () => resize(x, { scale: 2, mode: bad('linear') }), /resize: mode must be 'nearest', 'bilinear', 'bicubic', got 'linear'/],
    ['cubicCoeffA with bilinear', () => resize(x, { scale: 2, mode: 'bilinear', cubicCoeffA: -0.5 }), /resize: cubicCoeffA and excludeOutside apply to mode 'bicubic' only \(mode is 'bilinear'\)/],
    ['excludeOutside with nearest', () => resize(x, { scale: 2, excludeOutside: true }), /resize: cubicCoeffA and excludeOutside apply to mode 'bicubic' only \(mode is 'nearest'\)/],
    ['a NaN cubicCoeffA', () => resize(x, { scale: 2, mode: 'bicubic', cubicCoeffA: NaN }), /resize: cubicCoeffA must be a finite number, got NaN/],
    ['a non-boolean excludeOutside', () => resize(x, { scale: 2, mode: 'bicubic', excludeOutside: bad(1) }), /resize: excludeOutside must be true or false, got 1/],
    ['a coordinate mode', () => resize(x, { scale: 2, coordinateMode: bad('tf_half_pixel_for_nn') }), /resize: coordinateMode must be 'half_pixel', .*got 'tf_half_pixel_for_nn'/],
    ['a nearest mode', () => resize(x, { scale: 2, nearestMode: bad('round') }), /resize: nearestMode must be 'round_prefer_floor', .*got 'round'/],
    ['nearestMode with bilinear', () => resize(x, { scale: 2, mode: 'bilinear', nearestMode: 'floor' }), /resize: nearestMode applies to mode 'nearest' only \(mode is 'bilinear'\)/],
    ['roi without the crop mode', () => resize(x, { scale: 2, roi: [0, 0, 1, 1] }), /resize: roi and extrapolationValue apply to coordinateMode 'tf_crop_and_resize' only/],
    ['the crop mode without roi', () => resize(x, { size: 2, coordinateMode: 'tf_crop_and_resize' }), /resize: coordinateMode 'tf_crop_and_resize' needs roi \[startH, startW, endH, endW\] of finite numbers, got undefined/],
    ['the crop mode with scale', () => resize(x, { scale: 2, coordinateMode: 'tf_crop_and_resize', roi: [0, 0, 1, 1] }), /resize: coordinateMode 'tf_crop_and_resize' needs size, not scale/],
    ['a bad backend', () => resize(x, { scale: 2 }, bad({})), /resize: backend must be a Backend/],
    ['resizeBackward: dy of the wrong shape', () => resizeBackward(zeros([1, 2, 8, 7]), [1, 2, 4, 4], { scale: 2 }), /resizeBackward: dy has shape \[1, 2, 8, 7\] but the resize of \[1, 2, 4, 4\] needs \[1, 2, 8, 8\]/],
    ['resizeBackward: a bad xShape', () => resizeBackward(zeros([1, 2, 8, 8]), bad([1, 2, 4]), { scale: 2 }), /resizeBackward: xShape must be an array of 4 positive integers, got \[1, 2, 4\]/],
  ];
  for (const [name, f, message] of cases) it(name, () => expect(f).toThrow(message));
});

describe('resize through the tape (naive)', () => {
  let before: Backend;
  beforeAll(() => {
    before = currentBackend();
    setBackend('naive');
  });
  afterAll(() => {
    setBackend(before);
  });

  const cases: [number[], ResizeOptions][] = [
    [[2, 2, 3, 4], { scale: 2 }],
    [[1, 2, 5, 7], { scale: [0.6, 1.5], nearestMode: 'round_prefer_ceil' }],
    [[1, 1, 4, 5], { size: [7, 3], coordinateMode: 'asymmetric', nearestMode: 'floor' }],
    [[2, 2, 3, 4], { scale: 2, mode: 'bilinear' }],
    [[1, 2, 5, 7], { scale: [0.6, 1.5], mode: 'bilinear', coordinateMode: 'pytorch_half_pixel' }],
    [[1, 1, 4, 5], { size: [7, 3], mode: 'bilinear', coordinateMode: 'align_corners' }],
    [[1, 1, 4, 5], { size: [6, 6], mode: 'bilinear', coordinateMode: 'asymmetric' }],
    [[1, 1, 4, 4], { size: [3, 3], mode: 'bilinear', coordinateMode: 'tf_crop_and_resize', roi: [0.4, 0.6, 1.2, 1.7], extrapolationValue: 10 }],
    [[2, 2, 3, 4], { scale: 2, mode: 'bicubic' }],
    [[1, 2, 6, 7], { scale: [0.6, 1.5], mode: 'bicubic', coordinateMode: 'align_corners' }],
    [[1, 1, 5, 4], { size: [3, 9], mode: 'bicubic', cubicCoeffA: -0.5, excludeOutside: true }],
    [[1, 1, 4, 4], { size: [3, 5], mode: 'bicubic', coordinateMode: 'tf_crop_and_resize', roi: [0.1, 0.6, 1.2, 0.9] }],
  ];
  cases.forEach(([shape, options], i) => {
    it(`${shape.join('×')} ${JSON.stringify(options)}`, () => {
      const x = randomTensor(shape, 40 + i);
      expectTapeGradients(`resize ${JSON.stringify(options)}`, () => resize(x, options), [x], LINEAR);
    });
  });

  it('the Upsample layers', () => {
    const x = randomTensor([1, 2, 3, 4], 50);
    expectTapeGradients('Upsample bilinear', () => new Upsample({ scaleFactor: 1.5, mode: 'bilinear' }).forward(x), [x], LINEAR);
    expectTapeGradients('UpsamplingBilinear2d', () => new UpsamplingBilinear2d({ size: [5, 7] }).forward(x), [x], LINEAR);
    expectTapeGradients('UpsamplingNearest2d', () => new UpsamplingNearest2d({ scaleFactor: 2 }).forward(x), [x], LINEAR);
    expectTapeGradients('Upsample bicubic', () => new Upsample({ size: [5, 3], mode: 'bicubic', alignCorners: true }).forward(x), [x], LINEAR);
  });
});

describe('Upsample layers', () => {
  it('strict options and bad values name the layer', () => {
    expect(() => new Upsample({ scale_factor: 2 } as never)).toThrow(/Upsample: unknown option 'scale_factor' \(known: size, scaleFactor, mode, alignCorners\)/);
    expect(() => new Upsample(undefined as never)).toThrow(/Upsample: options must be an object/);
    expect(() => new Upsample({})).toThrow(/Upsample: give exactly one of size and scaleFactor, got neither/);
    expect(() => new Upsample({ size: 4, scaleFactor: 2 })).toThrow(/Upsample: give exactly one of size and scaleFactor, got both/);
    expect(() => new Upsample({ scaleFactor: -1 })).toThrow(/Upsample: scaleFactor must be a positive finite number or \[h, w\] of them, got -1/);
    expect(() => new Upsample({ size: 0 })).toThrow(/Upsample: size must be a positive integer/);
    expect(() => new Upsample({ scaleFactor: 2, mode: 'cubic' as never })).toThrow(/Upsample: mode must be 'nearest', 'nearest-exact', 'bilinear', 'bicubic', got cubic/);
    expect(() => new Upsample({ scaleFactor: 2, alignCorners: true })).toThrow(/Upsample: alignCorners applies to modes 'bilinear' and 'bicubic' only \(mode is 'nearest'\)/);
    expect(() => new Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: 1 as never })).toThrow(/Upsample: alignCorners must be true or false, got 1/);
    expect(() => new UpsamplingBilinear2d({ scaleFactor: 2, alignCorners: false } as never)).toThrow(/UpsamplingBilinear2d: unknown option 'alignCorners' \(known: size, scaleFactor\)/);
    expect(() => new UpsamplingNearest2d({ scaleFactor: 2, mode: 'nearest' } as never)).toThrow(/UpsamplingNearest2d: unknown option 'mode'/);
    expect(() => new Upsample({ scaleFactor: 2 }).forward(zeros([2, 4, 4]))).toThrow(/Upsample: expected input \[N, C, H, W\], got \[2, 4, 4\]/);
    expect(() => new UpsamplingBilinear2d({ scaleFactor: 0.2 }).forward(zeros([1, 1, 4, 4]))).toThrow(/UpsamplingBilinear2d: output height would be empty \(input 4 × scaleFactor 0\.2/);
    expect(() => new Upsample({ scaleFactor: 0.2 }).forward(zeros([1, 1, 4, 4]))).toThrow(/resize: output height would be empty/);
  });

  it('config rebuilds the layer; a model of them saves and loads', () => {
    const layers = [
      new Upsample({ scaleFactor: 2 }), new Upsample({ size: [6, 5], mode: 'bilinear', alignCorners: true }),
      new Upsample({ scaleFactor: [0.5, 1.5], mode: 'nearest-exact' }), new UpsamplingNearest2d({ size: 7 }),
      new UpsamplingBilinear2d({ scaleFactor: 1.5 }),
    ];
    expect(layers.map((l) => l.config())).toEqual([
      { scaleFactor: [2, 2], mode: 'nearest' }, { size: [6, 5], mode: 'bilinear', alignCorners: true },
      { scaleFactor: [0.5, 1.5], mode: 'nearest-exact' }, { size: [7, 7] }, { scaleFactor: [1.5, 1.5] },
    ]);
    expect(builtinModuleTypes()).toEqual(expect.arrayContaining(['Upsample', 'UpsamplingNearest2d', 'UpsamplingBilinear2d']));
    for (const l of layers) expect(createModule({ type: l.type, config: l.config() }).config()).toEqual(l.config());
    const m = new Sequential(layers);
    const loaded = loadModel(m.save()) as Sequential;
    expect(loaded.config()).toEqual(m.config());
    const x = randomTensor([1, 2, 4, 3], 60);
    expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    expect(m.predict(x).shape).toEqual([1, 2, 10, 10]);
  });
});
