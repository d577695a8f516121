// ONNX's operator conformance tests on simdnet's backends: each single-node test of the
// fixtures (conformance-fixtures.ts) runs through the mapping table (conformance-ops.ts)
// and every output is compared with ONNX's expected values:
//
//     |actual − expected| ≤ rtol·|expected| + atol   float outputs (default 1e-4, 1e-5)
//     actual = expected                               integer and bool outputs
//
// A test whose op, attribute, input or output simdnet does not support is *unsupported*
// (the mapping throws Unsupported naming what is missing); a wrong result, or an error
// from an op, is a failure. The tests left out for good are listed in
// CONFORMANCE_EXCEPTIONS, each with its reason: a run is ok when every other test passes.
// Used by `simdnet parity`, the browser parity page and test/onnx-conformance.test.ts.
import type { Backend } from '../backend/backend.js';
import { Tensor, formatShape } from '../tensor.js';
import { checkOptions } from '../ops/validate.js';
import { resolveBackends, type ParityBackendSpec, type SkippedBackend } from './backends.js';
import { decode, isStored, type ConformancePack, type OnnxTest } from './conformance-fixtures.js';
import { Attributes, ONNX_OPS, OnnxNode, Unsupported, type AttributeValue } from './conformance-ops.js';
import { formatNumber, formatTolerance, table } from './format.js';
import { checkTolerance, errorStats, worse, type ErrorStats, type Tolerance } from './tolerance.js';

export interface ConformanceException {
  reason: string;
  tests: readonly string[];
  /** When given, only these outputs go unchecked and the test runs for the rest. */
  outputs?: readonly string[];
}

/** Tests left out for good, each with its reason. */
export const CONFORMANCE_EXCEPTIONS: readonly ConformanceException[] = Object.freeze([
  {
    reason: '5-D input (3-D spatial): simdnet images are NCHW, 2-D spatial',
    tests: ['test_averagepool_3d_default', 'test_maxpool_3d_default', 'test_convtranspose_3d'],
  },
  {
    reason: "training-mode Dropout with ratio > 0: the expected output is numpy's random mask",
    tests: ['test_training_dropout', 'test_training_dropout_mask', 'test_training_dropout_default', 'test_training_dropout_default_mask'],
  },
  {
    reason: 'BatchNorm training mode: simdnet keeps the unbiased running variance (as PyTorch); ONNX expects the biased one',
    tests: ['test_batchnorm_example_training_mode', 'test_batchnorm_epsilon_training_mode'],
    outputs: ['output_var'],
  },
  {
    reason: 'sequence and optional values are not tensors',
    tests: ['test_identity_sequence', 'test_identity_opt'],
  },
]);

/** The listed exception of a test, if any. */
export function conformanceException(test: string): ConformanceException | undefined {
  return CONFORMANCE_EXCEPTIONS.find((e) => e.tests.includes(test));
}

/** The worst compared float output of a test (integer and bool outputs count as ratio 0 or ∞). */
export type OutputStats = ErrorStats & { output: string };

export type Outcome =
  | { status: 'pass'; worst: OutputStats | null }
  | { status: 'fail'; message: string; worst: OutputStats | null }
  | { status: 'unsupported'; reason: string };

export interface RunOptions {
  tolerance: Tolerance;
  /** Outputs not compared (a documented difference, e.g. BatchNorm's running variance). */
  exemptOutputs?: readonly string[];
}

/** Runs `test` of ONNX op `op` on `backend`. An Unsupported from the mapping, or an
 * attribute it did not read, is 'unsupported'; a wrong output is 'fail'; any other
 * error propagates. */
export function runOnnxTest(op: string, test: OnnxTest, backend: Backend, options: RunOptions): Outcome {
  const mapping = ONNX_OPS[op];
  if (!mapping) return { status: 'unsupported', reason: `${op}: no entry in ONNX_OPS` };
  const attributes: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(test.attributes)) attributes[k] = isStored(v) ? decode(v) : v;
  const attrs = new Attributes(op, attributes);
  const node = new OnnxNode(op, test.opset, test.inputs.map((v) => (v ? decode(v) : null)), attrs, test.outputs.map((o) => o.name), backend);
  let actual;
  try {
    actual = mapping(node);
  } catch (e) {
    if (e instanceof Unsupported) return { status: 'unsupported', reason: e.message };
    throw e;
  }
  const unread = attrs.unread();
  if (unread.length > 0) {
    const list = unread.map((k) => `${k}=${JSON.stringify(test.attributes[k])}`).join(', ');
    return { status: 'unsupported', reason: `${op}: attribute ${list} is not mapped` };
  }
  if (actual.length !== test.outputs.length) {
    return { status: 'fail', message: `${op} mapping returned ${actual.length} outputs, the test expects ${test.outputs.length}`, worst: null };
  }
  const problems: string[] = [];
  let worst: OutputStats | null = null;
  test.outputs.forEach((stored, i) => {
    if (options.exemptOutputs?.includes(stored.name)) return;
    const expected = decode(stored);
    const got = actual[i];
    const shape = got instanceof Tensor ? got.shape : got.shape;
    if (shape.length !== expected.shape.length || shape.some((d, k) => d !== expected.shape[k])) {
      problems.push(`output ${stored.name}: shape ${formatShape(shape)}, expected ${formatShape(expected.shape)}`);
      return;
    }
    // Float outputs within the tolerance; indices, masks and integers exactly.
    const exact = !expected.dtype.startsWith('float');
    const stats = { ...errorStats(got.data, expected.data, exact ? { rtol: 0, atol: 0 } : options.tolerance), output: stored.name };
    worst = worse(worst, stats) as OutputStats;
    if (!stats.ok) {
      problems.push(`output ${stored.name}: ${stats.failures} of ${stats.size} elements differ; worst at index ${stats.worstIndex}: ${stats.actual} vs ${stats.expected} (|diff| ${formatNumber(Math.abs(stats.actual - stats.expected))})`);
    }
  });
  return problems.length === 0 ? { status: 'pass', worst } : { status: 'fail', message: problems.join('; '), worst };
}

