// ONNX's operator conformance tests (single-node tests of the issue 10 operators, from
// Debian's python3-onnx 1.12; fixtures written by scripts/fixtures/onnx_conformance.py)
// on every backend, through the runner that `simdnet parity` ships (src/parity/
// conformance.ts, with the ONNX → simdnet mapping of conformance-ops.ts). Every output is
// compared with ONNX's expected values:
//
//     |actual − expected| ≤ 1e-4·|expected| + 1e-5   for float outputs (compare.ts's
//                                                     DEFAULT_TOLERANCE, no magnitude);
//     actual = expected                               for integer and bool outputs.
//
// Every test must pass, except those listed in CONFORMANCE_EXCEPTIONS (src/parity/
// conformance.ts), each with its reason:
//   - 5-D input (3-D spatial): test_averagepool_3d_default, test_maxpool_3d_default,
//     test_convtranspose_3d — simdnet images are NCHW, 2-D spatial;
//   - training-mode Dropout with ratio > 0: test_training_dropout(_mask),
//     test_training_dropout_default(_mask) — the expected output is numpy's random mask;
//   - output_var of test_batchnorm_example_training_mode and
//     test_batchnorm_epsilon_training_mode (the rest is compared) — simdnet keeps the
//     unbiased running variance, as PyTorch; ONNX expects the biased one;
//   - test_identity_sequence, test_identity_opt — sequence and optional values are not
//     tensors.
// A listed test is skipped only while it stays unsupported (a listed test that passes
// fails here: take it off the list), an exempted output only while it really differs;
// an unsupported test that is not listed fails. The closing summary prints pass / fail /
// unsupported per operator and backend, and the worst error/bound.
//
// Integer, float16 and float64 test data run in float32 (the only dtype simdnet has)
// when every value converts exactly; integer outputs must then match exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, loadBackend, type Backend, type BackendName } from '../src/index.js';
import {
  CONFORMANCE_EXCEPTIONS, conformanceException, conformanceResult, formatConformanceReport, runOnnxTest, summarizeConformance,
  type ConformanceResult,
} from '../src/parity/conformance.js';
import { DEFAULT_TOLERANCE } from './support/compare.js';
import { readOnnxFixtures } from './support/onnx-fixtures.js';

const BACKENDS: readonly BackendName[] = ['naive', 'js', 'wasm'];
const fixtures = readOnnxFixtures();
const results: ConformanceResult[] = [];

describe('ONNX conformance fixtures', () => {
  const names = new Set(fixtures.flatMap((f) => [...f.tests.map((t) => t.name), ...f.notConverted.map((t) => t.name)]));

  it('cover the 35 operators of issue 10', () => {
    expect(fixtures.map((f) => f.op)).toHaveLength(35);
    for (const f of fixtures) expect(f.tests.length + f.notConverted.length, f.op).toBeGreaterThan(0);
  });

  it('list every test left out of the fixtures as an exception, and only existing tests', () => {
    for (const f of fixtures) {
      for (const t of f.notConverted) {
        const e = conformanceException(t.name);
        expect(e && !e.outputs, `${t.name} (${t.reason}) is not converted, so it must be a whole-test exception`).toBe(true);
      }
    }
    for (const e of CONFORMANCE_EXCEPTIONS) for (const t of e.tests) expect(names.has(t), `exception ${t} names no ONNX test`).toBe(true);
  });

  it('exempt only outputs that exist and really differ from ONNX', () => {
    const naive = getBackend('naive');
    for (const e of CONFORMANCE_EXCEPTIONS.filter((x) => x.outputs)) {
      for (const name of e.tests) {
        const fixture = fixtures.find((f) => f.tests.some((t) => t.name === name));
        const test = fixture?.tests.find((t) => t.name === name);
        if (!fixture || !test) throw new Error(`${name} is not a converted test`);
        for (const o of e.outputs ?? []) expect(test.outputs.map((x) => x.name), `${name} has no output ${o} to exempt`).toContain(o);
        const strict = runOnnxTest(fixture.op, test, naive, { tolerance: DEFAULT_TOLERANCE });
        expect(strict.status, `${name} passes without the exemption: drop it`).toBe('fail');
        const message = strict.status === 'fail' ? strict.message : '';
        for (const o of test.outputs.map((x) => x.name)) expect(message.includes(`output ${o}:`), `${name} output ${o}`).toBe(e.outputs?.includes(o));
      }
    }
  });
});

describe.each(BACKENDS)('ONNX conformance on %s', (name) => {
  let backend: Backend;

  beforeAll(async () => {
    backend = name === 'wasm' ? await loadBackend('wasm') : getBackend(name);
  });

  for (const fixture of fixtures) {
    describe(fixture.op, () => {
      for (const t of fixture.notConverted) {
        const reason = conformanceException(t.name)?.reason ?? t.reason;
        results.push({ op: fixture.op, test: t.name, backend: name, status: 'exception', reason, worst: null });
        it.skip(`${t.name} (exception: ${reason})`, () => {});
      }
      for (const test of fixture.tests) {
        const listed = conformanceException(test.name);
        it(test.name, (ctx) => {
          const r = conformanceResult(fixture.op, test, name, backend, DEFAULT_TOLERANCE);
          results.push(r);
          if (r.status === 'fail') expect.fail(`${test.name} on ${name}: ${r.message}`);
          if (r.status === 'unsupported') expect.fail(`${test.name} on ${name} is unsupported and not a listed exception: ${r.reason}`);
          if (listed && !listed.outputs) expect(r.status, `${test.name} is listed as an exception (${listed.reason}) but passes: take it off the list`).toBe('exception');
          // No note: the default reporter would print every noted skip on every run;
          // the summary lists each exception once, with its reason.
          if (r.status === 'exception') ctx.skip();
        });
      }
    });
  }
});

afterAll(() => {
  if (results.length === 0) return;
  // Operators in fixture order (the left-out tests were recorded at collection, before the rest).
  const order = fixtures.map((f) => f.op);
  results.sort((a, b) => order.indexOf(a.op) - order.indexOf(b.op));
  const summary = summarizeConformance(results);
  const report = { onnx: fixtures[0].onnx, tolerance: DEFAULT_TOLERANCE, ok: summary.every((s) => s.ok), backends: [...BACKENDS], summary, results, skipped: [] };
  console.log(formatConformanceReport(report));
});
