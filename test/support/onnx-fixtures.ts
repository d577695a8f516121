// Reads the ONNX conformance fixtures (test/fixtures/onnx/<OpType>.json, written by
// scripts/fixtures/onnx_conformance.py) and runs one test on one backend through the
// mapping table of onnx-ops.ts, comparing every output with the expected one.
import { readFileSync, readdirSync } from 'node:fs';
import { Tensor, formatShape, type Backend } from '../../src/index.js';
import { findMismatch, type Tolerance } from './compare.js';
import { Attributes, ONNX_OPS, OnnxNode, Unsupported, type AttributeValue, type OnnxValue } from './onnx-ops.js';

/** A value as stored: float32 data as base64 (little-endian), every other dtype as numbers. */
export interface StoredValue {
  name: string;
  dtype: string;
  shape: number[];
  data: string | number[];
}

export interface OnnxTest {
  name: string;
  opset: number;
  attributes: Record<string, AttributeValue | StoredValue>;
  /** The node's inputs in order; null where an optional input is omitted. */
  inputs: (StoredValue | null)[];
  outputs: StoredValue[];
}

export interface OnnxFixture {
  op: string;
  /** Version of the onnx package the tests came from. */
  onnx: string;
  tests: OnnxTest[];
  /** Tests of this op the script left out, with the reason. */
  notConverted: { name: string; reason: string }[];
}

const DIR = new URL('../fixtures/onnx/', import.meta.url);

export function readOnnxFixtures(): OnnxFixture[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as OnnxFixture);
}

function decodeFloat32(base64: string): Float32Array {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const out = new Float32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

const decoded = new WeakMap<StoredValue, OnnxValue>();

/** The stored value with its data decoded (once; mappings copy before use). */
export function decode(v: StoredValue): OnnxValue {
  let d = decoded.get(v);
  if (!d) {
    d = { name: v.name, dtype: v.dtype, shape: v.shape, data: typeof v.data === 'string' ? decodeFloat32(v.data) : v.data };
    decoded.set(v, d);
  }
  return d;
}

function isStored(v: unknown): v is StoredValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'dtype' in v;
}

export type Outcome = { status: 'pass' } | { status: 'fail'; message: string } | { status: 'unsupported'; reason: string };

export interface RunOptions {
  tolerance: Tolerance;
  /** Outputs not compared (a documented difference, e.g. BatchNorm's running variance). */
  exemptOutputs?: readonly string[];
}

/** Runs `test` of ONNX op `op` on `backend`. An Unsupported from the mapping, or an
 * attribute it did not read, is 'unsupported'; a wrong output is 'fail'; any other
 * error propagates (the test fails with it). */
export function runOnnxTest(op: string, test: OnnxTest, backend: Backend, options: RunOptions): Outcome {
  const mapping = ONNX_OPS[op];
  if (!mapping) return { status: 'unsupported', reason: `${op}: no entry in ONNX_OPS` };
  const attributes = Object.fromEntries(Object.entries(test.attributes).map(([k, v]) => [k, isStored(v) ? decode(v) : v]));
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
    return { status: 'fail', message: `${op} mapping returned ${actual.length} outputs, the test expects ${test.outputs.length}` };
  }
  const problems: string[] = [];
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
    const tol = exact ? { rtol: 0, atol: 0 } : options.tolerance;
    const mismatch = findMismatch(got.data, expected.data, tol);
    if (mismatch) problems.push(`output ${stored.name}: ${mismatch}`);
  });
  return problems.length === 0 ? { status: 'pass' } : { status: 'fail', message: problems.join('; ') };
}
