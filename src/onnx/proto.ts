// The one place that touches ONNX's protobuf schema. `onnx-proto` ships ONNX's onnx.proto
// compiled to static protobufjs code (decoders, encoders and types), so nothing here parses
// protobuf by hand and no .proto file lives in this repository.
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type IModelProto = onnxProto.onnx.IModelProto;
export type IGraphProto = onnxProto.onnx.IGraphProto;
export type INodeProto = onnxProto.onnx.INodeProto;
export type ITensorProto = onnxProto.onnx.ITensorProto;
export type IAttributeProto = onnxProto.onnx.IAttributeProto;
export type IValueInfoProto = onnxProto.onnx.IValueInfoProto;
export const DataType = onnxProto.onnx.TensorProto.DataType;
export const AttributeType = onnxProto.onnx.AttributeProto.AttributeType;

/** protobufjs gives int64 fields as a Long where the `long` package resolves (Node) and as
 * a number where it does not (bundled for browsers); both become a safe JS integer here. */
export type Int64Like = number | { low: number; high: number; unsigned?: boolean; toNumber(): number } | null | undefined;

/** An int64 field as a number; throws (naming `what`) beyond ±2^53, where a double loses digits. */
export function int64(op: string, what: string, v: Int64Like): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const n = v.toNumber();
  const exact = v.unsigned ? n >= 0 && n <= Number.MAX_SAFE_INTEGER : Number.isSafeInteger(n);
  if (!exact) throw new Error(`${op}: ${what} is ${v.unsigned ? 'an unsigned' : 'a'} 64-bit integer beyond ±2^53, which simdnet cannot represent exactly`);
  return n;
}

/** Decodes a serialized ModelProto; a truncated or non-protobuf file is an Error naming op. */
export function decodeModel(op: string, bytes: Uint8Array): ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`${op}: the bytes are not a valid ONNX model (truncated or corrupt protobuf: ${(e as Error).message})`, { cause: e });
  }
}

/** Serializes a ModelProto. */
export function encodeModel(model: IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
