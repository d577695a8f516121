// One-node ONNX models built from the conformance fixtures (test/fixtures/onnx/*.json,
// written by scripts/fixtures/onnx_conformance.py) for the importer's suite: the node as
// ONNX's test has it, its float inputs as graph inputs (or, in 'constants' mode, every
// input after the first as an initializer) and its integer inputs as initializers (a
// simdnet graph input is a float tensor; shapes, axes and sizes are constants).
import { readFileSync, readdirSync } from 'node:fs';
import { Tensor } from '../../src/index.js';
import { AttributeType, DataType, type IAttributeProto, type ITensorProto } from '../../src/onnx/proto.js';
import { modelBytes, value } from './onnx-graph.js';

export interface Stored {
  name: string;
  dtype: string;
  shape: number[];
  data: string | number[];
}

export interface FixtureTest {
  name: string;
  opset: number;
  attributes: Record<string, number | string | number[] | string[] | Stored>;
  inputs: (Stored | null)[];
  outputs: Stored[];
}

export interface Fixture {
  op: string;
  tests: FixtureTest[];
  notConverted: { name: string; reason: string }[];
}

const DIR = new URL('../fixtures/onnx/', import.meta.url);

export function readFixtures(): Fixture[] {
  return readdirSync(DIR).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as Fixture);
}

/** The stored values as numbers (float32 data is base64 of little-endian bytes). */
export function valuesOf(v: Stored): Float32Array | number[] {
  if (typeof v.data !== 'string') return v.data;
  const bytes = Uint8Array.from(atob(v.data), (ch) => ch.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
}

const DATA_TYPES: Record<string, number> = {
  float32: DataType.FLOAT, float64: DataType.DOUBLE, float16: DataType.FLOAT16, int64: DataType.INT64, int32: DataType.INT32,
  int16: DataType.INT16, int8: DataType.INT8, uint8: DataType.UINT8, uint16: DataType.UINT16, uint32: DataType.UINT32,
  uint64: DataType.UINT64, bool: DataType.BOOL,
};

export function isFloat(dtype: string): boolean {
  return dtype.startsWith('float');
}

function half(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return sign | ((mant | 0x800000) >> (1 - exp + 13));
  if (exp >= 31) return sign | 0x7c00 | (Number.isNaN(v) ? 0x200 : 0);
  return sign | (exp << 10) | Math.round(mant / 8192);
}

/** A TensorProto holding a stored value in its own dtype. */
export function tensorProto(v: Stored): ITensorProto {
  const data = Array.from(valuesOf(v));
  const base = { name: v.name, dims: v.shape, dataType: DATA_TYPES[v.dtype] };
  switch (v.dtype) {
    case 'float32': return { ...base, floatData: data };
    case 'float64': return { ...base, doubleData: data };
    case 'float16': return { ...base, int32Data: data.map(half) };
    case 'int64': return { ...base, int64Data: data };
    case 'uint64': case 'uint32': return { ...base, uint64Data: data };
    default: return { ...base, int32Data: data };
  }
}

/** Attributes whose JSON number is a FLOAT (the fixtures write 1.0 as 1); every other
 * number is an INT. A name in neither list of a fixture must be added here. */
const FLOAT_ATTRIBUTES = new Set(['alpha', 'beta', 'epsilon', 'ratio', 'momentum', 'extrapolation_value', 'cubic_coeff_a', 'gamma', 'value']);
const INT_ATTRIBUTES = new Set([
  'ceil_mode', 'count_include_pad', 'training_mode', 'axis', 'seed', 'transA', 'transB', 'storage_order', 'allowzero', 'group',
  'keepdims', 'exclude_outside', 'stash_type', 'antialias',
]);

function attributeOf(name: string, v: FixtureTest['attributes'][string]): IAttributeProto {
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    if (FLOAT_ATTRIBUTES.has(name)) return { name, type: AttributeType.FLOAT, f: v };
    if (INT_ATTRIBUTES.has(name)) return { name, type: AttributeType.INT, i: v };
    throw new Error(`attribute ${name}: add it to FLOAT_ATTRIBUTES or INT_ATTRIBUTES`);
  }
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { name, type: AttributeType.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    if (name === 'scales') return { name, type: AttributeType.FLOATS, floats: v as number[] };
    return { name, type: AttributeType.INTS, ints: v as number[] };
  }
  return { name, type: AttributeType.TENSOR, t: tensorProto(v) };
}

/** Ops whose definition did not change between their fixture's opset and 11: their
 * tests run at opset 11, simdnet's first. */
const UNCHANGED_SINCE: Record<string, number> = { GlobalAveragePool: 1, GlobalMaxPool: 1, HardSigmoid: 6, InstanceNormalization: 6 };

export type Mode = 'inputs' | 'constants';

/** Float inputs that parameterize the op (bounds, scales, a pad value, a ratio): ONNX's
 * tests feed them as graph inputs, exporters write them as constants, and simdnet reads
 * them on the host, so they are initializers here. */
const PARAMETER_INPUTS: Record<string, readonly number[]> = { Clip: [1, 2], Pad: [2], Resize: [1, 2], Dropout: [1] };

export interface FixtureModel {
  bytes: Uint8Array;
  opset: number;
  /** The graph inputs' data, in order. */
  feeds: Tensor[];
}

export function fixtureModel(op: string, test: FixtureTest, mode: Mode): FixtureModel {
  const opset = test.opset < 11 && UNCHANGED_SINCE[op] !== undefined && UNCHANGED_SINCE[op] <= test.opset ? 11 : test.opset;
  const inputs: Stored[] = [];
  const initializers: ITensorProto[] = [];
  test.inputs.forEach((v, i) => {
    if (!v) return;
    const asInput = isFloat(v.dtype) && (i === 0 || (mode === 'inputs' && !(PARAMETER_INPUTS[op] ?? []).includes(i)));
    if (asInput) inputs.push(v);
    else initializers.push(tensorProto(v));
  });
  const bytes = modelBytes({
    nodes: [{ op, inputs: test.inputs.map((v) => v?.name ?? ''), outputs: test.outputs.map((o) => o.name), attrs: Object.entries(test.attributes).map(([k, v]) => attributeOf(k, v)), name: test.name }],
    inputs: inputs.map((v) => value(v.name, v.shape, DATA_TYPES[v.dtype])),
    outputs: test.outputs.map((o) => value(o.name, o.shape, DATA_TYPES[o.dtype])),
    initializers,
    opset,
    graphName: test.name,
  });
  return { bytes, opset, feeds: inputs.map((v) => new Tensor(Float32Array.from(valuesOf(v)), v.shape)) };
}
