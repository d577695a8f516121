// The op sweep that `npx simdnet parity` and the browser parity page run: each case
// (the built-in ones of sweep-cases.ts, or a user's own) forward and backward (the
// gradients of Σ y·r, r seeded random, through the tape) on every backend against naive.
// The repository's own suites (test/support/sweep.ts) sweep hundreds of shapes with
// guarded buffers; this one is small enough to run on a user's machine in seconds. For
// the linear cases the bound's atol is scaled by Σ|terms|, found by running naive on
// |inputs| (see tolerance.ts).
import type { Backend } from '../backend/backend.js';
import { naiveBackend } from '../backend/naive.js';
import { currentBackend, setBackend } from '../backend/registry.js';
import { mul } from '../ops/arithmetic.js';
import { sum } from '../ops/reduce.js';
import { checkOptions } from '../ops/validate.js';
import { Random } from '../random.js';
import { Tensor, randn } from '../tensor.js';
import { resolveBackends, type ParityBackendSpec, type SkippedBackend } from './backends.js';
import { checkTolerance, errorStats, worse, type ErrorStats, type Tolerance } from './tolerance.js';
import { formatNumber, formatTolerance, table, verdict } from './format.js';
import { defaultSweep, type SweepCase } from './sweep-cases.js';

export { defaultSweep, type SweepCase } from './sweep-cases.js';

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
  /** The ops whose bound scales atol by Σ|terms| (their cases are `linear`). */
  magnitudeOps: string[];
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
  const magnitudeOps = [...new Set(cases.filter((c) => c.linear).map((c) => c.op))];
  return { reference: 'naive', tolerance: tol, ok: results.every((r) => r.ok), summary, results, skipped, magnitudeOps };
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
    `tolerance ${formatTolerance(report.tolerance)}${report.magnitudeOps.length > 0 ? ` (atol·Σ|terms| for ${report.magnitudeOps.join(', ')})` : ''}`,
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