export type ConformanceStatus = 'pass' | 'fail' | 'unsupported' | 'exception';

/** One test on one backend. */
export interface ConformanceResult {
  op: string;
  test: string;
  backend: string;
  /** 'exception': a listed exception (CONFORMANCE_EXCEPTIONS), counted as unsupported. */
  status: ConformanceStatus;
  /** Why it is unsupported or an exception. */
  reason?: string;
  /** What failed. */
  message?: string;
  worst: OutputStats | null;
}

/** Per operator and backend: the counts and the worst compared output. */
export interface ConformanceSummary {
  op: string;
  backend: string;
  tests: number;
  pass: number;
  fail: number;
  /** Unsupported tests, listed exceptions included. */
  unsupported: number;
  exceptions: number;
  worst: OutputStats | null;
  /** No failure and no unsupported test that is not a listed exception. */
  ok: boolean;
}

export interface ConformanceReport {
  /** Version of the onnx package the tests came from. */
  onnx: string;
  tolerance: Tolerance;
  ok: boolean;
  backends: string[];
  summary: ConformanceSummary[];
  results: ConformanceResult[];
  skipped: SkippedBackend[];
}

export interface ConformanceOptions {
  /** Default ['naive', 'js', 'wasm']: every backend and every wasm variant the engine validates. */
  backends?: ParityBackendSpec[];
  /** Default { rtol: 1e-4, atol: 1e-5 }, for float outputs (integer and bool ones must be equal). */
  tolerance?: Partial<Tolerance>;
  /** Only these ONNX operators (default: every operator of the pack). */
  ops?: string[];
}

/** Per operator (in result order) and backend: counts, worst output, ok. */
export function summarizeConformance(results: readonly ConformanceResult[]): ConformanceSummary[] {
  const summary: ConformanceSummary[] = [];
  for (const r of results) {
    let s = summary.find((x) => x.op === r.op && x.backend === r.backend);
    if (!s) {
      s = { op: r.op, backend: r.backend, tests: 0, pass: 0, fail: 0, unsupported: 0, exceptions: 0, worst: null, ok: true };
      summary.push(s);
    }
    s.tests++;
    if (r.status === 'pass') s.pass++;
    else if (r.status === 'fail') s.fail++;
    else s.unsupported++;
    if (r.status === 'exception') s.exceptions++;
    if (r.worst) s.worst = worse(s.worst, r.worst) as OutputStats;
    s.ok &&= r.status === 'pass' || r.status === 'exception';
  }
  return summary;
}

/** One test on one backend, with the listed exceptions applied; errors become failures. */
export function conformanceResult(op: string, test: OnnxTest, label: string, backend: Backend, tolerance: Tolerance): ConformanceResult {
  const base = { op, test: test.name, backend: label };
  const e = conformanceException(test.name);
  let outcome: Outcome;
  try {
    outcome = runOnnxTest(op, test, backend, { tolerance, exemptOutputs: e?.outputs });
  } catch (error) {
    return { ...base, status: 'fail', message: `error: ${error instanceof Error ? error.message : String(error)}`, worst: null };
  }
  if (outcome.status === 'unsupported') {
    return e && !e.outputs ? { ...base, status: 'exception', reason: e.reason, worst: null } : { ...base, status: 'unsupported', reason: outcome.reason, worst: null };
  }
  if (outcome.status === 'fail') return { ...base, status: 'fail', message: outcome.message, worst: outcome.worst };
  return { ...base, status: 'pass', worst: outcome.worst };
}

/** Runs every test of `pack` on every backend; the tests the fixtures left out are
 * reported as exceptions. Each backend is compared with ONNX's expected outputs. */
