// ONNX's operator conformance tests through the importer: each single-node test of
// test/fixtures/onnx/ (Debian's python3-onnx 1.12, scripts/fixtures/onnx_conformance.py)
// becomes a one-node ModelProto, loadOnnx reads it, and model.run() must give ONNX's
// expected outputs, on every backend, in two forms:
//
//   'inputs'     the node's float inputs are graph inputs (weights run through the
//                functional ops);
//   'constants'  every input after the first is an initializer (weights become child
//                modules: Conv2d, Linear, BatchNorm2d, ...; shape inputs fold).
//
// Integer inputs (shapes, axes, pads) and float parameters (Clip's bounds, Resize's
// scales, Pad's value) are initializers in both: simdnet reads them on the host.
//
//     |actual − expected| ≤ 1e-4·|expected| + 1e-5  for float outputs (compare.ts's
//                                                   DEFAULT_TOLERANCE);
//     actual = expected                             for integer and bool outputs.
//
// A test is an exception (listed with its reason, not run) or a documented refusal
// (loadOnnx or run must throw an Error matching the listed reason: the importer refuses
// what it cannot run instead of returning something else); every other test must pass.
// A listed refusal that stops throwing fails too, so the lists stay true.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, loadBackend, loadOnnx, setBackend, type Backend, type BackendName } from '../src/index.js';
import { DEFAULT_TOLERANCE, findMismatch } from './support/compare.js';
import { fixtureModel, isFloat, readFixtures, valuesOf, type FixtureTest, type Mode } from './support/onnx-fixture-models.js';

const BACKENDS: readonly BackendName[] = ['naive', 'js', 'wasm'];
const MODES: readonly Mode[] = ['inputs', 'constants'];
const fixtures = readFixtures();

interface Listed {
  reason: string;
  tests: readonly string[];
}

/** Not run: outside what the importer is for. */
const EXCEPTIONS: readonly Listed[] = [
  { reason: '5-D input (3-D spatial): simdnet images are NCHW, 2-D spatial', tests: ['test_averagepool_3d_default', 'test_maxpool_3d_default', 'test_convtranspose_3d'] },
  { reason: "training-mode Dropout with ratio > 0: the expected output is numpy's random mask", tests: ['test_training_dropout', 'test_training_dropout_default', 'test_training_dropout_mask', 'test_training_dropout_default_mask'] },
  { reason: 'sequence and optional values are not tensors', tests: ['test_identity_sequence', 'test_identity_opt'] },
  {
    reason: 'Resize mode cubic (refused by the importer; the fixtures leave these out)',
    tests: [
      'test_resize_downsample_scales_cubic', 'test_resize_downsample_scales_cubic_A_n0p5_exclude_outside',
      'test_resize_downsample_scales_cubic_align_corners', 'test_resize_downsample_sizes_cubic', 'test_resize_upsample_scales_cubic',
      'test_resize_upsample_scales_cubic_A_n0p5_exclude_outside', 'test_resize_upsample_scales_cubic_align_corners',
      'test_resize_upsample_scales_cubic_asymmetric', 'test_resize_upsample_sizes_cubic',
    ],
  },
];

/** Refused by the importer with an Error whose message matches `pattern`. */
const REFUSALS: readonly (Listed & { pattern: RegExp })[] = [
  {
    reason: 'BatchNormalization training_mode 1 (a training graph; simdnet imports inference graphs)',
    pattern: /\(BatchNormalization, opset 15\): attribute 'training_mode' is 1/,
    tests: ['test_batchnorm_example_training_mode', 'test_batchnorm_epsilon_training_mode'],
  },
  {
    reason: "Dropout's mask output (simdnet's dropout returns none)",
    pattern: /\(Dropout, opset 13\): output 1 \('z', the mask\) is not supported/,
    tests: ['test_dropout_default_mask', 'test_dropout_default_mask_ratio', 'test_training_dropout_zero_ratio_mask'],
  },
  {
    reason: 'integer data into a float op (simdnet computes in float32; integers are for shapes)',
    pattern: /input 0 \('x'\) is a (uint8|int32) tensor, but (MaxPool|Pad) takes float data there/,
    tests: ['test_maxpool_2d_uint8', 'test_edge_pad', 'test_reflect_pad'],
  },
  {
    reason: 'opset 9 (Upsample is deprecated since opset 10; simdnet reads opsets 11 to 17)',
    pattern: /loadOnnx: opset 9 of the default domain is not supported: simdnet reads opsets 11 to 17/,
    tests: ['test_upsample_nearest'],
  },
];

const listed = (lists: readonly Listed[], name: string) => lists.find((l) => l.tests.includes(name));

