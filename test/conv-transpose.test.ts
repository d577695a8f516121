// convTranspose2d and the ConvTranspose2d layer:
// - against PyTorch (test/fixtures/conv-transpose.json, scripts/fixtures/conv_transpose.py):
//   forward and the tape's dx, dw, db on every backend. The float64 inputs are rounded to
//   float32 (relative 6e-8 each) and y sums ≤ 36 products, so |got − want| ≤ 1e-5·(1 + |want|)
//   holds with room (observed: 5e-7 naive, 6e-7 js, 9e-7 wasm, relative to 1 + |want|);
// - central finite differences through the tape on naive (LINEAR: h 0.05, tol 1e-4, as
//   test/autograd-ops.test.ts: the op is bilinear, so only float32 rounding of y remains);
// - js and wasm against naive on a seeded sweep of configurations (stride, asymmetric
//   padding, outputPadding incl. ≥ stride, dilation, groups, depthwise), forward and
//   backward, with the parity sweep's tolerance: rtol 1e-4, atol 1e-5 relative to Σ|terms|;
// - the adjoint identity ⟨conv2d(x, w), y⟩ = ⟨x, convTranspose2d(y, w)⟩;
// - bad input: errors naming the op and the shapes or values.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend/backend.js';
import { naiveBackend } from '../src/backend/naive.js';
import { jsBackend } from '../src/backend/js.js';
import { loadWasmBackend } from '../src/backend/wasm.js';
import { setBackend } from '../src/backend/registry.js';
import { conv2d, convTranspose2d, convTranspose2dGeometry, mul, sum, type ConvTranspose2dOptions } from '../src/ops/index.js';
import { ConvTranspose2d, Sequential, createModule } from '../src/nn/index.js';
import { Random } from '../src/random.js';
import { Tensor, zeros } from '../src/tensor.js';
import { expectClose, type Tolerance } from './support/compare.js';
import { expectTapeGradients } from './support/gradcheck.js';
import { randomTensor } from './support/random.js';

const LINEAR = { h: 0.05, tol: 1e-4 };
const TORCH_TOLERANCE: Tolerance = { rtol: 1e-5, atol: 1e-5 };
const PARITY: Tolerance = { rtol: 1e-4, atol: 1e-5 };

interface TorchCase {
  name: string;
  x: number[];
  w: number[];
  stride: number | [number, number];
  padding: number | [number, number];
  outputPadding: number | [number, number];
  dilation: number | [number, number];
  groups: number;
  bias: boolean;
  y_shape: number[];
  x_data: number[];
  w_data: number[];
  b_data: number[] | null;
  r: number[];
  y: number[];
  dx: number[];
  dw: number[];
  db: number[] | null;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/conv-transpose.json', import.meta.url), 'utf8')) as { cases: TorchCase[] };
const f32 = (values: number[], shape: readonly number[]) => new Tensor(Float32Array.from(values), shape);
const optionsOf = (c: TorchCase): ConvTranspose2dOptions => ({ stride: c.stride, padding: c.padding, outputPadding: c.outputPadding, dilation: c.dilation, groups: c.groups });

let wasm: Backend;
let before: Backend;
beforeAll(async () => {
  wasm = await loadWasmBackend();
  before = setBackend('naive');
});
afterAll(() => {
  setBackend(before);
});

describe('convTranspose2d against PyTorch float64 (forward, dx, dw, db)', () => {
  it('has cases of every option, including outputPadding ≥ stride', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(5);
    expect(fixture.cases.some((c) => c.groups > 1 && c.groups === c.x[1])).toBe(true);
  });
  for (const name of ['naive', 'js', 'wasm'] as const) {
    for (const c of fixture.cases) {
      it(`${name}: ${c.name}`, () => {
        const be = name === 'naive' ? naiveBackend : name === 'js' ? jsBackend : wasm;
        const x = f32(c.x_data, c.x);
        const w = f32(c.w_data, c.w);
        const b = c.b_data ? f32(c.b_data, [c.b_data.length]) : null;
        for (const t of [x, w, b]) if (t) t.requiresGrad = true;
        const y = convTranspose2d(x, w, b, optionsOf(c), be);
        expect(y.shape).toEqual(c.y_shape);
        expectClose(y.data, c.y, TORCH_TOLERANCE, 'y');
        y.backward(f32(c.r, c.y_shape));
        expectClose((x.grad as Tensor).data, c.dx, TORCH_TOLERANCE, 'dx');
        expectClose((w.grad as Tensor).data, c.dw, TORCH_TOLERANCE, 'dw');
        if (b && c.db) expectClose((b.grad as Tensor).data, c.db, TORCH_TOLERANCE, 'db');
      });
    }
  }
});