export async function onnxConformance(pack: ConformancePack, options?: ConformanceOptions): Promise<ConformanceReport> {
  const op = 'onnxConformance';
  const opts = checkOptions(op, options, ['backends', 'tolerance', 'ops']);
  if (pack === null || typeof pack !== 'object' || !Array.isArray((pack as ConformancePack).fixtures)) {
    throw new Error(`${op}: pack must be a conformance pack (checkConformancePack of dist/onnx-conformance.json), got ${String(pack)}`);
  }
  const tolerance = checkTolerance(op, opts.tolerance);
  const known = pack.fixtures.map((f) => f.op);
  if (opts.ops !== undefined && (!Array.isArray(opts.ops) || opts.ops.some((o) => !known.includes(o)))) {
    throw new Error(`${op}: ops must name operators of the pack (${known.join(', ')}), got ${JSON.stringify(opts.ops)}`);
  }
  const { run, skipped } = await resolveBackends(op, opts.backends ?? ['naive', 'js', 'wasm']);
  const fixtures = opts.ops ? pack.fixtures.filter((f) => opts.ops?.includes(f.op)) : pack.fixtures;
  const results: ConformanceResult[] = [];
  for (const f of fixtures) {
    for (const { label, backend } of run) {
      for (const t of f.notConverted) {
        results.push({ op: f.op, test: t.name, backend: label, status: 'exception', reason: conformanceException(t.name)?.reason ?? t.reason, worst: null });
      }
      for (const test of f.tests) results.push(conformanceResult(f.op, test, label, backend, tolerance));
    }
  }
  const summary = summarizeConformance(results);
  return { onnx: pack.onnx, tolerance, ok: summary.every((s) => s.ok), backends: run.map((r) => r.label), summary, results, skipped };
}

function countsCell(values: number[]): string {
  return values.every((v) => v === values[0]) ? String(values[0]) : values.join('/');
}

/** Per operator: the pass / fail / unsupported counts (one number when every backend has
 * it, else one per backend in column order) and the worst error/bound per backend; then
 * each unsupported test once with its reason, and each failure. */
export function formatConformanceReport(report: ConformanceReport): string {
  const { backends } = report;
  const ops = [...new Set(report.summary.map((s) => s.op))];
  const cell = (s: ConformanceSummary | undefined): string => {
    if (!s) return '-';
    const verdict = s.ok ? 'ok' : s.fail > 0 ? 'FAIL' : 'UNSUP';
    return s.worst ? `${formatNumber(s.worst.worstRatio)} ${verdict}` : `- ${verdict}`;
  };
  const rows = ops.map((op) => {
    const per = backends.map((b) => report.summary.find((s) => s.op === op && s.backend === b));
    const count = (k: 'pass' | 'fail' | 'unsupported') => countsCell(per.map((s) => s?.[k] ?? 0));
    return [op, String(per[0]?.tests ?? 0), count('pass'), count('fail'), count('unsupported'), ...per.map(cell)];
  });
  const total = (b: string, k: 'pass' | 'fail' | 'unsupported' | 'exceptions') => report.summary.filter((s) => s.backend === b).reduce((n, s) => n + s[k], 0);
  rows.push(['total', String(total(backends[0] ?? '', 'pass') + total(backends[0] ?? '', 'fail') + total(backends[0] ?? '', 'unsupported')),
    countsCell(backends.map((b) => total(b, 'pass'))), countsCell(backends.map((b) => total(b, 'fail'))), countsCell(backends.map((b) => total(b, 'unsupported'))),
    ...backends.map((b) => (report.summary.filter((s) => s.backend === b).every((s) => s.ok) ? 'ok' : 'FAIL'))]);
  const lines = [
    `ONNX conformance (onnx ${report.onnx} operator tests), each backend against ONNX's expected outputs; worst error/bound per operator and backend (≤ 1 passes)`,
    `tolerance ${formatTolerance(report.tolerance)} for float outputs, exact for integer and bool outputs; Unsupported counts the listed exceptions`,
    table(['Operator', 'Tests', 'Pass', 'Fail', 'Unsupported', ...backends], rows, [false, true, true, true, true, ...backends.map(() => true)]),
  ];
  for (const s of report.skipped) lines.push(`skipped ${s.label}: ${s.reason}`);
  const unsupported = new Map<string, { r: ConformanceResult; on: string[] }>();
  for (const r of report.results) {
    if (r.status !== 'unsupported' && r.status !== 'exception') continue;
    const key = `${r.op}/${r.test}`;
    const entry = unsupported.get(key) ?? { r, on: [] };
    entry.on.push(r.backend);
    unsupported.set(key, entry);
  }
  if (unsupported.size > 0) lines.push('Unsupported:');
  for (const [key, { r, on }] of unsupported) {
    const where = on.length === backends.length ? '' : ` [${on.join(', ')}]`;
    lines.push(`  ${key}${where}: ${r.status === 'exception' ? `listed exception: ${r.reason}` : `NOT LISTED: ${r.reason}`}`);
  }
  const ran = new Set(report.results.map((r) => r.test));
  for (const e of CONFORMANCE_EXCEPTIONS.filter((x) => x.outputs && x.tests.some((t) => ran.has(t)))) lines.push(`Not compared: output ${e.outputs?.join(', ')} of ${e.tests.join(', ')} (${e.reason})`);
  const failures = report.results.filter((r) => r.status === 'fail');
  for (const f of failures.slice(0, 20)) lines.push(`FAIL ${f.backend} ${f.op}/${f.test}: ${f.message}`);
  if (failures.length > 20) lines.push(`... and ${failures.length - 20} more failures`);
  return lines.join('\n');
}
