// Parity of the activation kernels of js and every wasm variant against naive, on random
// inputs plus each kink's neighbourhood (the kink itself, the three float32 neighbours on
// each side, ±1e-4 and ±1e-2 around it) and the special values (±0, ±Infinity, NaN, a
// subnormal), at lengths around the four-wide SIMD body, in place and not; then the same
// ops through the tape (forward and x.grad) on every backend against naive.
//
// Tolerance: exact (the same float32 bits, NaN matching NaN) for every kernel but wasm's
// hardSwish and hardSwishBackward. js runs the shared TypeScript kernels as naive does,
// and wasm's clip only compares and selects. wasm's hard-swish computes in float32: x + 3
// (or 2x + 3), the product and the division by 6 each round once (≤ 2⁻²⁴ relative each),
// where TypeScript rounds the float64 value once, so |wasm − naive| ≤ 4·2⁻²⁴·|naive|
// ≈ 2.4e-7·|naive| (held as rtol 2.5e-7), plus 1e-44 absolute for subnormal results.
// Measured: at most 2 ulps over 2·10⁶ random inputs.
import { describe, it } from 'vitest';
import type { Backend } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js.js';
import { naiveBackend as naive } from '../src/backend/naive.js';
import { loadWasmBackend, supportsVariant, type WasmVariant } from '../src/backend/wasm.js';
import { clip, elu, gelu, hardSigmoid, hardSwish, mul, prelu, relu6, silu, softplus, sum } from '../src/ops/index.js';
import { Random } from '../src/random.js';
import { Tensor } from '../src/tensor.js';
import { expectClose, expectEqual, type Tolerance } from './support/compare.js';
import { randomArray } from './support/random.js';

const EXACT: Tolerance = { rtol: 0, atol: 0 };
const WASM_HARD_SWISH: Tolerance = { rtol: 2.5e-7, atol: 1e-44 };

function nextFloat(v: number, dir: 1 | -1): number {
  const f = new Float32Array([v]);
  const u = new Int32Array(f.buffer);
  if (v === 0) return dir * 1e-45;
  u[0] += (v > 0 ? 1 : -1) * dir;
  return f[0];
}

/** Random values in [-8, 8) with every kink's neighbourhood and the special values mixed in. */
function inputs(n: number, kinks: number[], rng: Random): Float32Array {
  const near: number[] = [0, -0, Infinity, -Infinity, NaN, 1e-40, -1e-40];
  for (const k of kinks) {
    near.push(k, k + 1e-4, k - 1e-4, k + 1e-2, k - 1e-2);
    let up = k;
    let down = k;
    for (let s = 0; s < 3; s++) {
      up = nextFloat(up, 1);
      down = nextFloat(down, -1);
      near.push(up, down);
    }
  }
  const a = randomArray(n, rng, { low: -8, high: 8 });
  // Scatter the special values over the array so both the SIMD body and the tail see them.
  for (let i = 0; i < n; i++) if (rng.uniform() < 0.5) a[i] = near[rng.int(near.length)];
  return a;
}

interface KernelCase {
  name: string;
  kinks: number[];
  /** out = f(x) or f(x, dy); `grad` cases may write over dy (dx = dy allowed). */
  grad: boolean;
  run(b: Backend, x: Float32Array, dy: Float32Array, out: Float32Array): void;
  wasmTolerance?: Tolerance;
}

const [outer, channels] = [2, 3];
const slope = Float32Array.of(0.25, -1.5, 0);
const cases: KernelCase[] = [
  { name: 'clip [-1.5, 4]', kinks: [-1.5, 4], grad: false, run: (b, x, _, y) => b.clip(x, -1.5, 4, y) },
  { name: 'clip [0, 6] (relu6)', kinks: [0, 6], grad: false, run: (b, x, _, y) => b.clip(x, 0, 6, y) },
  { name: 'clip [-∞, 0.5]', kinks: [0.5], grad: false, run: (b, x, _, y) => b.clip(x, -Infinity, 0.5, y) },
  { name: 'clip min > max', kinks: [2, 1], grad: false, run: (b, x, _, y) => b.clip(x, 2, 1, y) },
  { name: 'clipBackward [0, 6]', kinks: [0, 6], grad: true, run: (b, x, dy, dx) => b.clipBackward(x, 0, 6, dy, dx) },
  { name: 'clipBackward [-1.5, ∞]', kinks: [-1.5], grad: true, run: (b, x, dy, dx) => b.clipBackward(x, -1.5, Infinity, dy, dx) },
  { name: 'hardSwish', kinks: [-3, 3, -1.5], grad: false, run: (b, x, _, y) => b.hardSwish(x, y), wasmTolerance: WASM_HARD_SWISH },
  { name: 'hardSwishBackward', kinks: [-3, 3, -1.5], grad: true, run: (b, x, dy, dx) => b.hardSwishBackward(x, dy, dx), wasmTolerance: WASM_HARD_SWISH },
  { name: 'hardSigmoid', kinks: [-2.5, 2.5], grad: false, run: (b, x, _, y) => b.hardSigmoid(x, 0.2, 0.5, y) },
  { name: 'hardSigmoidBackward 1/6', kinks: [-3, 3], grad: true, run: (b, x, dy, dx) => b.hardSigmoidBackward(x, 1 / 6, 0.5, dy, dx) },
  { name: 'silu', kinks: [0], grad: false, run: (b, x, _, y) => b.silu(x, y) },
  { name: 'siluBackward', kinks: [0], grad: true, run: (b, x, dy, dx) => b.siluBackward(x, dy, dx) },
  { name: 'gelu', kinks: [0, -5.6, 5.6], grad: false, run: (b, x, _, y) => b.gelu(x, 'none', y) },
  { name: 'geluBackward', kinks: [0, -5.6, 5.6], grad: true, run: (b, x, dy, dx) => b.geluBackward(x, 'none', dy, dx) },
  { name: 'gelu tanh', kinks: [0], grad: false, run: (b, x, _, y) => b.gelu(x, 'tanh', y) },
  { name: 'geluBackward tanh', kinks: [0], grad: true, run: (b, x, dy, dx) => b.geluBackward(x, 'tanh', dy, dx) },
  { name: 'elu', kinks: [0], grad: false, run: (b, x, _, y) => b.elu(x, 0.5, y) },
  { name: 'eluBackward', kinks: [0], grad: true, run: (b, x, dy, dx) => b.eluBackward(x, 0.5, dy, dx) },
  { name: 'softplus', kinks: [2.5], grad: false, run: (b, x, _, y) => b.softplus(x, 2, 5, y) },
  { name: 'softplusBackward', kinks: [2.5], grad: true, run: (b, x, dy, dx) => b.softplusBackward(x, 2, 5, dy, dx) },
  { name: 'prelu', kinks: [0], grad: false, run: (b, x, _, y) => b.prelu(x, slope, outer, channels, x.length / (outer * channels), y) },
  {
    name: 'preluBackward', kinks: [0], grad: true,
    run: (b, x, dy, dx) => b.preluBackward(x, slope, dy, outer, channels, x.length / (outer * channels), dx, null),
  },
];