describe('convTranspose2d gradients through the tape (naive, finite differences)', () => {
  const cases: { name: string; x: number[]; w: number[]; options: ConvTranspose2dOptions }[] = [
    { name: 'stride 2, padding 1, outputPadding 1', x: [2, 2, 3, 3], w: [2, 3, 3, 3], options: { stride: 2, padding: 1, outputPadding: 1 } },
    { name: 'asymmetric padding, stride [1, 2], dilation [2, 1]', x: [1, 3, 3, 4], w: [3, 2, 2, 3], options: { stride: [1, 2], padding: [1, 0, 0, 2], dilation: [2, 1] } },
    { name: 'groups 2, outputPadding 2 past every tap (dilation 3)', x: [1, 4, 2, 3], w: [4, 1, 2, 2], options: { groups: 2, dilation: 3, outputPadding: 2 } },
    { name: 'depthwise, stride 3', x: [2, 3, 2, 2], w: [3, 1, 3, 3], options: { groups: 3, stride: 3, padding: 1 } },
  ];
  for (const c of cases) {
    it(`${c.name}: input, weight, bias`, () => {
      const x = randomTensor(c.x, 1);
      const w = randomTensor(c.w, 2);
      const b = randomTensor([c.w[1] * (c.options.groups ?? 1)], 3);
      expectTapeGradients(`convTranspose2d ${c.name}`, () => convTranspose2d(x, w, b, c.options), [x, w, b], LINEAR);
    });
  }

  it('without bias, and with only the weight requiring a gradient', () => {
    const x = randomTensor([1, 2, 3, 3], 4);
    const w = randomTensor([2, 2, 3, 3], 5);
    expectTapeGradients('convTranspose2d no bias', () => convTranspose2d(x, w, null, { stride: 2 }), [x, w], LINEAR);
    const frozen = randomTensor([1, 2, 3, 3], 6);
    expectTapeGradients('convTranspose2d weight only', () => convTranspose2d(frozen, w, null, { padding: 1 }), [w], LINEAR);
    expect(frozen.grad).toBeNull();
  });

  it('is the adjoint of conv2d: ⟨conv2d(x, w), y⟩ = ⟨x, convTranspose2d(y, w)⟩', () => {
    const options = { stride: [2, 1] as [number, number], padding: [1, 0, 2, 1] as [number, number, number, number], dilation: [1, 2] as [number, number], groups: 2 };
    const x = randomTensor([2, 4, 7, 6], 7);
    const w = randomTensor([6, 2, 3, 2], 8);
    const cx = conv2d(x, w, null, options);
    const y = randomTensor(cx.shape, 9);
    // The conv's input height 7 = (OH − 1)·2 − 3 + 2 + 1 + 1: outputPadding 1 recovers it.
    const t = convTranspose2d(y, w, null, { ...options, outputPadding: [1, 0] });
    expect(t.shape).toEqual(x.shape);
    expect(sum(mul(t, x)).item()).toBeCloseTo(sum(mul(cx, y)).item(), 3);
  });
});

interface SweepCase {
  x: number[];
  w: number[];
  options: ConvTranspose2dOptions;
  bias: boolean;
}

/** Valid random configurations (invalid draws are skipped). */
function sweep(seed: number, count: number): SweepCase[] {
  const rng = new Random(seed);
  const out: SweepCase[] = [];
  for (let attempt = 0; out.length < count && attempt < 100 * count; attempt++) {
    const kind = rng.next();
    let groups = 1;
    let inC = 1 + rng.int(6);
    let outPerGroup = 1 + rng.int(4);
    if (kind < 0.2) {
      groups = inC;
      outPerGroup = 1 + rng.int(2);
    } else if (kind < 0.4) {
      groups = 2 + rng.int(2);
      inC = groups * (1 + rng.int(2));
    }
    const stride: [number, number] = [1 + rng.int(3), 1 + rng.int(3)];
    const dilation: [number, number] = rng.next() < 0.4 ? [1 + rng.int(3), 1 + rng.int(3)] : [1, 1];
    const limit = (d: number) => Math.max(stride[d], dilation[d]);
    const outputPadding: [number, number] = rng.next() < 0.5 ? [rng.int(limit(0)), rng.int(limit(1))] : [0, 0];
    const padding: [number, number, number, number] = [rng.int(3), rng.int(3), rng.int(3), rng.int(3)];
    const x = [1 + rng.int(3), inC, 1 + rng.int(6), 1 + rng.int(6)];
    const w = [inC, outPerGroup, 1 + rng.int(4), 1 + rng.int(4)];
    const options = { stride, dilation, outputPadding, padding, groups };
    try {
      convTranspose2dGeometry('sweep', x, w, options);
    } catch {
      continue;
    }
    out.push({ x, w, options, bias: rng.next() < 0.6 });
  }
  return out;
}

