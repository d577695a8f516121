// TensorProto ⇄ typed arrays. Float tensors become Float32Array (float64 and float16 are
// converted; ints that feed float ops too); integer tensors (shapes, axes, indices) become
// plain number arrays. Raw data is little-endian, as the ONNX spec fixes it.
import { DataType, type ITensorProto, int64 } from './proto.js';

export type OnnxDType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'bool';

const DTYPE_NAMES: Record<number, OnnxDType> = {
  [DataType.FLOAT]: 'float32', [DataType.DOUBLE]: 'float64', [DataType.FLOAT16]: 'float16', [DataType.INT64]: 'int64',
  [DataType.INT32]: 'int32', [DataType.INT16]: 'int16', [DataType.INT8]: 'int8', [DataType.UINT8]: 'uint8',
  [DataType.UINT16]: 'uint16', [DataType.UINT32]: 'uint32', [DataType.UINT64]: 'uint64', [DataType.BOOL]: 'bool',
};

const DATA_TYPE_NUMBERS = Object.fromEntries(Object.entries(DTYPE_NAMES).map(([k, v]) => [v, Number(k)])) as Record<OnnxDType, number>;

/** The dtype name of an ONNX data type number; throws for types simdnet does not read (strings, complex, bfloat16). */
export function dtypeName(op: string, what: string, dataType: number | null | undefined): OnnxDType {
  const name = DTYPE_NAMES[dataType ?? 0];
  if (!name) throw new Error(`${op}: ${what} has ONNX data type ${dataType ?? 'undefined'} (${DataType[dataType ?? 0] ?? 'unknown'}), which simdnet does not support`);
  return name;
}

export function dataTypeNumber(dtype: OnnxDType): number {
  return DATA_TYPE_NUMBERS[dtype];
}

export interface DecodedTensor {
  readonly name: string;
  readonly dims: number[];
  readonly dtype: OnnxDType;
  /** Float32 values for float dtypes, else null. */
  readonly floats: Float32Array | null;
  /** Integer (and bool as 0/1) values for integer dtypes, else null. */
  readonly ints: number[] | null;
}

const BYTES: Record<OnnxDType, number> = {
  float32: 4, float64: 8, float16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, uint16: 2, uint32: 4, uint64: 8, bool: 1,
};

function isFloat(dtype: OnnxDType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}

/** IEEE half → float. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function readRaw(op: string, t: ITensorProto, dtype: OnnxDType, count: number, raw: Uint8Array): number[] | Float32Array {
  const label = `tensor '${t.name ?? ''}'`;
  if (raw.byteLength !== count * BYTES[dtype]) {
    throw new Error(`${op}: ${label} holds ${raw.byteLength} bytes of raw data, but ${dtype} [${(t.dims ?? []).join(', ')}] needs ${count * BYTES[dtype]}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (dtype === 'float32') {
    // Copying the bytes gives an aligned buffer of exactly this tensor (raw data sits at any
    // offset in the file). Not raw.slice(): on a Node Buffer that is a view of the whole pool.
    if (LITTLE_ENDIAN) return new Float32Array(new Uint8Array(raw).buffer);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  if (dtype === 'float64') return Float32Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, true));
  if (dtype === 'float16') return Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(2 * i, true)));
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'int64':
      case 'uint64': {
        const v = dtype === 'int64' ? view.getBigInt64(8 * i, true) : view.getBigUint64(8 * i, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
          // Exporters write INT64_MAX / INT64_MIN for "to the end" in Slice: clamp those, refuse others.
          if (v >= 2n ** 62n) out[i] = Number.MAX_SAFE_INTEGER;
          else if (v <= -(2n ** 62n)) out[i] = -Number.MAX_SAFE_INTEGER;
          else throw new Error(`${op}: ${label} holds ${v}, beyond ±2^53`);
        } else out[i] = Number(v);
        break;
      }
      case 'int32': out[i] = view.getInt32(4 * i, true); break;
      case 'uint32': out[i] = view.getUint32(4 * i, true); break;
      case 'int16': out[i] = view.getInt16(2 * i, true); break;
      case 'uint16': out[i] = view.getUint16(2 * i, true); break;
      case 'int8': out[i] = view.getInt8(i); break;
      default: out[i] = view.getUint8(i); // uint8, bool
    }
  }
  return out;
}

/** Reads a TensorProto's values. External data is refused: simdnet reads one self-contained file. */
export function readTensorProto(op: string, t: ITensorProto): DecodedTensor {
  const name = t.name ?? '';
  const label = `tensor '${name}'`;
  if (t.dataLocation === 1 || (t.externalData && t.externalData.length > 0)) {
    throw new Error(`${op}: ${label} keeps its data in an external file; simdnet reads only self-contained ONNX files (save the model with all tensors inside it, e.g. onnx.save_model(m, path, save_as_external_data=False))`);
  }
  if (t.segment) throw new Error(`${op}: ${label} is a segmented tensor, which simdnet does not support`);
  const dtype = dtypeName(op, label, t.dataType);
  const dims = (t.dims ?? []).map((d, i) => {
    const n = int64(op, `${label} dim ${i}`, d);
    if (n < 0) throw new Error(`${op}: ${label} has a negative dimension ${n}`);
    return n;
  });
  const count = dims.reduce((a, b) => a * b, 1);
  let values: number[] | Float32Array;
  if (t.rawData && t.rawData.byteLength > 0) values = readRaw(op, t, dtype, count, t.rawData);
  else {
    const typed = fieldValues(op, t, dtype);
    if (typed.length !== count) throw new Error(`${op}: ${label} holds ${typed.length} values, but [${dims.join(', ')}] needs ${count}`);
    values = typed;
  }
  if (isFloat(dtype)) return { name, dims, dtype, floats: values instanceof Float32Array ? values : Float32Array.from(values), ints: null };
  return { name, dims, dtype, floats: null, ints: Array.from(values) };
}

/** The typed repeated field that holds values when raw_data is absent. */
function fieldValues(op: string, t: ITensorProto, dtype: OnnxDType): number[] {
  const label = `tensor '${t.name ?? ''}'`;
  switch (dtype) {
    case 'float32': return t.floatData ?? [];
    case 'float64': return t.doubleData ?? [];
    case 'int64': return (t.int64Data ?? []).map((v, i) => int64(op, `${label}[${i}]`, v));
    case 'uint64': case 'uint32': return (t.uint64Data ?? []).map((v, i) => int64(op, `${label}[${i}]`, v));
    case 'float16': return (t.int32Data ?? []).map(halfToFloat);
    default: return t.int32Data ?? []; // int32, int16, int8, uint8, uint16, bool
  }
}

/** A float32 TensorProto (raw little-endian data). */
export function floatTensorProto(name: string, dims: readonly number[], data: Float32Array): ITensorProto {
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
  return { name, dims: [...dims], dataType: DataType.FLOAT, rawData: raw };
}

/** An int64 TensorProto (raw little-endian data), for shapes, axes and pads. */
export function int64TensorProto(name: string, dims: readonly number[], values: readonly number[]): ITensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    if (!Number.isSafeInteger(v)) throw new Error(`toOnnx: int64 tensor '${name}' value ${v} is not an integer`);
    view.setBigInt64(8 * i, BigInt(v), true);
  });
  return { name, dims: [...dims], dataType: DataType.INT64, rawData: raw };
}
