// The built-in op sweep that `npx simdnet parity` (and a browser page) runs: a compact set
// of shapes for conv2d, convTranspose2d, pooling, resize, gemm, matmul, linear, activations,
// softmax over an axis, maximum, max over axes and batchNorm2d — batch 1,
// odd sizes, stride, asymmetric padding, dilation, groups, depthwise — each forward and
// backward (the gradients of Σ y·r, r seeded random, through the tape), on every backend
// against naive. The repository's own suites (test/support/sweep.ts) sweep hundreds of
// shapes with guarded buffers; this one is small enough to run on a user's machine in
// seconds. For the linear ops (conv, pooling by average, resize, gemm, matmul, linear) the bound's atol
// is scaled by Σ|terms|, found by running naive on |inputs| (see tolerance.ts).
import type { Backend } from '../backend/backend.js';
import { naiveBackend } from '../backend/naive.js';
import { currentBackend, setBackend } from '../backend/registry.js';
import { conv2d } from '../ops/conv.js';
import { convTranspose2d, type ConvTranspose2dOptions } from '../ops/conv-transpose.js';
import { avgPool2d, globalAvgPool2d, maxPool2d } from '../ops/pool.js';
import { gemm } from '../ops/gemm.js';
import { matmul } from '../ops/matmul.js';
import { maximum } from '../ops/minmax.js';
import { linear } from '../ops/linear.js';
import { leakyRelu, logSoftmax, relu, sigmoid, softmax, tanh } from '../ops/activation.js';
import { hardSigmoid, hardSwish, relu6 } from '../ops/clip.js';
import { elu, gelu, silu, softplus } from '../ops/smooth.js';
import { prelu } from '../ops/prelu.js';
import { batchNorm2d } from '../ops/batchnorm.js';
import { mul } from '../ops/arithmetic.js';
import { resize, type ResizeOptions } from '../ops/resize.js';
import { max, sum } from '../ops/reduce.js';
import type { Conv2dOptions, Pool2dOptions } from '../ops/geometry.js';
import { checkOptions } from '../ops/validate.js';
import { Random } from '../random.js';
import { Tensor, formatShape, randn, type Shape } from '../tensor.js';
import { resolveBackends, type ParityBackendSpec, type SkippedBackend } from './backends.js';
import { checkTolerance, errorStats, worse, type ErrorStats, type Tolerance } from './tolerance.js';
import { formatNumber, formatTolerance, table, verdict } from './format.js';

/** One configuration of one op: inputs (all differentiated) and the forward on a backend. */
export interface SweepCase {
  op: string;
  label: string;
  inputs: { name: string; shape: Shape; positive?: boolean }[];
  forward(be: Backend, inputs: Tensor[]): Tensor;
  /** Linear in each input: the bound scales atol by Σ|terms| (naive on |inputs|). */
  linear?: boolean;
}

const conv = (x: Shape, w: Shape, o: Conv2dOptions): SweepCase => ({
  op: 'conv2d', label: `x ${formatShape(x)} w ${formatShape(w)} ${JSON.stringify(o)}`, linear: true,
  inputs: [{ name: 'x', shape: x }, { name: 'w', shape: w }, { name: 'b', shape: [w[0]] }],
  forward: (be, [xt, wt, bt]) => conv2d(xt, wt, bt, o, be),
});
const convT = (x: Shape, w: Shape, o: ConvTranspose2dOptions): SweepCase => ({
  op: 'convTranspose2d', label: `x ${formatShape(x)} w ${formatShape(w)} ${JSON.stringify(o)}`, linear: true,
  inputs: [{ name: 'x', shape: x }, { name: 'w', shape: w }, { name: 'b', shape: [w[1] * (o.groups ?? 1)] }],
  forward: (be, [xt, wt, bt]) => convTranspose2d(xt, wt, bt, o, be),
});
const pool = (op: 'maxPool2d' | 'avgPool2d', x: Shape, o: Pool2dOptions): SweepCase => ({
  op, label: `x ${formatShape(x)} ${JSON.stringify(o)}`, linear: op === 'avgPool2d',
  inputs: [{ name: 'x', shape: x }],
  forward: (be, [xt]) => (op === 'maxPool2d' ? maxPool2d(xt, o, be) : avgPool2d(xt, o, be)),
});
const mm = (m: number, k: number, n: number, transA = false, transB = false): SweepCase => ({
  op: 'gemm', label: `m ${m} k ${k} n ${n}${transA ? ' transA' : ''}${transB ? ' transB' : ''}`, linear: true,
  inputs: [{ name: 'a', shape: transA ? [k, m] : [m, k] }, { name: 'b', shape: transB ? [n, k] : [k, n] }],
  forward: (be, [a, b]) => gemm(a, b, { transA, transB }, be),
});
const act = (op: string, f: (x: Tensor, be: Backend) => Tensor, shape: Shape = [3, 37]): SweepCase => ({
  op, label: `x ${formatShape(shape)}`, inputs: [{ name: 'x', shape }], forward: (be, [x]) => f(x, be),
});
const rs = (x: Shape, o: ResizeOptions): SweepCase => ({
  op: 'resize', label: `x ${formatShape(x)} ${JSON.stringify(o)}`, linear: true,
  inputs: [{ name: 'x', shape: x }], forward: (be, [xt]) => resize(xt, o, be),
});
const bn = (x: Shape, training: boolean): SweepCase => ({
  op: 'batchNorm2d', label: `x ${formatShape(x)} ${training ? 'train' : 'eval'}`,
  inputs: [{ name: 'x', shape: x }, { name: 'weight', shape: [x[1]] }, { name: 'bias', shape: [x[1]] }],
  forward: (be, [xt, w, b]) => {
    const c = x[1];
    const mean = new Tensor(Float32Array.from({ length: c }, (_, i) => 0.1 * i - 0.2), [c]);
    const variance = new Tensor(Float32Array.from({ length: c }, (_, i) => 0.5 + 0.25 * i), [c]);
    return batchNorm2d(xt, mean, variance, w, b, { training }, be);
  },
});