async function backends(): Promise<[string, Backend][]> {
  const out: [string, Backend][] = [['js', jsBackend]];
  for (const v of ['scalar', 'simd', 'relaxed'] as WasmVariant[]) if (supportsVariant(v)) out.push([`wasm ${v}`, await loadWasmBackend({ variant: v })]);
  return out;
}

const BACKENDS = await backends();

// Lengths: multiples of outer·channels = 6 (prelu), around the SIMD body of 4, and long.
const LENGTHS = [0, 6, 12, 18, 24, 30, 1206];

describe('activation kernels: js and wasm against naive, kinks included', () => {
  for (const [label, be] of BACKENDS) {
    it(`${label}: every kernel, in place and not`, () => {
      const rng = new Random(2026);
      for (const c of cases) {
        const tol = label.startsWith('wasm') && c.wasmTolerance ? c.wasmTolerance : EXACT;
        for (const n of LENGTHS) {
          const x = inputs(n, c.kinks, rng);
          const dy = c.grad ? inputs(n, [0], rng) : new Float32Array(n);
          const want = new Float32Array(n);
          c.run(naive, x, dy, want);
          const got = new Float32Array(n).fill(NaN);
          const x0 = x.slice();
          const dy0 = dy.slice();
          c.run(be, x, dy, got);
          expectEqual(x, x0, `${c.name} n=${n}: x unchanged`);
          expectEqual(dy, dy0, `${c.name} n=${n}: dy unchanged`);
          expectClose(got, want, tol, `${label} ${c.name} n=${n}`);
          // In place: y = x for a forward, dx = dy for a backward.
          const alias = (c.grad ? dy : x).slice();
          if (c.grad) c.run(be, x, alias, alias);
          else c.run(be, alias, dy, alias);
          expectClose(alias, want, tol, `${label} ${c.name} n=${n} in place`);
        }
      }
    });
  }
});

describe('activation ops through the tape: every backend against naive', () => {
  const ops: [string, (x: Tensor, b: Backend) => Tensor, Tolerance][] = [
    ['clip', (x, b) => clip(x, { min: -0.1, max: 3 }, b), EXACT],
    ['relu6', (x, b) => relu6(x, b), EXACT],
    ['hardSigmoid', (x, b) => hardSigmoid(x, { alpha: 1 / 6, beta: 0.5 }, b), EXACT],
    ['hardSwish', (x, b) => hardSwish(x, b), WASM_HARD_SWISH],
    ['silu', (x, b) => silu(x, b), EXACT],
    ['gelu', (x, b) => gelu(x, undefined, b), EXACT],
    ['elu', (x, b) => elu(x, { alpha: 1.2 }, b), EXACT],
    ['softplus', (x, b) => softplus(x, undefined, b), EXACT],
    ['prelu', (x, b) => prelu(x, new Tensor(Float32Array.of(0.2, -0.3, 1.1), [3]), b), EXACT],
  ];
  for (const [label, be] of BACKENDS) {
    it(`${label}: y and x.grad of every op equal naive's`, () => {
      for (const [name, f, tol] of ops) {
        const rng = new Random(9);
        const x = new Tensor(inputs(2 * 3 * 5 * 5, [0, 3, -3, 6], rng), [2, 3, 5, 5]);
        for (let i = 0; i < x.size; i++) if (!Number.isFinite(x.data[i])) x.data[i] = 0.5; // no NaN through a sum
        const r = new Tensor(randomArray(x.size, rng), x.shape);
        const run = (b: Backend): [Float32Array, Float32Array] => {
          const leaf = x.detach();
          leaf.requiresGrad = true;
          const y = f(leaf, b);
          sum(mul(y, r, b), undefined, b).backward();
          return [y.data, (leaf.grad as Tensor).data];
        };
        const [y0, g0] = run(naive);
        const [y1, g1] = run(be);
        const t = label.startsWith('wasm') ? tol : EXACT;
        expectClose(y1, y0, t, `${label} ${name} y`);
        expectClose(g1, g0, t, `${label} ${name} x.grad`);
      }
    });
  }
});
