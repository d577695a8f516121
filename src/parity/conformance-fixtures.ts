// The ONNX conformance fixtures as data: one file per ONNX operator in the repository
// (test/fixtures/onnx/<OpType>.json, written by scripts/fixtures/onnx_conformance.py), and
// all of them packed into one file for the package (dist/onnx-conformance.json, written by
// the build: scripts/rollup-conformance.mjs). Platform-neutral: Node reads the file, a page
// fetches it, and both hand the parsed JSON to checkConformancePack.
import { shapeSize } from '../tensor.js';
import type { AttributeValue, OnnxValue } from './conformance-ops.js';

/** A value as stored: float32 data as base64 (little-endian), every other dtype as numbers. */
export interface StoredValue {
  name: string;
  dtype: string;
  shape: number[];
  data: string | number[];
}

export interface OnnxTest {
  name: string;
  /** The ai.onnx opset the test's model imports. */
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

/** Every operator's fixture in one object: what dist/onnx-conformance.json holds. */
export interface ConformancePack {
  format: typeof PACK_FORMAT;
  version: 1;
  /** Version of the onnx package the tests came from. */
  onnx: string;
  fixtures: OnnxFixture[];
}

export const PACK_FORMAT = 'simdnet-onnx-conformance';

const fail = (where: string, what: string): never => {
  throw new Error(`checkConformancePack: ${where} ${what}`);
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkStored(where: string, v: unknown): StoredValue {
  if (!isObject(v)) return fail(where, `must be a stored value { name, dtype, shape, data }, got ${JSON.stringify(v)}`);
  const { name, dtype, shape, data } = v;
  if (typeof name !== 'string' || typeof dtype !== 'string') fail(where, 'needs a string name and dtype');
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(where, `has a bad shape ${JSON.stringify(shape)}`);
  const size = shapeSize(shape as number[]);
  if (dtype === 'float32') {
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) fail(where, 'float32 data must be base64');
    const bytes = Math.floor(((data as string).length * 3) / 4) - ((data as string).match(/=+$/)?.[0].length ?? 0);
    if (bytes !== 4 * size) fail(where, `holds ${bytes} bytes for shape [${(shape as number[]).join(', ')}] (${4 * size} expected)`);
  } else if (!Array.isArray(data) || data.length !== size || !data.every((x) => typeof x === 'number')) {
    fail(where, `${dtype} data must be ${size} numbers`);
  }
  return v as unknown as StoredValue;
}

/** Throws unless `json` is one operator's fixture file (test/fixtures/onnx/<Op>.json). */
export function checkOnnxFixture(json: unknown, where = 'fixture'): OnnxFixture {
  if (!isObject(json)) return fail(where, 'must be an object { op, onnx, tests, notConverted }');
  const { op, onnx, tests, notConverted } = json;
  if (typeof op !== 'string' || typeof onnx !== 'string') fail(where, 'needs a string op and onnx version');
  if (!Array.isArray(tests) || !Array.isArray(notConverted)) fail(where, 'needs arrays tests and notConverted');
  const at = `${where} ${op as string}`;
  for (const [i, t] of (tests as unknown[]).entries()) {
    if (!isObject(t) || typeof t.name !== 'string' || !Number.isInteger(t.opset) || !isObject(t.attributes)) {
      fail(`${at} test ${i}`, 'needs a name, an integer opset and attributes');
    }
    const test = t as Record<string, unknown>;
    if (!Array.isArray(test.inputs) || !Array.isArray(test.outputs)) fail(`${at} ${String(test.name)}`, 'needs inputs and outputs arrays');
    (test.inputs as unknown[]).forEach((v, k) => v === null || checkStored(`${at} ${String(test.name)} input ${k}`, v));
    (test.outputs as unknown[]).forEach((v, k) => checkStored(`${at} ${String(test.name)} output ${k}`, v));
  }
  for (const n of notConverted as unknown[]) {
    if (!isObject(n) || typeof n.name !== 'string' || typeof n.reason !== 'string') fail(at, 'notConverted entries need a name and a reason');
  }
  return json as unknown as OnnxFixture;
}

/** The pack of the given fixtures (each checked, sorted by op), as the build writes it. */
export function packConformance(fixtures: readonly OnnxFixture[]): ConformancePack {
  if (!Array.isArray(fixtures)) throw new Error(`packConformance: fixtures must be an array of per-operator fixtures, got ${String(fixtures)}`);
  fixtures.forEach((f, i) => checkOnnxFixture(f, `fixture ${i}`));
  const versions = [...new Set(fixtures.map((f) => f.onnx))];
  if (versions.length !== 1) throw new Error(`packConformance: the fixtures must come from one onnx version, got ${versions.join(', ') || 'none'}`);
  const sorted = [...fixtures].sort((a, b) => (a.op < b.op ? -1 : a.op > b.op ? 1 : 0));
  return { format: PACK_FORMAT, version: 1, onnx: versions[0], fixtures: sorted };
}

/** Throws unless `json` is a conformance pack (the parsed dist/onnx-conformance.json). */
export function checkConformancePack(json: unknown): ConformancePack {
  if (!isObject(json) || json.format !== PACK_FORMAT) return fail('pack', `must be an object with format '${PACK_FORMAT}'`);
  if (json.version !== 1) fail('pack', `version ${String(json.version)} is not supported (1 is)`);
  if (typeof json.onnx !== 'string' || !Array.isArray(json.fixtures)) fail('pack', 'needs a string onnx version and an array fixtures');
  const ops = new Set<string>();
  for (const [i, f] of (json.fixtures as unknown[]).entries()) {
    const fixture = checkOnnxFixture(f, `pack fixture ${i}`);
    if (ops.has(fixture.op)) fail('pack', `has operator ${fixture.op} twice`);
    ops.add(fixture.op);
  }
  return json as unknown as ConformancePack;
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

export function isStored(v: unknown): v is StoredValue {
  return isObject(v) && 'dtype' in v;
}