type Status = 'pass' | 'refused' | 'exception' | 'fail' | 'not run';
const results = new Map<string, Status[]>();
const record = (key: string, s: Status) => results.set(key, [...(results.get(key) ?? []), s]);

/** Runs one test; returns null when it passes, else what went wrong. */
function check(op: string, test: FixtureTest, mode: Mode): string | null {
  const m = fixtureModel(op, test, mode);
  const out = loadOnnx(m.bytes).run(m.feeds);
  const problems: string[] = [];
  for (const o of test.outputs) {
    const got = out[o.name];
    if (!got) {
      problems.push(`no output ${o.name}`);
      continue;
    }
    if (got.shape.join() !== o.shape.join()) {
      problems.push(`${o.name}: shape [${got.shape.join(', ')}], expected [${o.shape.join(', ')}]`);
      continue;
    }
    const mismatch = findMismatch(got.data, valuesOf(o), isFloat(o.dtype) ? DEFAULT_TOLERANCE : { rtol: 0, atol: 0 });
    if (mismatch) problems.push(`${o.name}: ${mismatch}`);
  }
  return problems.length === 0 ? null : problems.join('; ');
}

describe('the importer conformance lists', () => {
  it('name only existing tests, each once, and cover every test the fixtures leave out', () => {
    const names = new Set(fixtures.flatMap((f) => [...f.tests.map((t) => t.name), ...f.notConverted.map((t) => t.name)]));
    const all = [...EXCEPTIONS, ...REFUSALS].flatMap((l) => l.tests);
    for (const t of all) expect(names.has(t), `${t} is not an ONNX test`).toBe(true);
    expect(new Set(all).size).toBe(all.length);
    for (const f of fixtures) for (const t of f.notConverted) expect(listed(EXCEPTIONS, t.name), `${t.name} (${t.reason})`).toBeDefined();
  });
});

describe.each(BACKENDS)('ONNX conformance through loadOnnx on %s', (name) => {
  let backend: Backend;
  let before: Backend;
  beforeAll(async () => {
    backend = name === 'wasm' ? await loadBackend('wasm') : getBackend(name);
  });

  describe.each(MODES)('%s', (mode) => {
    for (const fixture of fixtures) {
      describe(fixture.op, () => {
        for (const test of fixture.tests) {
          const key = `${name}/${mode}`;
          const exception = listed(EXCEPTIONS, test.name);
          if (exception) {
            record(key, 'exception');
            it.skip(`${test.name} (exception: ${exception.reason})`, () => {});
            continue;
          }
          const refusal = REFUSALS.find((l) => l.tests.includes(test.name));
          it(test.name, () => {
            before = setBackend(backend);
            try {
              if (refusal) {
                expect(() => check(fixture.op, test, mode), `${test.name} should be refused: ${refusal.reason}`).toThrow(refusal.pattern);
                record(key, 'refused');
                return;
              }
              const problem = check(fixture.op, test, mode);
              record(key, problem ? 'fail' : 'pass');
              if (problem) expect.fail(`${test.name} (${mode}, ${name}): ${problem}`);
            } finally {
              setBackend(before);
            }
          });
        }
      });
    }
  });
});

describe('the constants form runs weights as child modules', () => {
  // (LayerNormalization's tests all read its Mean and InvStdDev outputs, so they stay
  // functional; test/onnx-import.test.ts covers the LayerNorm module.)
  it('Conv, ConvTranspose, Gemm, BatchNormalization, InstanceNormalization and PRelu make modules', () => {
    const types = new Set<string>();
    for (const f of fixtures) {
      for (const t of f.tests) {
        if (listed(EXCEPTIONS, t.name) || listed(REFUSALS, t.name)) continue;
        const model = loadOnnx(fixtureModel(f.op, t, 'constants').bytes);
        for (const [, m] of model.namedChildren()) types.add(m.type);
      }
    }
    expect([...types].sort()).toEqual(['BatchNorm2d', 'Conv2d', 'ConvTranspose2d', 'InstanceNorm2d', 'Linear', 'PReLU']);
  });
});

afterAll(() => {
  const leftOut = fixtures.reduce((n, f) => n + f.notConverted.length, 0);
  const lines = [`ONNX conformance through loadOnnx (|a − e| ≤ 1e-4·|e| + 1e-5; integers exact); ${leftOut} more tests the fixtures leave out are exceptions too:`];
  for (const [key, list] of results) {
    const n = (s: Status) => list.filter((x) => x === s).length;
    lines.push(`  ${key.padEnd(18)} ${n('pass')} pass, ${n('fail')} fail, ${n('refused')} refused (listed), ${n('exception')} exceptions`);
  }
  console.log(lines.join('\n'));
});