/** The built-in cases: about 50 configurations. */
export function defaultSweep(): SweepCase[] {
  return [
    conv([2, 3, 7, 7], [4, 3, 3, 3], { padding: 1 }),
    conv([1, 1, 5, 6], [2, 1, 2, 2], {}),
    conv([1, 4, 9, 8], [6, 2, 3, 2], { stride: 2, padding: [0, 1, 2, 1], groups: 2 }),
    conv([2, 5, 6, 6], [5, 1, 3, 3], { groups: 5, dilation: 2, padding: 'same' }),
    conv([1, 3, 12, 11], [8, 3, 5, 5], { stride: [3, 2], padding: 'valid' }),
    conv([3, 2, 5, 5], [3, 2, 1, 1], { stride: 2 }),
    conv([1, 6, 8, 8], [6, 1, 4, 4], { groups: 6, padding: 'same' }),
    pool('maxPool2d', [2, 3, 8, 8], { kernelSize: 2 }),
    pool('maxPool2d', [1, 2, 7, 9], { kernelSize: 3, stride: 2, padding: 1 }),
    pool('maxPool2d', [1, 1, 6, 5], { kernelSize: [2, 3], stride: 1 }),
    pool('avgPool2d', [2, 3, 8, 8], { kernelSize: 2 }),
    pool('avgPool2d', [1, 2, 7, 9], { kernelSize: 3, stride: 2, padding: 1 }),
    pool('avgPool2d', [1, 1, 6, 5], { kernelSize: [2, 3], stride: 1, padding: [1, 0, 0, 1] }),
    { op: 'globalAvgPool2d', label: 'x [2, 3, 5, 7]', linear: true, inputs: [{ name: 'x', shape: [2, 3, 5, 7] }], forward: (be, [x]) => globalAvgPool2d(x, be) },
    convT([2, 3, 4, 4], [3, 2, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }),
    convT([1, 4, 3, 5], [4, 3, 2, 3], { stride: [1, 2], padding: [1, 0, 0, 2], dilation: [2, 1], groups: 2 }),
    convT([1, 2, 3, 3], [2, 2, 2, 2], { dilation: 3, outputPadding: 2 }),
    rs([2, 3, 5, 7], { scale: 2, coordinateMode: 'asymmetric', nearestMode: 'floor' }),
    rs([1, 2, 7, 9], { size: [4, 13] }),
    rs([2, 3, 5, 7], { scale: 2, mode: 'bilinear' }),
    rs([1, 2, 7, 9], { size: [11, 5], mode: 'bilinear', coordinateMode: 'align_corners' }),
    mm(1, 1, 1), mm(7, 13, 5), mm(5, 9, 17, true), mm(17, 33, 9, false, true), mm(33, 65, 31, true, true), mm(64, 64, 64),
    {
      op: 'matmul', label: 'a [2, 3, 5, 4] · b [4, 6]', linear: true,
      inputs: [{ name: 'a', shape: [2, 3, 5, 4] }, { name: 'b', shape: [4, 6] }],
      forward: (be, [a, b]) => matmul(a, b, be),
    },
    {
      op: 'matmul', label: 'a [3, 1, 4, 5] · b [2, 5, 3]', linear: true,
      inputs: [{ name: 'a', shape: [3, 1, 4, 5] }, { name: 'b', shape: [2, 5, 3] }],
      forward: (be, [a, b]) => matmul(a, b, be),
    },
    {
      op: 'maximum', label: 'a [3, 37] b [37]',
      inputs: [{ name: 'a', shape: [3, 37] }, { name: 'b', shape: [37] }],
      forward: (be, [a, b]) => maximum(a, b, be),
    },
    act('max', (x, be) => max(x, { axis: [0, 2] }, be), [3, 4, 5]),
    {
      op: 'linear', label: 'x [5, 19] w [7, 19]', linear: true,
      inputs: [{ name: 'x', shape: [5, 19] }, { name: 'w', shape: [7, 19] }, { name: 'b', shape: [7] }],
      forward: (be, [x, w, b]) => linear(x, w, b, be),
    },
    act('relu', (x, be) => relu(x, be)),
    act('leakyRelu', (x, be) => leakyRelu(x, 0.1, be)),
    act('sigmoid', (x, be) => sigmoid(x, be)),
    act('tanh', (x, be) => tanh(x, be)),
    act('softmax', (x, be) => softmax(x, -1, be)),
    act('logSoftmax', (x, be) => logSoftmax(x, -1, be)),
    act('softmax', (x, be) => softmax(x, 1, be), [2, 7, 5]),
    act('logSoftmax', (x, be) => logSoftmax(x, 0, be), [4, 3, 6]),
    act('relu6', (x, be) => relu6(x, be)),
    act('hardSigmoid', (x, be) => hardSigmoid(x, undefined, be)),
    act('hardSwish', (x, be) => hardSwish(x, be)),
    act('silu', (x, be) => silu(x, be)),
    act('gelu', (x, be) => gelu(x, undefined, be)),
    act('elu', (x, be) => elu(x, undefined, be)),
    act('softplus', (x, be) => softplus(x, undefined, be)),
    {
      op: 'prelu', label: 'x [2, 3, 4, 5] slope [3]',
      inputs: [{ name: 'x', shape: [2, 3, 4, 5] }, { name: 'slope', shape: [3] }],
      forward: (be, [x, s]) => prelu(x, s, be),
    },
    bn([2, 3, 5, 5], false),
    bn([4, 2, 3, 3], true),
    bn([1, 5, 4, 7], true),
  ];
}

