// ONNX's operator conformance tests (single-node tests of the issue 10 operators, from
// Debian's python3-onnx 1.12; fixtures written by scripts/fixtures/onnx_conformance.py)
// on every backend. Each ONNX node runs through the mapping table of
// test/support/onnx-ops.ts, and every output is compared with ONNX's expected values:
//
//     |actual − expected| ≤ 1e-4·|expected| + 1e-5   for float outputs (compare.ts's
//                                                     DEFAULT_TOLERANCE, no magnitude);
//     actual = expected                               for integer and bool outputs.
//
// A test whose op, attribute, input or output simdnet does not support yet is
// *unsupported*: the mapping throws Unsupported naming what is missing, the test is
// skipped and listed with that reason. A wrong result is a failure. The closing summary
// prints "N pass, N fail, N unsupported" per operator and backend, and in total.
//
// Integer, float16 and float64 test data run in float32 (the only dtype simdnet has)
// when every value converts exactly; integer outputs must then match exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, loadBackend, type Backend, type BackendName } from '../src/index.js';
import { DEFAULT_TOLERANCE } from './support/compare.js';
import { readOnnxFixtures, runOnnxTest, type Outcome } from './support/onnx-fixtures.js';

interface Exception {
  reason: string;
  tests: readonly string[];
  /** When given, only these outputs go unchecked and the test runs for the rest. */
  outputs?: readonly string[];
}

/** Tests left out for good (or out of issue 10's scope), each with its reason. */
const EXCEPTIONS: readonly Exception[] = [
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
];

const BACKENDS: readonly BackendName[] = ['naive', 'js', 'wasm'];
const fixtures = readOnnxFixtures();

function exceptionOf(test: string): Exception | undefined {
  return EXCEPTIONS.find((e) => e.tests.includes(test));
}

/** 'not run' until the test runs (a -t filter leaves it so). */
type Status = Outcome['status'] | 'exception' | 'not run';
interface Result {
  op: string;
  test: string;
  status: Status;
  reason?: string;
}
const results = new Map<BackendName, Result[]>(BACKENDS.map((b) => [b, []]));

describe('ONNX conformance fixtures', () => {
  const names = new Set(fixtures.flatMap((f) => [...f.tests.map((t) => t.name), ...f.notConverted.map((t) => t.name)]));

  it('cover the 35 operators of issue 10', () => {
    expect(fixtures.map((f) => f.op)).toHaveLength(35);
    for (const f of fixtures) expect(f.tests.length + f.notConverted.length, f.op).toBeGreaterThan(0);
  });

  it('list every test left out of the fixtures as an exception, and only existing tests', () => {
    for (const f of fixtures) {
      for (const t of f.notConverted) {
        const e = exceptionOf(t.name);
        expect(e && !e.outputs, `${t.name} (${t.reason}) is not converted, so it must be a whole-test exception`).toBe(true);
      }
    }
    for (const e of EXCEPTIONS) for (const t of e.tests) expect(names.has(t), `exception ${t} names no ONNX test`).toBe(true);
    for (const e of EXCEPTIONS.filter((x) => x.outputs)) {
      for (const name of e.tests) {
        const test = fixtures.flatMap((f) => f.tests).find((t) => t.name === name);
        const outputs = test?.outputs.map((o) => o.name) ?? [];
        for (const o of e.outputs ?? []) expect(outputs, `${name} has no output ${o} to exempt`).toContain(o);
      }
    }
  });
});

describe.each(BACKENDS)('ONNX conformance on %s', (name) => {
  let backend: Backend;
  const record = (r: Result) => results.get(name)?.push(r);

  beforeAll(async () => {
    backend = name === 'wasm' ? await loadBackend('wasm') : getBackend(name);
  });

  for (const fixture of fixtures) {
    describe(fixture.op, () => {
      for (const t of fixture.notConverted) {
        const e = exceptionOf(t.name);
        record({ op: fixture.op, test: t.name, status: 'exception', reason: e?.reason ?? t.reason });
        it.skip(`${t.name} (exception: ${e?.reason ?? t.reason})`, () => {});
      }
      for (const test of fixture.tests) {
        const e = exceptionOf(test.name);
        if (e && !e.outputs) {
          record({ op: fixture.op, test: test.name, status: 'exception', reason: e.reason });
          it.skip(`${test.name} (exception: ${e.reason})`, () => {});
          continue;
        }
        const result: Result = { op: fixture.op, test: test.name, status: 'not run' };
        record(result);
        it(test.name, (ctx) => {
          result.status = 'fail';
          const outcome = runOnnxTest(fixture.op, test, backend, { tolerance: DEFAULT_TOLERANCE, exemptOutputs: e?.outputs });
          result.status = outcome.status;
          if (outcome.status === 'unsupported') {
            result.reason = outcome.reason;
            // No note: the default reporter would print every noted skip on every run;
            // the summary lists each unsupported test once, with its reason.
            ctx.skip();
          }
          if (outcome.status === 'fail') expect.fail(`${test.name} on ${name}: ${outcome.message}`);
        });
      }
    });
  }
});

function counts(rs: readonly Result[]): string {
  const n = (s: Status) => rs.filter((r) => r.status === s).length;
  const exc = n('exception');
  const idle = n('not run');
  return `${n('pass')} pass, ${n('fail')} fail, ${n('unsupported') + exc} unsupported${exc ? ` (${exc} exc.)` : ''}${idle ? `, ${idle} not run` : ''}`;
}

afterAll(() => {
  const lines: string[] = [];
  const tol = `|a − e| ≤ ${DEFAULT_TOLERANCE.rtol}·|e| + ${DEFAULT_TOLERANCE.atol}`;
  lines.push(`ONNX conformance (${tol}); "exc." = listed exceptions, counted as unsupported`);
  lines.push(['operator'.padEnd(22), ...BACKENDS.map((b) => b.padEnd(42))].join(' ').trimEnd());
  for (const f of fixtures) {
    const row = BACKENDS.map((b) => counts((results.get(b) ?? []).filter((r) => r.op === f.op)).padEnd(42));
    lines.push([f.op.padEnd(22), ...row].join(' ').trimEnd());
  }
  lines.push(['total'.padEnd(22), ...BACKENDS.map((b) => counts(results.get(b) ?? []).padEnd(42))].join(' ').trimEnd());
  // Each unsupported test once, with the backends it is unsupported on when not all.
  const seen = new Map<string, { r: Result; on: BackendName[] }>();
  for (const b of BACKENDS) {
    for (const r of results.get(b) ?? []) {
      if (r.status !== 'unsupported' && r.status !== 'exception') continue;
      const key = `${r.op}/${r.test}`;
      const entry = seen.get(key) ?? { r, on: [] };
      entry.on.push(b);
      seen.set(key, entry);
    }
  }
  lines.push('Unsupported:');
  for (const [key, { r, on }] of seen) {
    const where = on.length === BACKENDS.length ? '' : ` [${on.join(', ')}]`;
    lines.push(`  ${key}${where}: ${r.status === 'exception' ? `exception: ${r.reason}` : r.reason}`);
  }
  const exempt = EXCEPTIONS.filter((e) => e.outputs);
  for (const e of exempt) lines.push(`Not compared: output ${e.outputs?.join(', ')} of ${e.tests.join(', ')} (${e.reason})`);
  console.log(lines.join('\n'));
});