describe('convTranspose2d: js and wasm against naive', () => {
  const cases = sweep(2026, 120);

  it('sweeps cropped (outputPadding past every tap), grouped and depthwise configurations', () => {
    expect(cases.length).toBe(120);
    const geometries = cases.map((c) => convTranspose2dGeometry('sweep', c.x, c.w, c.options));
    expect(geometries.some((g) => g.cropHeight > 0 || g.cropWidth > 0)).toBe(true);
    expect(cases.some((c) => (c.options.groups ?? 1) > 1 && c.options.groups === c.x[1])).toBe(true);
    expect(cases.some((c) => (c.options.groups ?? 1) > 1 && (c.options.groups ?? 1) < c.x[1])).toBe(true);
  });

  for (const name of ['js', 'wasm'] as const) {
    it(`${name}: forward, dx, dw, db on ${cases.length} configurations`, () => {
      const be = name === 'js' ? jsBackend : wasm;
      const failures: string[] = [];
      cases.forEach((c, i) => {
        try {
          const x = randomTensor(c.x, 100 + i);
          const w = randomTensor(c.w, 200 + i);
          const b = c.bias ? randomTensor([c.w[1] * (c.options.groups ?? 1)], 300 + i) : null;
          const abs = (t: Tensor) => new Tensor(t.data.map(Math.abs), t.shape);
          const run = (backend: Backend, xs: Tensor, ws: Tensor, bs: Tensor | null, dy?: Tensor) => {
            const [xl, wl, bl] = [xs.detach(), ws.detach(), bs ? bs.detach() : null];
            for (const t of [xl, wl, bl]) if (t) t.requiresGrad = true;
            const y = convTranspose2d(xl, wl, bl, c.options, backend);
            y.backward(dy ?? randomTensor(y.shape, 400 + i));
            return { y, dx: xl.grad as Tensor, dw: wl.grad as Tensor, db: bl ? (bl.grad as Tensor) : null };
          };
          const want = run(naiveBackend, x, w, b);
          const dy = randomTensor(want.y.shape, 400 + i);
          const mag = run(naiveBackend, abs(x), abs(w), b ? abs(b) : null, abs(dy));
          const got = run(be, x, w, b);
          expectClose(got.y.data, want.y.data, PARITY, 'y', mag.y.data);
          expectClose(got.dx.data, want.dx.data, PARITY, 'dx', mag.dx.data);
          expectClose(got.dw.data, want.dw.data, PARITY, 'dw', mag.dw.data);
          if (got.db && want.db && mag.db) expectClose(got.db.data, want.db.data, PARITY, 'db', mag.db.data);
        } catch (e) {
          failures.push(`${JSON.stringify(c)}: ${(e as Error).message}`);
        }
      });
      expect(failures, failures.slice(0, 3).join('\n')).toEqual([]);
    });
  }
});