export interface SweepOptions {
  /** Default ['js', 'wasm']: js and every wasm variant the engine validates. */
  backends?: ParityBackendSpec[];
  /** Default { rtol: 1e-4, atol: 1e-5 }. */
  tolerance?: Partial<Tolerance>;
  /** Default defaultSweep(); add your own cases to check an op of yours. */
  cases?: SweepCase[];
  /** Seed of the inputs (default 1). */
  seed?: number;
}

/** One output of one case on one backend: 'y', or 'd<input>' for a gradient. */
export interface SweepResult extends ErrorStats {
  op: string;
  label: string;
  backend: string;
  output: string;
  note?: string;
}

/** Per op and backend, the worst result. */
export interface SweepSummary {
  op: string;
  backend: string;
  cases: number;
  worst: SweepResult;
  ok: boolean;
}

export interface SweepReport {
  reference: 'naive';
  tolerance: Tolerance;
  ok: boolean;
  summary: SweepSummary[];
  results: SweepResult[];
  skipped: SkippedBackend[];
}

interface Run {
  values: Map<string, Float32Array>;
  error: string | null;
}

function runCase(c: SweepCase, be: Backend, inputs: Tensor[], r: Tensor | null): Run {
  const values = new Map<string, Float32Array>();
  try {
    const xs = inputs.map((t) => {
      const x = t.copyDetached();
      x.requiresGrad = true;
      return x;
    });
    const y = c.forward(be, xs);
    values.set('y', y.data.slice());
    const weights = r ?? randn(y.shape, { seed: 99 });
    sum(mul(y, weights, be), undefined, be).backward();
    c.inputs.forEach((inp, i) => values.set(`d${inp.name}`, xs[i].grad ? xs[i].grad.data.slice() : new Float32Array(0)));
    return { values, error: null };
  } catch (e) {
    return { values, error: e instanceof Error ? e.message : String(e) };
  }
}

function abs(t: Tensor): Tensor {
  return new Tensor(t.data.map(Math.abs), t.shape);
}

/** Runs every case on every backend against naive; restores the current backend. */
export async function paritySweep(options?: SweepOptions): Promise<SweepReport> {
  const op = 'paritySweep';
  const opts = checkOptions(op, options, ['backends', 'tolerance', 'cases', 'seed']);
  const tol = checkTolerance(op, opts.tolerance);
  const cases = opts.cases ?? defaultSweep();
  if (!Array.isArray(cases)) throw new Error(`${op}: cases must be an array of SweepCase, got ${String(cases)}`);
  const seed = opts.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new Error(`${op}: seed must be a finite number, got ${String(seed)}`);
  const { run, skipped } = await resolveBackends(op, opts.backends);
  const previous = currentBackend();
  const results: SweepResult[] = [];
  try {
    const rng = new Random(seed);
    for (const c of cases) {
      const inputs = c.inputs.map((i) => {
        const t = randn(i.shape, { random: rng });
        return i.positive ? abs(t) : t;
      });
      setBackend(naiveBackend);
      const ref = runCase(c, naiveBackend, inputs, null);
      if (ref.error !== null) throw new Error(`${op}: ${c.op} ${c.label} fails on the reference: ${ref.error}`);
      const weights = randn([(ref.values.get('y') as Float32Array).length], { seed: 99 });
      let magnitude: Run | null = null;
      if (c.linear) magnitude = runCase(c, naiveBackend, inputs.map(abs), abs(weights));
      for (const { label, backend } of run) {
        setBackend(backend);
        const got = runCase(c, backend, inputs, null);
        for (const [name, expected] of ref.values) {
          const actual = got.values.get(name);
          const base = { op: c.op, label: c.label, backend: label, output: name };
          if (got.error !== null && !actual) {
            results.push({ ...base, size: expected.length, failures: expected.length, maxAbsError: Infinity, worstRatio: Infinity, worstIndex: -1, actual: NaN, expected: NaN, ok: false, note: got.error });
          } else {
            results.push({ ...base, ...errorStats(actual ?? new Float32Array(0), expected, tol, magnitude?.values.get(name)) });
          }
        }
      }
    }
  } finally {
    setBackend(previous);
  }
  const summary: SweepSummary[] = [];
  for (const r of results) {
    let s = summary.find((x) => x.op === r.op && x.backend === r.backend);
    if (!s) {
      s = { op: r.op, backend: r.backend, cases: 0, worst: r, ok: true };
      summary.push(s);
    }
    s.worst = worse(s.worst, r) as SweepResult;
    s.ok &&= r.ok;
  }
  for (const s of summary) s.cases = new Set(results.filter((r) => r.op === s.op && r.backend === s.backend).map((r) => r.label)).size;
  return { reference: 'naive', tolerance: tol, ok: results.every((r) => r.ok), summary, results, skipped };
}

/** Per op (rows) and backend (columns) the worst error/bound ratio, then each failure. */
export function formatSweepReport(report: SweepReport): string {
  const backends = [...new Set(report.summary.map((s) => s.backend))];
  const ops = [...new Set(report.summary.map((s) => s.op))];
  const rows = ops.map((op) => {
    const cells = backends.map((b) => {
      const s = report.summary.find((x) => x.op === op && x.backend === b);
      return s ? `${formatNumber(s.worst.worstRatio)} ${s.ok ? 'ok' : 'FAIL'}` : '-';
    });
    const cases = report.summary.find((x) => x.op === op)?.cases ?? 0;
    return [op, String(cases), ...cells];
  });
  const lines = [
    `Op parity against ${report.reference}, forward and backward; worst error/bound per op and backend (≤ 1 passes)`,
    `tolerance ${formatTolerance(report.tolerance)} (atol·Σ|terms| for conv2d, convTranspose2d, avgPool2d, globalAvgPool2d, gemm, matmul, linear)`,
    table(['Op', 'Cases', ...backends], rows, [false, true, ...backends.map(() => true)]),
  ];
  for (const s of report.skipped) lines.push(`skipped ${s.label}: ${s.reason}`);
  const failures = report.results.filter((r) => !r.ok);
  for (const f of failures.slice(0, 20)) {
    lines.push(`FAIL ${f.backend} ${f.op} ${f.label} ${f.output}: ${f.note ?? `${verdict(f)}, worst at ${f.worstIndex}: ${f.actual} vs ${f.expected}, max |a−e| ${formatNumber(f.maxAbsError)}`}`);
  }
  if (failures.length > 20) lines.push(`... and ${failures.length - 20} more failures`);
  return lines.join('\n');
}