describe('convTranspose2d errors', () => {
  const x = zeros([1, 3, 4, 4]);
  const w = zeros([3, 2, 3, 3]);
  const fails = (f: () => unknown, message: RegExp) => expect(f).toThrow(message);
  it('names the op and the shapes or values', () => {
    fails(() => convTranspose2d(zeros([3, 4, 4]), w), /convTranspose2d: input must have rank 4, got shape \[3, 4, 4\]/);
    fails(() => convTranspose2d(x, zeros([2, 2, 3, 3])), /convTranspose2d: weight \[2, 2, 3, 3\] \(\[inChannels, outChannels \/ groups, kH, kW\]\) expects 2 input channels but input \[1, 3, 4, 4\] has 3/);
    fails(() => convTranspose2d(x, w, null, { groups: 2 }), /convTranspose2d: groups 2 must divide input channels 3/);
    fails(() => convTranspose2d(x, w, zeros([3])), /convTranspose2d: bias must have shape \[2\] for weight \[3, 2, 3, 3\] and groups 1, got \[3\]/);
    fails(() => convTranspose2d(x, w, null, { stride: 2, outputPadding: 2 }), /convTranspose2d: outputPadding \[2, 2\] must be smaller than stride \[2, 2\] or dilation \[1, 1\] in each dimension/);
    fails(() => convTranspose2d(x, w, null, { outputPadding: [0, -1] }), /convTranspose2d: outputPadding must be a non-negative integer or \[h, w\] of them, got \[0, -1\]/);
    fails(() => convTranspose2d(x, w, null, { padding: 'same' as never }), /convTranspose2d: padding must be a number, .* got 'same'/);
    fails(() => convTranspose2d(x, w, null, { padding: 3 }), /convTranspose2d: output height would be 0 \(input 4, stride 1, padding 3\+3, dilation 1, kernel 3, outputPadding 0\)/);
    fails(() => convTranspose2d(x, w, null, { pad: 1 } as never), /convTranspose2d: unknown option 'pad' \(known: stride, padding, outputPadding, dilation, groups\)/);
    fails(() => convTranspose2d(x, w, null, { stride: 0 }), /convTranspose2d: stride must be a positive integer/);
    fails(() => convTranspose2d(zeros([1, 3, 0, 4]), w), /convTranspose2d: input \[1, 3, 0, 4\] and weight \[3, 2, 3, 3\] must have no zero sizes/);
  });
});

describe('ConvTranspose2d layer', () => {
  it('holds weight [in, out/groups, kH, kW] and bias [out] under PyTorch names and calls the op', () => {
    const layer = new ConvTranspose2d({ inChannels: 4, outChannels: 6, kernelSize: [3, 2], stride: 2, padding: 1, outputPadding: 1, groups: 2, random: new Random(1) });
    expect(layer.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['weight', [4, 3, 3, 2]], ['bias', [6]]]);
    const x = randomTensor([2, 4, 3, 3], 10);
    const y = layer.forward(x);
    expect(y.shape).toEqual([2, 6, 6, 5]);
    expect(Array.from(y.data)).toEqual(Array.from(convTranspose2d(x, layer.weight, layer.bias, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }).data));
  });

  it('gradients of input, weight and bias by finite differences', () => {
    const layer = new ConvTranspose2d({ inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: [1, 0], outputPadding: [1, 0], random: new Random(2) });
    layer.bias?.data.set([0.1, -0.2, 0.3]);
    const x = randomTensor([1, 2, 3, 3], 11);
    expectTapeGradients('ConvTranspose2d', () => layer.forward(x), [x, layer.weight, layer.bias as Tensor], LINEAR);
  });

  it('rebuilds from its config and round-trips through a model file', () => {
    const layer = new ConvTranspose2d({ inChannels: 2, outChannels: 2, kernelSize: 2, stride: 2, bias: false, random: new Random(3) });
    expect(layer.bias).toBeNull();
    expect(createModule({ type: 'ConvTranspose2d', config: layer.config() })).toBeInstanceOf(ConvTranspose2d);
    const model = new Sequential([layer]);
    const loaded = Sequential.load(model.save());
    const x = randomTensor([1, 2, 2, 2], 12);
    expect(Array.from(loaded.forward(x).data)).toEqual(Array.from(model.forward(x).data));
  });

  it('refuses bad options at construction and a wrong input at forward', () => {
    const base = { inChannels: 2, outChannels: 4, kernelSize: 3 };
    expect(() => new ConvTranspose2d({ ...base, outputPadding: 1 })).toThrow(/ConvTranspose2d: outputPadding \[1, 1\] must be smaller than stride \[1, 1\] or dilation \[1, 1\]/);
    expect(() => new ConvTranspose2d({ ...base, groups: 3 })).toThrow(/ConvTranspose2d: groups 3 must divide inChannels 2 and outChannels 4/);
    expect(() => new ConvTranspose2d({ ...base, padding: 'same' as never })).toThrow(/ConvTranspose2d: padding must be a number/);
    expect(() => new ConvTranspose2d({ ...base, output_padding: 1 } as never)).toThrow(/ConvTranspose2d: unknown option 'output_padding'/);
    expect(() => new ConvTranspose2d({ ...base, padding: 4 })).not.toThrow();
    expect(() => new ConvTranspose2d(base).forward(zeros([1, 3, 4, 4]))).toThrow(/ConvTranspose2d: expected input \[N, 2, H, W\], got \[1, 3, 4, 4\]/);
  });
});
